#!/usr/bin/env bash
# What one call costs Redis and Postgres, per call kind (issue 21). One gateway on Redis + Postgres (both private,
# started here; Postgres with pg_stat_statements) in front of the mock. For each call kind: N calls one after another
# (pairs for the dedupe kinds), with around them Redis's INFO commandstats and stats (CONFIG RESETSTAT before),
# pg_stat_statements (reset before; the gateway's own statements only) and the CPU time of Redis, Postgres and the
# gateway (/proc schedstat, ns, net of each one's idle rate measured just before the kind, once the gateway is quiet:
# each kind runs W times first, so its code is JIT-compiled at its final tier before it is counted); then M more calls
# under Redis MONITOR, for the commands in order, which of them a script ran, and the client's commands per call.
# Counts do not depend on the machine's load; CPU times a little (caches, frequency), less than throughput does.
#
#   ops/bench/calls.sh                          build the working tree's gateway and mock, 100 calls per kind
#   ops/bench/calls.sh --rev REV                build them from a git revision (git archive) instead
#   ops/bench/calls.sh --no-build --calls 50 --monitor 5 --warm 10 --kinds uncached,hit --keep
#
# Kinds: uncached, uncached-stream (a unique body each), nostore (Cache-Control: no-store: no lookup, no write), hit
# (a body filled before the window, its first hit on this instance: a Redis lookup), hit-near (one body again and
# again: answered from the instance's near copy, Gateway:Cache:NearSeconds), slow[-stream] (uncached, the upstream
# answering after --latency-ms: the leader alone), pair-local[-stream] (two identical calls at once on one instance:
# leader and follower), pair-remote[-stream] (the leader on instance A, the follower sent to instance B a fifth of the
# latency later). The report adds follower rows: pair minus slow.
# Output: markdown on stdout and in ops/bench/results/calls-latest.md; raw figures in the temp folder with --keep.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$BENCH_DIR/../.." && pwd)
rev="" build=1 keep=0 n=100 monitor_n=10 latency_ms=250 warm_n=30
kinds="uncached uncached-stream nostore hit hit-near slow pair-local pair-remote slow-stream pair-local-stream pair-remote-stream"
while [ $# -gt 0 ]; do
  case "$1" in
    --rev) rev=$2; shift ;;
    --no-build) build=0 ;;
    --calls) n=$2; shift ;;
    --monitor) monitor_n=$2; shift ;;
    --latency-ms) latency_ms=$2; shift ;;
    --warm) warm_n=$2; shift ;;
    --kinds) kinds=${2//,/ }; shift ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "[calls] $*" >&2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for tool in curl ss dotnet redis-cli; do command -v $tool >/dev/null || { echo "$tool is required (ops/redis.sh installs redis-cli)" >&2; [ $tool = redis-cli ] || exit 1; }; done
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }

