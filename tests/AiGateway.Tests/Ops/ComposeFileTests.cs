using System.Reflection;
using System.Text.RegularExpressions;
using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace AiGateway.Tests.Ops;

/// <summary>
/// <c>ops/compose.yaml</c> as shipped, without a container engine: it parses, every variable it gives the gateway
/// (its <c>environment</c> and the env file it reads) is a setting the gateway reads, and the admin key comes from that
/// env file, whose example the repository ships (the real one is never committed).
/// </summary>
public sealed partial class ComposeFileTests : IDisposable
{
    private static readonly string Ops = Path.Combine(TestGateway.RepositoryRoot, "ops");
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("aigw-compose-").FullName;

    public ComposeFileTests() =>
        File.Copy(Path.Combine(TestGateway.RepositoryRoot, "appsettings.json"), Path.Combine(_contentRoot, "appsettings.json"));

    public void Dispose() => Directory.Delete(_contentRoot, recursive: true);

    [Fact]
    public void Gateway_EveryVariableItSets_IsASettingTheGatewayReads()
    {
        var names = GatewayEnvironment().Keys.Concat(EnvExample(includeCommented: true).Keys).Distinct().ToList();

        Assert.Contains("ConnectionStrings__Postgres", names);
        Assert.Contains("ConnectionStrings__Redis", names);
        Assert.All(names, name => Assert.True(IsGatewaySetting(name), $"{name} is not a setting the gateway reads."));
    }

    [Fact]
    public void Gateway_AdminKey_ComesFromTheEnvFileAndIsRequired()
    {
        var gateway = Service("gateway");
        var envFiles = gateway.Children.TryGetValue(new YamlScalarNode("env_file"), out var node)
            ? node is YamlSequenceNode list ? list.Children.Select(EnvFilePath).ToList() : [EnvFilePath(node)]
            : [];

        Assert.Equal([Path.Combine(Ops, ".env")], envFiles.Select(f => Path.GetFullPath(Path.Combine(Ops, f))));
        Assert.Matches(@"^\$\{Gateway__Admin__Key:\?[^}]+\}$", GatewayEnvironment()["Gateway__Admin__Key"]);
        Assert.True(EnvExample(includeCommented: false).ContainsKey("Gateway__Admin__Key"));
        Assert.Contains("ops/.env", File.ReadAllLines(Path.Combine(TestGateway.RepositoryRoot, ".gitignore")).Select(l => l.Trim().TrimStart('/')));
    }

