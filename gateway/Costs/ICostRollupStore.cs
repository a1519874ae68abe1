using System.Data.Common;

namespace AiGateway.Costs;

/// <summary>Reads the cost rollups for the costs export: Postgres or the embedded store.</summary>
internal interface ICostRollupStore
{
    /// <summary>
    /// Runs the export's query and hands its open reader to <paramref name="write"/>: columns named and ordered as
    /// <see cref="CostsColumns.Header"/>, every value as text or an integer, rows in period, org, customer, route, model
    /// order, read as the database sends them (nothing is gathered first).
    /// </summary>
    Task ReadAsync(CostsQuery query, Func<DbDataReader, Task> write, CancellationToken cancellationToken);
}
