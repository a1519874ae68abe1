using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Endpoints;

/// <summary>
/// An endpoint that costs money but that the gateway does not understand (no cache, dedupe, mode or retry): its calls
/// are forwarded as they are, logged, and counted against budgets with the usage the upstream's answer reports, if any
/// (issue 22). Images (<c>gpt-image-1</c> reports tokens), audio (<c>gpt-4o-transcribe</c> may report tokens; speech
/// never does) and batch creation (the batch's own calls are billed later, by OpenAI, and never pass the gateway).
/// </summary>
public sealed class MeteredEndpoint : CallEndpoint
{
    /// <summary><c>POST /v1/images/generations</c>.</summary>
    public static readonly MeteredEndpoint ImageGenerations = new("/v1/images/generations", "image_generation");

    /// <summary><c>POST /v1/images/edits</c> (multipart).</summary>
    public static readonly MeteredEndpoint ImageEdits = new("/v1/images/edits", "image_edit");

    /// <summary><c>POST /v1/images/variations</c> (multipart).</summary>
    public static readonly MeteredEndpoint ImageVariations = new("/v1/images/variations", "image_variation");

    /// <summary><c>POST /v1/audio/speech</c>: the answer is the audio itself.</summary>
    public static readonly MeteredEndpoint Speech = new("/v1/audio/speech", "speech");

    /// <summary><c>POST /v1/audio/transcriptions</c> (multipart).</summary>
    public static readonly MeteredEndpoint Transcriptions = new("/v1/audio/transcriptions", "transcription");

    /// <summary><c>POST /v1/audio/translations</c> (multipart).</summary>
    public static readonly MeteredEndpoint Translations = new("/v1/audio/translations", "translation");

    /// <summary><c>POST /v1/batches</c> (creation only: reading, listing and cancelling cost nothing).</summary>
    public static readonly MeteredEndpoint Batches = new("/v1/batches", "batch");

    /// <summary>Every metered endpoint.</summary>
    public static readonly IReadOnlyList<MeteredEndpoint> All =
        [ImageGenerations, ImageEdits, ImageVariations, Speech, Transcriptions, Translations, Batches];

    private MeteredEndpoint(string path, string operationName)
        : base(path, operationName)
    {
    }

    /// <summary>Finds the metered endpoint for a request, or null.</summary>
    public static MeteredEndpoint? Match(string method, string? path)
    {
        if (!HttpMethods.IsPost(method) || path is null || !path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            return null;
        }

        foreach (var endpoint in All)
        {
            if (string.Equals(endpoint.Path, path, StringComparison.Ordinal))
            {
                return endpoint;
            }
        }

        return null;
    }
}
