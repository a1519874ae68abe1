using AiGateway.Config;
using AiGateway.Transforms.Storage;

namespace AiGateway.Transforms.Prices;

/// <summary><c>model_prices</c> in the embedded store, money as exact decimal text.</summary>
internal sealed class SqliteModelPriceStore(EmbeddedDatabase database) : IModelPriceStore
{
    /// <inheritdoc/>
    public async Task UpsertAsync(IReadOnlyList<ModelPrice> prices, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        foreach (var price in prices)
        {
            await using var upsert = connection.CreateCommand();
            upsert.Transaction = transaction;
            upsert.CommandText = """
                INSERT INTO model_prices (model, input_per_1m, cached_input_per_1m, output_per_1m, effective_from)
                VALUES ($model, $input, $cached, $output, $from)
                ON CONFLICT (model, effective_from) DO UPDATE SET
                    input_per_1m = excluded.input_per_1m,
                    cached_input_per_1m = excluded.cached_input_per_1m,
                    output_per_1m = excluded.output_per_1m
                """;
            upsert.Parameters.AddWithValue("$model", price.Model);
            upsert.Parameters.AddWithValue("$input", SqliteValues.Money(price.InputPer1M));
            upsert.Parameters.AddWithValue("$cached", SqliteValues.Money(price.CachedInputPer1M));
            upsert.Parameters.AddWithValue("$output", SqliteValues.Money(price.OutputPer1M));
            upsert.Parameters.AddWithValue("$from", SqliteValues.Time(price.EffectiveFrom));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ModelPrice>> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT model, input_per_1m, cached_input_per_1m, output_per_1m, effective_from FROM model_prices";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var prices = new List<ModelPrice>();
        while (await reader.ReadAsync(cancellationToken))
        {
            prices.Add(new ModelPrice(
                reader.GetString(0),
                SqliteValues.ParseMoney(reader.GetString(1)),
                SqliteValues.ParseMoney(reader.GetString(2)),
                SqliteValues.ParseMoney(reader.GetString(3)),
                SqliteValues.ParseTime(reader.GetString(4))));
        }

        return prices;
    }
}
