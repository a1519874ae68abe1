using System.Reflection;
using System.Text.RegularExpressions;
using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using Xunit;

namespace AiGateway.Tests.Docs;

/// <summary>
/// The README stands alone in a clone: it links only files in the repository, among them <c>docs/reference.md</c>,
/// whose error list names every code the gateway's source emits and whose settings name every gateway option.
/// </summary>
public sealed partial class ReferenceDocTests
{
    private static readonly string Root = TestGateway.RepositoryRoot;
    private static readonly string Reference = File.ReadAllText(Path.Combine(Root, "docs", "reference.md"));

    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/reference.md")]
    public void Links_EveryRelativeLink_IsAFileInTheRepository(string document)
    {
        var path = Path.Combine(Root, document);
        var text = File.ReadAllText(path);
        var links = MarkdownLink().Matches(text).Select(m => m.Groups["target"].Value)
            .Where(t => !t.StartsWith("http", StringComparison.Ordinal) && !t.StartsWith('#'))
            .Select(t => t.Split('#')[0])
            .ToList();

        Assert.DoesNotContain("../shared", text);
        Assert.All(links, link =>
        {
            var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, link));
            Assert.True(target.StartsWith(Root, StringComparison.Ordinal) && (File.Exists(target) || Directory.Exists(target)), $"{document} links {link}, which a clone does not have.");
        });
        if (document == "README.md")
        {
            Assert.Contains("docs/reference.md", links);
        }
    }

    [Fact]
    public void Errors_EveryCodeTheGatewayEmits_IsListed()
    {
        var codes = EmittedCodes();
        var errors = Section("Errors");

        // The extraction itself must find the codes the issue named, or this test would prove nothing.
        Assert.Superset(new HashSet<string> { "invalid_header", "dedupe_wait_exceeded", "invalid_admin_key", "missing_filter", "unknown_field", "leader_lost", "upstream_timeout" }, codes);
        Assert.All(codes, code => Assert.True(errors.Contains($"`{code}`", StringComparison.Ordinal), $"docs/reference.md#errors does not list '{code}'."));
    }

    [Fact]
    public void CostHeader_StatesItsLimits()
    {
        var row = Reference.Split('\n').Single(l => l.StartsWith("| `x-aigw-cost-usd`", StringComparison.Ordinal));

        Assert.Contains("1 MiB", row);
        Assert.Contains("models with a price", row);
        Assert.Contains("non-streamed", row);
    }

    [Fact]
    public void Settings_EveryGatewayOption_IsNamed()
    {
        var settings = Section("Settings");
        var missing = Leaves(typeof(GatewayOptions), GatewayOptions.SectionName)
            .Where(path => !settings.Contains($"`{path}", StringComparison.OrdinalIgnoreCase) && !settings.Contains($"`{path.Split(':')[^1]}`", StringComparison.OrdinalIgnoreCase))
            .ToList();

        Assert.Empty(missing);
    }

    /// <summary>The error codes in the gateway's source: those written with an error type, those of stream error events and of forwarder failures.</summary>
    private static HashSet<string> EmittedCodes()
    {
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in new[] { "transforms", "gateway" }.SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*.cs", SearchOption.AllDirectories))
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            foreach (Match match in CodeAfterType().Matches(text).Concat(SseCode().Matches(text)).Concat(ForwarderCode().Matches(text)).Concat(ChosenCode().Matches(text)).Concat(FieldErrorCode().Matches(text)))
            {
                foreach (var group in new[] { "code", "other" })
                {
                    if (match.Groups[group].Success)
                    {
                        codes.Add(match.Groups[group].Value);
                    }
                }
            }
        }

        // The error types written before a code are not codes.
        codes.ExceptWith(["invalid_request_error", "server_error", "insufficient_quota"]);
        return codes;
    }

    private static string Section(string heading)
    {
        var start = Reference.IndexOf($"\n## {heading}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/reference.md has no '## {heading}' section.");
        var end = Reference.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? Reference[start..] : Reference[start..end];
    }

    private static IEnumerable<string> Leaves(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var path = $"{prefix}:{property.Name}";
            var propertyType = property.PropertyType;
            if (propertyType.IsClass && propertyType != typeof(string) && !propertyType.IsGenericType && !propertyType.IsArray
                && propertyType.Namespace == typeof(GatewayOptions).Namespace)
            {
                foreach (var leaf in Leaves(propertyType, path))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"""(?:invalid_request_error|server_error|insufficient_quota)"",\s*""(?<code>[a-z]+(?:_[a-z]+)+)""")]
    private static partial Regex CodeAfterType();

    [GeneratedRegex(@"FailureEvent\([^;]*?""(?<code>[a-z]+(?:_[a-z]+)+)""\)|string code = ""(?<code>[a-z]+(?:_[a-z]+)+)""|UpstreamStreamError = ""(?<code>[a-z]+(?:_[a-z]+)+)""")]
    private static partial Regex SseCode();

    [GeneratedRegex(@"StatusCodes\.Status\d+\w*,\s*""(?<code>[a-z]+(?:_[a-z]+)+)""")]
    private static partial Regex ForwarderCode();

    [GeneratedRegex(@"""invalid_request_error"",\s*[^;""]*\?\s*""(?<code>[a-z]+(?:_[a-z]+)+)""\s*:\s*""(?<other>[a-z]+(?:_[a-z]+)+)""")]
    private static partial Regex ChosenCode();

    // The 400s of admin request bodies: new FieldError("code", …), and FieldError's own factories (=> new("code", …)).
    [GeneratedRegex(@"new FieldError\(""(?<code>[a-z]+(?:_[a-z]+)+)""|static FieldError \w+\([^)]*\) =>\s*new\(""(?<code>[a-z]+(?:_[a-z]+)+)""")]
    private static partial Regex FieldErrorCode();
}
