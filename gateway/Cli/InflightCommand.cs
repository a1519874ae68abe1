using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AiGateway.Config;
using AiGateway.Transforms.Inflight;

namespace AiGateway.Cli;

/// <summary>
/// The <c>inflight list|cancel</c> verbs: the calls running now on a running gateway (all its instances, through the one
/// asked) and an operator's cancel of one, over the in-flight API (<c>GET /api/inflight</c>, <c>DELETE /api/inflight/{id}</c>)
/// with the admin key, which comes from <c>--admin-key</c> or, as for the other verbs, from the configuration
/// (<c>Gateway:Admin:Key</c>: appsettings.json, the environment, <c>--Gateway:Admin:Key=…</c>).
/// </summary>
internal static class InflightCommand
{
    /// <summary>The <c>inflight</c> command and its sub-verbs.</summary>
    public static Command Create()
    {
        var inflight = new Command("inflight", "List the calls running now on a gateway (every instance sharing its Redis), and cancel one.") { TreatUnmatchedTokensAsErrors = false };
        inflight.Subcommands.Add(ListCommand());
        inflight.Subcommands.Add(CancelCommand());
        inflight.SetAction(GatewayCommandLine.MissingVerbAsync);
        return inflight;
    }

    private static Option<string> UrlOption() =>
        new("--url") { Description = "the gateway to ask", DefaultValueFactory = _ => ListenAddressWebHostBuilderExtensions.DefaultUrl, HelpName = "URL" };

    private static Option<string> KeyOption() =>
        new("--admin-key") { Description = "the admin key (default: Gateway:Admin:Key from the configuration)", HelpName = "KEY" };

    private static Command ListCommand()
    {
        var url = UrlOption();
        var key = KeyOption();
        var org = new Option<string>("--org") { Description = "only this org's calls" };
        var customer = new Option<string>("--customer") { Description = "only the calls made for this customer" };
        var route = new Option<string>("--route") { Description = "only this route's calls" };
        var json = new Option<bool>("--json") { Description = "print the API's JSON instead of a table" };
        var list = new Command("list", "Print the calls running now: id, org, customer, route, model, stream, elapsed, events, readers, instance.") { TreatUnmatchedTokensAsErrors = false };
        foreach (var option in new Option[] { url, key, org, customer, route, json })
        {
            list.Options.Add(option);
        }

        list.SetAction((parseResult, cancellationToken) => WithClientAsync(parseResult, url, key, async (client, output, error) =>
        {
            var query = string.Join('&', new[] { ("org", parseResult.GetValue(org)), ("customer", parseResult.GetValue(customer)), ("route", parseResult.GetValue(route)) }
                .Where(p => !string.IsNullOrEmpty(p.Item2))
                .Select(p => p.Item1 + "=" + Uri.EscapeDataString(p.Item2!)));
            using var response = await client.GetAsync("api/inflight" + (query.Length > 0 ? "?" + query : ""), cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                await error.WriteLineAsync(ErrorLine(response.StatusCode, body));
                return ExitCodes.Failure;
            }

            if (parseResult.GetValue(json))
            {
                await output.WriteLineAsync(body);
                return ExitCodes.Success;
            }

            var calls = JsonSerializer.Deserialize(body, InflightJsonContext.Default.InflightList) ?? new InflightList();
            await output.WriteLineAsync("id\torg\tcustomer\troute\tmodel\tstream\telapsed_s\tevents\treaders\tinstance");
            foreach (var call in calls.Calls)
            {
                await output.WriteLineAsync(string.Join('\t', call.Id, call.Org, call.Customer ?? "-", call.Route ?? "-", call.Model ?? "-",
                    call.Stream ? "stream" : "body", (call.ElapsedMs / 1000.0).ToString("0.0", CultureInfo.InvariantCulture), call.Events, call.Readers, call.Instance));
            }

            if (calls.MissingInstances.Count > 0)
            {
                await error.WriteLineAsync($"warning: no answer from {string.Join(", ", calls.MissingInstances)}; their calls are not listed.");
            }

            return ExitCodes.Success;
        }));
        return list;
    }

    private static Command CancelCommand()
    {
        var url = UrlOption();
        var key = KeyOption();
        var id = new Argument<string>("ID") { Description = "the call's id, as 'inflight list' prints it (its x-aigw-request-id)" };
        var cancel = new Command("cancel", "Cancel a call for every reader, on whichever instance leads it (each gets an error event 'cancelled').") { TreatUnmatchedTokensAsErrors = false };
        cancel.Arguments.Add(id);
        cancel.Options.Add(url);
        cancel.Options.Add(key);
        cancel.SetAction((parseResult, cancellationToken) => WithClientAsync(parseResult, url, key, async (client, output, error) =>
        {
            var callId = parseResult.GetRequiredValue(id);
            using var response = await client.DeleteAsync("api/inflight/" + Uri.EscapeDataString(callId), cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                await error.WriteLineAsync(ErrorLine(response.StatusCode, body));
                return ExitCodes.Failure;
            }

            await output.WriteLineAsync("cancelled " + callId);
            return ExitCodes.Success;
        }));
        return cancel;
    }

    private static async Task<int> WithClientAsync(ParseResult parseResult, Option<string> url, Option<string> key, Func<HttpClient, TextWriter, TextWriter, Task<int>> run)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        var (configArgs, usage) = ConfigArguments.Read(parseResult);
        if (usage is not null)
        {
            await error.WriteLineAsync(usage);
            return ExitCodes.Usage;
        }

        var baseUrl = parseResult.GetValue(url)!;
        if (!Uri.TryCreate(baseUrl.TrimEnd('/') + "/", UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync($"error: --url '{baseUrl}' is not an http(s) address.");
            return ExitCodes.Usage;
        }

        var adminKey = parseResult.GetValue(key) ?? CliStore.Read(configArgs)[$"{GatewayOptions.SectionName}:Admin:Key"];
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(adminKey))
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        }

        try
        {
            return await run(client, output, error);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            await error.WriteLineAsync($"error: the gateway at {address} could not be asked: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    private static string ErrorLine(HttpStatusCode status, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("message", out var message))
            {
                return $"error: {(int)status} {message.GetString()}";
            }
        }
        catch (JsonException)
        {
            // Not the gateway's error shape: the status says enough.
        }

        return $"error: the gateway answered {(int)status} {status}.";
    }
}
