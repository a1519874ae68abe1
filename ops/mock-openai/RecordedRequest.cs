namespace MockOpenAi;

/// <summary>One request as the mock received it. Header names are case-insensitive; repeated headers are joined with ",".</summary>
public sealed record RecordedRequest(
    string Method,
    string PathAndQuery,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body);
