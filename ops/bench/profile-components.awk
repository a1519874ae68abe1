# Reads `perf script -F comm,tid,ip,sym,dso` of a .NET proxy (frames named through the runtime's perf map) and prints
# the samples by component: innermost (the innermost frame that names a component; a leaf in the kernel, the GC, the
# JIT or libc counts there) and inclusive (once for every managed component anywhere on the stack), as % of the
# samples and as µs of CPU per request. Variables: hz (sampling rate), n (requests in the sampled window).

# The component a frame belongs to, or "" for one that names none (BCL plumbing, stubs, unknown frames).
function component(sym, dso) {
  if (dso ~ /kernel/) return "kernel (syscalls, TCP, scheduling)"
  if (sym ~ /StackExchange\.Redis|Pipelines\.Sockets\.Unofficial/) return "Redis client (StackExchange.Redis)"
  if (sym ~ /Npgsql/) return "Npgsql (Postgres, COPY)"
  if (sym ~ /AiGateway/) return "our code (AiGateway.*)"
  if (sym ~ /System\.Text\.Json/) return "JSON (System.Text.Json)"
  if (sym ~ /Yarp\./) return "YARP"
  if (sym ~ /Microsoft\.AspNetCore/) return "Kestrel / ASP.NET Core"
  if (sym ~ /System\.Net\.Http/) return "HttpClient (upstream)"
  if (sym ~ /System\.Net\.Sockets/) return "sockets (managed)"
  if (sym ~ /Microsoft\.Data\.Sqlite|SQLitePCL/ || dso ~ /sqlite/) return "SQLite"
  if (sym ~ /System\.Security\.Cryptography/ || dso ~ /libcrypto|libssl|System\.Security\.Cryptography\.Native/) return "crypto"
  if (sym ~ /Microsoft\.Extensions\.Logging|System\.Diagnostics\.Metrics|System\.Diagnostics\.DiagnosticSource|OpenTelemetry|System\.Diagnostics\.Activity/) return "logging, metrics, activities"
  if (sym ~ /System\.IO\.Pipelines/) return "System.IO.Pipelines"
  if (sym ~ /PortableThreadPool|ThreadPoolWorkQueue|LowLevelLifoSemaphore|LowLevelSpinWaiter|ThreadPool/) return "thread pool"
  if (dso ~ /libcoreclr/ && sym ~ /gc_heap|GCHeap|WKS::|SVR::|[Gg]c[A-Z_]|mark_|plan_phase|relocate|sweep|memclr/) return "GC"
  if (dso ~ /libclrjit/) return "JIT"
  if (dso ~ /libcoreclr/) return "runtime (allocation helpers, casts, stubs)"
  if (dso ~ /libc[.-]|libpthread/) return "libc (memcpy, locks)"
  return ""
}

function flush(    i, c, seen, inner) {
  if (nf == 0) return
  samples++
  inner = ""
  for (i = 1; i <= nf; i++) {
    c = component(fs[i], fd[i])
    if (c == "") continue
    if (inner == "" && (i == 1 || c !~ /^(kernel|GC|JIT|libc|runtime)/)) inner = c
    # (native code and the thread pool's dispatch sit at the root of every stack: inclusive says nothing for them)
    if (!(c in seen) && c !~ /^(kernel|GC|JIT|libc|runtime|thread pool)/) { seen[c] = 1; incl[c]++ }
  }
  if (inner == "") inner = "other (BCL, stubs, unnamed frames)"
  excl[inner]++
  # A native leaf (kernel, runtime, libc, JIT) on behalf of the innermost managed component above it.
  if (inner ~ /^(kernel|GC|JIT|libc|runtime)/) {
    owner = "(no managed frame)"
    for (i = 2; i <= nf; i++) { c = component(fs[i], fd[i]); if (c != "" && c !~ /^(kernel|GC|JIT|libc|runtime|thread pool)/) { owner = c; break } }
    under[inner " under " owner]++
  }
  # Spinning: the innermost managed frame above a sched_yield (a SpinWait or a spinning lock that yields the core).
  for (i = 1; i <= nf; i++) if (fs[i] ~ /sched_yield/) break
  if (i <= nf) {
    for (; i <= nf; i++) if (fs[i] ~ /::/) break
    y = i <= nf ? fs[i] : "(no managed frame)"
    # and the first caller outside System.Threading (who waits: the spin itself is in SpinWait, Lock, Monitor …)
    for (j = i; j <= nf; j++) if (fs[j] ~ /::/ && fs[j] !~ /System\.Threading\./) break
    if (j <= nf && j != i) y = y " ← " fs[j]
    gsub(/\[[A-Za-z0-9_.]+\]|\[OptimizedTier1\]|\[Optimized\]|(instance|class|valuetype) |\([^()]*\)/, "", y)
    if (length(y) > 180) y = substr(y, 1, 179) "…"
    yields++; yielder[y]++
  }
  nf = 0
  delete seen
}

