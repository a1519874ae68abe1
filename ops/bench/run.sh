#!/usr/bin/env bash
# Side-by-side overhead benchmark (issue 9): the same load, interleaved, against the mock upstream directly, a plain
# nginx hop, a bare YARP hop and the gateway (uncached on the embedded store and on Redis + Postgres, and answering
# cache hits from memory and from Redis); every figure reported as a ratio to the baselines of the same run. Plus the
# dedupe saving (issue 4: N identical requests at once against a 1 s upstream) and, in full mode, the fixed-rate check
# (issue 21: open-loop load at 1,000 and 2,000 requests/s, latency from the intended send time) and the scale check
# (issue 9: thousands of slow streams at once).
#
#   ops/bench/run.sh            quick mode (3 rounds of 2 s per target and scenario, dedupe, about 8 minutes)
#   ops/bench/run.sh --full     full mode  (3 rounds of 3 s after 20 s of warm-up, every scenario, dedupe, fixed rate, scale check, about 35 minutes)
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
  --quick               3 rounds x 2 s, the main scenarios, dedupe (default)
  --full                3 rounds x 3 s after 20 s of warm-up, every scenario, dedupe, fixed rate, scale check
  --runs N              rounds (the report shows the median of the rounds; at least 3 for a real figure)
  --duration S          seconds of load per target and scenario (whole seconds)
  --warmup S            seconds of warm-up load per target before the first round
  --targets LIST        comma-separated subset of: direct,nginx,bare-yarp,gateway,gateway-prod,gateway-hit,
                        gateway-redis-hit (baselines are kept; gateway-prod is the gateway uncached on Redis + Postgres,
                        both private; gateway-hit and gateway-redis-hit answer cache hits, chat at 0 ms only)
  --scenarios REGEX     run only scenarios whose id matches (ids look like chat-0ms-c32, stream-50ms-c1)
  --add-scenario 'KIND LATENCY CONNECTIONS'  add a scenario (repeatable), e.g. 'chat-nostore 0 32'
  --rev REV             build gateway and mock from git revision REV (git archive into a temp folder) instead of
                        the working tree, so that concurrent edits and builds cannot interfere
  --snapshot            build from a copy of the working tree taken at the start (tracked and untracked files), so
                        that edits made during the run cannot interfere; the report names it "+ working tree"
  --baseline-rev REV    also build the gateway of git revision REV (git archive) and run it beside the other build:
                        targets gateway@REV (and gateway-prod@REV when gateway-prod runs), same mock, same rounds
  --fixed-rate          the fixed-rate check (on in full mode; --no-fixed-rate skips it): open-loop chat at each of
                        --rates for --rate-duration s per target (stream-client --rate: latency from the intended
                        send time, HdrHistogram), after --rate-warmup s at the same rate
  --rates LIST          requests/s of the fixed-rate check (default 1000,2000)
  --rate-duration S     seconds measured per target and rate (default 60)
  --rate-warmup S       seconds at the rate before the measured ones (default 5)
  --rate-targets LIST   targets of the fixed-rate check (default: direct, bare-yarp, gateway, gateway-prod and their
                        variants and baseline builds, those that run)
  --rate-kinds LIST     chat (non-streamed, unique bodies) and/or stream (TTFT too) (default chat)
  --dedupe N            the dedupe check with N identical requests per burst (default 50); --no-dedupe skips it
  --scale N|auto        the scale check: N slow streams at once (auto: 10,000 or as many as the fd limit allows);
                        on in full mode; --no-scale skips it
  --scale-ramp S        seconds over which the scale check opens its streams (default 20)
  --scale-targets LIST  comma-separated targets the scale check runs through after direct (default gateway; a
                        variant such as gateway+x counts its descriptors the same way)
  --redis HOST:PORT     use this Redis for gateway-redis-hit and gateway-prod instead of a private one (ops/redis.sh)
  --postgres CS         use this Postgres (Npgsql connection string) for gateway-prod instead of a private one
                        started with ops/postgres.sh
  --no-build            use the existing Release outputs
  --dotnet-env 'K=V ..' extra environment for every .NET proxy (bare YARP and gateway), e.g. 'DOTNET_gcServer=0'
  --gateway-env 'K=V ..' extra environment for the gateway only, e.g. 'Logging__LogLevel__Default=Information'
  --variant SPEC        add a target: BASE+NAME:'K=V ...', BASE being bare-yarp, gateway or gateway-prod, run with that extra
                        environment beside the plain one in the same rounds (repeatable), e.g.
                        --variant 'gateway+wks:DOTNET_gcServer=0'
  --limits              add gateway+limits and gateway-prod+limits (for those of gateway and gateway-prod that run):
                        the same gateway, its bench org given an RPM and a TPM limit and a hard USD budget none of
                        the load reaches (PUT /api/orgs/ORG/settings once started); chat kinds only, its own key
  --payloads            add gateway+payloads and gateway-prod+payloads (for those that run): the same gateway, its
                        bench org's payload_logging set to redacted (PUT /api/orgs/ORG/settings once started), so
                        every call is redacted and stored in the background; chat kinds only, its own key
  --no-gc-hook          do not load the allocation-counting startup hook into the .NET proxies
  --keep                keep the temp folder (logs, nginx config) and print its path
EOF
}

mode=quick custom="" runs="" duration="" warmup="" rev="" snapshot=0 build=1 gc_hook=1 keep=0 limits=0 payloads=0
only_targets="" scenario_filter="" dotnet_env="" gateway_env="" variants=() extra_scenarios=()
dedupe_n=50 scale="" scale_ramp=20 redis_addr="" pg_cs="" scale_targets=gateway baseline_rev=""
fixed_rate="" rates="1000 2000" rate_duration=60 rate_warmup=5 rate_targets="" rate_kinds=chat
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
    --snapshot) snapshot=1 ;;
    --dedupe) dedupe_n=$2; shift ;;
    --no-dedupe) dedupe_n=0 ;;
    --scale) scale=$2; shift ;;
    --no-scale) scale=off ;;
    --scale-ramp) scale_ramp=$2; shift ;;
    --scale-targets) scale_targets=${2//,/ }; shift ;;
    --redis) redis_addr=$2; shift ;;
    --postgres) pg_cs=$2; shift ;;
    --baseline-rev) baseline_rev=$2; shift ;;
    --fixed-rate) fixed_rate=1 ;;
    --no-fixed-rate) fixed_rate=0 ;;
    --rates) rates=${2//,/ }; shift ;;
    --rate-duration) rate_duration=$2; shift ;;
    --rate-warmup) rate_warmup=$2; shift ;;
    --rate-targets) rate_targets=${2//,/ }; shift ;;
    --rate-kinds) rate_kinds=${2//,/ }; shift ;;
    --no-build) build=0 ;;
    --dotnet-env) dotnet_env=$2; shift ;;
    --gateway-env) gateway_env=$2; shift ;;
    --variant) variants+=("$2") custom=", custom"; shift ;;
    --add-scenario) extra_scenarios+=("$2") custom=", custom"; shift ;;
    --no-gc-hook) gc_hook=0 ;;
    --limits) limits=1 custom=", custom" ;;
    --payloads) payloads=1 custom=", custom" ;;
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
  runs=${runs:-3} duration=${duration:-3} warmup=${warmup:-20} scale=${scale:-auto} fixed_rate=${fixed_rate:-1}
  SCENARIOS=(
    "chat 0 1" "chat 0 32" "models 0 1" "models 0 32" "stream 0 1" "stream 0 32"
    "chat 50 1" "chat 50 32" "stream 50 1" "stream 50 32"
  )
