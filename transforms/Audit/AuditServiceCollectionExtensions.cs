using AiGateway.Transforms.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Audit;

/// <summary>Registers the admin audit log.</summary>
public static class AuditServiceCollectionExtensions
{
    /// <summary>Adds <see cref="IAuditLog"/> on the database <c>AddGatewayStorage</c> chose; call it after that.</summary>
    public static IServiceCollection AddAuditLog(this IServiceCollection services) =>
        services.AddStore<IAuditLog, PostgresAuditLog, SqliteAuditLog>();
}
