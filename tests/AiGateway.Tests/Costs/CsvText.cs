using System.Text;
using Xunit;

namespace AiGateway.Tests.Costs;

/// <summary>A strict RFC 4180 reader for the tests: CRLF after every record, fields quoted only as the RFC allows, quotes doubled inside them.</summary>
internal static class CsvText
{
    /// <summary>The records of <paramref name="text"/>; fails the test on anything RFC 4180 does not allow.</summary>
    public static List<string[]> Parse(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '"')
            {
                i++;
                while (true)
                {
                    Assert.True(i < text.Length, "a quoted field is not closed");
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(text[i++]);
                }

                Assert.True(i == text.Length || text[i] is ',' or '\r', $"text after a closing quote at {i}");
            }
            else
            {
                while (i < text.Length && text[i] is not (',' or '\r'))
                {
                    Assert.True(text[i] is not ('"' or '\n'), $"a quote or bare line feed in an unquoted field at {i}");
                    field.Append(text[i++]);
                }
            }

            fields.Add(field.ToString());
            field.Clear();
            Assert.True(i < text.Length, "the last record does not end with CRLF");
            if (text[i] == ',')
            {
                i++;
                continue;
            }

            Assert.True(i + 1 < text.Length && text[i + 1] == '\n', $"a bare carriage return at {i}");
            i += 2;
            records.Add(fields.ToArray());
            fields.Clear();
        }

        return records;
    }
}