else
  runs=${runs:-3} duration=${duration:-2} warmup=${warmup:-2} scale=${scale:-off} fixed_rate=${fixed_rate:-0}
  SCENARIOS=(
    "chat 0 1" "chat 0 32" "models 0 1" "models 0 32" "stream 0 1" "stream 0 32"
    "chat 50 32" "stream 50 32"
  )
fi

# Targets, in report order. Each has a start function "start_<name with _ for ->" LATENCY UPSTREAM_PORT [NAME ENV]
# that sets T_PORT[name:latency], T_PIDS[name:latency] (processes whose CPU and RSS are measured; empty for none)
# and T_GC[name:latency] (the startup hook's stats file, or empty). TARGET_KINDS[name] limits the scenario kinds
# (default: all). direct, nginx and bare-yarp are the baselines every ratio is taken against. A name "base+x" is a
# variant: base's start function with NAME and the extra ENV of VARIANT_ENV[name] (see --variant). A name "base@REV"
# is the same target run from the gateway built from git revision REV (see --baseline-rev; GATEWAY_BIN[name]).
# To add a target: append its name, write its start function, and if it needs a different load, list the scenario
# kinds it applies to in TARGET_KINDS (and the upstream latencies in TARGET_LATS) and give it its load in measure.
# gateway-hit and gateway-redis-hit are gateway instances (in-process store; Redis store) whose upstream is the
# counting nginx in front of the 0 ms mock: in the chat scenarios they get one fixed body, so every request is a
# cache hit (checked with curl before and after, and by the upstream's request count staying put); the dedupe check
# uses them too. HIT_TARGETS get the fixed body. gateway-prod is the gateway as the README recommends it for
# production, on Redis and Postgres (both private to the run unless --redis/--postgres name others), uncached.
TARGETS=(direct nginx bare-yarp gateway gateway-prod gateway-hit gateway-redis-hit)
declare -A TARGET_KINDS=([gateway-hit]=chat [gateway-redis-hit]=chat) TARGET_LATS=([gateway-hit]=0 [gateway-redis-hit]=0)
declare -A VARIANT_ENV=()
BASELINES="direct nginx bare-yarp"
HIT_TARGETS=" gateway-hit gateway-redis-hit "

if [ -n "$only_targets" ]; then
  wanted=" ${only_targets//,/ } $BASELINES "
  kept=()
  for t in "${TARGETS[@]}"; do [[ "$wanted" == *" $t "* ]] && kept+=("$t"); done
  TARGETS=("${kept[@]}")
fi
# The base target of a name: "gateway-prod@1a2b3c4+x" -> gateway-prod.
base_of() { local b=${1%%+*}; echo "${b%%@*}"; }

BASELINE_TAG=""
if [ -n "$baseline_rev" ]; then
  BASELINE_TAG=$(git -C "$REPO" rev-parse --short "$baseline_rev") || { echo "--baseline-rev $baseline_rev: not a revision" >&2; exit 2; }
  for t in gateway gateway-prod; do
    [[ " ${TARGETS[*]} " == *" $t "* ]] && TARGETS+=("$t@$BASELINE_TAG")
  done
