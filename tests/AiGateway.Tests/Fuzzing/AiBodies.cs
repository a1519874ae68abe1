using CsCheck;

namespace AiGateway.Tests.Fuzzing;

/// <summary>
/// Request bodies for the four understood endpoints: objects with each endpoint's fields, each field right or of a
/// wrong type (model, messages, stream, stream_options, n, max_tokens and the rest), in any order, some keys twice;
/// and whole bodies that are not objects, are empty, nested past any limit, or large but under the gateway's limit.
/// </summary>
internal static class AiBodies
{
    /// <summary>Model names: accepted shapes, and strings the name rule must refuse (long, spaced, control, non-ASCII).</summary>
    public static readonly Gen<string> Model = Gen.Frequency(
        (8, Gen.OneOf("\"gpt-4o-mini\"", "\"gpt-4o\"", "\"text-embedding-3-small\"", "\"ft:gpt-4o-mini:acme::abc\"", "\"o1\"", "\"gpt-3.5-turbo-instruct\"", "\"unknown-model\"")),
        (2, Gen.OneOf("\"\"", "\" \"", "\"gpt 4o\"", "\"gpt-4o\\u0000\"", "\"gpt-4o\\n\"", "\"gpt-4o\\ud800\"", "\"gpt-4ó\"", "\"../../etc\"", "\"gpt-4o\\\"}\"", "\"*\"")),
        (1, Gen.Int[250, 262].Select(n => "\"" + new string('m', n) + "\"")),
        (1, Gen.Int[1000, 200000].Select(n => "\"" + new string('m', n) + "\"")),
        (2, JsonEdgeCases.Value));

    private static readonly Gen<string> Bool = Gen.Frequency((3, Gen.OneOf("true", "false")), (2, JsonEdgeCases.Value), (1, Gen.OneOf("\"true\"", "1", "0", "null", "{}", "[]")));

    private static readonly Gen<string> Count = Gen.Frequency((2, Gen.OneOf("1", "16", "256")), (3, JsonEdgeCases.Number), (1, JsonEdgeCases.Value));

    private static readonly Gen<string> Content = Gen.Frequency(
        (3, JsonEdgeCases.String),
        (1, Gen.OneOf(
            "[{\"type\":\"text\",\"text\":\"hi\"}]", "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:,x\"}}]", "[]", "[{}]", "[{\"type\":null}]",
            "[{\"type\":\"text\",\"text\":{\"a\":1}}]", "[{\"type\":\"input_text\",\"text\":\"\\ud800\"}]", "[{\"type\":\"text\"}]")),
        (2, JsonEdgeCases.Value));

    private static readonly Gen<string> Message = Gen.Frequency(
        (3, Gen.Select(Gen.OneOf("\"user\"", "\"system\"", "\"assistant\"", "\"developer\"", "\"tool\"", "\"robot\"", "1", "null"), Content,
            (role, content) => "{\"role\":" + role + ",\"content\":" + content + "}")),
        (1, JsonEdgeCases.Value));

    private static readonly Gen<string> Messages = Gen.Frequency(
        (4, Message.Array[0, 4].Select(m => "[" + string.Join(",", m) + "]")),
        (1, Gen.OneOf("[]", "{}", "null", "\"hi\"", "[[]]", "[null]", "[{\"role\":\"user\"}]", "[{\"content\":\"hi\"}]")),
        (1, JsonEdgeCases.Value));

    private static readonly Gen<string> StreamOptions = Gen.Frequency(
        (2, Gen.OneOf("{\"include_usage\":true}", "{\"include_usage\":false}", "{}", "null", "{\"include_usage\":\"yes\"}", "[]", "\"x\"", "{\"include_usage\":true,\"include_usage\":false}", "{\"other\":1}")),
        (1, JsonEdgeCases.Value));

