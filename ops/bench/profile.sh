#!/usr/bin/env bash
# CPU profile of one .NET proxy under load: where the time goes (JIT-compiled frames named through the runtime's
# perf map), split by thread kind and by the gateway's own steps. Uses Debian's linux-perf (installed if missing).
#
#   ops/bench/profile.sh                          the gateway, uncached chat, 32 connections, 8 s
#   ops/bench/profile.sh --target bare-yarp       the same load on the bare YARP hop, for comparison
#   ops/bench/profile.sh --kind stream|models|chat-nostore|hit --connections 1 --seconds 15 --warmup 20 --env 'DOTNET_gcServer=0'
#                                                 hit: one fixed body (as run.sh's gateway-hit), filled before the load,
#                                                 so every request is answered from the in-process cache
#   ops/bench/profile.sh --prod                   the gateway on Redis + Postgres (private ones, started here, as run.sh's
#                                                 gateway-prod), with their CPU, Redis commands and Postgres statements
#                                                 per request over the same window
#   ops/bench/profile.sh --syscalls               system calls per request instead of a CPU profile (strace -c -f over the
#                                                 load; strace slows the process, so read counts per request, not times)
#   ops/bench/profile.sh --rev HEAD               build gateway and mock from a git revision (git archive) first
#   ops/bench/profile.sh --snapshot               build from a copy of the working tree (as run.sh --snapshot)
#   ops/bench/profile.sh --alloc                  allocations instead of CPU: dotnet-trace's gc-verbose profile (the
#                                                 tool is installed from NuGet if missing), ranked by ops/bench/alloc-report;
#                                                 --focus TYPE (repeatable) adds the stacks behind one allocated type
#
# Every profile also loads ops/bench/gc-hook and prints allocated KB per request, GCs and GC pause % over the load.
# A CPU profile ends with the samples by component (Redis client, Npgsql, JSON, YARP, Kestrel, HttpClient, sockets, our
# code, GC, JIT, kernel ...): innermost (where the CPU went) and inclusive (under which component), in µs per request.
# Without --rev it runs the working tree's Release outputs: build first (ops/bench/run.sh, or --build here).
# Output: a text report on stdout and, with --keep, the temp folder with perf.data or trace.nettrace.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$BENCH_DIR/../.." && pwd)
target=gateway kind=chat conns=32 seconds=8 warmup=8 extra_env="" build=0 keep=0 rev="" alloc=0 focus=() prod=0 syscalls=0
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target=$2; shift ;;
    --kind) kind=$2; shift ;;
    --connections) conns=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --env) extra_env=$2; shift ;;
    --build) build=1 ;;
    --rev) rev=$2; shift ;;
    --snapshot) rev=WORKTREE ;;
    --keep) keep=1 ;;
    --alloc) alloc=1 ;;
    --focus) focus+=(--focus "$2"); shift ;;
    --prod) prod=1 ;;
    --syscalls) syscalls=1 ;;
    -h | --help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

if [ "$alloc" = 1 ]; then
  export PATH="$PATH:$HOME/.dotnet/tools"
  command -v dotnet-trace >/dev/null || dotnet tool install -g dotnet-trace >/dev/null
elif [ "$syscalls" = 1 ]; then
  command -v strace >/dev/null || apt-get install -y strace >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y strace >/dev/null; }
else
command -v perf >/dev/null || apt-get install -y linux-perf >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y linux-perf >/dev/null; }
fi
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
TMP=$(mktemp -d /tmp/aigw-profile.XXXXXX)
SRC=$REPO
if [ "$rev" = WORKTREE ]; then # --snapshot: a copy of the working tree as it is now, as in run.sh
  SRC=$TMP/src build=1
  mkdir -p "$SRC"
  (cd "$REPO" && git ls-files -co --exclude-standard -z | grep -zv '^ops/bench/results/' | xargs -0 cp --parents -t "$SRC")
elif [ -n "$rev" ]; then
  SRC=$TMP/src build=1
  mkdir -p "$SRC" && git -C "$REPO" archive --format=tar "$rev" | tar -x -C "$SRC"
