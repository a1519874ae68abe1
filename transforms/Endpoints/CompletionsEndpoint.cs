namespace AiGateway.Transforms.Endpoints;

/// <summary><c>POST /v1/completions</c> (CONTRACT §2): the legacy text completions, streamed as chat completions are.</summary>
internal sealed class CompletionsEndpoint() : ChatStyleEndpoint("/v1/completions", "text_completion");
