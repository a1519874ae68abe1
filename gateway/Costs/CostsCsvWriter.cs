using System.Data.Common;
using System.Text;
using Sylvan.Data.Csv;

namespace AiGateway.Costs;

/// <summary>
/// Writes a rollup reader as RFC 4180 CSV (CRLF line ends, fields quoted only when they hold a comma, quote or line
/// break, quotes doubled) in UTF-8 without a byte order mark, row by row through a small buffer: a year of rows never
/// sits in memory.
/// </summary>
internal static class CostsCsvWriter
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes the header row (the reader's column names) and every row of <paramref name="reader"/> to <paramref name="body"/>.</summary>
    public static async Task<long> WriteAsync(DbDataReader reader, Stream body, CancellationToken cancellationToken)
    {
        await using var text = new StreamWriter(body, Utf8NoBom, bufferSize: 16 * 1024, leaveOpen: true);
        var csv = CsvDataWriter.Create(text, new CsvDataWriterOptions
        {
            NewLine = "\r\n",
            WriteHeaders = true,
            Culture = System.Globalization.CultureInfo.InvariantCulture,
        });
        var rows = await csv.WriteAsync(reader, cancellationToken);
        await text.FlushAsync(cancellationToken);
        return rows;
    }
}
