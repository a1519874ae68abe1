using System.Text;
using System.Text.Json;
using AiGateway.Transforms.Payloads;
using Xunit;

namespace AiGateway.Tests.Payloads;

/// <summary>The detectors of the <c>redacted</c> level against a corpus of what they must replace and what they must leave.</summary>
public sealed class PayloadRedactorTests
{
    /// <summary>Secrets and personal data, each with the placeholder type it must get.</summary>
    public static TheoryData<string, string> TruePositives => new()
    {
        { "write to jane.doe+tag@example.co.uk today", "EMAIL" },
        { "mail: J_Smith@mail-server.example.org.", "EMAIL" },
        { "key sk-proj-AbCdEf0123456789_xyzXYZ-0987 leaked", "KEY" },
        { "old key sk-0123456789abcdefABCDEF0123456789abcdef", "KEY" },
        { "gateway key aigw_Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTA", "KEY" },
        { "token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "KEY" },
        { "aws AKIAIOSFODNN7EXAMPLE here", "KEY" },
        { "Authorization: Bearer abcdef0123456789ABCDEF.ghij", "TOKEN" },
        { "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "TOKEN" },
        { "card 4111 1111 1111 1111 exp 12/27", "CARD" },
        { "card 4111-1111-1111-1111", "CARD" },
        { "amex 378282246310005.", "CARD" },
        { "mastercard 5555555555554444", "CARD" },
        { "IBAN DE89 3704 0044 0532 0130 00 please", "IBAN" },
        { "iban GB82WEST12345698765432", "IBAN" },
        { "call +1 415 555 2671 now", "PHONE" },
        { "call (415) 555-2671", "PHONE" },
        { "ring 030 1234567", "PHONE" },
        { "tel +447911123456", "PHONE" },
        { "us 415.555.2671", "PHONE" },
        { "server 192.168.1.20 down", "IP" },
        { "from 8.8.8.8", "IP" },
        { "v6 2001:db8:85a3::8a2e:370:7334 up", "IP" },
        { "loopback ::1 only", "IP" },
    };

    /// <summary>Look-alikes that must stay as they are.</summary>
    public static TheoryData<string> FalsePositives => new()
    {
        "order number 4111 1111 1111 1112 (fails Luhn)",
        "the date 2024-01-15 and 15.01.2024",
        "at 10:30:00 sharp",
        "version 1.2.3 of the api",
        "pi is 3.14159",
        "an id of 123456",
        "price 1,234.56 EUR",
        "user@localhost has no domain",
        "a task-key sk-short",
        "DE00 1234 5678 9012 3456 78 is no IBAN",
        "std::vector<int> in C++",
        "ratio 16:9 and score 3-2",
        "sk-learn is a library",
        "256.300.1.1 is no address",
    };

    [Theory]
    [MemberData(nameof(TruePositives))]
    public void Redact_Secret_ReplacedByTypedPlaceholder(string text, string type)
    {
        var redaction = new PayloadRedactor([]).Begin();

        var redacted = redaction.Redact(text);

        Assert.Contains($"[{type}_1]", redacted, StringComparison.Ordinal);
        Assert.Equal(1, redaction.Counts[type]);
    }

    [Theory]
    [MemberData(nameof(FalsePositives))]
    public void Redact_LookAlike_LeftAsItIs(string text)
    {
        var redaction = new PayloadRedactor([]).Begin();

        Assert.Equal(text, redaction.Redact(text));
        Assert.Empty(redaction.Counts);
    }

    [Fact]
    public void Redact_SameValueTwice_SamePlaceholderAcrossRequestAndResponse()
    {
        var redaction = new PayloadRedactor([]).Begin();

        var request = redaction.Redact("from a@example.com and b@example.com");
        var response = redaction.Redact("replying to b@example.com");

        Assert.Equal("from [EMAIL_1] and [EMAIL_2]", request);
        Assert.Equal("replying to [EMAIL_2]", response);
        Assert.Equal(2, redaction.Counts["EMAIL"]);
    }

    [Fact]
    public void Redact_CustomPattern_ReplacedAsCustomBeforeTheBuiltIns()
    {
        var redaction = new PayloadRedactor([@"EMP-\d{6}"]).Begin();

        Assert.Equal("employee [CUSTOM_1] wrote", redaction.Redact("employee EMP-123456 wrote"));
    }

    [Fact]
    public void RedactJson_EscapedNewlineBeforeEmail_StillValidJsonWithTheEmailReplaced()
    {
        var redaction = new PayloadRedactor([]).Begin();
        var body = """{"messages":[{"role":"user","content":"Hi,\njohn@example.com\nCard: 4111111111111111"}],"card":4111111111111111,"temperature":0.2}"""u8;

        var json = redaction.RedactJson(body, 1 << 20, out var stopped)!;

        using var document = JsonDocument.Parse(json);
        var content = document.RootElement.GetProperty("messages")[0].GetProperty("content").GetString();
        Assert.Equal("Hi,\n[EMAIL_1]\nCard: [CARD_1]", content);
        // The same card as a JSON number gets the same placeholder, as a string.
        Assert.Equal("[CARD_1]", document.RootElement.GetProperty("card").GetString());
        Assert.Equal(0.2, document.RootElement.GetProperty("temperature").GetDouble());
        Assert.False(stopped);
    }

    [Fact]
    public void RedactJson_NotJson_Null()
    {
        Assert.Null(new PayloadRedactor([]).Begin().RedactJson(Encoding.UTF8.GetBytes("not json a@b.com"), 1024, out _));
    }
}
