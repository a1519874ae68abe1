using System.Buffers;
using System.Text;
using System.Text.Json;
using AiGateway.Config;
using AiGateway.Transforms.Orgs;
using AiGateway.Transforms.Relay;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Payloads;

/// <summary>
/// Turns a <see cref="PayloadCapture"/> into the <see cref="PayloadRecord"/> to store, on the writer's thread: a stream
/// assembled into one answer, the level applied (shape only, redacted or as it was), each side cut at
/// <c>Gateway:Payloads:MaxBytes</c> (after redaction, so that a secret across the cut is replaced whole).
/// </summary>
internal sealed class PayloadComposer(PayloadRedactor redactor, IOptionsMonitor<GatewayOptions> options)
{
    /// <summary>The record of <paramref name="capture"/>.</summary>
    /// <exception cref="System.Text.RegularExpressions.RegexMatchTimeoutException">A custom pattern timed out: nothing may be stored.</exception>
    public PayloadRecord Compose(PayloadCapture capture)
    {
        var limit = options.CurrentValue.Payloads.MaxBytes;
        var response = Answer(capture);
        string? request, answer;
        var truncated = false;
        string? redactions = null;
        switch (capture.Level)
        {
            case PayloadLoggingName.Metadata:
                request = Text(PayloadShape.OfRequest(capture.Request) ?? "{}"u8.ToArray(), limit, ref truncated);
                answer = response.IsEmpty ? null : Text(PayloadShape.OfResponse(response) ?? "{}"u8.ToArray(), limit, ref truncated);
                break;
            case PayloadLoggingName.Redacted:
                var redaction = redactor.Begin();
                request = Redact(redaction, capture.Request.Span, limit, ref truncated);
                answer = response.IsEmpty ? null : Redact(redaction, response.Span, limit, ref truncated);
                redactions = redaction.Counts.Count == 0 ? null : Counts(redaction.Counts);
                break;
            default:
                request = Text(capture.Request.Span, limit, ref truncated);
                answer = response.IsEmpty ? null : Text(response.Span, limit, ref truncated);
                break;
        }

        return new PayloadRecord
        {
            RequestId = capture.RequestId,
            Ts = capture.Ts,
            OrgId = capture.OrgId,
            CustomerId = capture.CustomerId,
            Level = capture.Level,
            RequestBody = request,
            ResponseBody = answer,
            Truncated = truncated,
            Redactions = redactions,
        };
    }

    // The answer as the client received it: a JSON body, or a stream's events assembled as the endpoint's one JSON answer.
    private static ReadOnlyMemory<byte> Answer(PayloadCapture capture)
    {
        if (capture.Answer is not { } live)
        {
            return default;
        }

        if (!live.IsEventStream)
        {
            return live.IsFinished ? live.Body : default;
        }

        return capture.Endpoint.AssembleAnswer(Events(live, capture.EventCount)) ?? default(ReadOnlyMemory<byte>);
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Events(LiveResponse live, int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return live.Event(i);
        }
    }

    private static string Redact(Redaction redaction, ReadOnlySpan<byte> body, int limit, ref bool truncated)
    {
        // Redacting a body far past the cap is wasted: read a little beyond it, so that a secret across the cut is whole.
        var json = redaction.RedactJson(body, limit, out var stoppedEarly);
        if (json is not null)
        {
            truncated |= stoppedEarly;
            return Text(json, limit, ref truncated);
        }

        var slack = Math.Min(body.Length, limit + 1024);
        truncated |= slack < body.Length;
        return Text(Encoding.UTF8.GetBytes(redaction.Redact(Decode(body[..slack]))), limit, ref truncated);
    }

    private static string Text(ReadOnlySpan<byte> utf8, int limit, ref bool truncated)
    {
        if (utf8.Length > limit)
        {
            truncated = true;
            var cut = limit;
            // Back to the start of a character: never half a UTF-8 sequence.
            while (cut > 0 && (utf8[cut] & 0xC0) == 0x80)
            {
                cut--;
            }

            utf8 = utf8[..cut];
        }

        return Decode(utf8);
    }

    private static string Counts(IReadOnlyDictionary<string, int> counts)
    {
        var output = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(output, PayloadJson.WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var (type, count) in counts.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                writer.WriteNumber(type, count);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    // Postgres text holds no NUL; nor should a stored body.
    private static string Decode(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetString(utf8).Replace('\0', '\uFFFD');
}
