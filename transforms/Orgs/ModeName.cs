namespace AiGateway.Transforms.Orgs;

/// <summary>The modes a request, a route or an org may name (CONTRACT §4, §6).</summary>
internal static class ModeName
{
    /// <summary>The <c>Gateway:Modes:cheap</c> model.</summary>
    public const string Cheap = "cheap";

    /// <summary>The <c>Gateway:Modes:smart</c> model.</summary>
    public const string Smart = "smart";

    /// <summary><c>smart</c> while the org's budget lasts, then <c>cheap</c>.</summary>
    public const string Auto = "auto";

    /// <summary>Every mode name.</summary>
    public static IReadOnlyList<string> All { get; } = [Cheap, Smart, Auto];

    /// <summary>The canonical (lower-case) mode named by <paramref name="value"/>, or null when it names none.</summary>
    public static string? Parse(string? value)
    {
        // Runs on every call (most have no mode): no enumerator boxed for the list.
        var trimmed = value.AsSpan().Trim();
        for (var i = 0; trimmed.Length > 0 && i < All.Count; i++)
        {
            if (trimmed.Equals(All[i], StringComparison.OrdinalIgnoreCase))
            {
                return All[i];
            }
        }

        return null;
    }
}