TMP=$(mktemp -d /tmp/aigw-calls.XXXXXX)
chmod 711 "$TMP" # Postgres runs as the postgres user with its data under $TMP/services
PIDS=() REDIS_STARTED="" PG_STARTED=""
cleanup() {
  set +e
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  [ -n "$REDIS_STARTED" ] && REDIS_PORT=$REDIS_STARTED AIGW_SERVICES_DIR=$TMP/services "$REPO/ops/redis.sh" stop 2>/dev/null
  [ -n "$PG_STARTED" ] && PG_PORT=$PG_STARTED AIGW_SERVICES_DIR=$TMP/services "$REPO/ops/postgres.sh" stop 2>/dev/null
  if [ "$keep" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SRC=$REPO
SOURCE_DESC="$(git -C "$REPO" rev-parse --short HEAD)"
[ -n "$(git -C "$REPO" status --porcelain -- gateway transforms config 2>/dev/null)" ] && SOURCE_DESC="$SOURCE_DESC + uncommitted changes"
if [ -n "$rev" ]; then
  SRC=$TMP/src build=1
  mkdir -p "$SRC" && git -C "$REPO" archive --format=tar "$rev" | tar -x -C "$SRC"
  SOURCE_DESC="$(git -C "$REPO" rev-parse --short "$rev") (git archive)"
fi
if [ "$build" = 1 ]; then
  for p in "$SRC/gateway/AiGateway.csproj" "$SRC/ops/mock-openai/MockOpenAi.csproj" "$BENCH_DIR/stream-client/StreamClient.csproj"; do
    log "building $p (Release)"
    dotnet build "$p" -c Release -nologo -v quiet -clp:ErrorsOnly >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; exit 1; }
  done
fi
# Run copies, so that someone else's rebuild cannot swap a DLL under a live process.
mkdir -p "$TMP/bin"
cp -r "$SRC/gateway/bin/Release/net10.0" "$TMP/bin/gateway"
cp -r "$SRC/ops/mock-openai/bin/Release/net10.0" "$TMP/bin/mock"
cp -r "$BENCH_DIR/stream-client/bin/Release/net10.0" "$TMP/bin/stream-client"

NEXT_PORT=${BENCH_PORT_BASE:-19300}
free_port() { while ss -Hltn "sport = :$NEXT_PORT" | grep -q .; do NEXT_PORT=$((NEXT_PORT + 1)); done; PORT=$NEXT_PORT; NEXT_PORT=$((NEXT_PORT + 1)); }
wait_ready() { # URL PID NAME
  for _ in $(seq 300); do
    curl -fsS -o /dev/null -H 'Authorization: Bearer sk-bench-0000' "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  echo "$3 did not become ready at $1; its log:" >&2
  cat "$TMP/$3.log" >&2 || true
  exit 1
}

# ---------------------------------------------------------------------------------------------------- services

free_port
REDIS_PORT_USED=$PORT
out=$(REDIS_PORT=$PORT AIGW_SERVICES_DIR=$TMP/services "$REPO/ops/redis.sh" start 2>"$TMP/redis.log") || { cat "$TMP/redis.log" >&2; exit 1; }
REDIS_STARTED=$PORT
redis_addr=${out#export AIGW_TEST_REDIS=}
rcli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT_USED" "$@"; }
REDIS_PID=$(cat "$TMP/services/redis/redis.pid")

free_port
out=$(PG_PORT=$PORT PG_SHARED_PRELOAD=pg_stat_statements AIGW_SERVICES_DIR=$TMP/services "$REPO/ops/postgres.sh" start 2>"$TMP/postgres.log") ||
  { cat "$TMP/postgres.log" >&2; exit 1; }
PG_STARTED=$PORT
pg_cs=${out#export AIGW_TEST_POSTGRES=}
pg_cs=${pg_cs//\'/}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
psql_q() { "$PGBIN/psql" -h 127.0.0.1 -p "$PG_STARTED" -U postgres -d aigateway -qAtX -F $'\t' -v ON_ERROR_STOP=1 "$@"; }
psql_q -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "ALTER SYSTEM SET pg_stat_statements.track = 'all'" \
  -c "ALTER SYSTEM SET pg_stat_statements.track_planning = on" -c "SELECT pg_reload_conf()" >/dev/null

# ----------------------------------------------------------------------------------------------------- processes

free_port
MOCK_PORT=$PORT
(exec dotnet "$TMP/bin/mock/MockOpenAi.dll" --urls "http://127.0.0.1:$MOCK_PORT" --latency-ms 0) >"$TMP/mock.log" 2>&1 &
PIDS+=("$!")
wait_ready "http://127.0.0.1:$MOCK_PORT/v1/models" "$!" mock

declare -A GW_PORT=() GW_PID=()
start_gateway() { # NAME
  free_port
  mkdir -p "$TMP/$1-data"
  (cd "$TMP/bin/gateway" && exec env ReverseProxy__Clusters__openai__Destinations__primary__Address="http://127.0.0.1:$MOCK_PORT" \
    Logging__LogLevel__Default=Warning Gateway__DataDir="$TMP/$1-data" ConnectionStrings__Redis="$redis_addr" \
    ConnectionStrings__Postgres="$pg_cs" dotnet AiGateway.dll --urls "http://127.0.0.1:$PORT") >"$TMP/$1.log" 2>&1 &
  PIDS+=("$!")
  GW_PORT[$1]=$PORT GW_PID[$1]=$!
  wait_ready "http://127.0.0.1:$PORT/v1/models" "$!" "$1"
}
log "starting gateway A on Redis $redis_addr and Postgres port $PG_STARTED"
start_gateway A
B_STARTED=0

# --------------------------------------------------------------------------------------------------- the calls

NONCE="calls-$RANDOM$RANDOM-$(date +%s)"
PAD=$(printf 'You are a careful assistant. %.0s' $(seq 21))
body() { # ID STREAM(0|1): the bench's chat body (as chat.lua's, about 800 bytes), the id inside the user message
  printf '{"model":"gpt-4o-mini",%s"temperature":0.2,"messages":[{"role":"system","content":"%s"},{"role":"user","content":"bench %s %s: summarise the trade-offs of a reverse proxy in one line."}]}' \
    "$([ "$2" = 1 ] && echo '"stream":true,')" "$PAD" "$NONCE" "$1"
}
# call INSTANCE ID STREAM [HEADER...]: one call; prints "x-aigw-dedupe x-aigw-cache http-code" (- for absent)
call() {
  local inst=$1 id=$2 stream=$3
  shift 3
  local args=(-s -o /dev/null -D - -H 'Authorization: Bearer sk-bench-0000' -H 'Content-Type: application/json')
  local h
  for h in "$@"; do args+=(-H "$h"); done
  [ "$stream" = 1 ] && args+=(-H 'x-mock-chunks: 20')
  curl "${args[@]}" --data-binary "$(body "$id" "$stream")" "http://127.0.0.1:${GW_PORT[$inst]}/v1/chat/completions" | tr -d '\r' |
    awk 'NR == 1 { code = $2 } tolower($1) == "x-aigw-dedupe:" { d = $2 } tolower($1) == "x-aigw-cache:" { c = $2 }
      END { print (d == "" ? "-" : d), (c == "" ? "-" : c), code }'
}

CALLS_MADE=0 # HTTP calls made by the last window (each logs one row)
# one KIND INDEX PHASE: the call (or the pair) of one kind; roles go to $TMP/roles-KIND-PHASE
one() {
  local kind=$1 i=$2 phase=$3 stream=0 roles=$TMP/roles-$1-$3
  [[ "$kind" == *-stream ]] && stream=1
  local id="$kind-$phase-$i" lat="x-mock-latency-ms: $latency_ms"
  case "$kind" in
    uncached | uncached-stream) call A "$id" "$stream" >>"$roles"; CALLS_MADE=$((CALLS_MADE + 1)) ;;
    nostore) call A "$id" 0 "Cache-Control: no-store" >>"$roles"; CALLS_MADE=$((CALLS_MADE + 1)) ;;
    hit) call A "hitfill-$phase-$i" 0 >>"$roles"; CALLS_MADE=$((CALLS_MADE + 1)) ;;
    hit-near) call A "near-fill" 0 >>"$roles"; CALLS_MADE=$((CALLS_MADE + 1)) ;;
    slow | slow-stream) call A "$id" "$stream" "$lat" >>"$roles"; CALLS_MADE=$((CALLS_MADE + 1)) ;;
    pair-local | pair-local-stream)
      call A "$id" "$stream" "$lat" >"$TMP/p1" &
      local first=$!
      call A "$id" "$stream" "$lat" >"$TMP/p2"
      wait "$first" # (only that one: a bare wait would wait for the gateways too)
      cat "$TMP/p1" "$TMP/p2" >>"$roles"; CALLS_MADE=$((CALLS_MADE + 2)) ;;
    pair-remote | pair-remote-stream)
      # The leader on A; the follower on B once A holds the lease (a fifth of the upstream latency later).
      call A "$id" "$stream" "$lat" >"$TMP/p1" &
      local leader=$!
      sleep "$(awk -v l="$latency_ms" 'BEGIN { printf "%.3f", l / 5000 }')"
      call B "$id" "$stream" "$lat" >"$TMP/p2"
      wait "$leader"
      cat "$TMP/p1" "$TMP/p2" >>"$roles"; CALLS_MADE=$((CALLS_MADE + 2)) ;;
  esac
}