fi
for spec in "${variants[@]}"; do
  name=${spec%%:*}
  case "$name" in bare-yarp+?* | gateway+?* | gateway-prod+?*) ;; *) echo "--variant $spec: the name must be bare-yarp+NAME, gateway+NAME or gateway-prod+NAME" >&2; exit 2 ;; esac
  VARIANT_ENV[$name]=${spec#*:}
  [ "$spec" != "$name" ] || VARIANT_ENV[$name]=""
  TARGETS+=("$name")
done

# --limits: the bench org of LIMITS_KEY (in passthrough an org is pt_ + the first 16 hex digits of its key's SHA-256)
# gets limits and a budget far above the load, so that every call pays for them and none is refused.
LIMITS_KEY=sk-bench-limits
LIMITS_ORG=pt_$(printf %s "$LIMITS_KEY" | sha256sum | cut -c1-16)
LIMITS_SETTINGS='{"rpm_limit":10000000,"tpm_limit":10000000000,"hard_budget":true,"monthly_usd_budget":1000000}'
if [ "$limits" = 1 ]; then
  for t in gateway gateway-prod; do
    [[ " ${TARGETS[*]} " == *" $t "* ]] && TARGETS+=("$t+limits") && VARIANT_ENV[$t+limits]=""
  done
fi

# --payloads: the bench org of PAYLOADS_KEY stores every call's payload, redacted (issue 19: against off, >= 0.9x).
PAYLOADS_KEY=sk-bench-payloads
PAYLOADS_ORG=pt_$(printf %s "$PAYLOADS_KEY" | sha256sum | cut -c1-16)
PAYLOADS_SETTINGS='{"payload_logging":"redacted"}'
if [ "$payloads" = 1 ]; then
  for t in gateway gateway-prod; do
    [[ " ${TARGETS[*]} " == *" $t "* ]] && TARGETS+=("$t+payloads") && VARIANT_ENV[$t+payloads]=""
  done
fi

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
# The fixed-rate check runs against the 0 ms mock.
LATENCIES=$( (for s in "${SCENARIOS[@]}"; do read -r _ lat _ <<<"$s"; echo "$lat"; done; if [ "$fixed_rate" = 1 ]; then echo 0; fi) | sort -nu | tr '\n' ' ')

log() { echo "[bench] $*" >&2; }
RUN_STARTED=$(date +%s)

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
  [ -n "${REDIS_STARTED:-}" ] && REDIS_PORT=$REDIS_STARTED AIGW_SERVICES_DIR=$TMP/services REDIS_CLUSTER=0 "$REPO/ops/redis.sh" stop 2>/dev/null
  [ -n "${PG_STARTED:-}" ] && PG_PORT=$PG_STARTED AIGW_SERVICES_DIR=$TMP/services "$REPO/ops/postgres.sh" stop 2>/dev/null
  if [ "$keep" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "$rev" ]; then
  SRC=$TMP/src
  mkdir -p "$SRC"
  git -C "$REPO" archive --format=tar "$rev" | tar -x -C "$SRC"
  SOURCE_DESC="$(git -C "$REPO" rev-parse --short "$rev") (git archive)"
elif [ "$snapshot" = 1 ]; then
  # A copy of the working tree as it is now (tracked and untracked files, .gitignore'd outputs left out).
  SRC=$TMP/src
  mkdir -p "$SRC"
  (cd "$REPO" && git ls-files -co --exclude-standard -z | grep -zv '^ops/bench/results/' | xargs -0 cp --parents -t "$SRC")
  SOURCE_DESC="$(git -C "$REPO" rev-parse --short HEAD) + working tree copied at $(date -u +%H:%MZ) (changes in $(git -C "$REPO" status --porcelain -- gateway transforms config ops/mock-openai | wc -l) files of gateway, transforms, config, ops/mock-openai)"
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
# --baseline-rev: the other build's gateway (always built: it is a fresh archive), run as gateway@REV beside this one.
BASELINE_DESC=""
if [ -n "$BASELINE_TAG" ]; then
  mkdir -p "$TMP/src-baseline"
  git -C "$REPO" archive --format=tar "$baseline_rev" | tar -x -C "$TMP/src-baseline"
  build_project "$TMP/src-baseline/gateway/AiGateway.csproj"
  snapshot "gateway@$BASELINE_TAG" "$TMP/src-baseline/gateway/bin/Release/net10.0" AiGateway.dll
  BASELINE_DESC="; targets named @$BASELINE_TAG: the gateway of $BASELINE_TAG (git archive, $(git -C "$REPO" log -1 --format=%cs "$baseline_rev"): $(git -C "$REPO" log -1 --format=%s "$baseline_rev" | cut -c1-80)), same mock and rounds"
fi

# -------------------------------------------------------------------------------------------------- processes

NEXT_PORT=${BENCH_PORT_BASE:-19100}
free_port() { # sets PORT (not echoed: a $(…) subshell would lose the NEXT_PORT increment)
  while ss -Hltn "sport = :$NEXT_PORT" | grep -q .; do NEXT_PORT=$((NEXT_PORT + 1)); done
  PORT=$NEXT_PORT
  NEXT_PORT=$((NEXT_PORT + 1))
}

wait_ready() { # URL PID NAME [CURL_OPTION]
  for _ in $(seq 300); do
    if curl -fsS ${4:-} -o /dev/null -H 'Authorization: Bearer sk-bench-0000' "$1" 2>/dev/null; then return 0; fi
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
# write_nginx DIR PORT UPSTREAM_PORT WORKERS ACCESS_LOG: the config of one proxy hop (ACCESS_LOG "off" or a file).
write_nginx() {
  local dir=$1 access="off"
  [ "$5" != off ] && access="$5 count"
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<EOF
# One proxy hop at its cheapest: keep-alive to the upstream, no buffering either way, no access log.
worker_processes $4;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 16384; }
http {
  log_format count '\$request_method \$uri \$status';
  access_log $access;
  keepalive_requests 1000000;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  upstream mock { server 127.0.0.1:$3; keepalive 256; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$2;
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
}

start_nginx() { # LATENCY UPSTREAM_PORT
  local port dir=$TMP/nginx-$1
  free_port
  port=$PORT
  write_nginx "$dir" "$port" "$2" "$NGINX_WORKERS" off
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
  if [[ "$name" == *+limits ]]; then
    curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/json' --data "$LIMITS_SETTINGS" \
      "http://127.0.0.1:$port/api/orgs/$LIMITS_ORG/settings" || { log "$name-$1: could not set the bench org's limits"; exit 1; }
  fi
  if [[ "$name" == *+payloads ]]; then
    curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/json' --data "$PAYLOADS_SETTINGS" \
      "http://127.0.0.1:$port/api/orgs/$PAYLOADS_ORG/settings" || { log "$name-$1: could not turn on the bench org's payload logging"; exit 1; }
  fi
  T_PORT[$name:$1]=$port T_PIDS[$name:$1]=$LAST_PID T_GC[$name:$1]=$TMP/$name-$1.gc
}

start_gateway() { # LATENCY UPSTREAM_PORT [NAME ENV]
  local port name=${3:-gateway}
  free_port
  port=$PORT
  mkdir -p "$TMP/$name-data-$1"
  # a name with @REV runs that revision's build (--baseline-rev)
  local bin=gateway
  [[ "$name" == *@* ]] && bin=gateway@$(base_of "${name#*@}")
  # shellcheck disable=SC2086
  start_dotnet "$name-$1" "$port" "$TMP/bin/$bin/AiGateway.dll" \
    ReverseProxy__Clusters__openai__Destinations__primary__Address="http://127.0.0.1:$2" \
    Logging__LogLevel__Default=Warning \
    Gateway__DataDir="$TMP/$name-data-$1" \
    $gateway_env ${4:-}
  wait_ready "http://127.0.0.1:$port/v1/models" "$LAST_PID" "$name-$1"
  T_PORT[$name:$1]=$port T_PIDS[$name:$1]=$LAST_PID T_GC[$name:$1]=$TMP/$name-$1.gc
}

# The upstream of gateway-hit and gateway-redis-hit: one nginx worker with an access log in front of the 0 ms mock,
# so the bench can count the calls that really reached the upstream (cache hits: none; dedupe: one per burst).
COUNTER_PORT="" COUNTER_LOG=""
start_counter() { # UPSTREAM_PORT
  local dir=$TMP/nginx-counter
  free_port
  COUNTER_PORT=$PORT COUNTER_LOG=$dir/access.log
  write_nginx "$dir" "$PORT" "$1" 1 "$COUNTER_LOG"
  (exec nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;') >"$TMP/nginx-counter.log" 2>&1 &
  STARTED_PIDS+=("$!")
  wait_ready "http://127.0.0.1:$PORT/v1/models" "$!" nginx-counter
}
upstream_calls() { # the chat calls that reached the mock through the counting nginx so far
  grep -c '^POST /v1/chat/completions ' "$COUNTER_LOG" 2>/dev/null || true
}

# A private Redis (ops/redis.sh on a free port, data under the temp folder), unless --redis names one.
REDIS_STARTED=""
start_redis() {
  [ -n "$redis_addr" ] && return
  free_port
  local out
  out=$(REDIS_PORT=$PORT AIGW_SERVICES_DIR=$TMP/services REDIS_CLUSTER=0 "$REPO/ops/redis.sh" start 2>"$TMP/redis.log") ||
    { cat "$TMP/redis.log" >&2; exit 1; }
  redis_addr=${out#export AIGW_TEST_REDIS=}
  REDIS_STARTED=$PORT
}

start_gateway_hit() { # LATENCY UPSTREAM_PORT [NAME ENV]: the gateway with its in-process store, behind the counter
  [ "$1" = 0 ] || return 0
  [ -n "$COUNTER_PORT" ] || start_counter "$2"
  start_gateway "$1" "$COUNTER_PORT" "${3:-gateway-hit}" "${4:-}"
}

start_gateway_redis_hit() { # LATENCY UPSTREAM_PORT [NAME ENV]: the gateway with the Redis store, behind the counter
  [ "$1" = 0 ] || return 0
  [ -n "$COUNTER_PORT" ] || start_counter "$2"
  [ -n "$redis_addr" ] || start_redis
  start_gateway "$1" "$COUNTER_PORT" "${3:-gateway-redis-hit}" "ConnectionStrings__Redis=$redis_addr ${4:-}"
}

# A private Postgres (ops/postgres.sh on a free port, data under the temp folder), unless --postgres names one.
PG_STARTED=""
start_postgres() {
  [ -n "$pg_cs" ] && return
  free_port
  local out
  chmod 711 "$TMP" # the server runs as the postgres user and keeps its data under $TMP/services
  out=$(PG_PORT=$PORT AIGW_SERVICES_DIR=$TMP/services "$REPO/ops/postgres.sh" start 2>"$TMP/postgres.log") ||
    { cat "$TMP/postgres.log" >&2; exit 1; }
  pg_cs=${out#export AIGW_TEST_POSTGRES=}
  pg_cs=${pg_cs//\'/}
  PG_STARTED=$PORT
}

# The processes of the private Redis and Postgres (the postmaster and its children: the backends the gateways hold
# open, the writer, the WAL writer), whose CPU gateway-prod's rows report beside the gateway's own.
backend_pids() {
  [ -n "$REDIS_STARTED" ] && cat "$TMP/services/redis/redis.pid" 2>/dev/null
  if [ -n "$PG_STARTED" ]; then
    local pm
    pm=$(head -1 "$TMP/services/postgres/data/postmaster.pid" 2>/dev/null) && [ -n "$pm" ] && { echo "$pm"; pgrep -P "$pm"; }
  fi
  true
}

start_gateway_prod() { # LATENCY UPSTREAM_PORT [NAME ENV]: the gateway uncached on Redis + Postgres, as in production
  [ -n "$redis_addr" ] || start_redis
  [ -n "$pg_cs" ] || start_postgres
  local name=${3:-gateway-prod} cs=$pg_cs
  # Another build (gateway-prod@REV) gets a database of its own: each refuses a schema migrated by migrations it lacks.
  if [[ "$name" == *@* && -n "$PG_STARTED" ]]; then
    local db
    db=aigw_$(printf '%s' "${name%%+*}" | tr -c 'a-zA-Z0-9' '_' | tr 'A-Z' 'a-z')
    psql "host=127.0.0.1 port=$PG_STARTED user=aigw dbname=aigateway" -qAtc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
      psql "host=127.0.0.1 port=$PG_STARTED user=aigw dbname=aigateway" -qc "CREATE DATABASE $db" >&2
    cs=${pg_cs/Database=aigateway/Database=$db}
  fi
  start_gateway "$1" "$2" "$name" "ConnectionStrings__Redis=$redis_addr ConnectionStrings__Postgres=$cs ${4:-}"
}

target_applies() { # TARGET KIND LATENCY
  local b
  b=$(base_of "$1")
  local kinds=${TARGET_KINDS[$b]:-} lats=${TARGET_LATS[$b]:-}
  [[ "$1" == *+limits || "$1" == *+payloads ]] && kinds="chat chat-nostore"
  { [ "$2" = - ] || [ -z "$kinds" ] || [[ " $kinds " == *" $2 "* ]]; } && { [ -z "$lats" ] || [[ " $lats " == *" $3 "* ]]; }
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
    chat-hit) BENCH_BODY_FILE=$HIT_BODY \
      wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s -s "$BENCH_DIR/chat.lua" "$base/v1/chat/completions" ;;
    chat) wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s -s "$BENCH_DIR/chat.lua" "$base/v1/chat/completions" ;;
    chat-nostore) BENCH_HEADERS="Cache-Control: no-store" \
      wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s -s "$BENCH_DIR/chat.lua" "$base/v1/chat/completions" ;;
    models) wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s -s "$BENCH_DIR/get.lua" "$base/v1/models" ;;
    stream) "${STREAM_CLIENT[@]}" --url "$base/v1/chat/completions" --connections "$conns" --duration "$secs" \
      --timeout 10 --header "x-mock-chunks: $STREAM_CHUNKS" ;; # a stream not done in 10 s is an error (stalled)
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

# How busy the machine was apart from the bench: busy ticks of all CPUs (/proc/stat) minus the bench's own (this
# script with every descendant it waited for, plus every live descendant: mock, proxies, nginx workers, Redis).
machine_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
our_cpu() {
  local total=0 pid t pids
  pids=$(ps -e -o pid=,ppid= | awk -v root=$$ '{ p[$1] = $2 } END { for (x in p) { y = x; while ((y in p) && y != root && y > 1) y = p[y]; if (y == root && x != root) print x } }')
  pids="$pids $(backend_pids | tr '\n' ' ')"
  for pid in $$ $pids; do
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + ${t:-0}))
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
printf 'round\tscenario\tkind\ttarget\tlatency_ms\tconnections\trps\tp50_us\tp99_us\tttft_p50_us\tttft_p99_us\trequests\terrors\tnon2xx\tcpu_ticks\tload_ms\trss_kb\talloc_bytes\tgcs\tgc_pause_us\tupstream_calls\tcache_check\tbackend_cpu_ticks\n' >"$RAW"

# The one body of the cache-hit targets (about the size of chat.lua's, a run nonce inside so the first call misses).
HIT_BODY=$TMP/hit-body.json
printf '{"model":"gpt-4o-mini","temperature":0.2,"messages":[{"role":"system","content":"%s"},{"role":"user","content":"bench fixed %s: summarise the trade-offs of a reverse proxy in one line."}]}' \
  "$(printf 'You are a careful assistant. %.0s' $(seq 21))" "$RANDOM$RANDOM-$(date +%s%N)" >"$HIT_BODY"
cache_status() { # BASE_URL: the x-aigw-cache header of one call with the hit body ("none" if absent)
  local v
  v=$(curl -s -o /dev/null -D - -H 'Authorization: Bearer sk-bench-0000' -H 'Content-Type: application/json' \
    --data-binary @"$HIT_BODY" "$1/v1/chat/completions" | tr -d '\r' | sed -n 's/^x-aigw-cache: *//Ip' | head -1)
  echo "${v:-none}"
}

measure() { # ROUND KIND LATENCY CONNECTIONS TARGET
  local round=$1 kind=$2 lat=$3 conns=$4 target=$5
  local id="$kind-${lat}ms-c$conns" key="$target:$lat"
  # shellcheck disable=SC2206
  local pids=(${T_PIDS[$key]}) gcfile=${T_GC[$key]} base="http://127.0.0.1:${T_PORT[$key]}"
  local pid load=$kind calls=- check=- before="" c0=""
  cut -d' ' -f1 /proc/loadavg >>"$TMP/loads"
  if [[ "$HIT_TARGETS" == *" $(base_of "$target") "* && "$kind" == chat ]]; then
    # Every request of the load is a hit: the entry is filled (or found) before, and must still be there after; the
    # counting upstream must see no call during the load.
    load=chat-hit
    before=$(cache_status "$base")
    [ "$before" = hit ] || before="$before,$(cache_status "$base")"
    c0=$(upstream_calls)
  fi
  for pid in "${pids[@]}"; do echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || true; done
  local gc0 gc1 cpu0 cpu1 line backend=() bcpu0=0 bcpu1=0 bcpu=-
  # Redis and Postgres work for the targets that use them: their CPU is reported beside the proxy's
  case "$(base_of "$target")" in gateway-prod | gateway-redis-hit) mapfile -t backend < <(backend_pids) ;; esac
  gc0=$(gc_stats "$gcfile")
  [ ${#backend[@]} -gt 0 ] && bcpu0=$(cpu_ticks "${backend[@]}")
  cpu0=$(cpu_ticks "${pids[@]}")
  line=$(BENCH_KEY=$(case "$target" in *+limits) echo "$LIMITS_KEY" ;; *+payloads) echo "$PAYLOADS_KEY" ;; *) echo sk-bench-0000 ;; esac) run_load "$load" "$conns" "$duration" "$base")
  cpu1=$(cpu_ticks "${pids[@]}")
  [ ${#backend[@]} -gt 0 ] && bcpu1=$(cpu_ticks "${backend[@]}") && bcpu=$((bcpu1 - bcpu0))
  [ -n "$gcfile" ] && sleep 0.12 # the hook rewrites its file every 50 ms
  gc1=$(gc_stats "$gcfile")
  if [ -n "$c0" ]; then
    calls=$(($(upstream_calls) - c0))
    check="$before/$(cache_status "$base")"
  fi
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
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$round" "$id" "$kind" "$target" "$lat" "$conns" "$(field "$line" rps)" "$(field "$line" p50_us)" \
    "$(field "$line" p99_us)" "$ttft50" "$ttft99" "$(field "$line" requests)" "$(field "$line" errors)" \
    "$(field "$line" non2xx)" "$cpu" "$((duration * 1000))" "$rss" "$alloc" "$gcs" "$pause" "$calls" "$check" "$bcpu" >>"$RAW"
  log "$(printf '[%s/%s] %-16s %-17s %9s rps  p50 %6s us  p99 %7s us%s%s' "$round" "$runs" "$id" "$target" \
    "$(field "$line" rps)" "$(field "$line" p50_us)" "$(field "$line" p99_us)" \
    "$([ "$ttft50" != - ] && echo "  ttft p50 $ttft50 us p99 $ttft99 us")" \
    "$([ "$calls" != - ] && echo "  cache $check, upstream calls $calls")")"
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

# ------------------------------------------------------------------------------------------------------ dedupe

# Issue 4's saving: N identical requests released at once (stream-client --burst: each on an open connection) with
# Cache-Control: no-store against a 1 s upstream (x-mock-latency-ms), non-streamed and streamed. Rows: the mock
# directly; the in-process gateway with x-aigw-dedupe: off (every request goes upstream); the in-process gateway; the
# Redis gateway; two Redis gateways sharing the burst. Upstream calls are counted by the counting nginx's access log.
DEDUPE_LATENCY_MS=${BENCH_DEDUPE_LATENCY_MS:-1000}
DEDUPE_RAW=$TMP/dedupe.tsv
printf 'round\tkind\trow\tn\tok\terrors\twall_us\tp50_us\tmax_us\tttft_p50_us\tttft_max_us\tleader\tfollower\tunlabelled\tcache_hit\tdistinct\tevents\tupstream_calls\n' >"$DEDUPE_RAW"
DEDUPE_ROWS=()
declare -A DEDUPE_URLS=() DEDUPE_HEADERS=()
setup_dedupe() {
  [ -n "${MOCK_PORT[0]:-}" ] || start_mock 0
  DEDUPE_ROWS=(direct) DEDUPE_URLS[direct]="http://127.0.0.1:${MOCK_PORT[0]}"
  if [ -n "${T_PORT[gateway-hit:0]:-}" ]; then
    DEDUPE_ROWS+=("gateway-hit, dedupe off" gateway-hit)
    DEDUPE_URLS["gateway-hit, dedupe off"]="http://127.0.0.1:${T_PORT[gateway-hit:0]}"
    DEDUPE_HEADERS["gateway-hit, dedupe off"]="x-aigw-dedupe: off"
    DEDUPE_URLS[gateway-hit]="http://127.0.0.1:${T_PORT[gateway-hit:0]}"
  fi
  if [ -n "${T_PORT[gateway-redis-hit:0]:-}" ]; then
    log "starting a second Redis gateway (dedupe across instances)"
    start_gateway 0 "$COUNTER_PORT" gateway-redis-2 "ConnectionStrings__Redis=$redis_addr"
    DEDUPE_ROWS+=(gateway-redis-hit "2 Redis gateways")
    DEDUPE_URLS[gateway-redis-hit]="http://127.0.0.1:${T_PORT[gateway-redis-hit:0]}"
    DEDUPE_URLS["2 Redis gateways"]="http://127.0.0.1:${T_PORT[gateway-redis-hit:0]} http://127.0.0.1:${T_PORT[gateway-redis-2:0]}"
  fi
}

dedupe_round() { # ROUND
  local round=$1 kind row i n=${#DEDUPE_ROWS[@]} line c0 calls args u
  for kind in nonstream stream; do
    for i in $(seq 0 $((n - 1))); do
      row=${DEDUPE_ROWS[$(((i + round - 1) % n))]}
      args=(--burst "$dedupe_n" --timeout 30 --header "x-mock-latency-ms: $DEDUPE_LATENCY_MS" --header "Cache-Control: no-store")
      for u in ${DEDUPE_URLS[$row]}; do args+=(--url "$u/v1/chat/completions"); done
      [ -n "${DEDUPE_HEADERS[$row]:-}" ] && args+=(--header "${DEDUPE_HEADERS[$row]}")
      if [ "$kind" = stream ]; then args+=(--header "x-mock-chunks: $STREAM_CHUNKS"); else args+=(--no-stream); fi
      c0=$(upstream_calls)
      line=$(BENCH_NONCE="dedupe-$RANDOM$RANDOM-$(date +%s%N)" "${STREAM_CLIENT[@]}" "${args[@]}" 2>"$TMP/dedupe.err" | grep '^BENCH ' || true)
      if [ -z "$line" ]; then
        log "dedupe $kind $row: no result: $(head -c 300 "$TMP/dedupe.err")"
        continue
      fi
      calls=-
      [ "$row" != direct ] && calls=$(($(upstream_calls) - c0))
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$kind" "$row" \
        "$(field "$line" n)" "$(field "$line" ok)" "$(field "$line" errors)" "$(field "$line" wall_us)" "$(field "$line" p50_us)" \
        "$(field "$line" max_us)" "$(field "$line" ttft_p50_us)" "$(field "$line" ttft_max_us)" "$(field "$line" leader)" \
        "$(field "$line" follower)" "$(field "$line" unlabelled)" "$(field "$line" cache_hit)" "$(field "$line" distinct_answers)" \
        "$(field "$line" events)" "$calls" >>"$DEDUPE_RAW"
      log "$(printf '[%s/%s] dedupe %-9s %-24s wall %7s us  leader %s follower %s  distinct %s  upstream calls %s  errors %s' \
        "$round" "$runs" "$kind" "$row" "$(field "$line" wall_us)" "$(field "$line" leader)" "$(field "$line" follower)" \
        "$(field "$line" distinct_answers)" "$calls" "$(field "$line" errors)")"
    done
  done
}

# -------------------------------------------------------------------------------------------------- fixed rate

# Issue 21's fixed-rate check: open-loop load (stream-client --rate) at each rate against each target, in front of the
# 0 ms mock, one run each (warm-up at the rate, then the measured seconds): request i is due at i / rate whatever
# happened to the ones before it, and its latency runs from that intended time to the end of its answer, so a stall
# counts in every request it held up (coordinated omission corrected). Reported: p50/p90/p99/p99.9/max and what each
# adds over direct at the same rate, the schedule's own lag (the generator's share), the proxy's CPU per request and
# RSS (peak over the run and at its end), and for gateway-prod the CPU of Redis + Postgres per request.
FIXED_RAW=$TMP/fixed.tsv
printf 'kind\trate\ttarget\tsent\trequests\trps\tp50_us\tp90_us\tp99_us\tp999_us\tmax_us\tttft_p50_us\tttft_p99_us\tttft_p999_us\tlag_p99_us\tlag_max_us\tpeak_in_flight\tconnections\terrors\tnon2xx\tall_sent\tcpu_ticks\trss_peak_kb\trss_end_kb\tbackend_cpu_ticks\tload1\n' >"$FIXED_RAW"

fixed_rate_run() { # KIND RATE TARGET
  local kind=$1 rate=$2 t=$3 line pid rss_end=- backend=() cpu0 cpu1 cpu=- bcpu0=0 bcpu1=0 bcpu=- peak=- load1
  local base="http://127.0.0.1:${T_PORT[$t:0]}"
  # shellcheck disable=SC2206
  local pids=(${T_PIDS[$t:0]})
  local args=(--rate "$rate" --duration "$rate_duration" --warmup "$rate_warmup" --connections 16 --timeout 10
    --url "$base/v1/chat/completions")
  if [ "$kind" = stream ]; then args+=(--header "x-mock-chunks: $STREAM_CHUNKS"); else args+=(--no-stream); fi
  case "$(base_of "$t")" in gateway-prod | gateway-redis-hit) mapfile -t backend < <(backend_pids) ;; esac
  load1=$(cut -d' ' -f1 /proc/loadavg)
  echo "$load1" >>"$TMP/loads"
  for pid in "${pids[@]}"; do echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || true; done
  cpu0=$(cpu_ticks "${pids[@]}")
  [ ${#backend[@]} -gt 0 ] && bcpu0=$(cpu_ticks "${backend[@]}")
  line=$(BENCH_NONCE="rate-$t-$RANDOM$RANDOM-$(date +%s%N)" "${STREAM_CLIENT[@]}" "${args[@]}" 2>"$TMP/rate.err" | grep '^BENCH ' || true)
  cpu1=$(cpu_ticks "${pids[@]}")
  [ ${#backend[@]} -gt 0 ] && bcpu1=$(cpu_ticks "${backend[@]}") && bcpu=$((bcpu1 - bcpu0))
  if [ ${#pids[@]} -gt 0 ]; then
    cpu=$((cpu1 - cpu0))
    peak=$(peak_rss_kb "${pids[@]}")
    rss_end=0
    for pid in "${pids[@]}"; do rss_end=$((rss_end + $(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0))); done
  fi
  [ -n "$line" ] || { log "fixed rate $kind $rate/s $t: no result: $(head -c 300 "$TMP/rate.err")"; return; }
  local f out=("$kind" "$rate" "$t")
  for f in sent requests rps p50_us p90_us p99_us p999_us max_us ttft_p50_us ttft_p99_us ttft_p999_us lag_p99_us lag_max_us \
    peak_in_flight connections errors non2xx all_sent; do
    local v
    v=$(field "$line" "$f")
    out+=("${v:--}")
  done
  out+=("$cpu" "$peak" "$rss_end" "$bcpu" "$load1")
  (IFS=$'\t'; echo "${out[*]}") >>"$FIXED_RAW"
  log "$(printf 'fixed rate %-6s %5s/s %-20s p50 %7s us  p99 %7s us  p99.9 %7s us  max %8s us  lag p99 %5s us  in flight %4s  errors %s  RSS %s kB' \
    "$kind" "$rate" "$t" "$(field "$line" p50_us)" "$(field "$line" p99_us)" "$(field "$line" p999_us)" "$(field "$line" max_us)" \
    "$(field "$line" lag_p99_us)" "$(field "$line" peak_in_flight)" "$(($(field "$line" errors) + $(field "$line" non2xx)))" "$peak")"
}

fixed_rate_check() {
  local targets=() t kind rate
  if [ -n "$rate_targets" ]; then
    for t in $rate_targets; do targets+=("$t"); done
  else
    for t in "${TARGETS[@]}"; do
      case "$(base_of "$t")" in direct | bare-yarp | gateway | gateway-prod) targets+=("$t") ;; esac
    done
  fi
  log "fixed rate: ${rates// /, } requests/s, ${rate_duration} s each after ${rate_warmup} s at the rate, through ${targets[*]}"
  for kind in $rate_kinds; do
    for rate in $rates; do
      for t in "${targets[@]}"; do
        [ -n "${T_PORT[$t:0]:-}" ] || { log "fixed rate: no target $t at 0 ms"; continue; }
        fixed_rate_run "$kind" "$rate" "$t"
      done
    done
  done
}

# ------------------------------------------------------------------------------------------------------- scale

# Issue 9's scale check: N streams at once from a slow upstream (one event a second, 30 s each: x-mock-chunks 28 =
# role + 28 content + finish + [DONE], 31 events 1 s apart), opened over the ramp, one run against the mock directly,
# then one through each scale target. The targets run as fresh instances (warmed up first) in front of a second mock
# that speaks HTTP/2 only, as api.openai.com does (over TLS), so that their upstream streams share connections (100
# per connection): over HTTP/1.1 a proxy needs two descriptors per stream, and this container's hard fd limit (20,000,
# not raisable without CAP_SYS_RESOURCE) held 9,686. The direct run stays on the HTTP/1.1 mock: the client opens one
# connection per stream either way. N auto = 10,000, or fewer when the fd limit cannot hold them.
SCALE_RAW=$TMP/scale.tsv
printf 'target\tstreams\tok\tdropped\terrors\tpeak_open\tttft_p50_us\tttft_p99_us\tttft_max_us\tp50_us\tp99_us\tmax_us\twall_s\trss_before_kb\trss_peak_kb\tfds_peak\tcpu_ticks\talloc_bytes\tgc_pause_us\n' >"$SCALE_RAW"
SCALE_NOTE="" SCALE_CHUNKS=${BENCH_SCALE_CHUNKS:-28} # content events; 28 + role + finish + [DONE] = 31 events, 30 s
SCALE_H2_ENV="ReverseProxy__Clusters__openai__HttpRequest__Version=2 ReverseProxy__Clusters__openai__HttpRequest__VersionPolicy=RequestVersionExact"
start_scale_targets() { # the HTTP/2 mock and a fresh, warmed-up instance of each scale target in front of it
  local port t base
  free_port
  port=$PORT
  (exec dotnet "$TMP/bin/mock/MockOpenAi.dll" --urls "http://127.0.0.1:$port" --latency-ms 0 --http2-only true) >"$TMP/mock-h2.log" 2>&1 &
  STARTED_PIDS+=("$!")
  wait_ready "http://127.0.0.1:$port/v1/models" "$!" "mock-h2" --http2-prior-knowledge
  T_PORT[direct:h2]=${T_PORT[direct:0]} T_PIDS[direct:h2]="" T_GC[direct:h2]=""
  for t in $scale_targets; do
    log "starting $t for the scale check (HTTP/2 upstream), warming it up"
    base=$(base_of "$t")
    "start_${base//-/_}" h2 "$port" "$t" "$SCALE_H2_ENV ${VARIANT_ENV[$t]:-}"
    [ -n "${T_PORT[$t:h2]:-}" ] || continue
    run_load chat 32 5 "http://127.0.0.1:${T_PORT[$t:h2]}" >/dev/null
    run_load stream 8 5 "http://127.0.0.1:${T_PORT[$t:h2]}" >/dev/null
  done
}

scale_check() {
  local n
  [ -n "${T_PORT[direct:0]:-}" ] || { log "scale check skipped: no direct target at 0 ms"; return; }
  start_scale_targets
  n=$scale
  if [ "$n" = auto ]; then
    # a descriptor per client stream, one per hundred upstream streams, and room for the process's own
    n=$(((FD_LIMIT - 1000) * 100 / 101))
    [ "$n" -gt 10000 ] && n=10000
    [ "$n" -lt 10000 ] && SCALE_NOTE="$n streams, not 10,000: the fd limit is $FD_LIMIT"
  elif [ "$n" -lt 10000 ]; then
    SCALE_NOTE="$n streams, not 10,000 (--scale $n)"
  fi
  log "scale check: $n streams, 1 event/s, 30 s each, opened over $scale_ramp s"
  local t base line pids rss0 rss1 cpu0 cpu1 gc0 gc1 fdpeak sampler
  for t in direct $scale_targets; do
    [ -n "${T_PORT[$t:h2]:-}" ] || { log "scale check: no target $t"; continue; }
    base="http://127.0.0.1:${T_PORT[$t:h2]}"
    pids=${T_PIDS[$t:h2]}
    rss0=- rss1=- cpu0=0 cpu1=0 fdpeak=-
    gc0=$(gc_stats "${T_GC[$t:h2]}")
    if [ -n "$pids" ]; then
      rss0=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pids/status")
      echo 5 >"/proc/$pids/clear_refs" 2>/dev/null || true
      cpu0=$(cpu_ticks "$pids")
      # the peak of open descriptors, sampled every second
      (peak=0; while kill -0 "$pids" 2>/dev/null; do c=$(ls "/proc/$pids/fd" 2>/dev/null | wc -l); [ "$c" -gt "$peak" ] && peak=$c && echo "$peak" >"$TMP/fdpeak"; sleep 1; done) &
      sampler=$!
    fi
    line=$(BENCH_NONCE="scale-$t-$RANDOM$RANDOM" "${STREAM_CLIENT[@]}" --scale "$n" --ramp "$scale_ramp" --expect-events $((SCALE_CHUNKS + 3)) --timeout 120 \
      --url "$base/v1/chat/completions" --header "x-mock-chunks: $SCALE_CHUNKS" --header "x-mock-chunk-delay-ms: 1000" 2>"$TMP/scale-$t.err" | grep '^BENCH ' || true)
    if [ -n "$pids" ]; then
      cpu1=$(cpu_ticks "$pids")
      rss1=$(peak_rss_kb "$pids")
      kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
      fdpeak=$(cat "$TMP/fdpeak" 2>/dev/null || echo -)
      sleep 0.12
    fi
    gc1=$(gc_stats "${T_GC[$t:h2]}")
    grep -v '^PROGRESS' "$TMP/scale-$t.err" | head -5 >&2 || true
    [ -n "$line" ] || { log "scale $t: no result"; continue; }
    read -r a0 _ _ _ p0 _ <<<"$gc0"
    read -r a1 _ _ _ p1 _ <<<"$gc1"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" \
      "$(field "$line" streams)" "$(field "$line" ok)" "$(field "$line" dropped)" "$(field "$line" errors)" "$(field "$line" peak_open)" \
      "$(field "$line" ttft_p50_us)" "$(field "$line" ttft_p99_us)" "$(field "$line" ttft_max_us)" "$(field "$line" p50_us)" \
      "$(field "$line" p99_us)" "$(field "$line" max_us)" "$(field "$line" wall_s)" "$rss0" "$rss1" "$fdpeak" "$((cpu1 - cpu0))" \
      "$([ -n "$pids" ] && echo $((a1 - a0)) || echo -)" "$([ -n "$pids" ] && echo $((p1 - p0)) || echo -)" >>"$SCALE_RAW"
    log "scale $t: $line; RSS ${rss0:-} -> peak ${rss1:-} kB, fds peak $fdpeak"
  done
}

# -------------------------------------------------------------------------------------------------------- run

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
MEASURE_STARTED=$(date +%s)
BUSY0=$(machine_busy) OURS0=$(our_cpu)
for lat in $LATENCIES; do
  start_mock "$lat"
  for t in "${TARGETS[@]}"; do
    target_applies "$t" - "$lat" || continue
    log "starting $t ($lat ms upstream)"
    base=$(base_of "$t")
    "start_${base//-/_}" "$lat" "${MOCK_PORT[$lat]}" "$t" "${VARIANT_ENV[$t]:-}"
    check_target "$t" "$lat"
  done
done

[ "$dedupe_n" -gt 0 ] && setup_dedupe

# Warm-up: JIT tiers, connection pools and nginx's upstream keep-alive settle before the first timed run. When every
# scenario stores nothing, neither does the warm-up, so RSS after the load is the footprint without stored answers.
warm_kind=chat-nostore
for s in "${SCENARIOS[@]}"; do [[ "$s" == chat-nostore\ * ]] || warm_kind=chat; done
for lat in $LATENCIES; do
  for t in "${TARGETS[@]}"; do
    [ -n "${T_PORT[$t:$lat]:-}" ] || continue
    log "warming up $t ($lat ms upstream)"
    base="http://127.0.0.1:${T_PORT[$t:$lat]}"
    run_load "$warm_kind" 32 "$warmup" "$base" >/dev/null
    [ "$warm_kind" = chat ] || continue
    [[ "$HIT_TARGETS" == *" $(base_of "$t") "* ]] && run_load chat-hit 32 1 "$base" >/dev/null
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
      target_applies "$t" "$kind" "$lat" && [ -n "${T_PORT[$t:$lat]:-}" ] && measure "$round" "$kind" "$lat" "$conns" "$t"
    done
  done
  [ "$dedupe_n" -gt 0 ] && dedupe_round "$round"
done
[ "$fixed_rate" = 1 ] && fixed_rate_check
[ "$scale" != off ] && scale_check
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
BUSY1=$(machine_busy) OURS1=$(our_cpu)
SPAN=$(( ($(date +%s) - MEASURE_STARTED) * CLK_TCK * $(nproc) ))
OTHERS_PCT=$(awk -v b="$((BUSY1 - BUSY0))" -v o="$((OURS1 - OURS0))" -v s="$SPAN" 'BEGIN { x = s > 0 ? 100 * (b - o) / s : 0; printf "%.0f", x < 0 ? 0 : x }')
OURS_PCT=$(awk -v o="$((OURS1 - OURS0))" -v s="$SPAN" 'BEGIN { printf "%.0f", (s > 0 ? 100 * o / s : 0) }')

# ------------------------------------------------------------------------------------------------------ report

mkdir -p "$BENCH_DIR/results"
cp "$RAW" "$BENCH_DIR/results/latest.tsv"
cp "$DEDUPE_RAW" "$BENCH_DIR/results/latest-dedupe.tsv"
cp "$SCALE_RAW" "$BENCH_DIR/results/latest-scale.tsv"
cp "$FIXED_RAW" "$BENCH_DIR/results/latest-fixed.tsv"
LOAD_DURING=$(sort -n "$TMP/loads" 2>/dev/null | awk '{ a[NR] = $1 } END { if (NR) printf "min %.2f, median %.2f, max %.2f over %d samples", a[1], a[int((NR + 1) / 2)], a[NR], NR }')
RUN_MINUTES=$(( ($(date +%s) - RUN_STARTED) / 60 ))
{
  echo "## Benchmark run $(date -u +%Y-%m-%dT%H:%MZ) ($mode$custom)"
  echo
  echo "- source: $SOURCE_DESC; Release builds; gateway in Passthrough mode, embedded store (gateway-prod: Redis $redis_addr$([ -n "$REDIS_STARTED" ] && echo " (private, ops/redis.sh)") and Postgres$([ -n "$PG_STARTED" ] && echo " (private, ops/postgres.sh, port $PG_STARTED)"), on the same cores), Logging at Warning$BASELINE_DESC"
  echo "- machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); load average before $LOAD_BEFORE, after $LOAD_AFTER; 1-minute load average at the start of each measurement: ${LOAD_DURING:-not sampled} (the bench itself keeps about 2 busy); from start-up to the end of the measurements, other processes used ${OTHERS_PCT}% of the machine's CPU time and the bench ${OURS_PCT}%; whole run $RUN_MINUTES min"
  echo "- $runs rounds x ${duration} s per target and scenario, interleaved (target order rotating), after ${warmup} s warm-up each; figures are medians over rounds, ratios are medians of per-round ratios to the baseline measured in the same round"
  echo "- load: wrk $(wrk --version 2>&1 | head -1 | awk '{ print $2 }') (1 thread at 1 connection, 2 threads at 32); streams: ops/bench/stream-client ($STREAM_CHUNKS content events per stream); chat bodies $(( ${BENCH_PAD_BYTES:-600} + 200 )) bytes or so, unique per request"
  echo "- cache hits: $([ -n "$COUNTER_PORT" ] && echo "gateway-hit (in-process store)$([ -n "$redis_addr" ] && echo " and gateway-redis-hit (Redis $redis_addr$([ -n "$REDIS_STARTED" ] && echo ", private, started with ops/redis.sh"))") get one fixed body in the chat scenarios, upstream through a counting nginx" || echo "no hit target"); dedupe: $([ "$dedupe_n" -gt 0 ] && echo "bursts of $dedupe_n identical requests, upstream latency $DEDUPE_LATENCY_MS ms" || echo off); fixed rate: $([ "$fixed_rate" = 1 ] && echo "${rates// /, } requests/s (${rate_kinds// /, }), ${rate_duration} s per target after ${rate_warmup} s at the rate, one run each, stream-client --rate (open loop, latency from the intended send time, HdrHistogram)" || echo off); scale check: $([ "$scale" = off ] && echo off || echo "${scale}, ramp ${scale_ramp} s, through direct and $scale_targets")"
  echo "- nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') with worker_processes $NGINX_WORKERS ($(nproc) workers); fd limit $FD_LIMIT; .NET extra env: ${dotnet_env:-none}; gateway extra env: ${gateway_env:-none}$(for t in "${!VARIANT_ENV[@]}"; do printf '; variant %s: %s' "$t" "${VARIANT_ENV[$t]:-none}"; done)"
  echo
  awk -F'\t' -v targets="${TARGETS[*]}" -v clk="$CLK_TCK" -v dedupe_latency="$DEDUPE_LATENCY_MS" -v scale_note="$SCALE_NOTE" \
    -f "$BENCH_DIR/report.awk" "$RAW" "$DEDUPE_RAW" "$SCALE_RAW" "$FIXED_RAW"
} | tee "$BENCH_DIR/results/latest.md"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
label=$mode${custom:+-custom}
cp "$BENCH_DIR/results/latest.md" "$BENCH_DIR/results/$stamp-$label.md"
cp "$RAW" "$BENCH_DIR/results/$stamp-$label.tsv"
cp "$DEDUPE_RAW" "$BENCH_DIR/results/$stamp-$label-dedupe.tsv"
cp "$SCALE_RAW" "$BENCH_DIR/results/$stamp-$label-scale.tsv"
cp "$FIXED_RAW" "$BENCH_DIR/results/$stamp-$label-fixed.tsv"
log "report: ops/bench/results/latest.md (raw rows: results/latest.tsv)"
