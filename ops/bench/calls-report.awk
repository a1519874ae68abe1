# Turns ops/bench/calls.sh's measurements into markdown: per call kind, what one call costs Redis (commands by name,
# read events, command time, process CPU) and Postgres (statements, execution time, process CPU), and the gateway's CPU;
# the followers as pair minus slow; each kind's Postgres statements; one call's Redis commands in order (MONITOR).
# Variables: tmp (calls.sh's temp folder), latency (ms of the slow kinds), idle (seconds of each idle measurement).
# Input: results.tsv (kind calls http_calls wall_s redis_ns pg_ns gw_ns idle_redis_ns_s idle_pg_ns_s idle_gw_ns_s
#        reads writes net_in net_out roles), and per kind tmp/k-KIND.{redis,idle-redis,pg,monitor}.

FNR == 1 { next }
{
  k = $1; kinds[++nk] = k
  for (i = 2; i <= NF; i++) r[k, i] = $i
  n = $2; wall = $4
  load_redis(tmp "/k-" k ".redis", k, "w")
  load_redis(tmp "/k-" k ".idle-redis", k, "i")
  # Per call: the window's counts less what the same time idle would have shown.
  tot = 0; usec_scripts = 0; usec_other = 0; list = ""
  for (j = 1; j <= ncmd[k, "w"]; j++) {
    name = cmdname[k, "w", j]
    c = (cmd[k, "w", name] - (((k, "i", name) in cmd) ? cmd[k, "i", name] * wall / idle : 0)) / n
    if (c < 0.005) continue
    per[k, name] = c; tot += c
    u = usec[k, "w", name] / n
    if (name ~ /^(eval|evalsha|eval_ro|evalsha_ro|fcall|fcall_ro)$/) usec_scripts += u; else usec_other += u
    names[k, ++nn[k]] = name
  }
  cmds[k] = tot; us_scripts[k] = usec_scripts; us_other[k] = usec_other
  idle_reads = stat[k, "i", "total_reads_processed"] - 1 # the INFO that read them
  reads[k] = (r[k, 11] - 1 - (idle_reads > 0 ? idle_reads * wall / idle : 0)) / n
  rcpu[k] = (r[k, 5] - r[k, 8] * wall) / n / 1000
  pcpu[k] = (r[k, 6] - r[k, 9] * wall) / n / 1000
  gcpu[k] = (r[k, 7] - r[k, 10] * wall) / n / 1000
  wallms[k] = wall * 1000 / n
  load_pg(tmp "/k-" k ".pg", k)
  load_monitor(tmp "/k-" k ".monitor", k)
}

function load_redis(file, k, w,    line, name, c, u, key, val) {
  ncmd[k, w] = 0
  while ((getline line < file) > 0) {
    if (line ~ /^cmdstat_/) {
      name = line; sub(/^cmdstat_/, "", name); sub(/:.*/, "", name)
      if (name ~ /^(info|config)/) continue # the bench's own
      c = line; sub(/.*:calls=/, "", c); sub(/,.*/, "", c)
      u = line; sub(/.*,usec=/, "", u); sub(/,.*/, "", u)
      cmd[k, w, name] = c; usec[k, w, name] = u
      cmdname[k, w, ++ncmd[k, w]] = name
    } else if (line ~ /^total_(reads|writes)_processed:/) {
      key = line; sub(/:.*/, "", key); val = line; sub(/^[^:]*:/, "", val)
      stat[k, w, key] = val
    }
  }
  close(file)
}

function load_pg(file, k,    line, f) {
  npg[k] = 0; pgcalls[k] = 0; pgms[k] = 0
  while ((getline line < file) > 0) {
    split(line, f, "\t")
    if (f[4] ~ /pg_stat_statements|^SELECT count\(\*\) FROM ai_performance_logs/) continue
    npg[k]++
    pg[k, npg[k], "calls"] = f[1]; pg[k, npg[k], "ms"] = f[2]; pg[k, npg[k], "rows"] = f[3]; pg[k, npg[k], "q"] = f[4]
    pgcalls[k] += f[1]; pgms[k] += f[2]
  }
  close(file)
}