# prepare KIND PHASE COUNT: what must exist before a kind's window (the hit kinds' entries)
prepare() {
  local kind=$1 phase=$2 count=$3 i
  case "$kind" in
    hit) for i in $(seq "$count"); do call A "hitfill-$phase-$i" 0 >/dev/null; done ;;
    hit-near) call A near-fill 0 >/dev/null; call A near-fill 0 >/dev/null ;; # the second call makes the near copy
    pair-remote*) [ "$B_STARTED" = 1 ] || { log "starting gateway B (the same Redis and Postgres)"; start_gateway B; B_STARTED=1; warm B; } ;;
  esac
}

warm() { # INSTANCE: JIT tiers and connection pools settle before anything is counted
  local base="http://127.0.0.1:${GW_PORT[$1]}"
  BENCH_NONCE="warm-$1-$NONCE" wrk -t1 -c4 -d4s -s "$BENCH_DIR/chat.lua" "$base/v1/chat/completions" >/dev/null
  BENCH_NONCE="warm-$1-$NONCE" dotnet "$TMP/bin/stream-client/StreamClient.dll" --url "$base/v1/chat/completions" \
    --connections 4 --duration 3 --header "x-mock-chunks: 20" >/dev/null
  local i
  for i in $(seq 20); do call "$1" "warm-$i" 0 >/dev/null; call "$1" "warm-$i" 0 >/dev/null; call "$1" "warm-s-$i" 1 >/dev/null; done
}
log "warming up gateway A"
warm A

