#!/usr/bin/env bash
# Test services (Redis + PostgreSQL) on loopback; see redis.sh and postgres.sh.
# Usage: eval "$(ops/services.sh start)"; ops/services.sh status; ops/services.sh stop
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

case ${1:-} in
  # Both are tried even when one fails, so that its error is not the only line a CI log shows.
  start) rc=0; "$here/redis.sh" start || rc=1; "$here/postgres.sh" start || rc=1; exit $rc ;;
  stop|status)
    rc=0
    "$here/redis.sh" "$1" || rc=1
    "$here/postgres.sh" "$1" || rc=1
    if [ "$1" = stop ]; then rmdir "${AIGW_SERVICES_DIR:-/tmp/aigw-services}" 2>/dev/null || true; fi
    exit $rc ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
