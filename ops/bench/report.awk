# Turns run.sh's raw rows (one per round, scenario and target) into the markdown report: per scenario, the median over
# rounds of each figure, and each ratio as the median of the per-round ratios to a baseline measured in that round.
# Variables: targets (report order), clk (clock ticks per second), dedupe_latency (ms), scale_note.
# Files: the load rows, then (optional) the dedupe rows, the scale rows and the fixed-rate rows, each with a header line.
# Load columns: round scenario kind target latency_ms connections rps p50_us p99_us ttft_p50_us ttft_p99_us requests
#          errors non2xx cpu_ticks load_ms rss_kb alloc_bytes gcs gc_pause_us upstream_calls cache_check
#          backend_cpu_ticks (Redis + Postgres, for the targets that use them)
# Dedupe columns: round kind row n ok errors wall_us p50_us max_us ttft_p50_us ttft_max_us leader follower unlabelled
#          cache_hit distinct events upstream_calls
# Scale columns: target streams ok dropped errors peak_open ttft_p50_us ttft_p99_us ttft_max_us p50_us p99_us max_us
#          wall_s rss_before_kb rss_peak_kb fds_peak cpu_ticks alloc_bytes gc_pause_us
# Fixed-rate columns: kind rate target sent requests rps p50_us p90_us p99_us p999_us max_us ttft_p50_us ttft_p99_us
#          ttft_p999_us lag_p99_us lag_max_us peak_in_flight connections errors non2xx all_sent cpu_ticks rss_peak_kb
#          rss_end_kb backend_cpu_ticks load1

FNR == 1 { file++; next }
file == 4 {
  fk = $1 SUBSEP $2
  if (!(fk in fseen)) { fseen[fk] = 1; fixed_order[++nfixed] = fk; fkind[fk] = $1; frate[fk] = $2 }
  fpresent[fk, $3] = 1
  for (i = 4; i <= NF; i++) fx[fk, $3, i] = $i
  next
}
file == 2 {
  k = $2; row = $3; r = $1
  if (!((k, row) in dseen)) { dseen[k, row] = 1; drows[k, ++ndrows[k]] = row }
  if (r > drounds) drounds = r
  d[k, row, "n", r] = $4; d[k, row, "ok", r] = $5; d[k, row, "err", r] = $6; d[k, row, "wall", r] = $7 / 1000
  d[k, row, "p50", r] = $8 / 1000; d[k, row, "max", r] = $9 / 1000; d[k, row, "ttft50", r] = $10 / 1000
  d[k, row, "ttftmax", r] = $11 / 1000; d[k, row, "leader", r] = $12; d[k, row, "follower", r] = $13
  d[k, row, "unlabelled", r] = $14; d[k, row, "distinct", r] = $16; d[k, row, "events", r] = $17
  d[k, row, "calls", r] = $18
  next
}
file == 3 {
  st = $1; scaled[st] = 1; scale_order[++nscaled] = st
  for (i = 2; i <= NF; i++) sc[st, i] = $i
  next
}
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
  if (NF >= 23 && $23 != "-" && $23 != "" && $12 > 0) { v[s, t, "bcpu", r] = $23 * 1e6 / clk / $12; has_bcpu[s, t] = 1 }
  if ($18 != "-" && $12 > 0) {
    v[s, t, "alloc", r] = $18 / $12 / 1024
    v[s, t, "gc", r] = $19 * 1000 / $12
    v[s, t, "pause", r] = $20 / ($16 * 10)
  }
  if ($21 != "" && $21 != "-") {
    hits[s, t] = hits[s, t] (hits[s, t] == "" ? "" : ", ") $22
    calls[s, t] = calls[s, t] (calls[s, t] == "" ? "" : ", ") $21
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
  if (kind[s] == "chat" && (present[s, "gateway-hit"] || present[s, "gateway-redis-hit"]))
    w = "POST /v1/chat/completions, a unique body per request (never a cache hit), except gateway-hit and gateway-redis-hit: one fixed body, every request a cache hit (in-process store; Redis)"
  else if (kind[s] == "chat") w = "POST /v1/chat/completions, a unique body per request (never a cache hit)"
  else if (kind[s] == "chat-nostore") w = "POST /v1/chat/completions, unique bodies, with Cache-Control: no-store (the gateway skips cache lookup and store)"
  else if (kind[s] == "models") w = "GET /v1/models (passthrough)"
  else if (kind[s] == "stream") w = "POST /v1/chat/completions with \"stream\":true, unique bodies; TTFT = first complete SSE event"
  else w = kind[s]
  return w ", upstream latency " lat[s] " ms, " conns[s] " connection" (conns[s] == 1 ? "" : "s")
}

