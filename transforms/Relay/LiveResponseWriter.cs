using System.Buffers;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Errors;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Relay;

/// <summary>
/// Writes a <see cref="LiveResponse"/> to one client — the leader's own, a follower or a resumer — from any position:
/// the events so far at once, then each new event the moment it is appended, flushed on its own.
/// </summary>
internal static class LiveResponseWriter
{
    /// <summary>What happened to the client's answer.</summary>
    public enum Outcome
    {
        /// <summary>The client got the whole answer (or the upstream's error).</summary>
        Delivered,

        /// <summary>The leader's own client left before the upstream answered: nothing was written, try again.</summary>
        LeaderGone,

        /// <summary>The wait limit passed or the client left.</summary>
        Stopped,
    }

    /// <summary>Writes the answer; <paramref name="writeHeaders"/> is false for the leader, whose headers YARP has set.</summary>
    public static async Task<Outcome> WriteAsync(HttpContext context, LiveResponse live, int firstEvent, bool includeUsage, bool writeHeaders, CancellationToken waitLimit, TimeSpan grace)
    {
        live.AddSubscriber();
        try
        {
            return await WriteCoreAsync(context, live, firstEvent, includeUsage, writeHeaders, waitLimit);
        }
        catch (OperationCanceledException) when (waitLimit.IsCancellationRequested)
        {
            await WriteTimeoutAsync(context, live);
            return Outcome.Stopped;
        }
        finally
        {
            live.RemoveSubscriber(grace);
        }
    }

    private static async Task<Outcome> WriteCoreAsync(HttpContext context, LiveResponse live, int firstEvent, bool includeUsage, bool writeHeaders, CancellationToken waitLimit)
    {
        // One registration for the whole answer instead of a cancellable wait per event (a WaitAsync promise, its
        // registration and its continuation each time): when the limit passes, it wakes the answer's readers, and this
        // one finds its limit passed.
        using var stop = waitLimit.UnsafeRegister(static state => ((LiveResponse)state!).WakeReaders(), live);
        while (true)
        {
            var version = live.Version;
            if (live.State != LiveState.Waiting)
            {
                break;
            }

            await NextChange(live, version, waitLimit);
            waitLimit.ThrowIfCancellationRequested();
        }

        var response = context.Response;
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
                if (live.IsFinished)
                {
                    break;
                }

                await NextChange(live, version, waitLimit);
                waitLimit.ThrowIfCancellationRequested();
            }

            if (live.State == LiveState.Failed && live.FailedByCancellation)
            {
                return writeHeaders ? Outcome.LeaderGone : Outcome.Stopped;
            }
        }

        if (writeHeaders && !response.HasStarted)
        {
            response.StatusCode = live.StatusCode;
            foreach (var header in live.Headers)
            {
                response.Headers[header.Key] = header.Value;
            }

            if (live.Headers.Length == 0)
            {
                // Failed before the upstream answered: the body is the gateway's own error.
                response.ContentType = "application/json";
            }
        }

        if (!live.IsEventStream)
        {
            if (!response.HasStarted)
            {
                response.StatusCode = live.StatusCode;
                response.ContentLength = live.Body.Length;
                if (live.CostUsd is { } cost && live.Body.Length <= AnswerCost.MaxBodyBytesWithHeader)
                {
                    // Only the call that made the upstream request paid for it.
                    response.Headers[AnswerCost.Header] = AnswerCost.Format(writeHeaders ? 0m : cost);
                }
            }

            MarkFirstByte(context);

            await response.Body.WriteAsync(live.Body, context.RequestAborted);
            return Outcome.Delivered;
        }

        var output = response.BodyWriter;
        var next = firstEvent;
        while (true)
        {
            var version = live.Version;
            var finished = live.IsFinished;
            var count = live.EventCount;
            for (; next < count; next++)
            {
                if (next == live.UsageEventIndex && !includeUsage)
                {
                    continue;
                }

                if (next == live.TerminalEventIndex && (writeHeaders || live.CostUsd is not null))
                {
                    // Only the call that made the upstream request paid; followers and resumers cost nothing.
                    output.Write(writeHeaders ? AnswerCost.PaidNothingComment : AnswerCost.Comment(live.CostUsd!.Value));
                }

                SseEventId.WriteEvent(output, live.ResponseId, next, live.Event(next).Span);
                var flushed = await output.FlushAsync(context.RequestAborted);
                MarkFirstByte(context);
                if (flushed.IsCanceled || flushed.IsCompleted)
                {
                    return Outcome.Stopped;
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

            await NextChange(live, version, waitLimit);
            waitLimit.ThrowIfCancellationRequested();
        }
    }

    // The limit is checked after the waiter is taken: a limit passing before it could not wake it.
    private static Task NextChange(LiveResponse live, int version, CancellationToken waitLimit)
    {
        var changed = live.ChangedSince(version);
        waitLimit.ThrowIfCancellationRequested();
        return changed;
    }

    private static void MarkFirstByte(HttpContext context) => context.Features.Get<AiCall>()?.MarkFirstByte();

    private static async Task WriteTimeoutAsync(HttpContext context, LiveResponse live)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        const string message = "The identical request this one joined did not finish within Gateway:Dedupe:MaxWaitSeconds.";
        if (!context.Response.HasStarted)
        {
            await OpenAiError.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "server_error", "dedupe_wait_exceeded", message);
        }
        else if (live.IsEventStream)
        {
            await context.Response.BodyWriter.WriteAsync(live.Endpoint.FailureEvent(message, "dedupe_wait_exceeded"));
        }
    }
}
