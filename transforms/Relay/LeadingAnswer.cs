namespace AiGateway.Transforms.Relay;

/// <summary>
/// The answer a call makes the upstream call for (a request feature, set by the dedupe step on the call that leads):
/// the upstream transform starts it with the upstream's status and headers and pumps the upstream's body into it.
/// </summary>
/// <param name="Answer">The live answer to fill.</param>
/// <param name="Reader">The leader's own client, as the in-flight view names it.</param>
/// <param name="ClientReads">
/// Whether the leader's client is served as a reader of <paramref name="Answer"/> already (a stream: its response may
/// start with a keepalive before the upstream answers), so the transform only pumps; otherwise (a body answer) the
/// transform also writes the answer to the client, on the response YARP started.
/// </param>
public sealed record LeadingAnswer(LiveResponse Answer, LiveReader? Reader = null, bool ClientReads = false);
