namespace AiGateway.Transforms.Relay;

/// <summary>
/// The answer a call makes the upstream call for (a request feature, set by the dedupe step on the call that leads):
/// the upstream transform starts it with the upstream's status and headers and pumps the upstream's body into it.
/// </summary>
/// <param name="Answer">The live answer to fill.</param>
public sealed record LeadingAnswer(LiveResponse Answer);
