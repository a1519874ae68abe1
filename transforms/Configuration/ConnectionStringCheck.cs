using System.Data.Common;
using AiGateway.Config;
using Npgsql;
using StackExchange.Redis;

namespace AiGateway.Transforms.Configuration;

/// <summary>Checks that the Postgres and Redis connection strings are well-formed, without connecting to anything.</summary>
internal static class ConnectionStringCheck
{
    // StackExchange.Redis does not expose its option names; these are the documented ones, used only for suggestions.
    private static readonly string[] RedisKeywords =
    [
        "abortConnect", "allowAdmin", "asyncTimeout", "channelPrefix", "checkCertificateRevocation", "configCheckSeconds",
        "configChannel", "connectRetry", "connectTimeout", "defaultDatabase", "keepAlive", "name", "password", "protocol",
        "proxy", "resolveDns", "responseTimeout", "serviceName", "setlib", "ssl", "sslHost", "sslProtocols", "syncTimeout",
        "tiebreaker", "user", "version", "highPrioritySocketThreads",
    ];

    /// <summary>Adds an error for a malformed <c>ConnectionStrings:Postgres</c>.</summary>
    public static void CheckPostgres(string? connectionString, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return;
        }

        const string key = "ConnectionStrings:Postgres";
        DbConnectionStringBuilder generic;
        try
        {
            generic = new DbConnectionStringBuilder { ConnectionString = connectionString };
        }
        catch (ArgumentException ex)
        {
            errors.Add($"{key} is not a connection string (Key=Value;…): {ex.Message}");
            return;
        }

        var npgsql = new NpgsqlConnectionStringBuilder();
        var unknown = generic.Keys.Cast<string>().Where(k => !npgsql.ContainsKey(k)).ToList();
        foreach (var keyword in unknown)
        {
            errors.Add($"{key} has the keyword '{keyword}', which Npgsql does not know{NearestName.Hint(keyword, NpgsqlKeywords())}");
        }

        if (unknown.Count > 0)
        {
            return;
        }

        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(parsed.Host))
            {
                errors.Add($"{key} names no Host.");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            errors.Add($"{key} is not a valid Npgsql connection string: {ex.Message}");
        }
    }

    /// <summary>Adds an error for a malformed <c>ConnectionStrings:Redis</c>.</summary>
    public static void CheckRedis(string? connectionString, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return;
        }

        const string key = "ConnectionStrings:Redis";
        try
        {
            var options = ConfigurationOptions.Parse(connectionString);
            if (options.EndPoints.Count == 0)
            {
                errors.Add($"{key} names no server (host:port).");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or RedisException)
        {
            var hint = connectionString.Split(',')
                .Select(part => part.Split('=', 2))
                .Where(pair => pair.Length == 2 && !RedisKeywords.Contains(pair[0].Trim(), StringComparer.OrdinalIgnoreCase))
                .Select(pair => NearestName.Hint(pair[0].Trim(), RedisKeywords))
                .FirstOrDefault(h => h.Length > 0) ?? "";
            errors.Add($"{key} is not a valid StackExchange.Redis configuration: {ex.Message.TrimEnd('.')}{hint}");
        }
    }

    private static IEnumerable<string> NpgsqlKeywords() =>
        typeof(NpgsqlConnectionStringBuilder).GetProperties()
            .Select(p => p.GetCustomAttributes(typeof(System.ComponentModel.DisplayNameAttribute), false).OfType<System.ComponentModel.DisplayNameAttribute>().FirstOrDefault()?.DisplayName)
            .OfType<string>();
}
