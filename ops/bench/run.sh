#!/usr/bin/env bash
# Side-by-side overhead benchmark (issue 9): the same load, interleaved, against the mock upstream directly, a plain
# nginx hop, a bare YARP hop and the gateway; every figure reported as a ratio to the baselines of the same run.
#
#   ops/bench/run.sh            quick mode (3 rounds of 2 s per target and scenario, about 5 minutes)
#   ops/bench/run.sh --full     full mode  (3 rounds of 4 s, every scenario, about 10 minutes)
#   ops/bench/run.sh --help     all options
#
# Output: a markdown report on stdout and in ops/bench/results/latest.md, the raw rows in results/latest.tsv.
# Method, targets and how to add one: BENCHMARKS.md at the repository root.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$BENCH_DIR/../.." && pwd)

usage() {
  cat <<'EOF'
usage: ops/bench/run.sh [--quick | --full] [options]
  --quick               3 rounds x 2 s, the main scenarios (default)
  --full                3 rounds x 4 s, every scenario
  --runs N              rounds (the report shows the median of the rounds; at least 3 for a real figure)
  --duration S          seconds of load per target and scenario (whole seconds)
  --warmup S            seconds of warm-up load per target before the first round
  --targets LIST        comma-separated subset of: direct,nginx,bare-yarp,gateway (baselines are kept)
  --scenarios REGEX     run only scenarios whose id matches (ids look like chat-0ms-c32, stream-50ms-c1)
  --add-scenario 'KIND LATENCY CONNECTIONS'  add a scenario (repeatable), e.g. 'chat-nostore 0 32'
  --rev REV             build gateway and mock from git revision REV (git archive into a temp folder) instead of
                        the working tree, so that concurrent edits and builds cannot interfere
  --no-build            use the existing Release outputs
  --dotnet-env 'K=V ..' extra environment for every .NET proxy (bare YARP and gateway), e.g. 'DOTNET_gcServer=0'
  --gateway-env 'K=V ..' extra environment for the gateway only, e.g. 'Logging__LogLevel__Default=Information'
  --variant SPEC        add a target: BASE+NAME:'K=V ...', BASE being bare-yarp or gateway, run with that extra
                        environment beside the plain one in the same rounds (repeatable), e.g.
                        --variant 'gateway+wks:DOTNET_gcServer=0'
  --no-gc-hook          do not load the allocation-counting startup hook into the .NET proxies
  --keep                keep the temp folder (logs, nginx config) and print its path
EOF
}

mode=quick custom="" runs="" duration="" warmup="" rev="" build=1 gc_hook=1 keep=0
only_targets="" scenario_filter="" dotnet_env="" gateway_env="" variants=() extra_scenarios=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --full) mode=full ;;
    --runs) runs=$2 custom=", custom"; shift ;;
    --duration) duration=$2 custom=", custom"; shift ;;
    --warmup) warmup=$2 custom=", custom"; shift ;;
    --targets) only_targets=$2 custom=", custom"; shift ;;
    --scenarios) scenario_filter=$2 custom=", custom"; shift ;;
    --rev) rev=$2; shift ;;
    --no-build) build=0 ;;
    --dotnet-env) dotnet_env=$2; shift ;;
    --gateway-env) gateway_env=$2; shift ;;
    --variant) variants+=("$2") custom=", custom"; shift ;;
    --add-scenario) extra_scenarios+=("$2") custom=", custom"; shift ;;
    --no-gc-hook) gc_hook=0 ;;
    --keep) keep=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

# Scenario = "kind latency-ms connections". Kinds: chat (wrk, POST /v1/chat/completions, a unique body per request),
# chat-nostore (the same with Cache-Control: no-store, so the gateway neither looks up nor stores),
# models (wrk, GET /v1/models, passthrough), stream (stream-client, chat with "stream":true: TTFT and total).
# To add a kind: a case in run_load below, and (for a new report shape) a line in report.awk.
if [ "$mode" = full ]; then
  runs=${runs:-3} duration=${duration:-4} warmup=${warmup:-3}
  SCENARIOS=(
    "chat 0 1" "chat 0 32" "models 0 1" "models 0 32" "stream 0 1" "stream 0 32"
    "chat 50 1" "chat 50 32" "stream 50 1" "stream 50 32"
  )
