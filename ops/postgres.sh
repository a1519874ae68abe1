#!/usr/bin/env bash
# Throwaway PostgreSQL for tests, on 127.0.0.1 only, tuned for speed (no durability).
# Usage: ops/postgres.sh start|stop|status   (env: PG_PORT=5440, AIGW_SERVICES_DIR=/tmp/aigw-services,
#        PG_SHARED_PRELOAD=pg_stat_statements to load extensions at a fresh init, as ops/bench/calls.sh does)
# Creates database `aigateway` owned by user `aigw` (password `aigw`).
# `start` prints an `export AIGW_TEST_POSTGRES=...` line on stdout; everything else goes to stderr.
set -euo pipefail

PORT=${PG_PORT:-5440}
DIR=${AIGW_SERVICES_DIR:-/tmp/aigw-services}/postgres
DATA=$DIR/data
EXPORT="export AIGW_TEST_POSTGRES='Host=127.0.0.1;Port=$PORT;Username=aigw;Password=aigw;Database=aigateway'"

log() { echo "postgres.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
# initdb/postgres refuse to run as root: run them as the `postgres` OS user (from /, which it can read).
as_pg() { (cd / && runuser -u postgres -- "$@"); }
running() { [ -n "$(pgbin)" ] && "$(pgbin)/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres; }
sql() { "$(pgbin)/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

install() {
  if [ -z "$(pgbin)" ] || [ ! -x "$(pgbin)/initdb" ]; then
    log "installing postgresql (apt)"
    export DEBIAN_FRONTEND=noninteractive
    # Refresh the package lists only if the install fails with the current ones.
    local aptlog; aptlog=$(mktemp)
    apt-get install -y -qq postgresql >"$aptlog" 2>&1 ||
      { apt-get update -qq >>"$aptlog" 2>&1 && apt-get install -y -qq postgresql >>"$aptlog" 2>&1; } ||
      { cat "$aptlog" >&2; die "could not install postgresql"; }
    rm -f "$aptlog"
  fi
  id postgres >/dev/null 2>&1 || useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
}

init() {
  rm -rf "$DIR"
  mkdir -p "$DATA"
  chown -R postgres: "$DIR"
  chmod 700 "$DATA"
  as_pg "$(pgbin)/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$DIR/initdb.log" 2>&1 ||
    { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = ''
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  if [ -n "${PG_SHARED_PRELOAD:-}" ]; then
    echo "shared_preload_libraries = '$PG_SHARED_PRELOAD'" >>"$DATA/postgresql.conf"
  fi
  # Trust, but from loopback only.
  printf 'host all all 127.0.0.1/32 trust\n' >"$DATA/pg_hba.conf"
}

start() {
  if running; then
    log "already running on 127.0.0.1:$PORT"
  else
    install
    [ -f "$DATA/PG_VERSION" ] || init
    as_pg "$(pgbin)/pg_ctl" -D "$DATA" -l "$DIR/postgres.log" -w -t 30 start >&2 ||
      { tail -n 20 "$DIR/postgres.log" >&2 || true; die "pg_ctl start failed"; }
    for _ in $(seq 60); do running && break; sleep 0.5; done
    running || die "not ready on 127.0.0.1:$PORT after 30 s"
    sql <<'SQL'
SELECT 'CREATE ROLE aigw LOGIN CREATEDB PASSWORD ''aigw''' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'aigw')\gexec
SELECT 'CREATE DATABASE aigateway OWNER aigw' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'aigateway')\gexec
SQL
    log "started on 127.0.0.1:$PORT (data in $DATA)"
  fi
  echo "$EXPORT"
}

stop() {
  if [ -f "$DATA/postmaster.pid" ]; then
    as_pg "$(pgbin)/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >&2 || true
  fi
  running && die "a server still answers on 127.0.0.1:$PORT (not ours? data dir: $DATA)"
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
