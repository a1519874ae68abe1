using System.Collections.Concurrent;

namespace AiGateway.Transforms.Orgs;

/// <summary>Every org's settings in memory, for the hot path; filled and kept current by <see cref="OrgSettingsRefresher"/> and the admin API.</summary>
internal sealed class OrgSettingsSnapshot
{
    private readonly ConcurrentDictionary<string, OrgSettingsRow> _rows = new(StringComparer.Ordinal);
    private long _latestTicks = DateTimeOffset.MinValue.UtcTicks;

    /// <summary>The latest <c>updated_at</c> seen, or null before the first row.</summary>
    public DateTimeOffset? Latest
    {
        get
        {
            var ticks = Interlocked.Read(ref _latestTicks);
            return ticks == DateTimeOffset.MinValue.UtcTicks ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>The org's settings, or null when it has none (the gateway's defaults apply).</summary>
    public OrgAiSettings? Find(string orgId) => _rows.TryGetValue(orgId, out var row) ? row.Settings : null;

    /// <summary>The settings in force for a call of <paramref name="orgId"/>.</summary>
    public CallSettings For(string orgId) => _rows.TryGetValue(orgId, out var row) ? row.Call : CallSettings.Defaults;

    /// <summary>Puts <paramref name="row"/> in force unless a newer version of it already is.</summary>
    public void Apply(OrgSettingsRow row)
    {
        // A refresh that read the table just before an admin update must not put the older row back.
        _rows.AddOrUpdate(row.Settings.OrgId, row, (_, current) => row.UpdatedAt >= current.UpdatedAt ? row : current);
        var ticks = row.UpdatedAt.UtcTicks;
        var seen = Interlocked.Read(ref _latestTicks);
        while (ticks > seen)
        {
            var previous = Interlocked.CompareExchange(ref _latestTicks, ticks, seen);
            if (previous == seen)
            {
                break;
            }

            seen = previous;
        }
    }
}
