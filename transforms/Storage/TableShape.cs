namespace AiGateway.Transforms.Storage;

/// <summary>A table: its kind (<c>a plain table</c>, <c>partitioned</c>), columns by name and index definitions by index name.</summary>
internal sealed record TableShape(string Kind, IReadOnlyDictionary<string, ColumnShape> Columns, IReadOnlyDictionary<string, string> Indexes);
