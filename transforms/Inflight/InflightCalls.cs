using AiGateway.Transforms.Relay;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Inflight;

/// <summary>
/// The calls running now on every instance, and what may be done to them (CONTRACT §10.6): list them (admin), ask
/// whether one runs and release its reader (the app's own key, for its own org and customer), cancel one (admin). Each
/// question is answered from this instance's <see cref="LiveResponseRegistry"/> first, then, with Redis, by the other
/// instances through the <see cref="InflightBus"/>.
/// </summary>
public sealed class InflightCalls
{
    /// <summary>The error message readers of a cancelled call get.</summary>
    public const string CancelMessage = "An operator cancelled this call (DELETE /api/inflight/{id}).";

    private readonly LiveResponseRegistry _registry;
    private readonly GatewayInstance _instance;
    private readonly TimeProvider _time;
    private readonly InflightBus? _bus;

    internal InflightCalls(LiveResponseRegistry registry, GatewayInstance instance, TimeProvider time, IServiceProvider services)
    {
        _registry = registry;
        _instance = instance;
        _time = time;
        _bus = services.GetService<InflightBus>();
    }

    /// <summary>This instance's id.</summary>
    public string Instance => _instance.Id;

    /// <summary>The calls running now on every instance that answered, oldest first.</summary>
    public async Task<InflightList> ListAsync(InflightFilter filter, CancellationToken cancellationToken)
    {
        var local = LocalCalls();
        var (replies, missing) = _bus is null
            ? ([], [])
            : await _bus.AskOthersAsync(new InflightAsk { Op = InflightOp.List }, enough: null, cancellationToken);
        var everywhere = local.Concat(replies.SelectMany(reply => reply.Calls)).ToList();
        // A call is listed by the instance that leads it; its readers are counted wherever they read (copies carry no call).
        var readers = everywhere.GroupBy(call => call.ResponseId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(call => call.Readers), StringComparer.Ordinal);
        var calls = everywhere
            .Where(call => call.Id != Guid.Empty)
            .Select(call => call with { Readers = readers[call.ResponseId] })
            .Where(filter.Matches)
            .OrderBy(call => call.StartedAt)
            .ToList();
        return new InflightList
        {
            Calls = calls,
            Instances = [_instance.Id, .. replies.Select(reply => reply.Instance)],
            MissingInstances = missing,
        };
    }

    /// <summary>Whether the call with reader request id <paramref name="requestId"/> of this org and customer runs; null when no such call runs (or it is another's).</summary>
    public async Task<bool?> IsRunningAsync(Guid requestId, string orgId, string? customerId, CancellationToken cancellationToken)
    {
        var ask = new InflightAsk { Op = InflightOp.Running, RequestId = requestId, Org = orgId, Customer = customerId };
        var reply = await FirstFoundAsync(ask, cancellationToken);
        return reply?.Running;
    }

    /// <summary>Releases the reader with request id <paramref name="requestId"/> of this org and customer; false when there is none.</summary>
    public async Task<bool> ReleaseAsync(Guid requestId, string orgId, string? customerId, CancellationToken cancellationToken) =>
        await FirstFoundAsync(new InflightAsk { Op = InflightOp.Release, RequestId = requestId, Org = orgId, Customer = customerId }, cancellationToken) is not null;

    /// <summary>
    /// Cancels the call <paramref name="id"/> names (the leader's request id, or any reader's) on the instance that leads
    /// it; false when no such call runs.
    /// </summary>
    /// <remarks>
    /// Record the cancel in the audit log where this is called (the API endpoint), with who asked: CONTRACT §10.5.
    /// </remarks>
    public async Task<bool> CancelAsync(Guid id, CancellationToken cancellationToken)
    {
        var ask = new InflightAsk { Op = InflightOp.Cancel, RequestId = id };
        var local = await AnswerAsync(ask);
        if (local.Found)
        {
            return true;
        }

        string? copyOf = local.CopyOf;
        if (_bus is not null && copyOf is null)
        {
            var (replies, _) = await _bus.AskOthersAsync(ask, reply => reply.Found, cancellationToken);
            if (replies.Any(reply => reply.Found))
            {
                return true;
            }

            copyOf = replies.Select(reply => reply.CopyOf).FirstOrDefault(id => id is not null);
        }

        if (copyOf is null || _bus is null)
        {
            return false;
        }

        // The id names a reader of another instance's answer: cancel that answer where it is led.
        var (leaders, _) = await _bus.AskOthersAsync(new InflightAsk { Op = InflightOp.Cancel, ResponseId = copyOf }, reply => reply.Found, cancellationToken);
        return leaders.Any(reply => reply.Found);
    }