else
  runs=${runs:-3} duration=${duration:-2} warmup=${warmup:-2}
  SCENARIOS=(
    "chat 0 1" "chat 0 32" "models 0 1" "models 0 32" "stream 0 1" "stream 0 32"
    "chat 50 32" "stream 50 32"
  )
fi

# Targets, in report order. Each has a start function "start_<name with _ for ->" LATENCY UPSTREAM_PORT [NAME ENV]
# that sets T_PORT[name:latency], T_PIDS[name:latency] (processes whose CPU and RSS are measured; empty for none)
# and T_GC[name:latency] (the startup hook's stats file, or empty). TARGET_KINDS[name] limits the scenario kinds
# (default: all). direct, nginx and bare-yarp are the baselines every ratio is taken against. A name "base+x" is a
# variant: base's start function with NAME and the extra ENV of VARIANT_ENV[name] (see --variant).
# To add a target (cache hits in memory or Redis, say): append its name, write its start function, and if it
# needs a different load (one fixed body), add a scenario kind and list it in TARGET_KINDS.
TARGETS=(direct nginx bare-yarp gateway)
declare -A TARGET_KINDS=() VARIANT_ENV=()
BASELINES="direct nginx bare-yarp"

if [ -n "$only_targets" ]; then
  wanted=" ${only_targets//,/ } $BASELINES "
  kept=()
  for t in "${TARGETS[@]}"; do [[ "$wanted" == *" $t "* ]] && kept+=("$t"); done
  TARGETS=("${kept[@]}")
