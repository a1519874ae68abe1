using System.Collections.Concurrent;

namespace AiGateway.Transforms.Orgs;

/// <summary>Every org's settings in memory, for the hot path; filled and kept current by <see cref="OrgSettingsRefresher"/> and the admin API.</summary>
internal sealed class OrgSettingsSnapshot
{
    private readonly ConcurrentDictionary<string, OrgSettingsRow> _rows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string OrgId, string CustomerId), CustomerSettingsRow> _customers = new();
    private long _latestTicks = DateTimeOffset.MinValue.UtcTicks;
    private long _latestCustomerTicks = DateTimeOffset.MinValue.UtcTicks;

    /// <summary>The latest org row's <c>updated_at</c> seen, or null before the first row.</summary>
    public DateTimeOffset? Latest => AsTime(Interlocked.Read(ref _latestTicks));

    /// <summary>The latest customer row's <c>updated_at</c> seen, or null before the first row.</summary>
    public DateTimeOffset? LatestCustomer => AsTime(Interlocked.Read(ref _latestCustomerTicks));

    /// <summary>The org's settings, or null when it has none (the gateway's defaults apply).</summary>
    public OrgAiSettings? Find(string orgId) => _rows.TryGetValue(orgId, out var row) ? row.Settings : null;

    /// <summary>The settings in force for a call of <paramref name="orgId"/>.</summary>
    public CallSettings For(string orgId) => _rows.TryGetValue(orgId, out var row) ? row.Call : CallSettings.Defaults;

    /// <summary>The settings in force for a call of <paramref name="orgId"/> made for <paramref name="customerId"/>.</summary>
    public CallSettings For(string orgId, string customerId) =>
        new(Find(orgId), customerId, _customers.TryGetValue((orgId, customerId), out var row) ? row.Settings : null);

    /// <summary>The customer's stored settings, or null when it has none.</summary>
    public CustomerAiSettings? FindCustomer(string orgId, string customerId) =>
        _customers.TryGetValue((orgId, customerId), out var row) ? row.Settings : null;

    /// <summary>Puts a customer's <paramref name="row"/> in force unless a newer version of it already is.</summary>
    public void Apply(CustomerSettingsRow row)
    {
        _customers.AddOrUpdate((row.Settings.OrgId, row.Settings.CustomerId), row, (_, current) => row.UpdatedAt >= current.UpdatedAt ? row : current);
        Seen(ref _latestCustomerTicks, row.UpdatedAt);
    }

    /// <summary>Puts <paramref name="row"/> in force unless a newer version of it already is.</summary>
    public void Apply(OrgSettingsRow row)
    {
        // A refresh that read the table just before an admin update must not put the older row back.
        _rows.AddOrUpdate(row.Settings.OrgId, row, (_, current) => row.UpdatedAt >= current.UpdatedAt ? row : current);
        Seen(ref _latestTicks, row.UpdatedAt);
    }

    private static DateTimeOffset? AsTime(long ticks) => ticks == DateTimeOffset.MinValue.UtcTicks ? null : new DateTimeOffset(ticks, TimeSpan.Zero);

    private static void Seen(ref long latest, DateTimeOffset updatedAt)
    {
        var ticks = updatedAt.UtcTicks;
        var seen = Interlocked.Read(ref latest);
        while (ticks > seen)
        {
            var previous = Interlocked.CompareExchange(ref latest, ticks, seen);
            if (previous == seen)
            {
                break;
            }

            seen = previous;
        }
    }
}