fi
if [ "$build" = 1 ]; then
  for p in "$SRC/gateway/AiGateway.csproj" "$SRC/ops/mock-openai/MockOpenAi.csproj" \
    "$BENCH_DIR/bare-yarp/BareYarp.csproj" "$BENCH_DIR/stream-client/StreamClient.csproj" \
    "$BENCH_DIR/gc-hook/BenchGcHook.csproj" "$BENCH_DIR/alloc-report/AllocReport.csproj"; do
    dotnet build "$p" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
  done
fi

PIDS=() REDIS_STARTED="" PG_STARTED=""
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do rm -f "/tmp/perf-$pid.map" "/tmp/perfinfo-$pid.map"; done
  [ -n "$REDIS_STARTED" ] && REDIS_PORT=$REDIS_STARTED AIGW_SERVICES_DIR=$TMP/services "$REPO/ops/redis.sh" stop 2>/dev/null
  [ -n "$PG_STARTED" ] && PG_PORT=$PG_STARTED AIGW_SERVICES_DIR=$TMP/services "$REPO/ops/postgres.sh" stop 2>/dev/null
  if [ "$keep" = 1 ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

port() { local p=$1; while ss -Hltn "sport = :$p" | grep -q .; do p=$((p + 1)); done; echo "$p"; }
ready() { for _ in $(seq 300); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "not ready: $1" >&2; exit 1; }

cp -r "$SRC/ops/mock-openai/bin/Release/net10.0" "$TMP/mock"
mock_port=$(port 19400)
(exec dotnet "$TMP/mock/MockOpenAi.dll" --urls "http://127.0.0.1:$mock_port") >"$TMP/mock.log" 2>&1 &
PIDS+=("$!")
ready "http://127.0.0.1:$mock_port/v1/models"

case "$target" in
  gateway) src=$SRC/gateway/bin/Release/net10.0 dll=AiGateway.dll ;;
  bare-yarp) src=$BENCH_DIR/bare-yarp/bin/Release/net10.0 dll=BareYarp.dll ;;
  *) echo "--target must be gateway or bare-yarp" >&2; exit 2 ;;
esac
cp -r "$src" "$TMP/app"
app_port=$(port $((mock_port + 1)))
if [ "$prod" = 1 ]; then
  [ "$target" = gateway ] || { echo "--prod profiles the gateway" >&2; exit 2; }
  # Private Redis and Postgres (pg_stat_statements loaded), their data under $TMP (Postgres runs as its own user).
  chmod 711 "$TMP"
  REDIS_STARTED=$(port $((app_port + 1)))
  out=$(REDIS_PORT=$REDIS_STARTED AIGW_SERVICES_DIR=$TMP/services "$REPO/ops/redis.sh" start 2>"$TMP/redis.log") || { cat "$TMP/redis.log" >&2; exit 1; }
  redis_addr=${out#export AIGW_TEST_REDIS=}
  PG_STARTED=$(port $((REDIS_STARTED + 1)))
  out=$(PG_PORT=$PG_STARTED PG_SHARED_PRELOAD=pg_stat_statements AIGW_SERVICES_DIR=$TMP/services "$REPO/ops/postgres.sh" start 2>"$TMP/postgres.log") ||
    { cat "$TMP/postgres.log" >&2; exit 1; }
  pg_cs=${out#export AIGW_TEST_POSTGRES=}
  pg_cs=${pg_cs//\'/}
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  psql_q() { "$PGBIN/psql" -h 127.0.0.1 -p "$PG_STARTED" -U postgres -d aigateway -qAtX -F $'\t' -v ON_ERROR_STOP=1 "$@"; }
  psql_q -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
  extra_env="ConnectionStrings__Redis=$redis_addr ConnectionStrings__Postgres=$pg_cs $extra_env"
fi
mkdir -p "$TMP/data"
# PerfMapEnabled names JIT-compiled frames; W^X off keeps them in plain anonymous memory where perf finds them.
# shellcheck disable=SC2086
cp -r "$BENCH_DIR/gc-hook/bin/Release/net10.0" "$TMP/gc-hook"
(cd "$TMP/app" && exec env DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 \
  DOTNET_STARTUP_HOOKS="$TMP/gc-hook/BenchGcHook.dll" BENCH_GC_STATS="$TMP/app.gc" \
  ReverseProxy__Clusters__openai__Destinations__primary__Address="http://127.0.0.1:$mock_port" \
  Logging__LogLevel__Default=Warning Gateway__DataDir="$TMP/data" $extra_env \
  dotnet "$dll" --urls "http://127.0.0.1:$app_port") >"$TMP/app.log" 2>&1 &
app_pid=$!
PIDS+=("$app_pid")
ready "http://127.0.0.1:$app_port/v1/models"

base="http://127.0.0.1:$app_port"
load() { # SECONDS
  local threads=$((conns < 2 ? conns : 2))
  case "$kind" in
    chat) wrk -t$threads -c"$conns" -d"$1s" -s "$BENCH_DIR/chat.lua" "$base/v1/chat/completions" ;;
    chat-nostore) BENCH_HEADERS="Cache-Control: no-store" wrk -t$threads -c"$conns" -d"$1s" -s "$BENCH_DIR/chat.lua" "$base/v1/chat/completions" ;;
    hit) BENCH_BODY_FILE=$HIT_BODY wrk -t$threads -c"$conns" -d"$1s" -s "$BENCH_DIR/chat.lua" "$base/v1/chat/completions" ;;
    models) wrk -t$threads -c"$conns" -d"$1s" -s "$BENCH_DIR/get.lua" "$base/v1/models" ;;
    stream) dotnet "$BENCH_DIR/stream-client/bin/Release/net10.0/StreamClient.dll" --url "$base/v1/chat/completions" \
      --connections "$conns" --duration "$1" --header "x-mock-chunks: 20" ;;
  esac | grep '^BENCH' || true
}

