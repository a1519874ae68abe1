#!/usr/bin/env bash
# Throwaway Redis for tests, on 127.0.0.1 only, no persistence: one server, and a three-master Redis Cluster.
# Usage: ops/redis.sh start|stop|status   (env: REDIS_PORT=6390, REDIS_CLUSTER_PORT=7000, AIGW_SERVICES_DIR=/tmp/aigw-services,
#        REDIS_CLUSTER=0 for the single server alone, as the benches want)
# `start` prints `export AIGW_TEST_REDIS=...` and `export AIGW_TEST_REDIS_CLUSTER=...` lines on stdout; everything else
# goes to stderr. The cluster's masters listen on REDIS_CLUSTER_PORT, +1 and +2 (their cluster bus on +10000).
set -euo pipefail

PORT=${REDIS_PORT:-6390}
# Apart for every REDIS_PORT, so that checkouts with their own Redis get their own cluster too.
CLUSTER_PORT=${REDIS_CLUSTER_PORT:-$((7000 + (PORT - 6390) * 3))}
CLUSTER_PORTS="$CLUSTER_PORT $((CLUSTER_PORT + 1)) $((CLUSTER_PORT + 2))"
WITH_CLUSTER=${REDIS_CLUSTER:-1}
DIR=${AIGW_SERVICES_DIR:-/tmp/aigw-services}/redis
EXPORT="export AIGW_TEST_REDIS=127.0.0.1:$PORT"
CLUSTER_EXPORT="export AIGW_TEST_REDIS_CLUSTER=$(for p in $CLUSTER_PORTS; do printf '127.0.0.1:%s,' "$p"; done | sed 's/,$//')"

log() { echo "redis.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
cli() { redis-cli -h 127.0.0.1 -p "${2:-$PORT}" "$1"; }
running() { command -v redis-cli >/dev/null && [ "$(cli ping "${1:-$PORT}" 2>/dev/null)" = PONG ]; }
cluster_ok() { command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p "$CLUSTER_PORT" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; }

install() {
  command -v redis-server >/dev/null && return
  log "installing redis-server (apt)"
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only if the install fails with the current ones.
  local aptlog; aptlog=$(mktemp)
  apt-get install -y -qq redis-server >"$aptlog" 2>&1 ||
    { apt-get update -qq >>"$aptlog" 2>&1 && apt-get install -y -qq redis-server >>"$aptlog" 2>&1; } ||
    { cat "$aptlog" >&2; die "could not install redis-server"; }
  rm -f "$aptlog"
}

serve() { # port dir [extra args]
  local port=$1 dir=$2; shift 2
  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" \
    --save '' --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" "$@" >&2
  for _ in $(seq 60); do running "$port" && return; sleep 0.5; done
  tail -n 20 "$dir/redis.log" >&2 || true
  die "not ready on 127.0.0.1:$port after 30 s"
}

start() {
  install
  if running; then
    log "already running on 127.0.0.1:$PORT"
  else
    serve "$PORT" "$DIR"
    log "started on 127.0.0.1:$PORT (data in $DIR)"
  fi

  echo "$EXPORT"
  [ "$WITH_CLUSTER" = 0 ] && return

  if cluster_ok; then
    log "cluster already running on 127.0.0.1:$CLUSTER_PORT-$((CLUSTER_PORT + 2))"
  else
    for p in $CLUSTER_PORTS; do
      running "$p" || serve "$p" "$DIR/cluster-$p" --cluster-enabled yes --cluster-config-file "$DIR/cluster-$p/nodes.conf" --cluster-node-timeout 5000
    done
    # Three masters, no replicas: the slots split in three, so keys of one call only meet in a script if they share a slot.
    # A second try starts from reset nodes: a first one cut short leaves nodes that know each other and refuse to join.
    local attempt created=0
    for attempt in 1 2 3; do
      if redis-cli --cluster create $(for p in $CLUSTER_PORTS; do printf '127.0.0.1:%s ' "$p"; done) --cluster-replicas 0 --cluster-yes >"$DIR/cluster-create.log" 2>&1; then
        created=1; break
      fi
      log "cluster create failed (try $attempt): $(tail -n 3 "$DIR/cluster-create.log" | tr '\n' ' ')"
      for p in $CLUSTER_PORTS; do redis-cli -h 127.0.0.1 -p "$p" flushall >/dev/null 2>&1; redis-cli -h 127.0.0.1 -p "$p" cluster reset hard >/dev/null 2>&1; done
      sleep 1
    done
    [ "$created" = 1 ] || die "could not create the cluster on $CLUSTER_PORTS (log: $DIR/cluster-create.log)"
    for _ in $(seq 60); do cluster_ok && break; sleep 0.5; done
    cluster_ok || die "cluster not ok on $CLUSTER_PORTS after 30 s"
    log "cluster started on 127.0.0.1:$CLUSTER_PORT-$((CLUSTER_PORT + 2))"
  fi

  echo "$CLUSTER_EXPORT"
}

stop() {
  for p in $PORT $CLUSTER_PORTS; do
    if running "$p"; then redis-cli -h 127.0.0.1 -p "$p" shutdown nosave >/dev/null 2>&1 || true; fi
  done
  for p in $PORT $CLUSTER_PORTS; do
    for _ in $(seq 60); do running "$p" || break; sleep 0.5; done
    running "$p" && die "still running on 127.0.0.1:$p after 30 s"
  done
  rm -rf "$DIR"
  log "stopped"
}

status() {
  if running && [ "$WITH_CLUSTER" = 0 ]; then
    log "running on 127.0.0.1:$PORT"
    echo "$EXPORT"
  elif running && cluster_ok; then
    log "running on 127.0.0.1:$PORT, cluster on $CLUSTER_PORT-$((CLUSTER_PORT + 2))"
    echo "$EXPORT"
    echo "$CLUSTER_EXPORT"
  else
    log "not running"
    return 1
  fi
}

case ${1:-} in
  start|stop|status) "$1" ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
