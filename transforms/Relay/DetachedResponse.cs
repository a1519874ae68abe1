using System.Collections;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AiGateway.Transforms.Relay;

/// <summary>
/// A stand-in response for YARP, so that a stream leader's client can be served as a reader of the
/// <see cref="LiveResponse"/> (as followers are) and started before the upstream answers, with a keepalive (CONTRACT
/// §10.6), without YARP ever touching the client's response. YARP runs on <see cref="ProxyContext"/>: the same call
/// (request, lifetime, items and every feature the steps set, which it also sets through to the call), except that its
/// response is this one — a status and a header dictionary that start as a copy of the client's, and a body that goes
/// nowhere (the upstream transform suppresses it anyway). The upstream transform hands the status and headers to the
/// answer, and the leader's writer gives them to the client, on the call's own, untouched response: what runs when that
/// response starts (e.g. the CORS headers) sees the client's response, as it would without the gateway.
/// </summary>
internal sealed class DetachedResponse : IHttpResponseFeature, IHttpResponseBodyFeature
{
    // Room for an OpenAI-style upstream's response headers (content type, date, request id, rate limits ...).
    private const int UpstreamHeaderRoom = 16;

    private readonly IHttpResponseFeature _client;
    private PipeWriter? _writer;

    private DetachedResponse(HttpContext call)
    {
        _client = call.Features.GetRequiredFeature<IHttpResponseFeature>();
        // Sized for the upstream's headers YARP adds next (some dozen): grown from empty, the dictionary was allocated
        // again at every growth, a few hundred bytes per stream.
        Headers = new HeaderDictionary(_client.Headers.Count + UpstreamHeaderRoom);
        foreach (var header in _client.Headers)
        {
            Headers[header.Key] = header.Value;
        }

        StatusCode = _client.StatusCode;
        ProxyContext = new DefaultHttpContext(new ProxyFeatures(call.Features, this));
    }

    /// <summary>The call as YARP sees it: everything shared with the call but its response, which is this stand-in.</summary>
    public HttpContext ProxyContext { get; }

    /// <inheritdoc/>
    public int StatusCode { get; set; }

    /// <inheritdoc/>
    public string? ReasonPhrase { get; set; }

    /// <inheritdoc/>
    public IHeaderDictionary Headers { get; set; }

    /// <inheritdoc/>
    public Stream Body { get; set; } = Stream.Null;

    /// <inheritdoc/>
    public bool HasStarted { get; private set; }

    /// <inheritdoc/>
    public Stream Stream => Stream.Null;

    /// <inheritdoc/>
    public PipeWriter Writer => _writer ??= PipeWriter.Create(Stream.Null);

    /// <summary>A stand-in response for <paramref name="call"/>, to run YARP on (<see cref="ProxyContext"/>).</summary>
    public static DetachedResponse For(HttpContext call) => new(call);

    /// <inheritdoc/>
    // Run when the client's response starts, unless it has already.
    public void OnStarting(Func<object, Task> callback, object state)
    {
        if (!_client.HasStarted)
        {
            _client.OnStarting(callback, state);
        }
    }

    /// <inheritdoc/>
    public void OnCompleted(Func<object, Task> callback, object state) => _client.OnCompleted(callback, state);

    /// <inheritdoc/>
    public void DisableBuffering()
    {
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        HasStarted = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task CompleteAsync() => Task.CompletedTask;

    /// <summary>
    /// The call's features with the response replaced: reads and writes of any other feature go to the call's own
    /// collection (so what YARP and the upstream transform set, e.g. its error or the call's upstream outcome, the later
    /// steps find on the call), while the response stays the stand-in.
    /// </summary>
    private sealed class ProxyFeatures(IFeatureCollection call, DetachedResponse response) : IFeatureCollection
    {
        public bool IsReadOnly => false;

        public int Revision => call.Revision;

        public object? this[Type key]
        {
            get => IsResponse(key) ? response : call[key];
            set
            {
                if (!IsResponse(key))
                {
                    call[key] = value;
                }
            }
        }

        public TFeature? Get<TFeature>() => (TFeature?)this[typeof(TFeature)];

        public void Set<TFeature>(TFeature? instance) => this[typeof(TFeature)] = instance;

        public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
        {
            foreach (var feature in call)
            {
                yield return IsResponse(feature.Key) ? new(feature.Key, response) : feature;
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        private static bool IsResponse(Type key) => key == typeof(IHttpResponseFeature) || key == typeof(IHttpResponseBodyFeature);
    }
}