if [ "$kind" = hit ]; then
  # The one body of the hit load (about the size of chat.lua's, as run.sh's HIT_BODY); the first call fills the cache.
  HIT_BODY=$TMP/hit-body.json
  printf '{"model":"gpt-4o-mini","temperature":0.2,"messages":[{"role":"system","content":"%s"},{"role":"user","content":"bench fixed %s: summarise the trade-offs of a reverse proxy in one line."}]}' \
    "$(printf 'You are a careful assistant. %.0s' $(seq 21))" "$RANDOM$RANDOM-$(date +%s%N)" >"$HIT_BODY"
  hit_status() {
    curl -s -o /dev/null -D - -H 'Authorization: Bearer sk-bench-0000' -H 'Content-Type: application/json' \
      --data-binary @"$HIT_BODY" "$base/v1/chat/completions" | tr -d '\r' | sed -n 's/^x-aigw-cache: *//Ip' | head -1
  }
  hit_status >/dev/null
  [ "$(hit_status)" = hit ] || { echo "the hit body is not answered from the cache" >&2; exit 1; }
fi
echo "warming up $target (${kind}, $conns connections)" >&2
load "$warmup" >/dev/null
# Redis and Postgres over the load: CPU (clock ticks of every process), commands, statements (with --prod).
backend_pids() { cat "$TMP/services/redis/redis.pid"; local pm; pm=$(head -1 "$TMP/services/postgres/data/postmaster.pid"); echo "$pm"; pgrep -P "$pm"; }
ticks() { local t=0 p v; for p in "$@"; do v=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0); t=$((t + v)); done; echo "$t"; }
backend_begin() {
  [ "$prod" = 1 ] || return 0
  redis-cli -p "$REDIS_STARTED" CONFIG RESETSTAT >/dev/null
  psql_q -c "SELECT pg_stat_statements_reset()" >/dev/null
  mapfile -t bpids < <(backend_pids)
  rticks0=$(ticks "${bpids[0]}") pticks0=$(ticks "${bpids[@]:1}") gticks0=$(ticks "$app_pid")
}
backend_end() {
  [ "$prod" = 1 ] || return 0
  rticks1=$(ticks "${bpids[0]}") pticks1=$(ticks "${bpids[@]:1}") gticks1=$(ticks "$app_pid")
  redis-cli -p "$REDIS_STARTED" INFO commandstats | tr -d '\r' >"$TMP/commandstats"
  psql_q -c "SELECT calls, rows, round((total_plan_time + total_exec_time)::numeric, 1), left(regexp_replace(query, '\s+', ' ', 'g'), 90)
    FROM pg_stat_statements WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = 'aigw') ORDER BY calls DESC LIMIT 8" >"$TMP/statements"
}
gc0=$(cat "$TMP/app.gc")
if [ "$alloc" = 1 ]; then
  load_seconds=$((seconds + 3))
  load "$load_seconds" >"$TMP/load.out" &
  load_pid=$!
  sleep 1
  dotnet-trace collect -p "$app_pid" --profile gc-verbose --duration "$(printf '00:00:%02d' "$seconds")" \
    -o "$TMP/trace.nettrace" >"$TMP/trace.log" 2>&1 || { cat "$TMP/trace.log" >&2; exit 1; }
  wait "$load_pid" || true
