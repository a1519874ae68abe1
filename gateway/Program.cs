using AiGateway;
using AiGateway.Cli;
using AiGateway.Transforms.Configuration;

if (GatewayCommandLine.IsVerb(args))
{
    return await GatewayCommandLine.RunAsync(args);
}

WebApplication app;
try
{
    app = GatewayApp.Build(new WebApplicationOptions { Args = args });
}
catch (GatewayConfigurationException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}
catch (InvalidDataException ex)
{
    // appsettings.json is not JSON: the reader's own messages say where.
    await Console.Error.WriteLineAsync(string.Join(" ", new[] { ex, ex.InnerException, ex.InnerException?.InnerException }.OfType<Exception>().Select(e => e.Message)));
    return 1;
}

await app.RunAsync();
return 0;
