namespace AiGateway.Transforms.Endpoints;

/// <summary><c>POST /v1/chat/completions</c> (CONTRACT §2).</summary>
internal sealed class ChatCompletionsEndpoint() : ChatStyleEndpoint("/v1/chat/completions", "chat");