elif [ "$syscalls" = 1 ]; then
  # Every thread's system calls over the load (strace attaches to the threads there are and follows new ones).
  load_seconds=$seconds
  strace -c -f -p "$app_pid" -o "$TMP/strace.txt" 2>/dev/null &
  strace_pid=$!
  sleep 1
  backend_begin
  load "$load_seconds" >"$TMP/load.out"
  backend_end
  kill -INT "$strace_pid" 2>/dev/null
  wait "$strace_pid" || true
else
  # The load runs wholly inside the recording (which starts half a second before it and ends half a second after),
  # so that its request count is the window's: samples per request, and Redis and Postgres per request, are exact.
  load_seconds=$seconds
  perf record -F 499 -g -p "$app_pid" -o "$TMP/perf.data" -- sleep $((seconds + 1)) >/dev/null 2>&1 &
  perf_pid=$!
  sleep 0.5
  backend_begin
  load "$load_seconds" >"$TMP/load.out"
  backend_end
  wait "$perf_pid" || true
fi
if [ "$kind" = hit ] && [ "$(hit_status)" != hit ]; then echo "the hit body was evicted during the load" >&2; fi
sleep 0.12
gc1=$(cat "$TMP/app.gc")
requests=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' "$TMP/load.out")
rps=$(sed -n 's/.* rps=\([0-9.]*\).*/\1/p' "$TMP/load.out")
read -r a0 g00 g10 g20 p0 _ <<<"$gc0"
read -r a1 g01 g11 g21 p1 h1 <<<"$gc1"
gc_line=$(awk -v a="$((a1 - a0))" -v g="$((g01 + g11 + g21 - g00 - g10 - g20))" -v g2="$((g21 - g20))" -v p="$((p1 - p0))" \
  -v n="${requests:-0}" -v s="$load_seconds" -v h="$h1" 'BEGIN {
    if (n > 0) printf "allocated %.1f KB per request, %.2f GCs per 1000 requests (%d gen2), GC pause %.1f%% of the load time, GC heap %.0f MB after", a / n / 1024, g * 1000 / n, g2, p / (s * 10000), h / 1048576 }')

set +e # the summaries below are greps: finding nothing is not a failure
if [ "$alloc" = 1 ]; then
  echo "## allocations: $target, $kind, $conns connections, ${seconds} s of dotnet-trace gc-verbose"
  echo
  echo "load: $(cat "$TMP/load.out")"
  echo
  echo "gc-hook over the whole load ($load_seconds s): $gc_line"
  echo
  dotnet "$BENCH_DIR/alloc-report/bin/Release/net10.0/AllocReport.dll" "$TMP/trace.nettrace" --top 15 "${focus[@]}" \
    --requests "$(awk -v r="${rps:-0}" -v s="$seconds" 'BEGIN { printf "%d", r * s }')"
  exit 0
fi
if [ "$syscalls" = 1 ]; then
  echo "## system calls: $target$([ "$prod" = 1 ] && echo " on Redis + Postgres"), $kind, $conns connections, ${seconds} s under strace -c -f"
  echo
  echo "load (slowed by strace): $(cat "$TMP/load.out")"
  echo
  echo "| syscall | per request | errors per request | % of syscall time |"
  echo "|---|--:|--:|--:|"
  awk -v n="${requests:-0}" '$1 ~ /^[0-9.]+$/ && NF >= 5 && n > 0 { name = $NF; calls = $4; errs = (NF == 6 ? $5 : 0)
    printf "| %s | %.3f | %.3f | %s |\n", name, calls / n, errs / n, $1 }' "$TMP/strace.txt" | head -12
  exit 0