fi
for spec in "${variants[@]}"; do
  name=${spec%%:*}
  case "$name" in bare-yarp+?* | gateway+?*) ;; *) echo "--variant $spec: the name must be bare-yarp+NAME or gateway+NAME" >&2; exit 2 ;; esac
  VARIANT_ENV[$name]=${spec#*:}
  [ "$spec" != "$name" ] || VARIANT_ENV[$name]=""
  TARGETS+=("$name")
done

SCENARIOS+=("${extra_scenarios[@]}")
# Latency variants needed by the selected scenarios.
selected=()
for s in "${SCENARIOS[@]}"; do
  read -r kind lat conns <<<"$s"
  id="$kind-${lat}ms-c$conns"
  if [ -z "$scenario_filter" ] || [[ "$id" =~ $scenario_filter ]]; then selected+=("$s"); fi
done
[ ${#selected[@]} -gt 0 ] || { echo "no scenario matches '$scenario_filter'" >&2; exit 2; }
SCENARIOS=("${selected[@]}")
LATENCIES=$(for s in "${SCENARIOS[@]}"; do read -r _ lat _ <<<"$s"; echo "$lat"; done | sort -nu | tr '\n' ' ')

log() { echo "[bench] $*" >&2; }

# ---------------------------------------------------------------------------------------------------------- setup

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# 10,000-stream targets need far more descriptors than the default; a container may cap the hard limit lower.
ulimit -n 65535 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FD_LIMIT=$(ulimit -n)

if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  log "installing wrk and nginx from Debian"
  apt-get install -y wrk nginx >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk nginx >/dev/null; }
fi
for tool in curl ss dotnet; do command -v $tool >/dev/null || { echo "$tool is required" >&2; exit 1; }; done

TMP=$(mktemp -d /tmp/aigw-bench.XXXXXX)
STARTED_PIDS=()
cleanup() {
  set +e
  for pid in "${STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${STARTED_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  if [ "$keep" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "$rev" ]; then
  SRC=$TMP/src
  mkdir -p "$SRC"
  git -C "$REPO" archive --format=tar "$rev" | tar -x -C "$SRC"
  SOURCE_DESC="$(git -C "$REPO" rev-parse --short "$rev") (git archive)"
else
  SRC=$REPO
  SOURCE_DESC="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')"
  if [ -n "$(git -C "$REPO" status --porcelain -- gateway transforms config ops/mock-openai 2>/dev/null)" ]; then
    SOURCE_DESC="$SOURCE_DESC + uncommitted changes (working tree)"
  fi
fi

build_project() {
  log "building $1 (Release)"
  dotnet build "$1" -c Release -nologo -v quiet -clp:ErrorsOnly >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; exit 1; }
}
if [ "$build" = 1 ]; then
  build_project "$SRC/gateway/AiGateway.csproj"
  build_project "$SRC/ops/mock-openai/MockOpenAi.csproj"
  build_project "$BENCH_DIR/bare-yarp/BareYarp.csproj"
  build_project "$BENCH_DIR/stream-client/StreamClient.csproj"
  build_project "$BENCH_DIR/gc-hook/BenchGcHook.csproj"
fi

# Run copies, so that a rebuild by someone else during the run cannot swap a DLL under a live process.
snapshot() {
  [ -f "$2/$3" ] || { echo "missing $2/$3: build first (drop --no-build)" >&2; exit 1; }
  mkdir -p "$TMP/bin/$1" && cp -r "$2/." "$TMP/bin/$1/"
}
snapshot gateway "$SRC/gateway/bin/Release/net10.0" AiGateway.dll
snapshot mock "$SRC/ops/mock-openai/bin/Release/net10.0" MockOpenAi.dll
snapshot bare-yarp "$BENCH_DIR/bare-yarp/bin/Release/net10.0" BareYarp.dll
snapshot stream-client "$BENCH_DIR/stream-client/bin/Release/net10.0" StreamClient.dll
snapshot gc-hook "$BENCH_DIR/gc-hook/bin/Release/net10.0" BenchGcHook.dll

# -------------------------------------------------------------------------------------------------- processes

NEXT_PORT=${BENCH_PORT_BASE:-19100}
free_port() { # sets PORT (not echoed: a $(…) subshell would lose the NEXT_PORT increment)
  while ss -Hltn "sport = :$NEXT_PORT" | grep -q .; do NEXT_PORT=$((NEXT_PORT + 1)); done
  PORT=$NEXT_PORT
  NEXT_PORT=$((NEXT_PORT + 1))
}

wait_ready() { # URL PID NAME
  for _ in $(seq 300); do
    if curl -fsS -o /dev/null -H 'Authorization: Bearer sk-bench-0000' "$1" 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  echo "$3 did not become ready at $1; its log:" >&2
  cat "$TMP/$3.log" >&2 || true
  exit 1
}

# start_dotnet NAME PORT DLL [ENV...]: a .NET app from its run copy, with the allocation hook when enabled.
start_dotnet() {
  local name=$1 port=$2 dll=$3
  shift 3
  local hook_env=()
  if [ "$gc_hook" = 1 ]; then
    hook_env=(DOTNET_STARTUP_HOOKS="$TMP/bin/gc-hook/BenchGcHook.dll" BENCH_GC_STATS="$TMP/$name.gc")
  fi
  # shellcheck disable=SC2086 # the --*-env options are word lists on purpose
  (cd "$(dirname "$dll")" && exec env "${hook_env[@]}" "$@" $dotnet_env dotnet "$dll" --urls "http://127.0.0.1:$port") \
    >"$TMP/$name.log" 2>&1 &
  LAST_PID=$!
  STARTED_PIDS+=("$LAST_PID")
}

declare -A MOCK_PORT=() MOCK_PID=() T_PORT=() T_PIDS=() T_GC=()

start_mock() { # LATENCY
  local port
  free_port
  port=$PORT
  (exec dotnet "$TMP/bin/mock/MockOpenAi.dll" --urls "http://127.0.0.1:$port" --latency-ms "$1") >"$TMP/mock-$1.log" 2>&1 &
  STARTED_PIDS+=("$!")
  MOCK_PORT[$1]=$port MOCK_PID[$1]=$!
  wait_ready "http://127.0.0.1:$port/v1/models" "$!" "mock-$1"
}

start_direct() { # LATENCY UPSTREAM_PORT
  T_PORT[direct:$1]=$2 T_PIDS[direct:$1]="" T_GC[direct:$1]=""
}

NGINX_WORKERS=auto
start_nginx() { # LATENCY UPSTREAM_PORT
  local port dir=$TMP/nginx-$1
  free_port
  port=$PORT
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<EOF
# One proxy hop at its cheapest: keep-alive to the upstream, no buffering either way, no access log.
worker_processes $NGINX_WORKERS;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  upstream mock { server 127.0.0.1:$2; keepalive 256; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$port;
    client_max_body_size 0;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 600s;
    }
  }
}
EOF
  (exec nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;') >"$TMP/nginx-$1.log" 2>&1 &
  local master=$!
  STARTED_PIDS+=("$master")
  wait_ready "http://127.0.0.1:$port/v1/models" "$master" "nginx-$1"
  # All workers must be forked before their ids are taken, or their CPU and RSS would be missed.
  local want=$NGINX_WORKERS
  [ "$want" = auto ] && want=$(nproc)
  for _ in $(seq 50); do [ "$(pgrep -P "$master" | wc -l)" -ge "$want" ] && break; sleep 0.1; done
  T_PORT[nginx:$1]=$port T_PIDS[nginx:$1]="$master $(pgrep -P "$master" | tr '\n' ' ')" T_GC[nginx:$1]=""
}

start_bare_yarp() { # LATENCY UPSTREAM_PORT [NAME ENV]
  local port name=${3:-bare-yarp}
  free_port
  port=$PORT
  # shellcheck disable=SC2086
  start_dotnet "$name-$1" "$port" "$TMP/bin/bare-yarp/BareYarp.dll" \
    ReverseProxy__Clusters__openai__Destinations__primary__Address="http://127.0.0.1:$2" \
    Logging__LogLevel__Default=Warning \
    ${4:-}
  wait_ready "http://127.0.0.1:$port/v1/models" "$LAST_PID" "$name-$1"
  T_PORT[$name:$1]=$port T_PIDS[$name:$1]=$LAST_PID T_GC[$name:$1]=$TMP/$name-$1.gc
}

start_gateway() { # LATENCY UPSTREAM_PORT [NAME ENV]
  local port name=${3:-gateway}
  free_port
  port=$PORT
  mkdir -p "$TMP/$name-data-$1"
  # shellcheck disable=SC2086
  start_dotnet "$name-$1" "$port" "$TMP/bin/gateway/AiGateway.dll" \
    ReverseProxy__Clusters__openai__Destinations__primary__Address="http://127.0.0.1:$2" \
    Logging__LogLevel__Default=Warning \
    Gateway__DataDir="$TMP/$name-data-$1" \
    $gateway_env ${4:-}
  wait_ready "http://127.0.0.1:$port/v1/models" "$LAST_PID" "$name-$1"
  T_PORT[$name:$1]=$port T_PIDS[$name:$1]=$LAST_PID T_GC[$name:$1]=$TMP/$name-$1.gc
}

target_applies() { # TARGET KIND
  local kinds=${TARGET_KINDS[$1]:-}
  [ -z "$kinds" ] || [[ " $kinds " == *" $2 "* ]]
}

# ---------------------------------------------------------------------------------------------------- measuring

CLK_TCK=$(getconf CLK_TCK)
STREAM_CHUNKS=${BENCH_STREAM_CHUNKS:-20}
STREAM_CLIENT=(dotnet "$TMP/bin/stream-client/StreamClient.dll")

# run_load KIND CONNECTIONS SECONDS BASE_URL: prints wrk's or stream-client's "BENCH k=v ..." line.
run_load() {
  local kind=$1 conns=$2 secs=$3 base=$4 threads=$(($2 < 2 ? $2 : 2))
  export BENCH_NONCE="$RANDOM$RANDOM-$(date +%s%N)"
  case "$kind" in
    chat) wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s -s "$BENCH_DIR/chat.lua" "$base/v1/chat/completions" ;;
    chat-nostore) BENCH_HEADERS="Cache-Control: no-store" \
      wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s -s "$BENCH_DIR/chat.lua" "$base/v1/chat/completions" ;;
    models) wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s -s "$BENCH_DIR/get.lua" "$base/v1/models" ;;
    stream) "${STREAM_CLIENT[@]}" --url "$base/v1/chat/completions" --connections "$conns" --duration "$secs" \
      --header "x-mock-chunks: $STREAM_CHUNKS" ;;
    *) echo "unknown scenario kind $kind" >&2; return 1 ;;
  esac | grep '^BENCH ' || true
}

