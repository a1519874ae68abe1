using System.Data.Common;
using System.Globalization;
using AiGateway.Admin;
using AiGateway.Transforms.Errors;

namespace AiGateway.Costs;

/// <summary>Maps <c>GET /api/costs.csv</c> (CONTRACT §8, §10.8): the cost rollup as CSV, behind the admin key.</summary>
public static class CostsEndpointRouteBuilderExtensions
{
    /// <summary>The response's media type: CSV with a header row (RFC 4180 §3), UTF-8.</summary>
    public const string ContentType = "text/csv; charset=utf-8; header=present";

    /// <summary>Maps the export.</summary>
    public static IEndpointRouteBuilder MapCostsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/costs.csv", async (HttpContext http, ICostRollupStore store) =>
        {
            if (!CostsQueryParser.TryParse(http.Request.Query, out var query, out var error))
            {
                await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", error.Code, error.Message, error.Param);
                return;
            }

            http.Response.Headers.CacheControl = "no-store";
            try
            {
                await store.ReadAsync(query, async reader =>
                {
                    // Headers go out with the first rows, once the query has answered: a store that cannot be read is still a 503.
                    http.Response.ContentType = ContentType;
                    http.Response.Headers.ContentDisposition = $"attachment; filename=\"{FileName(query)}\"";
                    await CostsCsvWriter.WriteAsync(reader, http.Response.Body, http.RequestAborted);
                }, http.RequestAborted);
            }
            catch (DbException ex) when (!http.RequestAborted.IsCancellationRequested && !http.Response.HasStarted)
            {
                await OpenAiError.WriteAsync(http, StatusCodes.Status503ServiceUnavailable, "server_error", "store_unavailable",
                    "The cost rollup could not be read: " + ex.Message);
            }
        }).AdminRead();
        return endpoints;
    }

    private static string FileName(CostsQuery query)
    {
        var from = query.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "start";
        var to = query.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "now";
        return $"aigw-costs-{(query.Group == CostPeriod.Month ? "monthly" : "daily")}-{from}-to-{to}.csv";
    }
}
