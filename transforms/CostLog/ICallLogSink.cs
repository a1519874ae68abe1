using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.CostLog;

/// <summary>Something told of every ended call with its completed log row (the OpenTelemetry instruments); registered in DI, called in registration order.</summary>
public interface ICallLogSink
{
    /// <summary>The call has ended; <paramref name="row"/> is complete and must not be changed. Called on the request's thread, for every understood call.</summary>
    void OnCallEnded(HttpContext context, PerfLogRecord row);
}
