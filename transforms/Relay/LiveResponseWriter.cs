using System.Buffers;
using System.Text.Json;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Errors;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Relay;

/// <summary>
/// Writes a <see cref="LiveResponse"/> to one client — the leader's own, a follower or a resumer — from any position:
/// the events so far at once, then each new event the moment it is appended, flushed on its own; and, while a stream's
/// upstream is silent, the keepalive comments the answer asks for (CONTRACT §10.6).
/// </summary>
internal static class LiveResponseWriter
{
    /// <summary>The SSE comment written while a stream's upstream is silent: no <c>id:</c>, so resume positions do not move.</summary>
    public static ReadOnlySpan<byte> KeepAliveComment => ": keepalive\n\n"u8;

    /// <summary>The content type of a stream the gateway starts before the upstream answered.</summary>
    public const string EventStreamContentType = "text/event-stream; charset=utf-8";

    /// <summary>What happened to the client's answer.</summary>
    public enum Outcome
    {
        /// <summary>The client got the whole answer (or the upstream's error).</summary>
        Delivered,

        /// <summary>The leader's own client left before the upstream answered: nothing but keepalives was written, try again.</summary>
        LeaderGone,

        /// <summary>The wait limit passed.</summary>
        Stopped,

        /// <summary>The client left before the answer's end.</summary>
        ClientGone,

        /// <summary>The app released the client's reader (<c>POST /api/inflight/{id}/release</c>).</summary>
        Released,
    }

    /// <summary>
    /// Writes the answer to <paramref name="context"/>'s response, as <paramref name="reader"/> (null for a client the
    /// in-flight view does not name) of kind <paramref name="client"/>.
    /// </summary>
    public static async Task<Outcome> WriteAsync(HttpContext context, LiveResponse live, LiveReader? reader, int firstEvent, bool includeUsage, LiveClient client, CancellationToken waitLimit, TimeSpan grace)
    {
        if (reader is null)
        {
            live.AddSubscriber();
        }
        else
        {
            live.Subscribe(reader);
        }

        var outcome = Outcome.Stopped;
        try
        {
            outcome = await WriteCoreAsync(context, live, reader, firstEvent, includeUsage, client, waitLimit);
            return outcome;
        }
        catch (OperationCanceledException) when (waitLimit.IsCancellationRequested)
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                outcome = Outcome.ClientGone;
                return outcome;
            }