cpu_ticks() { # PIDS...: utime + stime, in clock ticks
  local total=0 pid t
  for pid in "$@"; do
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total"
}

peak_rss_kb() { # PIDS...: the sum of VmHWM (reset before each load run, where the kernel allows it)
  local total=0 pid v
  for pid in "$@"; do
    v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

gc_stats() { # FILE: "allocated-bytes gen0 gen1 gen2 pause-us heap-bytes", or zeros
  if [ -n "$1" ] && [ -s "$1" ]; then cat "$1"; else echo "0 0 0 0 0 0"; fi
}

field() { # LINE KEY
  sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"
}

RAW=$TMP/raw.tsv
printf 'round\tscenario\tkind\ttarget\tlatency_ms\tconnections\trps\tp50_us\tp99_us\tttft_p50_us\tttft_p99_us\trequests\terrors\tnon2xx\tcpu_ticks\tload_ms\trss_kb\talloc_bytes\tgcs\tgc_pause_us\n' >"$RAW"

measure() { # ROUND KIND LATENCY CONNECTIONS TARGET
  local round=$1 kind=$2 lat=$3 conns=$4 target=$5
  local id="$kind-${lat}ms-c$conns" key="$target:$lat"
  # shellcheck disable=SC2206
  local pids=(${T_PIDS[$key]}) gcfile=${T_GC[$key]}
  local pid
  for pid in "${pids[@]}"; do echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || true; done
  local gc0 gc1 cpu0 cpu1 line
  gc0=$(gc_stats "$gcfile")
  cpu0=$(cpu_ticks "${pids[@]}")
  line=$(run_load "$kind" "$conns" "$duration" "http://127.0.0.1:${T_PORT[$key]}")
  cpu1=$(cpu_ticks "${pids[@]}")
  [ -n "$gcfile" ] && sleep 0.12 # the hook rewrites its file every 50 ms
  gc1=$(gc_stats "$gcfile")
  if [ -z "$line" ]; then
    log "$id $target: no result (load generator failed)"
    return
  fi
  local rss=- alloc=- gcs=- pause=- cpu=-
  if [ ${#pids[@]} -gt 0 ]; then
    cpu=$((cpu1 - cpu0))
    rss=$(peak_rss_kb "${pids[@]}")
  fi
  if [ -n "$gcfile" ]; then
    read -r a0 g00 g10 g20 p0 _ <<<"$gc0"
    read -r a1 g01 g11 g21 p1 _ <<<"$gc1"
    alloc=$((a1 - a0)) gcs=$((g01 + g11 + g21 - g00 - g10 - g20)) pause=$((p1 - p0))
  fi
  local v
  v=$(field "$line" ttft_p50_us); local ttft50=${v:--}
  v=$(field "$line" ttft_p99_us); local ttft99=${v:--}
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$round" "$id" "$kind" "$target" "$lat" "$conns" "$(field "$line" rps)" "$(field "$line" p50_us)" \
    "$(field "$line" p99_us)" "$ttft50" "$ttft99" "$(field "$line" requests)" "$(field "$line" errors)" \
    "$(field "$line" non2xx)" "$cpu" "$((duration * 1000))" "$rss" "$alloc" "$gcs" "$pause" >>"$RAW"
  log "$(printf '[%s/%s] %-16s %-10s %9s rps  p50 %6s us  p99 %7s us%s' "$round" "$runs" "$id" "$target" \
    "$(field "$line" rps)" "$(field "$line" p50_us)" "$(field "$line" p99_us)" \
    "$([ "$ttft50" != - ] && echo "  ttft p50 $ttft50 us p99 $ttft99 us")")"
}

# Every target must answer 200 on every scenario kind before anything is timed.
check_target() { # TARGET LATENCY
  local base="http://127.0.0.1:${T_PORT[$1:$2]}" code
  code=$(curl -s -o "$TMP/check.out" -w '%{http_code}' -H 'Authorization: Bearer sk-bench-0000' \
    -H 'Content-Type: application/json' -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"check"}]}' \
    "$base/v1/chat/completions")
  [ "$code" = 200 ] || { echo "$1 ($2 ms): chat answered $code: $(head -c 300 "$TMP/check.out")" >&2; exit 1; }
  code=$(curl -s -o "$TMP/check.out" -w '%{http_code}' -H 'Authorization: Bearer sk-bench-0000' \
    -H 'Content-Type: application/json' -d '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"check"}]}' \
    "$base/v1/chat/completions")
  [ "$code" = 200 ] && grep -q 'data: \[DONE\]' "$TMP/check.out" ||
    { echo "$1 ($2 ms): stream answered $code: $(head -c 300 "$TMP/check.out")" >&2; exit 1; }
}

# -------------------------------------------------------------------------------------------------------- run

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for lat in $LATENCIES; do
  start_mock "$lat"
  for t in "${TARGETS[@]}"; do
    log "starting $t ($lat ms upstream)"
    base=${t%%+*}
    "start_${base//-/_}" "$lat" "${MOCK_PORT[$lat]}" "$t" "${VARIANT_ENV[$t]:-}"
    check_target "$t" "$lat"
  done
done

# Warm-up: JIT tiers, connection pools and nginx's upstream keep-alive settle before the first timed run.
for lat in $LATENCIES; do
  for t in "${TARGETS[@]}"; do
    log "warming up $t ($lat ms upstream)"
    base="http://127.0.0.1:${T_PORT[$t:$lat]}"
    run_load chat 32 "$warmup" "$base" >/dev/null
    run_load models 32 1 "$base" >/dev/null
    run_load stream 8 1 "$base" >/dev/null
  done
done

# Interleaved: every round runs every scenario against every target back to back, the target order rotating
# from round to round, so that drift (another build on the machine, thermal) lands on all targets alike.
for round in $(seq "$runs"); do
  for s in "${SCENARIOS[@]}"; do
    read -r kind lat conns <<<"$s"
    n=${#TARGETS[@]}
    for i in $(seq 0 $((n - 1))); do
      t=${TARGETS[$(((i + round - 1) % n))]}
      target_applies "$t" "$kind" && measure "$round" "$kind" "$lat" "$conns" "$t"
    done
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------------------------------------------------ report

mkdir -p "$BENCH_DIR/results"
cp "$RAW" "$BENCH_DIR/results/latest.tsv"
{
  echo "## Benchmark run $(date -u +%Y-%m-%dT%H:%MZ) ($mode$custom)"
  echo
  echo "- source: $SOURCE_DESC; Release builds; gateway in Passthrough mode, embedded store, Logging at Warning"
  echo "- machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); load average before $LOAD_BEFORE, after $LOAD_AFTER"
  echo "- $runs rounds x ${duration} s per target and scenario, interleaved (target order rotating), after ${warmup} s warm-up each; figures are medians over rounds, ratios are medians of per-round ratios to the baseline measured in the same round"
  echo "- load: wrk $(wrk --version 2>&1 | head -1 | awk '{ print $2 }') (1 thread at 1 connection, 2 threads at 32); streams: ops/bench/stream-client ($STREAM_CHUNKS content events per stream); chat bodies $(( ${BENCH_PAD_BYTES:-600} + 200 )) bytes or so, unique per request"
  echo "- nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') with worker_processes $NGINX_WORKERS ($(nproc) workers); fd limit $FD_LIMIT; .NET extra env: ${dotnet_env:-none}; gateway extra env: ${gateway_env:-none}$(for t in "${!VARIANT_ENV[@]}"; do printf '; variant %s: %s' "$t" "${VARIANT_ENV[$t]:-none}"; done)"
  echo
  awk -F'\t' -v targets="${TARGETS[*]}" -v clk="$CLK_TCK" -f "$BENCH_DIR/report.awk" "$RAW"
} | tee "$BENCH_DIR/results/latest.md"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
label=$mode${custom:+-custom}
cp "$BENCH_DIR/results/latest.md" "$BENCH_DIR/results/$stamp-$label.md"
cp "$RAW" "$BENCH_DIR/results/$stamp-$label.tsv"
log "report: ops/bench/results/latest.md (raw rows: results/latest.tsv)"
