namespace AiGateway.Transforms.Endpoints;

/// <summary>
/// An endpoint whose calls the gateway stamps, logs and counts against budgets: an understood AI endpoint
/// (<see cref="AiEndpoint"/>) or a metered one it forwards as it is (<see cref="MeteredEndpoint"/>).
/// </summary>
public abstract class CallEndpoint
{
    /// <summary>Names the endpoint.</summary>
    protected CallEndpoint(string path, string operationName)
    {
        Path = path;
        OperationName = operationName;
    }

    /// <summary>The request path, e.g. <c>/v1/chat/completions</c>.</summary>
    public string Path { get; }

    /// <summary>The OpenTelemetry GenAI operation name (a well-known one where it exists).</summary>
    public string OperationName { get; }

    /// <inheritdoc/>
    public override string ToString() => Path;
}
