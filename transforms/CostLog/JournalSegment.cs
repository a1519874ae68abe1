namespace AiGateway.Transforms.CostLog;

/// <summary>
/// One <c>journal-*.jsonl</c> file of <see cref="PerfLogJournal"/>: deleted once it is closed and every row in it has
/// settled (stored, spilled or given up), so a clean stop leaves none and a killed process leaves what it had not settled.
/// </summary>
internal sealed class JournalSegment(string path, FileStream stream)
{
    // One hold for the file being open, one per row not settled yet; the last release deletes the file.
    private int _holds = 1;

    /// <summary>The file, held open (shared lock) so that no replay adopts it while this process lives.</summary>
    public FileStream Stream { get; } = stream;

    /// <summary>Counts a row written to this segment.</summary>
    public void Hold() => Interlocked.Increment(ref _holds);

    /// <summary>A row of this segment settled, or (once) the segment was closed.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _holds) != 0)
        {
            return;
        }

        try
        {
            // Deleted before it is closed: no replay can adopt it in between.
            File.Delete(path);
            Stream.Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind, it is replayed at the next start; its rows are stored already and are skipped.
        }
    }
}
