namespace AiGateway.Transforms.Storage;

/// <summary>A column: its type as the database names it, whether it is NOT NULL, and its default expression.</summary>
internal sealed record ColumnShape(string Type, bool NotNull, string? Default);
