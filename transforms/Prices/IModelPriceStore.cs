using AiGateway.Config;

namespace AiGateway.Transforms.Prices;

/// <summary>The <c>model_prices</c> table of the store in use.</summary>
internal interface IModelPriceStore
{
    /// <summary>Inserts or updates the rows by (model, effective_from).</summary>
    Task UpsertAsync(IReadOnlyList<ModelPrice> prices, CancellationToken cancellationToken);

    /// <summary>Every row.</summary>
    Task<IReadOnlyList<ModelPrice>> LoadAsync(CancellationToken cancellationToken);
}
