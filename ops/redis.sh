#!/usr/bin/env bash
# Throwaway Redis for tests, on 127.0.0.1 only, no persistence.
# Usage: ops/redis.sh start|stop|status   (env: REDIS_PORT=6390, AIGW_SERVICES_DIR=/tmp/aigw-services)
# `start` prints an `export AIGW_TEST_REDIS=...` line on stdout; everything else goes to stderr.
set -euo pipefail

PORT=${REDIS_PORT:-6390}
DIR=${AIGW_SERVICES_DIR:-/tmp/aigw-services}/redis
EXPORT="export AIGW_TEST_REDIS=127.0.0.1:$PORT"

log() { echo "redis.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
cli() { redis-cli -h 127.0.0.1 -p "$PORT" "$@"; }
running() { command -v redis-cli >/dev/null && [ "$(cli ping 2>/dev/null)" = PONG ]; }

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

start() {
  if running; then
    log "already running on 127.0.0.1:$PORT"
  else
    install
    mkdir -p "$DIR"
    redis-server --bind 127.0.0.1 --port "$PORT" --dir "$DIR" \
      --save '' --appendonly no --daemonize yes \
      --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" >&2
    for _ in $(seq 60); do running && break; sleep 0.5; done
    running || { tail -n 20 "$DIR/redis.log" >&2 || true; die "not ready on 127.0.0.1:$PORT after 30 s"; }
    log "started on 127.0.0.1:$PORT (data in $DIR)"
  fi
  echo "$EXPORT"
}

stop() {
  if running; then cli shutdown nosave >/dev/null 2>&1 || true; fi
  for _ in $(seq 60); do running || break; sleep 0.5; done
  running && die "still running on 127.0.0.1:$PORT after 30 s"
  rm -rf "$DIR"
  log "stopped"
}

status() {
  if running; then log "running on 127.0.0.1:$PORT"; echo "$EXPORT"; else log "not running"; return 1; fi
}

case ${1:-} in
  start|stop|status) "$1" ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