function table(s,    i, t, nt, list, b, nb) {
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
  for (i = 1; i <= nt; i++) {
    t = list[i]
    if (hits[s, t] != "")
      print "- " t ": x-aigw-cache of a curl with the same body before/after each round: " hits[s, t] "; chat calls that reached the upstream during the load: " calls[s, t]
  }
  if (hits[s, "gateway-hit"] != "" || hits[s, "gateway-redis-hit"] != "") print ""
  # A variant (base+x) or another build (base@rev) against the target it differs from, round by round.
  nb = 0
  for (i = 1; i <= nt; i++) {
    t = list[i]
    b = t; sub(/[+@].*/, "", b)
    if (b == t || !present[s, t] || !present[s, b]) continue
    print "- " t ": " ratio(s, t, b, "rps") " " b "'s " (kind[s] == "stream" ? "streams/s" : "RPS") ", CPU per " (kind[s] == "stream" ? "stream " : "request ") ratio(s, t, b, "cpu") " " b "'s"
    nb++
  }
  if (nb) print ""
  nb = 0
  for (i = 1; i <= nt; i++) {
    t = list[i]
    if (!has_bcpu[s, t]) continue
    print "- " t ": Redis + Postgres CPU " f(med(s, t, "bcpu"), "%.1f") " µs per " (kind[s] == "stream" ? "stream" : "request") " beside the gateway's own " f(med(s, t, "cpu"), "%.1f") " (same cores)"
    nb++
  }
  if (nb) print ""
}

# One fixed-rate figure (column i) of target t, "" when absent or "-".
function fv(fk, t, i) { return (fpresent[fk, t] && fx[fk, t, i] != "-" && fx[fk, t, i] != "") ? fx[fk, t, i] : "" }
# What target t adds over direct at the same rate (column i, µs -> ms).
function fadd(fk, t, i,    a, b) { a = fv(fk, t, i); b = fv(fk, "direct", i); return (a == "" || b == "") ? "" : (a - b) / 1000 }

