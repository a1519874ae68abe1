#!/usr/bin/env bash
# Cost log benchmark (issue 6): sustained rows/s of PerfLogWriter into Postgres against plain COPY and the store alone,
# and finance/metrics query times over 10 million generated log rows. Uses a fresh database on the test Postgres
# (ops/services.sh) and drops it at the end; the whole run is bounded (default 330 s).
#
#   ops/bench/costlog/run.sh                   default run (~3-5 minutes on this two-core box)
#   ops/bench/costlog/run.sh --rows 200000 --log-rows 1000000   a quick look
#   ops/bench/costlog/run.sh --help            every option of the bench itself
#
# Output: the markdown report on stdout and in ops/bench/results/costlog-latest.md (plus a time-stamped copy);
# progress on stderr. Environment: AIGW_TEST_POSTGRES (else `ops/services.sh status`, else 127.0.0.1:5440 aigw),
# COSTLOG_BENCH_TIMEOUT (seconds, default 330).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
TIMEOUT=${COSTLOG_BENCH_TIMEOUT:-330}

for arg in "$@"; do
  if [ "$arg" = "--help" ] || [ "$arg" = "-h" ]; then
    sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
    echo
    set -- --help
    break
  fi
done

if [ -z "${AIGW_TEST_POSTGRES:-}" ]; then
  eval "$("$REPO/ops/services.sh" status 2>/dev/null | grep AIGW_TEST_POSTGRES || true)"
fi
export AIGW_TEST_POSTGRES=${AIGW_TEST_POSTGRES:-"Host=127.0.0.1;Port=5440;Username=aigw;Password=aigw;Database=aigateway"}

# Build into a private folder, so that a concurrent build of the gateway cannot swap a DLL under the running bench.
work=$(mktemp -d /tmp/aigw-costbench-XXXXXX)
database="aigw_costbench_$(date +%s)_$$"
cleanup() {
  # The bench drops its database itself; this covers a run killed by the timeout.
  local pgbin; pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$pgbin" ]; then
    local host port user password
    host=$(sed -n 's/.*Host=\([^;]*\).*/\1/p' <<<"$AIGW_TEST_POSTGRES"); port=$(sed -n 's/.*Port=\([^;]*\).*/\1/p' <<<"$AIGW_TEST_POSTGRES")
    user=$(sed -n 's/.*Username=\([^;]*\).*/\1/p' <<<"$AIGW_TEST_POSTGRES"); password=$(sed -n 's/.*Password=\([^;]*\).*/\1/p' <<<"$AIGW_TEST_POSTGRES")
    # Plain DROP first (it stops autovacuum workers; FORCE cannot, for a non-superuser), FORCE for a leftover session.
    for _ in 1 2 3 4 5; do
      PGPASSWORD=$password "$pgbin/psql" -h "${host:-127.0.0.1}" -p "${port:-5432}" -U "${user:-aigw}" -d postgres -qAtc \
        "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 && break
      PGPASSWORD=$password "$pgbin/psql" -h "${host:-127.0.0.1}" -p "${port:-5432}" -U "${user:-aigw}" -d postgres -qAtc \
        "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 && break
      sleep 1
    done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ "${1:-}" != "--help" ]; then
  echo "costlog bench: building (Release) into $work" >&2
fi
dotnet build "$HERE/CostLogBench.csproj" -c Release -nologo -v quiet -o "$work/bin" >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; exit 1; }

if [ "${1:-}" = "--help" ]; then
  dotnet "$work/bin/CostLogBench.dll" --help 2>&1 || true
  exit 0
fi

mkdir -p "$REPO/ops/bench/results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$REPO/ops/bench/results/costlog-$stamp.md"
# SIGINT first (the bench drops its database on the way out), SIGKILL 20 s later.
timeout -s INT -k 20 "$TIMEOUT" dotnet "$work/bin/CostLogBench.dll" --database "$database" "$@" | tee "$out"
cp "$out" "$REPO/ops/bench/results/costlog-latest.md"
echo "costlog bench: report in $out" >&2