    private async Task<InflightReply?> FirstFoundAsync(InflightAsk ask, CancellationToken cancellationToken)
    {
        var local = await AnswerAsync(ask);
        if (local.Found || _bus is null)
        {
            return local.Found ? local : null;
        }

        var (replies, _) = await _bus.AskOthersAsync(ask, reply => reply.Found, cancellationToken);
        return replies.FirstOrDefault(reply => reply.Found);
    }

    /// <summary>This instance's answer to a question (its own or another instance's).</summary>
    internal Task<InflightReply> AnswerAsync(InflightAsk ask) => ask.Op switch
    {
        InflightOp.List => Task.FromResult(new InflightReply { Found = true, Calls = LocalCalls() }),
        InflightOp.Running => Task.FromResult(Running(ask)),
        InflightOp.Release => Task.FromResult(Release(ask)),
        InflightOp.Cancel => CancelHereAsync(ask),
        _ => Task.FromResult(new InflightReply()),
    };

    private async Task<InflightReply> CancelHereAsync(InflightAsk ask)
    {
        var live = ask.ResponseId is { } responseId ? _registry.FindRunning(responseId)
            : ask.RequestId is { } requestId ? _registry.FindReader(requestId)?.Answer
            : null;
        if (live is null || live.IsFinished)
        {
            return new InflightReply();
        }

        if (live.Call is null)
        {
            // A copy of an answer another instance leads: that instance cancels it, and the copy ends with it.
            return new InflightReply { CopyOf = live.ResponseId };
        }

        return new InflightReply { Found = await live.CancelAsync(CancelMessage) };
    }

    private InflightReply Running(InflightAsk ask)
    {
        var reader = Reader(ask);
        return reader is null ? new InflightReply() : new InflightReply { Found = true, Running = reader.Answer is not { IsFinished: true } };
    }

    private InflightReply Release(InflightAsk ask)
    {
        if (Reader(ask) is not { } reader)
        {
            return new InflightReply();
        }

        reader.TryRelease();
        if (reader.Answer is { } live)
        {
            // That reader reads no more (its writer stops at its next wake); with no reader left, the call stops now.
            live.Unsubscribe(reader, TimeSpan.Zero);
            live.WakeReaders();
            live.CancelIfUnread();
        }

        return new InflightReply { Found = true };
    }

    // The reader a request id names, if it belongs to the org and customer asking.
    private LiveReader? Reader(InflightAsk ask) =>
        ask.RequestId is { } id && _registry.FindReader(id) is { } reader && reader.BelongsTo(ask.Org ?? "", ask.Customer) ? reader : null;

    private List<InflightCall> LocalCalls()
    {
        var now = _time.GetUtcNow();
        var calls = new List<InflightCall>();
        foreach (var live in _registry.Running)
        {
            if (live.IsFinished)
            {
                continue;
            }

            var call = live.Call;
            calls.Add(new InflightCall
            {
                Id = call?.RequestId ?? Guid.Empty,
                Org = call?.OrgId ?? "",
                Customer = call?.CustomerId,
                Route = call?.Route,
                Model = call?.Model,
                Stream = live.IsStream,
                StartedAt = call?.StartedAt ?? now,
                ElapsedMs = call is null ? 0 : (long)(now - call.StartedAt).TotalMilliseconds,
                Events = live.EventCount,
                Readers = live.ReaderCount,
                Instance = _instance.Id,
                ResponseId = live.ResponseId,
            });
        }

        return calls;
    }
}
