using AiGateway;
using AiGateway.Cli;

// A verb (keys, orgs, validate) runs instead of the server; without one the arguments are the server's.
return await GatewayCommandLine.RunAsync(args, server: GatewayServer.RunAsync);
