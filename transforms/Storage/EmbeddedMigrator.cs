using Microsoft.Extensions.Hosting;

namespace AiGateway.Transforms.Storage;

/// <summary>Migrates and checks the embedded store before the gateway accepts requests; a schema it does not know stops start-up.</summary>
internal sealed class EmbeddedMigrator(EmbeddedDatabase database) : IHostedService
{
    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync();

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