fi
report() { perf report -i "$TMP/perf.data" --stdio -g none "$@" 2>/dev/null | grep -v '^#' | grep -v '^$' || true; }
echo "## profile: $target, $kind, $conns connections, ${seconds} s at 499 Hz"
echo
echo "load: $(cat "$TMP/load.out")"
echo
echo "gc-hook over the whole load ($load_seconds s): $gc_line"
echo
echo "### by thread kind (self time)"
report --no-children --sort comm | head -8
echo
echo "### by binary (self time): kernel = sockets and scheduling; libcoreclr = GC and runtime; [JIT] = managed code"
report --no-children --sort dso | head -10
echo
echo "### gateway steps and proxy stages (inclusive time, % of all samples)"
report --children --sort sym |
  grep -E 'HttpForwarder\+<SendAsync>|IdentityMiddleware\+<InvokeAsync>d__[0-9]+::MoveNext|AiExchangeMiddleware\+<InvokeAsync>d__[0-9]+::MoveNext|ResponseCacheMiddleware\+<InvokeAsync>d__[0-9]+::MoveNext|CachePolicy::Decide|RequestFingerprint::Compute|JsonDocument::Parse\(valuetype \[System.Runtime\]System.ReadOnlyMemory|MemoryResponseCacheStore::SetAsync|RedisResponseCacheStore|ResponseCapture::|JsonRelay\+<RelayAsync>|SseRelay\+<RelayAsync>|ReplayedHeaders::From|RequestBodyReader\+<ReadAsync>|PerfLog|CostLog|UsageMeter|MemoryCache::Compact|__sched_yield$' |
  grep -v 'InstrumentedTier' | awk '!seen[$NF]++' |
  sed -E 's/\[OptimizedTier1\]|\[Optimized\]//; s/(instance |class |valuetype )//g; s/\[[A-Za-z.]+\]//g' | cut -c1-170 | head -30
echo
echo "### top self-time symbols"
report --no-children --sort sym | sed -E 's/\[OptimizedTier1\]//; s/(instance |class |valuetype )//g; s/\[[A-Za-z.]+\]//g' | cut -c1-170 | head -30
echo
# The load ran wholly inside the recording: its requests are the window's (plus a second of idle around them).
window_requests=${requests:-0}
echo "### by component (µs of CPU per request = samples / 499 Hz / $window_requests requests of the load, all inside the recording)"
echo
echo "innermost: each sample goes to the innermost frame that names a component (a kernel, GC, JIT or libc leaf to that);"
echo "inclusive: each sample counts once for every managed component anywhere on its stack (so the column adds up to more than 100 %)."
echo
perf script -i "$TMP/perf.data" -F comm,tid,ip,sym,dso 2>/dev/null | awk -v hz=499 -v n="$window_requests" -f "$BENCH_DIR/profile-components.awk"
if [ "$prod" = 1 ]; then
  echo
  echo "### Redis and Postgres over the same ${seconds} s load (same two cores)"
  echo
  awk -v r="$((rticks1 - rticks0))" -v p="$((pticks1 - pticks0))" -v g="$((gticks1 - gticks0))" -v clk="$(getconf CLK_TCK)" -v n="$window_requests" 'BEGIN {
    if (n > 0) printf "CPU per request: gateway %.0f µs, Redis %.0f µs, Postgres %.0f µs (all its processes)\n", g * 1e6 / clk / n, r * 1e6 / clk / n, p * 1e6 / clk / n }'
  echo
  echo "Redis commands per request (INFO commandstats; µs = command time per request):"
  awk -F'[:,=]' -v n="$window_requests" '/^cmdstat_/ && $1 !~ /cmdstat_(info|config)/ { sub(/^cmdstat_/, "", $1); t += $3; u += $5
    out = out sprintf("%s%s %.2f (%.1f µs)", out == "" ? "" : ", ", toupper($1), $3 / n, $5 / n) }
    END { if (n > 0) printf "%.2f commands, %.1f µs: %s\n", t / n, u / n, out }' "$TMP/commandstats"
  echo
  echo "Postgres statements of the gateway (calls, rows, ms planning + execution, statement); rows per COPY = batch size:"
  sed 's/^/    /' "$TMP/statements"
fi