function fixed_table(fk,    i, t, nt, list, k, n, line, c) {
  k = fkind[fk]
  print "### fixed rate: " k " at " frate[fk] " requests/s"
  print ""
  print "Open loop (ops/bench/stream-client --rate): request i is due at i / rate whatever happened to the ones before it; latency = end of the answer − intended send time (coordinated omission corrected), HdrHistogram. " \
    (k == "stream" ? "Streamed chat, unique bodies; TTFT from the intended send time too. " : "Non-streamed chat, unique bodies (never a cache hit). ") \
    "0 ms mock; one run per target (warm-up at the rate first); +figures are differences to direct's at the same rate. Lag = how late the generator itself sent (included in every latency)."
  print ""
  if (k == "stream") {
    print "| target | achieved /s | TTFT p50 ms | TTFT p99 ms | TTFT p99.9 ms | +TTFT p50 ms | +TTFT p99 ms | +TTFT p99.9 ms | total p50 ms | total p99 ms | +total p99 ms | lag p99 ms | peak in flight | CPU µs/stream | Redis+PG CPU µs/stream | RSS peak MB | RSS end MB | errors |"
    print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  } else {
    print "| target | achieved /s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | +p50 ms | +p99 ms | +p99.9 ms | lag p99 ms | peak in flight | connections | CPU µs/req | cores busy | Redis+PG CPU µs/req | RSS peak MB | RSS end MB | errors |"
    print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  }
  nt = split(targets, list, " ")
  for (i = 1; i <= nt; i++) {
    t = list[i]
    if (!fpresent[fk, t]) continue
    n = fv(fk, t, 21) # all requests sent, warm-up included (the CPU window)
    c = (fv(fk, t, 22) == "" || n <= 0) ? "" : fv(fk, t, 22) * 1e6 / clk / n
    line = "| " t " | " f(fv(fk, t, 6), "%.0f")
    if (k == "stream")
      line = line " | " f(fv(fk, t, 12) / 1000, "%.3f") " | " f(fv(fk, t, 13) / 1000, "%.3f") " | " f(fv(fk, t, 14) / 1000, "%.3f") \
        " | " f(fadd(fk, t, 12), "%+.3f") " | " f(fadd(fk, t, 13), "%+.3f") " | " f(fadd(fk, t, 14), "%+.3f") \
        " | " f(fv(fk, t, 7) / 1000, "%.3f") " | " f(fv(fk, t, 9) / 1000, "%.3f") " | " f(fadd(fk, t, 9), "%+.3f") " | " f(fv(fk, t, 15) / 1000, "%.3f") " | " fv(fk, t, 17)
    else
      line = line " | " f(fv(fk, t, 7) / 1000, "%.3f") " | " f(fv(fk, t, 8) / 1000, "%.3f") " | " f(fv(fk, t, 9) / 1000, "%.3f") " | " f(fv(fk, t, 10) / 1000, "%.3f") \
        " | " f(fv(fk, t, 11) / 1000, "%.1f") " | " f(fadd(fk, t, 7), "%+.3f") " | " f(fadd(fk, t, 9), "%+.3f") " | " f(fadd(fk, t, 10), "%+.3f") \
        " | " f(fv(fk, t, 15) / 1000, "%.3f") " | " fv(fk, t, 17) " | " fv(fk, t, 18)
    line = line " | " f(c, "%.1f")
    if (k != "stream") line = line " | " f(c == "" ? "" : c * frate[fk] / 1e6, "%.2f")
    line = line " | " (fv(fk, t, 25) == "" || n <= 0 ? "—" : f(fv(fk, t, 25) * 1e6 / clk / n, "%.1f")) \
      " | " (fv(fk, t, 23) == "" ? "—" : f(fv(fk, t, 23) / 1024, "%.0f")) " | " (fv(fk, t, 24) == "" ? "—" : f(fv(fk, t, 24) / 1024, "%.0f")) \
      " | " (fv(fk, t, 19) + fv(fk, t, 20)) (fv(fk, t, 4) != fv(fk, t, 5) ? " (" fv(fk, t, 4) - fv(fk, t, 5) " of " fv(fk, t, 4) " unanswered)" : "") " |"
    print line
  }
  print ""
}

# Median over rounds of a dedupe figure.
function dmed(k, row, m,    a, n, r) {
  n = 0
  for (r = 1; r <= drounds; r++) if ((k, row, m, r) in d && d[k, row, m, r] != "-") a[++n] = d[k, row, m, r]
  return median(a, n)
}
function dlist(k, row, m,    r, out) {
  out = ""
  for (r = 1; r <= drounds; r++) if ((k, row, m, r) in d) out = out (out == "" ? "" : ", ") d[k, row, m, r]
  return out
}