            await WriteTimeoutAsync(context, live);
            return outcome;
        }
        finally
        {
            if (reader is null)
            {
                live.RemoveSubscriber(grace);
            }
            else
            {
                reader.ClientLeft |= outcome == Outcome.ClientGone
                    || (outcome is Outcome.Stopped && context.RequestAborted.IsCancellationRequested);
                // A released reader lets the answer go at once (no other reader left: "stop generating" stops the bill).
                live.Unsubscribe(reader, reader.Released ? TimeSpan.Zero : grace);
            }
        }
    }

    private static async Task<Outcome> WriteCoreAsync(HttpContext context, LiveResponse live, LiveReader? reader, int firstEvent, bool includeUsage, LiveClient client, CancellationToken waitLimit)
    {
        // One registration for the whole answer instead of a cancellable wait per event (a WaitAsync promise, its
        // registration and its continuation each time): when the limit passes, it wakes the answer's readers, and this
        // one finds its limit passed.
        using var stop = waitLimit.UnsafeRegister(static state => ((LiveResponse)state!).WakeReaders(), live);
        // This writer's every wait for the next change (one per event of a stream) reuses it.
        var waiter = new LiveWaiter();
        var response = context.Response;
        // A follower whose leader was lost may lead a fresh call into a stream a keepalive already started.
        var started = IsEventStreamStarted(response);
        var keepAlives = live.KeepAlives;
        while (true)
        {
            var version = live.Version;
            if (live.State != LiveState.Waiting || reader?.Released == true)
            {
                break;
            }

            if (live.KeepAlives != keepAlives)
            {
                keepAlives = live.KeepAlives;
                switch (await WriteKeepAliveAsync(context, live, client, started))
                {
                    case KeepAliveResult.ClientGone:
                        return Outcome.ClientGone;
                    case KeepAliveResult.Started:
                        started = true;
                        break;
                }
            }

            await NextChange(live, version, waiter, waitLimit);
            waitLimit.ThrowIfCancellationRequested();
        }

        if (reader?.Released == true)
        {
            return Outcome.Released;
        }

        if (live.State == LiveState.Failed && live.StatusCode == 0)
        {
            return Outcome.LeaderGone;
        }

        if (!live.IsEventStream)
        {
            // A body reaches its clients whole or not at all, so its headers wait for it too: a follower whose leader
            // was lost before the end has written nothing and can still lead a fresh call.
            while (true)
            {
                // The version is read before the check, so an end between the two is not missed.
                var version = live.Version;
                if (live.IsFinished || reader?.Released == true)
                {
                    break;
                }

                if (live.KeepAlives != keepAlives && started)
                {
                    keepAlives = live.KeepAlives;
                    if (await WriteKeepAliveAsync(context, live, client, started) == KeepAliveResult.ClientGone)
                    {
                        return Outcome.ClientGone;
                    }
                }

                await NextChange(live, version, waiter, waitLimit);
                waitLimit.ThrowIfCancellationRequested();
            }

            if (reader?.Released == true)
            {
                return Outcome.Released;
            }

            if (live.State == LiveState.Failed && live.FailedByCancellation)
            {
                return client == LiveClient.Joiner ? Outcome.LeaderGone : Outcome.Stopped;
            }

            if (started)
            {
                // The client was promised a stream (a keepalive started it before the upstream answered): whatever answer
                // came instead, an upstream error or the gateway's, reaches it as an error event (CONTRACT §10.6).
                await response.BodyWriter.WriteAsync(ErrorEvent(live), context.RequestAborted);
                return Outcome.Delivered;
            }

            if (!response.HasStarted)
            {
                if (client != LiveClient.YarpLeader)
                {
                    WriteHeaders(response, live, client);
                }

                response.StatusCode = live.StatusCode;
                response.ContentLength = live.Body.Length;
                if (live.CostUsd is { } cost && live.Body.Length <= AnswerCost.MaxBodyBytesWithHeader)
                {
                    // Only the call that made the upstream request paid for it.
                    response.Headers[AnswerCost.Header] = AnswerCost.Format(client == LiveClient.Joiner ? 0m : cost);
                }
            }

            MarkFirstByte(context);

            await response.Body.WriteAsync(live.Body, context.RequestAborted);
            return Outcome.Delivered;
        }

        if (!started && !response.HasStarted && client != LiveClient.YarpLeader)
        {
            WriteHeaders(response, live, client);
        }

        var output = response.BodyWriter;
        var next = firstEvent;
        while (true)
        {
            var version = live.Version;
            if (reader?.Released == true)
            {
                return Outcome.Released;
            }

            var finished = live.IsFinished;
            var count = live.EventCount;
            for (; next < count; next++)
            {
                if (next == live.UsageEventIndex && !includeUsage)
                {
                    continue;
                }

                if (next == live.TerminalEventIndex && (client == LiveClient.Joiner || live.CostUsd is not null))
                {
                    // Only the call that made the upstream request paid; followers and resumers cost nothing.
                    if (client == LiveClient.Joiner)
                    {
                        output.Write(AnswerCost.PaidNothingComment);
                    }
                    else
                    {
                        AnswerCost.WriteComment(output, live.CostUsd!.Value);
                    }
                }

                SseEventId.WriteEvent(output, live.ResponseId, next, live.Event(next).Span);
                var flushed = await output.FlushAsync(context.RequestAborted);
                MarkFirstByte(context);
                if (flushed.IsCanceled || flushed.IsCompleted)
                {
                    return Outcome.ClientGone;
                }
            }

            if (finished)
            {
                if (!live.FailureEvent.IsEmpty)
                {
                    await output.WriteAsync(live.FailureEvent, context.RequestAborted);
                }

                return Outcome.Delivered;
            }

            if (live.KeepAlives != keepAlives)
            {
                keepAlives = live.KeepAlives;
                if (await WriteKeepAliveAsync(context, live, client, started: true) == KeepAliveResult.ClientGone)
                {
                    return Outcome.ClientGone;
                }
            }

            await NextChange(live, version, waiter, waitLimit);
            waitLimit.ThrowIfCancellationRequested();
        }
    }

    private enum KeepAliveResult
    {
        Written,
        Started,
        Skipped,
        ClientGone,
    }

    /// <summary>
    /// Writes one keepalive comment, first starting the client's stream (200 <c>text/event-stream</c>) when the upstream
    /// has not answered yet: from then on the client's status is fixed, and any failure reaches it as an error event.
    /// </summary>
    private static async ValueTask<KeepAliveResult> WriteKeepAliveAsync(HttpContext context, LiveResponse live, LiveClient client, bool started)
    {
        var response = context.Response;
        var result = KeepAliveResult.Written;
        if (!live.IsStream || client == LiveClient.YarpLeader)
        {
            return KeepAliveResult.Skipped;
        }

        if (!started)
        {
            if (response.HasStarted || live.State != LiveState.Waiting)
            {
                return KeepAliveResult.Skipped;
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = EventStreamContentType;
            response.Headers.CacheControl = "no-cache";
            result = KeepAliveResult.Started;
        }

        response.BodyWriter.Write(KeepAliveComment);
        var flushed = await response.BodyWriter.FlushAsync(context.RequestAborted);
        return flushed.IsCanceled || flushed.IsCompleted ? KeepAliveResult.ClientGone : result;
    }

    private static void WriteHeaders(HttpResponse response, LiveResponse live, LiveClient client)
    {
        response.StatusCode = live.StatusCode;
        if (live.UpstreamHeaders is not { } headers)
        {
            // Failed before the upstream answered: the body is the gateway's own error.
            response.ContentType = "application/json";
            return;
        }

        if (client == LiveClient.Leader)
        {
            // The leader's client gets every header YARP set for it (its own x-aigw-* ones among them), as if YARP had started it.
            foreach (var header in headers.Leader)
            {
                response.Headers[header.Key] = header.Value;
            }

            return;
        }

        foreach (var header in live.Headers)
        {
            response.Headers[header.Key] = header.Value;
        }
    }

    /// <summary>Whether the gateway already started this response as an event stream (a keepalive before the upstream answered).</summary>
    private static bool IsEventStreamStarted(HttpResponse response) =>
        response.HasStarted && response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The error event for an answer that came as a status and a body to a client whose stream had started.</summary>
    private static byte[] ErrorEvent(LiveResponse live)
    {
        if (!live.FailureEvent.IsEmpty)
        {
            return live.FailureEvent.ToArray();
        }

        var (message, code) = ReadError(live.Body.Span);
        if (live.StatusCode is >= 200 and <= 299)
        {
            return live.Endpoint.FailureEvent("The upstream answered the streamed request with one JSON body, which cannot follow the keepalives already sent; repeat the request.");
        }

        return live.Endpoint.FailureEvent(message ?? $"The upstream answered with HTTP {live.StatusCode}.", code ?? SseFailureEvent.UpstreamStreamError);
    }

    // The message and code (else type) of an OpenAI-shaped error body; nulls when the body is not one.
    private static (string? Message, string? Code) ReadError(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("error"u8, out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            return (Text(error, "message"u8), Text(error, "code"u8) ?? Text(error, "type"u8));
        }
        catch (JsonException)
        {
            return (null, null);
        }

        static string? Text(JsonElement error, ReadOnlySpan<byte> name) =>
            error.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    // The limit is checked after the waiter is registered: a limit passing before it could not wake it. A waiter left
    // registered when the limit throws is never awaited or reused: the answer completes it once, and nothing waits.
    private static ValueTask NextChange(LiveResponse live, int version, LiveWaiter waiter, CancellationToken waitLimit)
    {
        var changed = live.ChangedSince(version, waiter);
        waitLimit.ThrowIfCancellationRequested();
        return changed;
    }

    private static void MarkFirstByte(HttpContext context) => context.Features.Get<AiCall>()?.MarkFirstByte();

    private static async Task WriteTimeoutAsync(HttpContext context, LiveResponse live)
    {
        const string message = "The identical request this one joined did not finish within Gateway:Dedupe:MaxWaitSeconds.";
        if (!context.Response.HasStarted)
        {
            await OpenAiError.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "server_error", "dedupe_wait_exceeded", message);
        }
        else if (live.IsEventStream || IsEventStreamStarted(context.Response))
        {
            await context.Response.BodyWriter.WriteAsync(live.Endpoint.FailureEvent(message, "dedupe_wait_exceeded"));
        }
    }
}