# --------------------------------------------------------------------------------------------------- measuring

sched() { # PIDS...: "tid ns" per thread (time on CPU, /proc schedstat). Per thread, not summed per process: a thread that
  # exits takes its whole time with it, which would make a process's sum go down; by thread, only its last moments are lost.
  local pid f v
  for pid in "$@"; do
    for f in /proc/"$pid"/task/*/schedstat; do
      { read -r v _ <"$f"; } 2>/dev/null && { f=${f%/schedstat}; echo "${f##*/} $v"; }
    done
  done
}
pg_pids() { local pm; pm=$(head -1 "$TMP/services/postgres/data/postmaster.pid"); echo "$pm"; pgrep -P "$pm" || true; }
gw_pids() { echo "${GW_PID[A]}"; [ "$B_STARTED" = 1 ] && echo "${GW_PID[B]}"; true; }
snapshot() { # FILE: the CPU time of every thread of interest, by group
  # shellcheck disable=SC2046
  { sched "$REDIS_PID" | sed 's/^/redis /'; sched $(pg_pids) | sed 's/^/pg /'; sched $(gw_pids) | sed 's/^/gw /'; } >"$1"
}
cpu_delta() { # BEFORE AFTER GROUP: ns used by the group between the snapshots (a thread new in AFTER counts whole)
  awk -v g="$3" 'FNR == NR { if ($1 == g) b[$2] = $3; next } $1 == g { s += $3 - (($2 in b) ? b[$2] : 0) } END { print s + 0 }' "$1" "$2"
}
log_rows() { psql_q -c "SELECT count(*) FROM ai_performance_logs"; }
wait_log_rows() { # TARGET: the perf log's rows reach TARGET (its writer batches), or 30 s pass
  local i
  for i in $(seq 300); do [ "$(log_rows)" -ge "$1" ] && return 0; sleep 0.1; done
  log "the perf log has $(log_rows) rows, not $1, after 30 s"
}
wait_log_quiet() { # the perf log's row count unchanged for a second (the rows of the calls before have landed), or 30 s
  local i last now
  last=$(log_rows)
  for i in $(seq 30); do sleep 1; now=$(log_rows); [ "$now" = "$last" ] && return 0; last=$now; done
}
pg_reset() { psql_q -c "SELECT pg_stat_statements_reset()" >/dev/null; }
pg_stats() { # the gateway's statements (its own user) since the reset: calls, total ms (planning + execution), rows, query
  psql_q -c "SELECT calls, round((total_plan_time + total_exec_time)::numeric, 3), rows, regexp_replace(query, '\s+', ' ', 'g')
    FROM pg_stat_statements WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = 'aigw') AND calls > 0 ORDER BY total_exec_time DESC"
}
redis_stats() { rcli INFO commandstats stats | tr -d '\r'; }

RESULTS=$TMP/results.tsv
printf 'kind\tcalls\thttp_calls\twall_s\tredis_ns\tpg_ns\tgw_ns\tidle_redis_ns_s\tidle_pg_ns_s\tidle_gw_ns_s\treads\twrites\tnet_in\tnet_out\troles\n' >"$RESULTS"

# quiet FILE-PREFIX: waits (at most 60 s) for a second in which the gateways use under 2 % of a core, once their
# background work (the JIT's tier-up compiles after a warm-up, the log writer) is done, and keeps that second as the
# idle measurement: PREFIX.idle0/.idle1 (CPU) and PREFIX.idle-redis (Redis's commands in it).
quiet() {
  local i
  for i in $(seq 60); do
    rcli CONFIG RESETSTAT >/dev/null
    snapshot "$1.idle0"
    sleep 1
    snapshot "$1.idle1"
    redis_stats >"$1.idle-redis"
    [ "$(cpu_delta "$1.idle0" "$1.idle1" gw)" -lt 20000000 ] && return 0
  done
  log "the gateways did not go quiet in 60 s (over 2 % of a core idle): their CPU per call is overstated"
}