function dedupe_table(k,    i, row, n) {
  print "### dedupe-" k
  print ""
  n = dmed(k, drows[k, 1], "n")
  print n " identical " (k == "stream" ? "streamed " : "non-streamed ") "chat requests released at once, each on an open connection, `Cache-Control: no-store`, upstream latency " dedupe_latency " ms" (k == "stream" ? ", then the stream's events at once" : "") \
    "; upstream calls counted by the counting nginx's access log (direct: the mock itself, N calls by construction); one burst per round"
  print ""
  if (k == "stream") {
    print "| row | wall ms | wall ÷ upstream latency | TTFT p50 ms | TTFT max ms | upstream calls (per round) | leader | followers | distinct event sequences | ok | errors |"
    print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  } else {
    print "| row | wall ms | wall ÷ upstream latency | answer p50 ms | answer max ms | upstream calls (per round) | leader | followers | distinct answers | ok | errors |"
    print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  }
  for (i = 1; i <= ndrows[k]; i++) {
    row = drows[k, i]
    w = dmed(k, row, "wall")
    print "| " row " | " f(w, "%.0f") " | " f(w == "" ? "" : w / dedupe_latency, "%.2f×") \
      " | " f(dmed(k, row, k == "stream" ? "ttft50" : "p50"), "%.0f") " | " f(dmed(k, row, k == "stream" ? "ttftmax" : "max"), "%.0f") \
      " | " (row == "direct" ? "— (" n " by construction)" : dlist(k, row, "calls")) " | " f(dmed(k, row, "leader"), "%d") " | " f(dmed(k, row, "follower"), "%d") \
      " | " f(dmed(k, row, "distinct"), "%d") " | " f(dmed(k, row, "ok"), "%d") " | " f(dmed(k, row, "err"), "%d") " |"
  }
  print ""
}