# Commands between the ECHO marks of calls.sh: per call, the gateway's commands and those its scripts ran; the
# sequence of the last call (connections named c1, c2, … in order of appearance).
function load_monitor(file, k,    line, seg, rest, q, name, arg, lua, addr, conn, nconn, s) {
  seg = 0; nconn = 0; mclient[k] = 0; mlua[k] = 0; nseg[k] = 0
  while ((getline line < file) > 0) {
    if (line ~ /"ECHO" "aigw-bench-call-end"/) break
    if (line ~ /"ECHO" "aigw-bench-call-[0-9]+"/) { seg++; nseg[k] = seg; seq[k, seg] = ""; continue }
    if (seg == 0 || line !~ /^[0-9]+\.[0-9]+ \[/) continue
    rest = substr(line, index(line, "] ") + 2)
    addr = line; sub(/^[^[]*\[[0-9]+ /, "", addr); sub(/\].*/, "", addr)
    lua = addr == "lua"
    n2 = split(rest, q, "\" \"")
    name = toupper(q[1]); gsub(/"/, "", name)
    arg = n2 > 1 ? q[2] : ""; gsub(/"/, "", arg)
    # (mawk has no {n,} intervals: spelt out)
    gsub(/[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]+/, "…", arg)
    gsub(/[0-9][0-9][0-9][0-9][0-9][0-9]+/, "…", arg)
    if (length(arg) > 48) arg = substr(arg, 1, 47) "…"
    if (lua) mlua[k]++
    else {
      mclient[k]++
      if (!((k, addr) in connid)) connid[k, addr] = "c" (++nconn)
    }
    s = (lua ? "(lua) " : connid[k, addr] " ") name (arg != "" ? " " arg : "")
    seq[k, seg] = seq[k, seg] (seq[k, seg] == "" ? "" : " → ") s
  }
  close(file)
}

function f(x, fmt) { return x == "" ? "—" : sprintf(fmt, x) }
function mper(k, m) { return nseg[k] ? (m == "c" ? mclient[k] : mlua[k]) / nseg[k] : "" }
function bylist(k,    j, out, name) {
  out = ""
  for (j = 1; j <= nn[k]; j++) {
    name = names[k, j]
    out = out (out == "" ? "" : ", ") toupper(name) " " sprintf("%.2f", per[k, name]) " (" sprintf("%.0f", usec[k, "w", name] / r[k, 2]) " µs)"
  }
  return out == "" ? "none" : out
}
function unit(k) { return k ~ /^pair/ ? "pair" : "call" }

END {
  print "### Per call kind (figures per " "call; pair kinds: per pair, leader and follower)"
  print ""
  print "Redis commands: INFO commandstats (commands a script runs count too); in scripts / sent: the same under MONITOR; reads: Redis's read events (`total_reads_processed`), about one per round trip of a client that waits for each answer; command µs: commandstats `usec` (scripts, which include the commands they run, and the rest); CPU: time on CPU of the process, idle rate taken off."
  print ""
  print "| kind | calls | roles seen (dedupe/cache/status ×n) | Redis commands | in scripts | sent by the gateway | Redis reads | Redis command µs (scripts + rest) | Redis CPU µs | Postgres statements | Postgres exec µs | Postgres CPU µs | gateway CPU µs | wall ms |"
  print "|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  for (i = 1; i <= nk; i++) {
    k = kinds[i]
    print "| " k " | " r[k, 2] (k ~ /^pair/ ? " pairs" : "") " | " r[k, 15] " | " f(cmds[k], "%.2f") " | " f(mper(k, "l"), "%.1f") " | " f(mper(k, "c"), "%.1f") " | " f(reads[k], "%.2f") \
      " | " f(us_scripts[k] + us_other[k], "%.0f") " (" f(us_scripts[k], "%.0f") " + " f(us_other[k], "%.0f") ") | " f(rcpu[k], "%.0f") " | " f(pgcalls[k] / r[k, 2], "%.2f") " | " f(pgms[k] * 1000 / r[k, 2], "%.0f") \
      " | " f(pcpu[k], "%.0f") " | " f(gcpu[k], "%.0f") " | " f(wallms[k], "%.1f") " |"
  }
  print ""
  nf = 0
  for (i = 1; i <= nk; i++) {
    k = kinds[i]
    if (k !~ /^pair-/) continue
    b = k ~ /-stream$/ ? "slow-stream" : "slow"
    if (!((b, 2) in r)) continue
    if (!nf++) {
      print "### Followers: a pair less the leader alone (" b " kinds, the same " latency " ms upstream)"
      print ""
      print "| follower | Redis commands | in scripts | sent by the gateway | Redis reads | Redis command µs | Redis CPU µs | Postgres statements | Postgres exec µs | Postgres CPU µs | gateway CPU µs | commands by name (difference) |"
      print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
    }
    diff = ""
    for (j = 1; j <= nn[k]; j++) { name = names[k, j]; d = per[k, name] - per[b, name]; if (d > 0.005 || d < -0.005) diff = diff (diff == "" ? "" : ", ") toupper(name) " " sprintf("%+.2f", d) }
    for (j = 1; j <= nn[b]; j++) { name = names[b, j]; if (!((k, name) in per)) diff = diff (diff == "" ? "" : ", ") toupper(name) " " sprintf("%+.2f", -per[b, name]) }
    print "| " (k ~ /local/ ? "same instance" : "second instance") (k ~ /stream/ ? ", stream" : "") " | " f(cmds[k] - cmds[b], "%+.2f") " | " f(nseg[k] && nseg[b] ? mper(k, "l") - mper(b, "l") : "", "%+.1f") \
      " | " f(nseg[k] && nseg[b] ? mper(k, "c") - mper(b, "c") : "", "%+.1f") " | " f(reads[k] - reads[b], "%+.2f") " | " f(us_scripts[k] + us_other[k] - us_scripts[b] - us_other[b], "%+.0f") \
      " | " f(rcpu[k] - rcpu[b], "%+.0f") " | " f((pgcalls[k] - pgcalls[b]) / r[k, 2], "%+.2f") " | " f((pgms[k] - pgms[b]) * 1000 / r[k, 2], "%+.0f") " | " f(pcpu[k] - pcpu[b], "%+.0f") \
      " | " f(gcpu[k] - gcpu[b], "%+.0f") " | " (diff == "" ? "none" : diff) " |"
  }
  if (nf) print ""
  print "### Redis commands per " "call, by name (commandstats; µs = command time per call)"
  print ""
  print "| kind | commands |"
  print "|---|---|"
  for (i = 1; i <= nk; i++) print "| " kinds[i] " | " bylist(kinds[i]) " |"
  print ""
  print "### Postgres statements of the gateway per kind (pg_stat_statements, track = all, by time; per " "call or pair)"
  print ""
  print "| kind | calls per " "call | µs per call | rows per call | statement |"
  print "|---|--:|--:|--:|---|"
  for (i = 1; i <= nk; i++) {
    k = kinds[i]
    if (!npg[k]) { print "| " k " | 0 | 0 | 0 | (none) |"; continue }
    for (j = 1; j <= npg[k] && j <= 6; j++) {
      q = pg[k, j, "q"]; gsub(/\|/, "\\|", q)
      if (length(q) > 150) q = substr(q, 1, 149) "…"
      print "| " k " | " sprintf("%.2f", pg[k, j, "calls"] / r[k, 2]) " | " sprintf("%.0f", pg[k, j, "ms"] * 1000 / r[k, 2]) " | " sprintf("%.2f", pg[k, j, "rows"] / r[k, 2]) " | `" q "` |"
    }
  }
  print ""
  print "### One " "call under MONITOR (the last of each kind's MONITOR calls; c1, c2 = the gateway's connections in order of appearance; (lua) = run by the script before it)"
  print ""
  print "| kind | Redis commands in order |"
  print "|---|---|"
  for (i = 1; i <= nk; i++) {
    k = kinds[i]
    s = nseg[k] ? seq[k, nseg[k]] : ""
    gsub(/\|/, "\\|", s)
    print "| " k " | " (s == "" ? "none" : s) " |"
  }
  print ""
}
