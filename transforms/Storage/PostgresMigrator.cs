using Microsoft.Extensions.Hosting;

namespace AiGateway.Transforms.Storage;

/// <summary>Migrates and checks Postgres before the gateway accepts requests; a failure or a schema it does not know stops start-up with its message.</summary>
internal sealed class PostgresMigrator(PostgresDatabase database) : IHostedService
{
    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
