using System.Text.Encodings.Web;
using System.Text.Json;

namespace AiGateway.Transforms.Payloads;

/// <summary>How payload logging writes JSON: unescaped beyond what JSON needs, so stored text reads (and searches) as the client wrote it.</summary>
internal static class PayloadJson
{
    /// <summary>Writer options with the relaxed encoder (non-ASCII and <c>+</c>, <c>&lt;</c> … kept as they are).</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
