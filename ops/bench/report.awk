# Turns run.sh's raw rows (one per round, scenario and target) into the markdown report: per scenario, the median over
# rounds of each figure, and each ratio as the median of the per-round ratios to a baseline measured in that round.
# Variables: targets (report order), clk (clock ticks per second).
# Columns: round scenario kind target latency_ms connections rps p50_us p99_us ttft_p50_us ttft_p99_us requests
#          errors non2xx cpu_ticks load_ms rss_kb alloc_bytes gcs gc_pause_us

NR == 1 { next }
{
  r = $1; s = $2; t = $4
  if (!(s in seen)) { seen[s] = 1; scenarios[++nscen] = s; kind[s] = $3; lat[s] = $5; conns[s] = $6 }
  present[s, t] = 1
  if (r > rounds) rounds = r
  v[s, t, "rps", r] = $7
  v[s, t, "p50", r] = $8 / 1000
  v[s, t, "p99", r] = $9 / 1000
  if ($10 != "-") { v[s, t, "ttft50", r] = $10 / 1000; v[s, t, "ttft99", r] = $11 / 1000 }
  err[s, t] += $13 + $14
  if ($15 != "-" && $12 > 0) {
    v[s, t, "cpu", r] = $15 * 1e6 / clk / $12
    v[s, t, "cores", r] = $15 / clk / ($16 / 1000)
    v[s, t, "rss", r] = $17 / 1024
  }
  if ($18 != "-" && $12 > 0) {
    v[s, t, "alloc", r] = $18 / $12 / 1024
    v[s, t, "gc", r] = $19 * 1000 / $12
    v[s, t, "pause", r] = $20 / ($16 * 10)
  }
}