    private static readonly Gen<string> Input = Gen.Frequency(
        (3, JsonEdgeCases.String),
        (1, Gen.OneOf("[]", "[\"a\",\"b\"]", "[1,2,3]", "[[1,2],[3]]", "[[]]", "[\"\"]", "[null]", "[{\"role\":\"user\",\"content\":\"hi\"}]", "[{\"type\":\"message\"}]")),
        (1, Gen.Int[1, 3000].Select(n => "[" + string.Join(",", Enumerable.Repeat("\"x\"", n)) + "]")),
        (2, JsonEdgeCases.Value));

    private static readonly Gen<string> AnyField = JsonEdgeCases.Value;

    /// <summary>The fields each endpoint reads, with a generator of right and wrong values for each.</summary>
    private static readonly Dictionary<string, (string Name, Gen<string> Value)[]> Fields = new()
    {
        ["/v1/chat/completions"] =
        [
            ("model", Model), ("messages", Messages), ("stream", Bool), ("stream_options", StreamOptions), ("n", Count), ("max_tokens", Count),
            ("max_completion_tokens", Count), ("temperature", Count), ("user", JsonEdgeCases.String), ("tools", AnyField), ("response_format", AnyField),
            ("store", Bool), ("seed", Count), ("logprobs", Bool), ("metadata", AnyField),
        ],
        ["/v1/completions"] =
        [
            ("model", Model), ("prompt", Input), ("stream", Bool), ("stream_options", StreamOptions), ("n", Count), ("max_tokens", Count),
            ("echo", Bool), ("best_of", Count), ("suffix", AnyField), ("logprobs", Count),
        ],
        ["/v1/embeddings"] =
        [
            ("model", Model), ("input", Input), ("encoding_format", Gen.Frequency((2, Gen.OneOf("\"float\"", "\"base64\"")), (1, AnyField))), ("dimensions", Count), ("user", AnyField),
        ],
        ["/v1/responses"] =
        [
            ("model", Model), ("input", Input), ("stream", Bool), ("instructions", AnyField), ("max_output_tokens", Count), ("store", Bool),
            ("previous_response_id", Gen.Frequency((1, Gen.OneOf("\"resp_x\"", "\"\"", "null")), (1, AnyField))), ("conversation", AnyField), ("tools", AnyField),
            ("background", Bool), ("text", AnyField),
        ],
    };

    /// <summary>A body for <paramref name="path"/>, as JSON text (before any byte damage).</summary>
    public static Gen<string> For(string path)
    {
        var fields = Fields[path];
        var member = Gen.Frequency(
            (9, Gen.Int[0, fields.Length - 1].SelectMany(i => fields[i].Value.Select(v => ("\"" + fields[i].Name + "\"", v)))),
            (1, Gen.Select(JsonEdgeCases.Key, JsonEdgeCases.Value)));
        var required = fields.Take(2).ToArray();
        var wellFormed = Gen.Select(
            required[0].Value, required[1].Value, member.Array[0, 6], Gen.Int[0, 3], Gen.Bool,
            (first, second, extra, omit, shuffle) =>
            {
                var members = new List<(string, string)>();
                if (omit != 1)
                {
                    members.Add(("\"" + required[0].Name + "\"", first));
                }

                if (omit != 2)
                {
                    members.Add(("\"" + required[1].Name + "\"", second));
                }

                members.AddRange(extra);
                if (shuffle)
                {
                    members.Reverse();
                }

                return JsonEdgeCases.Object(members);
            });
        return Gen.Frequency(
            (14, wellFormed),
            (1, JsonEdgeCases.Deep),
            (1, JsonEdgeCases.Value),
            (1, Gen.OneOf("", " ", "\n", "{}", "[]", "null", "{\"model\":null}", "{", "{\"model\":\"gpt-4o-mini\",", "{\"model\":\"gpt-4o-mini\"}}")),
            (1, Gen.Int[10_000, 250_000].Select(n => "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('w', n) + "\"}],\"input\":\"x\",\"prompt\":\"x\"}")));
    }
}
