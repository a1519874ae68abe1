using AiGateway.Transforms.Configuration;
using AiGateway.Transforms.Storage;

namespace AiGateway;

/// <summary>Runs the gateway server; a configuration or schema it cannot start with is reported on stderr with exit code 1, not a stack trace.</summary>
public static class GatewayServer
{
    /// <summary>Builds and runs the gateway until it is stopped; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
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

        try
        {
            await app.RunAsync();
        }
        catch (SchemaMismatchException ex)
        {
            // The schema check at start-up: the message names every difference.
            await Console.Error.WriteLineAsync(ex.Message);
            return 1;
        }

        return 0;
    }
}