/^[^ \t]/ { flush(); next }
/^[ \t]+[0-9a-f]+ / {
  line = $0
  sub(/^[ \t]+[0-9a-f]+ /, "", line)
  dso = line; sub(/.*\(/, "", dso); sub(/\)[ \t]*$/, "", dso)
  sym = line; sub(/ \([^(]*\)[ \t]*$/, "", sym)
  nf++; fs[nf] = sym; fd[nf] = dso
  next
}
/^[ \t]*$/ { flush() }

END {
  flush()
  if (samples == 0) { print "(no samples)"; exit }
  printf "| component | innermost %% | innermost µs/req | inclusive %% | inclusive µs/req |\n|---|--:|--:|--:|--:|\n"
  for (c in excl) all[c] = 1
  for (c in incl) all[c] = 1
  # sorted by inclusive share, then innermost
  m = 0
  for (c in all) keys[++m] = c
  for (c in all) rank[c] = ((c in incl) ? incl[c] : 0) + ((c in excl) ? excl[c] : 0) / 1e6
  for (i = 2; i <= m; i++) { x = keys[i]; for (j = i - 1; j >= 1 && rank[keys[j]] < rank[x]; j--) keys[j + 1] = keys[j]; keys[j + 1] = x }
  for (i = 1; i <= m; i++) {
    c = keys[i]
    e_us = (n > 0) ? sprintf("%.1f", excl[c] / hz * 1e6 / n) : "—"
    i_pct = "—"; i_us = "—"
    if (c in incl) { i_pct = sprintf("%.1f", 100 * incl[c] / samples); if (n > 0) i_us = sprintf("%.1f", incl[c] / hz * 1e6 / n) }
    printf "| %s | %.1f | %s | %s | %s |\n", c, ((c in excl) ? 100 * excl[c] / samples : 0), e_us, i_pct, i_us
  }
  # ((n > 0) in parentheses: a bare > in a printf's arguments is an output redirection)
  printf "\n%d samples; all: %s µs of CPU per request\n", samples, (n > 0) ? sprintf("%.1f", samples / hz * 1e6 / n) : "—"
  # The native leaves by the managed component they ran for (the 15 largest).
  printf "\n| native time, on behalf of | %% | µs/req |\n|---|--:|--:|\n"
  m = 0
  for (c in under) ukeys[++m] = c
  for (i = 2; i <= m; i++) { x = ukeys[i]; for (j = i - 1; j >= 1 && under[ukeys[j]] < under[x]; j--) ukeys[j + 1] = ukeys[j]; ukeys[j + 1] = x }
  for (i = 1; i <= m && i <= 15; i++)
    printf "| %s | %.1f | %s |\n", ukeys[i], 100 * under[ukeys[i]] / samples, (n > 0) ? sprintf("%.1f", under[ukeys[i]] / hz * 1e6 / n) : "—"
  if (yields) {
    printf "\n%d samples (%.1f %%) under sched_yield (spinning), by the innermost managed frame above it:\n\n| frame | %% of all samples | µs/req |\n|---|--:|--:|\n", yields, 100 * yields / samples
    m = 0
    for (c in yielder) ykeys[++m] = c
    for (i = 2; i <= m; i++) { x = ykeys[i]; for (j = i - 1; j >= 1 && yielder[ykeys[j]] < yielder[x]; j--) ykeys[j + 1] = ykeys[j]; ykeys[j + 1] = x }
    for (i = 1; i <= m && i <= 8; i++)
      printf "| `%s` | %.1f | %s |\n", ykeys[i], 100 * yielder[ykeys[i]] / samples, (n > 0) ? sprintf("%.1f", yielder[ykeys[i]] / hz * 1e6 / n) : "—"
  }
}
