namespace AiGateway.Transforms.Errors;

/// <summary>Why a field of an admin request body was refused: a 400 in OpenAI's shape, <c>param</c> the field.</summary>
/// <param name="Code"><c>unknown_field</c>, <c>invalid_value</c>, <c>immutable_field</c>, or another code the endpoint documents.</param>
/// <param name="Message">What is wrong and what is expected.</param>
/// <param name="Field">The field, or null when the body as a whole is wrong.</param>
internal sealed record FieldError(string Code, string Message, string? Field)
{
    /// <summary>A field the body may not hold, with the fields it may.</summary>
    public static FieldError Unknown(string field, string message) => new("unknown_field", message, field);

    /// <summary>A field whose value is out of its type or range.</summary>
    public static FieldError Invalid(string? field, string message) => new("invalid_value", message, field);
}