function scale_table(    t, tl, nt, i) {
  print "### scale: slow streams at once"
  print ""
  print "Each stream: one event a second for 30 s (31 events; through the gateway 31 s, as it asks the upstream for the usage chunk, which the mock also spaces by 1 s), " sc["direct", 2] " streams opened over the ramp, one run each (direct first), TTFT = request sent (connection included) to the first complete event; direct to the HTTP/1.1 mock, each proxy a fresh instance (warmed up 10 s) in front of an HTTP/2-only mock (api.openai.com is reached over HTTP/2), so that its upstream streams share connections" (scale_note != "" ? "; " scale_note : "")
  print ""
  print "| target | streams | completed | dropped | errors | peak open | TTFT p50 ms | TTFT p99 ms | TTFT max ms | +TTFT p99 ms | total p50 s | total p99 s | RSS before MB | peak RSS MB | peak fds | CPU s | alloc KB/stream | GC pause s |"
  print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  for (i = 1; i <= nscaled; i++) {
    t = scale_order[i]
    if (!scaled[t]) continue
    print "| " t " | " sc[t, 2] " | " sc[t, 3] " | " sc[t, 4] " | " sc[t, 5] " | " sc[t, 6] " | " f(sc[t, 7] / 1000, "%.2f") " | " f(sc[t, 8] / 1000, "%.2f") " | " f(sc[t, 9] / 1000, "%.1f") \
      " | " (scaled["direct"] && t != "direct" ? f((sc[t, 8] - sc["direct", 8]) / 1000, "%+.2f") : "—") " | " f(sc[t, 10] / 1e6, "%.2f") " | " f(sc[t, 11] / 1e6, "%.2f") \
      " | " (sc[t, 14] == "-" ? "—" : f(sc[t, 14] / 1024, "%.0f")) " | " (sc[t, 15] == "-" ? "—" : f(sc[t, 15] / 1024, "%.0f")) " | " sc[t, 16] \
      " | " (t == "direct" ? "—" : f(sc[t, 17] / clk, "%.1f")) " | " (sc[t, 18] == "-" || sc[t, 3] == 0 ? "—" : f(sc[t, 18] / sc[t, 3] / 1024, "%.1f")) " | " (sc[t, 19] == "-" ? "—" : f(sc[t, 19] / 1e6, "%.2f")) " |"
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

# Issue 21: the production setup (gateway-prod: Redis + Postgres) against bare YARP, and the fixed-rate tail.
function issue21(    s, fk, x, b, y, any) {
  any = present["chat-0ms-c32", "gateway-prod"] || present["stream-0ms-c32", "gateway-prod"] || nfixed
  if (!any) return
  print "### Issue 21 targets (this run)"
  print ""
  print "| target | measured | verdict |"
  print "|---|--:|---|"
  s = "chat-0ms-c32"
  check("uncached chat on Redis + Postgres ≥ 0.6× bare YARP (0 ms, 32 conn)", present[s, "gateway-prod"] && present[s, "bare-yarp"] ? paired(s, "gateway-prod", "bare-yarp", "rps", "/") : "", 0.6, 1, "×", "%.2f")
  check("gateway CPU per uncached call on Redis + Postgres ≤ 1.5× bare YARP's (0 ms, 32 conn)", present[s, "gateway-prod"] && present[s, "bare-yarp"] ? paired(s, "gateway-prod", "bare-yarp", "cpu", "/") : "", 1.5, 0, "×", "%.2f")
  check("uncached chat on the embedded store ≥ 0.9× bare YARP (0 ms, 32 conn)", present[s, "gateway"] && present[s, "bare-yarp"] ? paired(s, "gateway", "bare-yarp", "rps", "/") : "", 0.9, 1, "×", "%.2f")
  s = "stream-0ms-c32"
  check("uncached streams on Redis + Postgres ≥ 0.6× bare YARP (0 ms, 32 conn)", present[s, "gateway-prod"] && present[s, "bare-yarp"] ? paired(s, "gateway-prod", "bare-yarp", "rps", "/") : "", 0.6, 1, "×", "%.2f")
  check("uncached streams on the embedded store ≥ 0.9× bare YARP (0 ms, 32 conn)", present[s, "gateway"] && present[s, "bare-yarp"] ? paired(s, "gateway", "bare-yarp", "rps", "/") : "", 0.9, 1, "×", "%.2f")
  s = "chat-nostore-0ms-c32"
  if (present[s, "gateway"]) check("gateway RSS ≤ 150 MB after 32-connection no-store chat load (embedded)", med(s, "gateway", "rss"), 150, 0, " MB", "%.0f")
  if (present[s, "gateway-prod"]) check("gateway RSS ≤ 150 MB after 32-connection no-store chat load (Redis + Postgres)", med(s, "gateway-prod", "rss"), 150, 0, " MB", "%.0f")
  fk = "chat" SUBSEP "2000"
  if (fk in fseen) {
    b = fadd(fk, "bare-yarp", 9)
    check("fixed rate 2,000/s: embedded gateway +p99 ≤ bare YARP's " f(b, "%+.3f") " + 0.1 ms", b == "" ? "" : fadd(fk, "gateway", 9), b + 0.1, 0, " ms", "%+.3f")
    check("fixed rate 2,000/s: Redis + Postgres gateway +p99 ≤ bare YARP's " f(b, "%+.3f") " + 0.5 ms", b == "" ? "" : fadd(fk, "gateway-prod", 9), b + 0.5, 0, " ms", "%+.3f")
    b = fadd(fk, "bare-yarp", 7)
    check("fixed rate 2,000/s: embedded gateway +p50 ≤ bare YARP's " f(b, "%+.3f") " + 0.05 ms", b == "" ? "" : fadd(fk, "gateway", 7), b + 0.05, 0, " ms", "%+.3f")
    check("fixed rate 2,000/s: Redis + Postgres gateway +p50 ≤ bare YARP's " f(b, "%+.3f") " + 0.2 ms", b == "" ? "" : fadd(fk, "gateway-prod", 7), b + 0.2, 0, " ms", "%+.3f")
    for (x = 1; x <= 2; x++) {
      y = x == 1 ? "gateway" : "gateway-prod"
      if (fpresent[fk, y]) check("fixed rate 2,000/s: " y " requests not answered 200 (errors, non-2xx, time-outs)", fv(fk, y, 4) - fv(fk, y, 5), 0, 0, "", "%d")
    }
  }
  print ""
}

END {
  print "### Issue targets (issues 9, 3 and 4; this run)"
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
  s = "stream-0ms-c32"
  check("streaming added TTFT p99 at 32 conn (0 ms; for information, the target is at 1 conn)", present[s, "gateway"] ? paired(s, "gateway", "direct", "ttft99", "-") : "", 1, 0, " ms", "%+.3f")
  s = "chat-0ms-c1"
  check("cache hit p99 ≤ 1 ms, in-process store (1 conn)", present[s, "gateway-hit"] ? med(s, "gateway-hit", "p99") : "", 1, 0, " ms", "%.3f")
  check("cache hit p99 ≤ 2 ms, Redis store (1 conn)", present[s, "gateway-redis-hit"] ? med(s, "gateway-redis-hit", "p99") : "", 2, 0, " ms", "%.3f")
  check("cache hit throughput > nginx, in-process store (1 conn)", present[s, "gateway-hit"] ? paired(s, "gateway-hit", "nginx", "rps", "/") : "", 1, 1, "×", "%.2f")
  check("cache hit throughput > nginx, Redis store (1 conn)", present[s, "gateway-redis-hit"] ? paired(s, "gateway-redis-hit", "nginx", "rps", "/") : "", 1, 1, "×", "%.2f")
  s = "chat-0ms-c32"
  check("cache hit throughput > nginx, in-process store (32 conn)", present[s, "gateway-hit"] ? paired(s, "gateway-hit", "nginx", "rps", "/") : "", 1, 1, "×", "%.2f")
  check("cache hit throughput > nginx, Redis store (32 conn)", present[s, "gateway-redis-hit"] ? paired(s, "gateway-redis-hit", "nginx", "rps", "/") : "", 1, 1, "×", "%.2f")
  # Issue 4: N identical requests finish in about one upstream latency (≤ 1.2×, our reading), with one upstream call.
  for (kk = 1; kk <= 2; kk++) {
    k = kk == 1 ? "nonstream" : "stream"
    for (i = 1; i <= ndrows[k]; i++) {
      row = drows[k, i]
      if (row == "direct" || row ~ /dedupe off/) continue
      w = dmed(k, row, "wall"); cl = dlist(k, row, "calls")
      nc = split(cl, parts, ", "); bad = 0
      for (j = 1; j <= nc; j++) if (parts[j] != 1) bad++
      verdict = (w != "" && w <= 1.2 * dedupe_latency && nc > 0 && bad == 0 && dmed(k, row, "err") == 0) ? "**met**" : "**missed**"
      print "| dedupe (issue 4), " (k == "stream" ? "streams" : "non-streamed") ", " row ": " dmed(k, row, "n") " identical requests in ≈ one upstream latency, one upstream call | " \
        f(w, "%.0f") " ms (" f(w / dedupe_latency, "%.2f") "× the " dedupe_latency " ms latency), upstream calls " cl " | " verdict " |"
    }
  }
  if (scaled["gateway"]) {
    x = sc["gateway", 15] / 1024
    check("scale: " sc["gateway", 2] " slow streams, gateway peak RSS ≤ 1.5 GB", x, 1536, 0, " MB", "%.0f")
    if (scaled["direct"]) check("scale: " sc["gateway", 2] " slow streams, added TTFT p99 ≤ 5 ms", (sc["gateway", 8] - sc["direct", 8]) / 1000, 5, 0, " ms", "%+.2f")
    check("scale: " sc["gateway", 2] " slow streams, none dropped (dropped + failed)", sc["gateway", 4] + sc["gateway", 5], 0, 0, "", "%d")
    if (sc["gateway", 2] < 10000) print "| scale: 10,000 streams | " scale_note " | **not run at 10,000** |"
  } else print "| 10,000 slow streams: RSS ≤ 1.5 GB, added TTFT p99 ≤ 5 ms, none dropped | not measured in this run (--scale, on in --full) | — |"
  print ""
  issue21()
  for (i = 1; i <= nfixed; i++) fixed_table(fixed_order[i])
  for (i = 1; i <= nscen; i++) table(scenarios[i])
  if (ndrows["nonstream"]) dedupe_table("nonstream")
  if (ndrows["stream"]) dedupe_table("stream")
  if (scaled["gateway"] || scaled["direct"]) scale_table()
}
