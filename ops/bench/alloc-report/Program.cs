using System.Globalization;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// alloc-report TRACE.nettrace [--top N] [--requests N] [--focus TYPE-SUBSTRING]...
// The runtime samples an allocation about every 100 KB (GCAllocationTick, with its stack, in dotnet-trace's
// gc-verbose profile); each sample stands for the ~100 KB allocated since the last one. This ranks the sampled bytes
// by type, by the innermost frame of the application (AiGateway.*) on the stack, by the innermost frame outside the
// BCL, and by the allocating method itself. With --requests, the total is also shown per request. Each --focus adds
// a table of the eight innermost frames behind the samples whose type name contains that text.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: alloc-report TRACE.nettrace [--top N] [--requests N]");
    return 2;
}

var top = 15;
long requests = 0;
var focus = new List<string>();
for (var i = 1; i < args.Length - 1; i++)
{
    if (args[i] == "--focus") focus.Add(args[i + 1]);
    if (args[i] == "--top") top = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    if (args[i] == "--requests") requests = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
}

var etlx = TraceLog.CreateFromEventPipeDataFile(args[0]);
using var log = new TraceLog(etlx);
var byType = new Dictionary<string, long>();
var byApp = new Dictionary<string, long>();
var byNonBcl = new Dictionary<string, long>();
var bySite = new Dictionary<string, long>();
var byChain = new Dictionary<string, long>();
var byFocus = focus.ToDictionary(f => f, _ => new Dictionary<string, long>());
long total = 0, samples = 0, withStack = 0;

static bool IsBcl(string module) =>
    module.StartsWith("System.", StringComparison.OrdinalIgnoreCase) || module.Equals("System", StringComparison.OrdinalIgnoreCase)
    || module.StartsWith("Microsoft.Extensions.", StringComparison.OrdinalIgnoreCase)
    || module.StartsWith("Microsoft.Win32", StringComparison.OrdinalIgnoreCase)
    || module.Contains("coreclr", StringComparison.OrdinalIgnoreCase) || module.Length == 0;

static string Short(string method)
{
    // "Namespace.Type+<Inner>d__5.MoveNext()" is long; keep type and method, drop the parameter list.
    var paren = method.IndexOf('(');
    if (paren > 0) method = method[..paren];
    return method.Length > 150 ? method[..150] : method;
}

foreach (var e in log.Events)
{
    if (e is not GCAllocationTickTraceData tick)
    {
        continue;
    }

    samples++;
    var bytes = tick.AllocationAmount64 > 0 ? tick.AllocationAmount64 : tick.AllocationAmount;
    total += bytes;
    Add(byType, tick.TypeName ?? "?", bytes);
    var stack = tick.CallStack();
    if (stack is null)
    {
        continue;
    }

    withStack++;
    foreach (var f in focus)
    {
        if ((tick.TypeName ?? "").Contains(f, StringComparison.Ordinal))
        {
            var frames = new List<string>();
            for (var frame = stack; frame is not null && frames.Count < 8; frame = frame.Caller)
            {
                if (!string.IsNullOrEmpty(frame.CodeAddress.FullMethodName)) frames.Add(Short(frame.CodeAddress.FullMethodName));
            }

            Add(byFocus[f], string.Join(" <- ", frames), bytes);
        }
    }

    string? site = null, app = null, nonBcl = null;
    var chain = new List<string>();
    for (var frame = stack; frame is not null; frame = frame.Caller)
    {
        var method = frame.CodeAddress.FullMethodName;
        var module = frame.CodeAddress.ModuleName ?? "";
        if (string.IsNullOrEmpty(method))
        {
            continue;
        }

        site ??= Short(method);
        if (chain.Count < 3) chain.Add(Short(method));
        if (nonBcl is null && !IsBcl(module)) nonBcl = $"{Short(method)} [{module}]";
        if (app is null && method.StartsWith("AiGateway", StringComparison.Ordinal)) app = Short(method);
        if (app is not null && nonBcl is not null) break;
    }

    Add(bySite, site ?? "(no managed frame)", bytes);
    Add(byApp, app ?? "(no AiGateway frame on the stack)", bytes);
    Add(byNonBcl, nonBcl ?? "(BCL only)", bytes);
    Add(byChain, string.Join(" <- ", chain), bytes);
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"sampled allocations: {samples} ticks ({withStack} with a stack), ~{total / 1048576.0:F1} MB{(requests > 0 ? $", {requests} requests: ~{total / 1024.0 / requests:F1} KB/request" : "")}"));
Print("by type", byType);
Print("by innermost AiGateway frame on the stack (the gateway code that caused it)", byApp);
Print("by innermost frame outside the BCL (module in brackets)", byNonBcl);
Print("by allocating method", bySite);
Print("by the three innermost frames", byChain);
foreach (var f in focus)
{
    Print($"stacks of {f}", byFocus[f]);
}

return 0;

void Print(string title, Dictionary<string, long> table)
{
    Console.WriteLine();
    Console.WriteLine($"### {title}");
    Console.WriteLine();
    Console.WriteLine("| share | KB/request | where |");
    Console.WriteLine("|--:|--:|---|");
    foreach (var (key, value) in table.OrderByDescending(kv => kv.Value).Take(top))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {100.0 * value / Math.Max(1, total):F1}% | {(requests > 0 ? (value / 1024.0 / requests).ToString("F2", CultureInfo.InvariantCulture) : "—")} | `{key.Replace("|", "\\|")}` |"));
    }
}

static void Add(Dictionary<string, long> table, string key, long bytes) =>
    table[key] = table.TryGetValue(key, out var current) ? current + bytes : bytes;
