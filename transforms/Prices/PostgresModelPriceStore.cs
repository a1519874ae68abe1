using AiGateway.Config;
using AiGateway.Transforms.Storage;
using Npgsql;

namespace AiGateway.Transforms.Prices;

/// <summary><c>model_prices</c> in Postgres.</summary>
internal sealed class PostgresModelPriceStore(PostgresDatabase database) : IModelPriceStore
{
    /// <inheritdoc/>
    public async Task UpsertAsync(IReadOnlyList<ModelPrice> prices, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var price in prices)
        {
            await using var upsert = new NpgsqlCommand(
                """
                INSERT INTO model_prices (model, input_per_1m, cached_input_per_1m, output_per_1m, effective_from)
                VALUES (@model, @input, @cached, @output, @from)
                ON CONFLICT (model, effective_from) DO UPDATE SET
                    input_per_1m = EXCLUDED.input_per_1m,
                    cached_input_per_1m = EXCLUDED.cached_input_per_1m,
                    output_per_1m = EXCLUDED.output_per_1m
                """, connection, transaction);
            upsert.Parameters.AddWithValue("model", price.Model);
            upsert.Parameters.AddWithValue("input", price.InputPer1M);
            upsert.Parameters.AddWithValue("cached", price.CachedInputPer1M);
            upsert.Parameters.AddWithValue("output", price.OutputPer1M);
            upsert.Parameters.AddWithValue("from", price.EffectiveFrom.ToUniversalTime());
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ModelPrice>> LoadAsync(CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(
            "SELECT model, input_per_1m, cached_input_per_1m, output_per_1m, effective_from FROM model_prices");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var prices = new List<ModelPrice>();
        while (await reader.ReadAsync(cancellationToken))
        {
            prices.Add(new ModelPrice(
                reader.GetString(0),
                reader.GetDecimal(1),
                reader.GetDecimal(2),
                reader.GetDecimal(3),
                reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return prices;
    }
}