    [Fact]
    public void Gateway_Passthrough_NoUpstreamKeyUnlessVirtualKeysIsChosen()
    {
        var shipped = EnvExample(includeCommented: false);
        var commented = EnvExample(includeCommented: true);

        Assert.False(GatewayEnvironment().ContainsKey("OPENAI_API_KEY"));
        Assert.False(shipped.ContainsKey("OPENAI_API_KEY"));
        Assert.False(shipped.ContainsKey("Gateway__Auth__Mode"));
        Assert.Equal("VirtualKeys", commented["Gateway__Auth__Mode"]);
        Assert.True(commented.ContainsKey("OPENAI_API_KEY"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Gateway_ItsVariables_BindToTheGatewaysSettings(bool virtualKeys)
    {
        var env = EnvExample(includeCommented: virtualKeys).ToDictionary(p => p.Key, p => p.Value.Length == 0 ? "test-admin-key" : p.Value);
        var variables = GatewayEnvironment().ToDictionary(p => p.Key, p => Interpolate(p.Value, env));
        foreach (var (name, value) in env)
        {
            variables.TryAdd(name, value);
        }

        await using var app = GatewayApp.Build(new WebApplicationOptions
        {
            Args = [.. variables.Select(v => $"--{v.Key.Replace("__", ":")}={v.Value}"), $"--Gateway:DataDir={Path.Combine(_contentRoot, "data")}"],
            ContentRootPath = _contentRoot,
        });

        var options = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        Assert.Equal(env["Gateway__Admin__Key"], options.Admin.Key);
        Assert.Equal(virtualKeys ? AuthMode.VirtualKeys : AuthMode.Passthrough, options.Auth.Mode);
        Assert.Equal(variables["ConnectionStrings__Postgres"], app.Services.GetRequiredService<PostgresDatabase>().ConnectionString);
        if (virtualKeys)
        {
            Assert.Equal(env["OPENAI_API_KEY"], options.Upstream.ApiKey);
        }
    }

    private static bool IsGatewaySetting(string name)
    {
        var key = name.Split("__");
        return key switch
        {
            ["ConnectionStrings", "Postgres" or "Redis"] => true,
            ["OPENAI_API_KEY"] or ["ASPNETCORE_URLS"] or ["ASPNETCORE_ENVIRONMENT"] => true,
            [GatewayOptions.SectionName, .. var path] => ResolvesIn(typeof(GatewayOptions), path),
            _ => false,
        };
    }

    /// <summary>Whether the property path exists in the options type (dictionaries take any key), as the binder matches it: ignoring case.</summary>
    private static bool ResolvesIn(Type type, string[] path)
    {
        foreach (var segment in path)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                type = type.GetGenericArguments()[1];
                continue;
            }

            var property = type.GetProperty(segment, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null)
            {
                return false;
            }

            type = property.PropertyType;
        }

        return true;
    }

    private static YamlMappingNode Service(string name)
    {
        using var reader = new StreamReader(Path.Combine(Ops, "compose.yaml"));
        var yaml = new YamlStream();
        yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents.Single().RootNode;
        return (YamlMappingNode)((YamlMappingNode)root["services"])[name];
    }

    private static Dictionary<string, string> GatewayEnvironment() => Service("gateway")["environment"] switch
    {
        YamlMappingNode map => map.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value ?? ""),
        YamlSequenceNode list => list.Children.Select(i => ((YamlScalarNode)i).Value!.Split('=', 2)).ToDictionary(p => p[0], p => p.ElementAtOrDefault(1) ?? ""),
        _ => [],
    };

    private static string EnvFilePath(YamlNode node) => node switch
    {
        YamlScalarNode scalar => scalar.Value!,
        YamlMappingNode map => ((YamlScalarNode)map["path"]).Value!,
        _ => throw new InvalidOperationException("env_file entry is neither a path nor a mapping"),
    };

    /// <summary>The example env file's variables; with <paramref name="includeCommented"/> also those commented out as options (<c># NAME=value</c>).</summary>
    private static Dictionary<string, string> EnvExample(bool includeCommented)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(Path.Combine(Ops, "compose.env.example")))
        {
            var match = EnvLine().Match(line);
            if (match.Success && (includeCommented || !match.Groups["commented"].Success))
            {
                variables[match.Groups["name"].Value] = match.Groups["value"].Value;
            }
        }

        return variables;
    }

    /// <summary>Compose's interpolation of <c>${NAME}</c>, <c>${NAME:-default}</c> and <c>${NAME:?error}</c> from the env file.</summary>
    private static string Interpolate(string value, Dictionary<string, string> env) =>
        Variable().Replace(value, m =>
        {
            var name = m.Groups["name"].Value;
            var set = env.TryGetValue(name, out var found) && found.Length > 0;
            return m.Groups["op"].Value switch
            {
                ":-" => set ? found! : m.Groups["arg"].Value,
                ":?" => set ? found! : throw new InvalidOperationException($"compose would stop: {m.Groups["arg"].Value}"),
                _ => found ?? "",
            };
        });

    [GeneratedRegex(@"^(?<commented>#\s*)?(?<name>[A-Za-z_][A-Za-z0-9_]*)=(?<value>.*)$")]
    private static partial Regex EnvLine();

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:-|:\?)(?<arg>[^}]*))?\}")]
    private static partial Regex Variable();
}