measure() { # KIND
  local kind=$1 i t0 t1 rows0 k=$TMP/k-$1
  log "$kind: $warm_n calls to warm up, then preparing"
  prepare "$kind" w "$warm_n"
  for i in $(seq "$warm_n"); do one "$kind" "$i" w; done
  prepare "$kind" m "$n"
  wait_log_quiet
  quiet "$k"
  local idle_s=1
  rows0=$(log_rows)
  CALLS_MADE=0
  : >"$TMP/roles-$kind-m"
  log "$kind: $n calls"
  pg_reset
  rcli CONFIG RESETSTAT >/dev/null
  snapshot "$k.cpu0"
  t0=$(date +%s%N)
  for i in $(seq "$n"); do one "$kind" "$i" m; done
  wait_log_rows $((rows0 + CALLS_MADE))
  t1=$(date +%s%N)
  snapshot "$k.cpu1"
  redis_stats >"$k.redis"
  pg_stats >"$k.pg"
  local wall_s idle r
  wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  idle=""
  for r in redis pg gw; do idle="$idle$(awk -v d="$(cpu_delta "$k.idle0" "$k.idle1" $r)" -v s="$idle_s" 'BEGIN { printf "%.0f", d / s }')"$'\t'; done
  local stat
  stat() { sed -n "s/^$1:\([0-9]*\).*/\1/p" "$k.redis"; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s%s\t%s\t%s\t%s\t%s\n' "$kind" "$n" "$CALLS_MADE" "$wall_s" \
    "$(cpu_delta "$k.cpu0" "$k.cpu1" redis)" "$(cpu_delta "$k.cpu0" "$k.cpu1" pg)" "$(cpu_delta "$k.cpu0" "$k.cpu1" gw)" \
    "$idle" "$(stat total_reads_processed)" "$(stat total_writes_processed)" "$(stat total_net_input_bytes)" "$(stat total_net_output_bytes)" \
    "$(awk '{ r[$1 "/" $2 "/" $3]++ } END { for (x in r) printf "%s%s×%d", (n++ ? "," : ""), x, r[x] }' "$TMP/roles-$kind-m")" >>"$RESULTS"
  # The same kind under MONITOR: an ECHO before each call marks where it starts.
  if [ "$monitor_n" -gt 0 ]; then
    prepare "$kind" mon "$monitor_n"
    rcli MONITOR >"$k.monitor" 2>/dev/null &
    local mon=$!
    sleep 0.3
    : >"$TMP/roles-$kind-mon"
    # (a pause before each mark, so that what a call sends after its answer is not taken for the next call's)
    for i in $(seq "$monitor_n"); do sleep 0.1; rcli ECHO "aigw-bench-call-$i" >/dev/null; one "$kind" "$i" mon; done
    sleep 0.3
    rcli ECHO "aigw-bench-call-end" >/dev/null
    for _ in $(seq 20); do grep -q 'aigw-bench-call-end' "$k.monitor" && break; sleep 0.1; done
    kill "$mon" 2>/dev/null
    wait "$mon" 2>/dev/null || true
  fi
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for kind in $kinds; do measure "$kind"; done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------------------------------------------------ report

mkdir -p "$BENCH_DIR/results"
{
  echo "## Redis and Postgres per call kind, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "- source: $SOURCE_DESC; Release; one gateway (a second for the pair-remote kinds) on a private Redis $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') and Postgres $("$PGBIN/postgres" --version | awk '{ print $3 }') (pg_stat_statements, track = all), mock upstream at 0 ms (the slow and pair kinds: $latency_ms ms)"
  echo "- $n calls per kind, one after another (curl; pairs: two at once), after a general warm-up and $warm_n calls of the kind; Redis counters reset (CONFIG RESETSTAT) and pg_stat_statements reset before each kind, read after the perf log's rows for the calls had landed; CPU = time on CPU of each process's threads (/proc/PID/task/*/schedstat) less its idle rate over a quiet second just before (the gateways under 2 % of a core); Postgres µs = planning + execution (pg_stat_statements; a COPY's execution includes the time the client takes to send its rows); MONITOR over $monitor_n more calls of each kind"
  echo "- load average before $LOAD_BEFORE, after $LOAD_AFTER (the machine is shared: CPU figures are indicative, counts are not affected)"
  echo
  awk -F'\t' -v tmp="$TMP" -v latency="$latency_ms" -v idle=1 -f "$BENCH_DIR/calls-report.awk" "$RESULTS"
} | tee "$BENCH_DIR/results/calls-latest.md"
cp "$BENCH_DIR/results/calls-latest.md" "$BENCH_DIR/results/calls-$(date -u +%Y%m%dT%H%M%SZ).md"
log "report: ops/bench/results/calls-latest.md"
