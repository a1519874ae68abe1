namespace AiGateway.Config;

/// <summary>One row of the price table: a model's list prices in USD per 1 million tokens from a moment on.</summary>
/// <param name="Model">The model name as the API spells it, e.g. <c>gpt-4o</c> or a dated snapshot.</param>
/// <param name="InputPer1M">Price of 1M uncached input (prompt) tokens.</param>
/// <param name="CachedInputPer1M">Price of 1M cached input tokens.</param>
/// <param name="OutputPer1M">Price of 1M output (completion, reasoning included) tokens.</param>
/// <param name="EffectiveFrom">The moment this price starts to apply; it applies until the model's next row.</param>
public sealed record ModelPrice(string Model, decimal InputPer1M, decimal CachedInputPer1M, decimal OutputPer1M, DateTimeOffset EffectiveFrom);
