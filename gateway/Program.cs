using AiGateway;
using AiGateway.Cli;

if (GatewayCommandLine.IsVerb(args))
{
    return await GatewayCommandLine.RunAsync(args);
}

await GatewayApp.Build(new WebApplicationOptions { Args = args }).RunAsync();
return 0;
