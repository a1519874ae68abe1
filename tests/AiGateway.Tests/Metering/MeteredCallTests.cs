using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Prices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace AiGateway.Tests.Metering;

/// <summary>
/// Metered calls that are not AI calls (issue 22): images, audio and batch creation get a log row each, with the usage
/// and cost their answer reports or a mark that it reported none, and they count against budgets. For the embedded
/// store, and for Postgres with Redis.
/// </summary>
public sealed class MeteredCallTests
{
    // gpt-image-1's text-input and image-output prices, as a test row (the shipped table prices no image model).
    private static readonly ModelPrice ImagePrice = new("gpt-image-1", 5m, 1.25m, 40m, DateTimeOffset.UnixEpoch);

    private const string ImageUsage =
        """{"total_tokens":4210,"input_tokens":50,"output_tokens":4160,"input_tokens_details":{"text_tokens":50,"image_tokens":0}}""";

    [Theory]
    [InlineData("embedded")]
    [InlineData("redis+postgres")]
    public async Task ImageGeneration_UpstreamReportsUsage_RowHasTokensAndCostAndSpendCounts(string setup)
    {
        var image = LargeBase64(600_000);
        var answer = $$"""{"created":1765000000,"data":[{"b64_json":"{{image}}","revised_prompt":"a \"cat\" with a \\usage\\ sign"}],"usage":{{ImageUsage}}}""";
        await using var upstream = await ScriptedUpstream.StartAsync(context => WriteInPiecesAsync(context.Response, "application/json", Encoding.UTF8.GetBytes(answer)));
        await using var database = setup == "embedded" ? null : await TestServices.CreateDatabaseAsync();
        await using var gateway = await StartAsync(upstream, database);
        await PriceAsync(gateway, ImagePrice);
        var org = new OrgCalls();

        using var response = await org.PostAsync(gateway, "v1/images/generations", """{"model":"gpt-image-1","prompt":"a cat","size":"1024x1024"}""", ("x-aigw-route", "art.cover"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(answer, await response.Content.ReadAsStringAsync());
        const decimal cost = (50 * 5m + 4160 * 40m) / 1_000_000m;
        var row = await RowAsync(gateway, response);
        Assert.Equal(("/v1/images/generations", "gpt-image-1", "art.cover", org.OrgId, 200L, 1L),
            (Text(row, "endpoint"), Text(row, "model_requested"), Text(row, "route"), Text(row, "org_id"), row.GetProperty("status_code").GetInt64(),
             row.GetProperty("attempts").GetInt64()));
        Assert.Equal((50L, 4160L, cost, false),
            (row.GetProperty("prompt_tokens").GetInt64(), row.GetProperty("completion_tokens").GetInt64(), Money(row, "cost_usd"), row.GetProperty("usage_unreported").GetBoolean()));
        // The reported cost is spend, as an AI call's is.
        var admin = new AdminClient(gateway, null);
        await Eventually.UntilAsync(async () => (await admin.GetAsync($"api/orgs/{org.OrgId}/budget")).GetProperty("usd_used").GetDecimal() == cost,
            "the image's cost counted against the org's month");
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("redis+postgres")]
    public async Task Speech_AudioAnswerWithoutUsage_RowSaysUsageUnreported(string setup)
    {
        var audio = new byte[300_000];
        new Random(22).NextBytes(audio);
        await using var upstream = await ScriptedUpstream.StartAsync(context => WriteInPiecesAsync(context.Response, "audio/mpeg", audio));
        await using var database = setup == "embedded" ? null : await TestServices.CreateDatabaseAsync();
        await using var gateway = await StartAsync(upstream, database);
        var org = new OrgCalls();

        using var response = await org.PostAsync(gateway, "v1/audio/speech", """{"model":"gpt-4o-mini-tts","input":"Hello there.","voice":"alloy"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(audio, await response.Content.ReadAsByteArrayAsync());
        var row = await RowAsync(gateway, response);
        Assert.Equal(("/v1/audio/speech", "gpt-4o-mini-tts", 200L, true),
            (Text(row, "endpoint"), Text(row, "model_requested"), row.GetProperty("status_code").GetInt64(), row.GetProperty("usage_unreported").GetBoolean()));
        Assert.Equal((0L, 0L, JsonValueKind.Null),
            (row.GetProperty("prompt_tokens").GetInt64(), row.GetProperty("completion_tokens").GetInt64(), row.GetProperty("cost_usd").ValueKind));
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("redis+postgres")]
    public async Task ImageGeneration_OrgHardBudgetUsedUp_Refused429BeforeUpstream(string setup)
    {
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(context =>
        {
            Interlocked.Increment(ref calls);
            return WriteInPiecesAsync(context.Response, "application/json",
                Encoding.UTF8.GetBytes($$"""{"created":1765000000,"data":[{"b64_json":"{{LargeBase64(1000)}}"}],"usage":{{ImageUsage}}}"""));
        });
        await using var database = setup == "embedded" ? null : await TestServices.CreateDatabaseAsync();
        await using var gateway = await StartAsync(upstream, database);
        await PriceAsync(gateway, ImagePrice);
        var org = new OrgCalls();
        await org.PutSettingsAsync(gateway, """{"hard_budget":true,"monthly_usd_budget":0.01}""");
        const string body = """{"model":"gpt-image-1","prompt":"a cat"}""";

        // Admitted while the budget has anything left: its reported cost (0.16665) uses it all up.
        using var spends = await org.PostAsync(gateway, "v1/images/generations", body);
        var admin = new AdminClient(gateway, null);
        await Eventually.UntilAsync(async () => (await admin.GetAsync($"api/orgs/{org.OrgId}/budget")).GetProperty("usd_used").GetDecimal() > 0.01m,
            "the org's budget to be used up");
        using var refused = await org.PostAsync(gateway, "v1/images/generations", body);

        Assert.Equal(HttpStatusCode.OK, spends.StatusCode);
        await OpenAiErrorAssert.IsErrorAsync(refused, 429, "budget_exceeded");
        Assert.Equal("false", refused.Headers.GetValues("x-should-retry").Single());
        Assert.Equal(1, Volatile.Read(ref calls));
        var row = await RowAsync(gateway, refused);
        Assert.Equal((429L, 0L, false), (row.GetProperty("status_code").GetInt64(), row.GetProperty("attempts").GetInt64(), row.GetProperty("usage_unreported").GetBoolean()));
    }

    [Fact]
    public async Task Transcription_MultipartUploadWithUsage_ForwardedWholeAndRowHasTokensWithoutModel()
    {
        var upload = new byte[2_000_000];
        new Random(7).NextBytes(upload);
        var received = -1L;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            var form = await context.Request.ReadFormAsync();
            received = form.Files["file"]!.Length;
            await WriteInPiecesAsync(context.Response, "application/json", Encoding.UTF8.GetBytes(
                """{"text":"Hello.","usage":{"type":"tokens","input_tokens":14,"input_token_details":{"text_tokens":0,"audio_tokens":14},"output_tokens":45,"total_tokens":59}}"""));
        });
        await using var gateway = await StartAsync(upstream, null);
        var org = new OrgCalls();
        using var content = new MultipartFormDataContent
        {
            { new ByteArrayContent(upload) { Headers = { ContentType = new MediaTypeHeaderValue("audio/wav") } }, "file", "speech.wav" },
            { new StringContent("gpt-4o-transcribe"), "model" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/audio/transcriptions") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", org.Key);

        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(upload.Length, received);
        var row = await RowAsync(gateway, response);
        // The upload is not read for its model: tokens without a model, so no price.
        Assert.Equal(("/v1/audio/transcriptions", JsonValueKind.Null, 14L, 45L, JsonValueKind.Null, false),
            (Text(row, "endpoint"), row.GetProperty("model_requested").ValueKind, row.GetProperty("prompt_tokens").GetInt64(),
             row.GetProperty("completion_tokens").GetInt64(), row.GetProperty("cost_usd").ValueKind, row.GetProperty("usage_unreported").GetBoolean()));
    }

    private static Task<TestGateway> StartAsync(ScriptedUpstream upstream, TestServices.TempDatabase? database)
    {
        var settings = new Dictionary<string, string> { ["Gateway:Log:FlushIntervalMs"] = "50" };
        if (database is not null)
        {
            settings["ConnectionStrings:Postgres"] = database.ConnectionString;
            settings["ConnectionStrings:Redis"] = TestServices.Redis;
        }

        return TestGateway.StartAsync(upstream.BaseAddress, settings);
    }

    // Adds a price to model_prices, as ops would, and has the catalog read it now rather than at its next refresh.
    private static async Task PriceAsync(TestGateway gateway, ModelPrice price)
    {
        await gateway.Services.GetRequiredService<IModelPriceStore>().UpsertAsync([price], CancellationToken.None);
        await gateway.Services.GetServices<IHostedService>().OfType<PriceCatalogLoader>().Single().LoadAsync(CancellationToken.None);
    }

    // The answer in several writes, one of them cutting the usage object: the gateway sees it in pieces, as from OpenAI.
    private static async Task WriteInPiecesAsync(HttpResponse response, string contentType, byte[] body)
    {
        response.ContentType = contentType;
        var cuts = new[] { 0, body.Length / 3, body.Length - 40, body.Length - 7, body.Length };
        for (var i = 1; i < cuts.Length; i++)
        {
            await response.Body.WriteAsync(body.AsMemory(cuts[i - 1], cuts[i] - cuts[i - 1]));
            await response.Body.FlushAsync();
        }
    }

    private static async Task<JsonElement> RowAsync(TestGateway gateway, HttpResponseMessage response) =>
        (await new AdminClient(gateway, null).LoggedCallAsync(response.Headers.GetValues("x-aigw-request-id").Single())).GetProperty("row");

    private static string? Text(JsonElement row, string name) => row.GetProperty(name).GetString();

    private static decimal Money(JsonElement row, string name) => row.GetProperty(name).ValueKind == JsonValueKind.String
        ? decimal.Parse(row.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture)
        : row.GetProperty(name).GetDecimal();

    private static string LargeBase64(int bytes)
    {
        var raw = new byte[bytes];
        new Random(bytes).NextBytes(raw);
        return Convert.ToBase64String(raw);
    }
}