function median(a, n,    i, j, x) {
  for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
  if (n == 0) return ""
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

# The median over rounds of one figure.
function med(s, t, m,    a, n, r) {
  n = 0
  for (r = 1; r <= rounds; r++) if ((s, t, m, r) in v) a[++n] = v[s, t, m, r]
  return median(a, n)
}

# The median over rounds of figure m of t divided by (op "/") or minus (op "-") the same figure of baseline b.
function paired(s, t, b, m, op,    a, n, r) {
  n = 0
  for (r = 1; r <= rounds; r++) {
    if (!((s, t, m, r) in v) || !((s, b, m, r) in v)) continue
    if (op == "/") { if (v[s, b, m, r] > 0) a[++n] = v[s, t, m, r] / v[s, b, m, r] }
    else a[++n] = v[s, t, m, r] - v[s, b, m, r]
  }
  return median(a, n)
}

function f(x, fmt) { return x == "" ? "—" : sprintf(fmt, x) }
function ratio(s, t, b, m) { return present[s, b] ? f(paired(s, t, b, m, "/"), "%.2f×") : "—" }
function added(s, t, m) { return present[s, "direct"] ? f(paired(s, t, "direct", m, "-"), "%+.3f") : "—" }

function describe(s) {
  if (kind[s] == "chat") w = "POST /v1/chat/completions, a unique body per request (never a cache hit)"
  else if (kind[s] == "chat-nostore") w = "POST /v1/chat/completions, unique bodies, with Cache-Control: no-store (the gateway skips cache lookup and store)"
  else if (kind[s] == "models") w = "GET /v1/models (passthrough)"
  else if (kind[s] == "stream") w = "POST /v1/chat/completions with \"stream\":true, unique bodies; TTFT = first complete SSE event"
  else w = kind[s]
  return w ", upstream latency " lat[s] " ms, " conns[s] " connection" (conns[s] == 1 ? "" : "s")
}

function table(s,    i, t, nt, list) {
  print "### " s
  print ""
  print describe(s)
  print ""
  if (kind[s] == "stream") {
    print "| target | streams/s | ×direct | ×nginx | ×bare YARP | TTFT p50 ms | TTFT p99 ms | +TTFT p50 ms | +TTFT p99 ms | total p50 ms | total p99 ms | +total p99 ms | CPU µs/stream | CPU ×bare YARP | CPU ×nginx | cores busy | alloc KB/stream | GCs/1k | GC pause % | peak RSS MB | errors |"
    print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  } else {
    print "| target | RPS | ×direct | ×nginx | ×bare YARP | p50 ms | p99 ms | +p50 ms | +p99 ms | CPU µs/req | CPU ×bare YARP | CPU ×nginx | cores busy | alloc KB/req | GCs/1k | GC pause % | peak RSS MB | errors |"
    print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  }
  nt = split(targets, list, " ")
  for (i = 1; i <= nt; i++) {
    t = list[i]
    if (!present[s, t]) continue
    line = "| " t " | " f(med(s, t, "rps"), "%.0f") " | " ratio(s, t, "direct", "rps") " | " ratio(s, t, "nginx", "rps") " | " ratio(s, t, "bare-yarp", "rps")
    if (kind[s] == "stream")
      line = line " | " f(med(s, t, "ttft50"), "%.3f") " | " f(med(s, t, "ttft99"), "%.3f") " | " added(s, t, "ttft50") " | " added(s, t, "ttft99") \
        " | " f(med(s, t, "p50"), "%.3f") " | " f(med(s, t, "p99"), "%.3f") " | " added(s, t, "p99")
    else
      line = line " | " f(med(s, t, "p50"), "%.3f") " | " f(med(s, t, "p99"), "%.3f") " | " added(s, t, "p50") " | " added(s, t, "p99")
    line = line " | " f(med(s, t, "cpu"), "%.1f") " | " ratio(s, t, "bare-yarp", "cpu") " | " ratio(s, t, "nginx", "cpu") " | " f(med(s, t, "cores"), "%.2f") \
      " | " f(med(s, t, "alloc"), "%.1f") " | " f(med(s, t, "gc"), "%.2f") " | " f(med(s, t, "pause"), "%.1f") " | " f(med(s, t, "rss"), "%.0f") " | " err[s, t] " |"
    print line
  }
  print ""
}

# One row of the issue-9 check: label, measured value (formatted), verdict.
function check(label, x, limit, higher, unit, fmt,    verdict, missfmt) {
  if (x == "") { print "| " label " | not measured | — |"; return }
  if (higher) verdict = x >= limit ? "**met**" : sprintf("**missed** by %.2f%s (%.0f%% short)", limit - x, unit, 100 * (limit - x) / limit)
  else { missfmt = fmt; sub(/\+/, "", missfmt); verdict = x <= limit ? "**met**" : sprintf("**missed** by " missfmt "%s", x - limit, unit) }
  print "| " label " | " sprintf(fmt, x) unit " | " verdict " |"
}

END {
  print "### Issue 9 targets (gateway, this run)"
  print ""
  print "| target | measured | verdict |"
  print "|---|--:|---|"
  s = "chat-0ms-c32"
  check("uncached chat throughput ≥ 0.9× bare YARP (0 ms, 32 conn)", present[s, "gateway"] && present[s, "bare-yarp"] ? paired(s, "gateway", "bare-yarp", "rps", "/") : "", 0.9, 1, "×", "%.2f")
  check("uncached chat throughput ≥ 0.6× nginx (0 ms, 32 conn)", present[s, "gateway"] && present[s, "nginx"] ? paired(s, "gateway", "nginx", "rps", "/") : "", 0.6, 1, "×", "%.2f")
  s = "chat-0ms-c1"
  check("uncached chat added latency p50 ≤ 0.3 ms (0 ms, 1 conn)", present[s, "gateway"] ? paired(s, "gateway", "direct", "p50", "-") : "", 0.3, 0, " ms", "%+.3f")
  check("uncached chat added latency p99 ≤ 1 ms (0 ms, 1 conn)", present[s, "gateway"] ? paired(s, "gateway", "direct", "p99", "-") : "", 1, 0, " ms", "%+.3f")
  s = "stream-0ms-c1"
  check("streaming added TTFT p99 ≤ 1 ms (0 ms, 1 conn)", present[s, "gateway"] ? paired(s, "gateway", "direct", "ttft99", "-") : "", 1, 0, " ms", "%+.3f")
  peak = ""
  for (i = 1; i <= nscen; i++) {
    s = scenarios[i]
    if (conns[s] == 32 && present[s, "gateway"]) { x = med(s, "gateway", "rss"); if (x != "" && (peak == "" || x > peak)) peak = x }
  }
  check("gateway peak RSS ≤ 150 MB under 32 connections (worst scenario)", peak, 150, 0, " MB", "%.0f")
  print "| cache hit p99 ≤ 1 ms memory / ≤ 2 ms Redis; hit throughput > nginx | not measured yet (no cache target) | — |"
  print "| 10,000 slow streams: RSS ≤ 1.5 GB, added TTFT p99 ≤ 5 ms, none dropped | not measured yet (no scale target) | — |"
  print ""
  for (i = 1; i <= nscen; i++) table(scenarios[i])
}
