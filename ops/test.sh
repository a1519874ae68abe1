#!/usr/bin/env bash
# Runs the whole test suite against real Redis and Postgres (installed and started on loopback if needed).
set -euo pipefail
cd "$(dirname "$0")/.."

# Leave services that were already running (a developer's) as they were.
if ops/services.sh status >/dev/null 2>&1; then own_services=0; else own_services=1; fi
# A service that did not start fails the run here, with its reason last, not as a hundred failed tests later.
svclog=$(mktemp)
if ! exports=$(ops/services.sh start 2>"$svclog"); then
  cat "$svclog" >&2
  echo "ops/test.sh: the test services did not start (their output is above)" >&2
  exit 1
fi
cat "$svclog" >&2; rm -f "$svclog"
eval "$exports"
if [ "$own_services" = 1 ]; then trap 'ops/services.sh stop >/dev/null 2>&1 || true' EXIT; fi
# The dashboards' browser test drives Debian's Chromium through Playwright (no browser download).
if ! command -v chromium >/dev/null 2>&1; then
  (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq chromium) >/dev/null
fi

# The stream client's Node tests (tests/js, run by the C# suite) need Node.js 18+ and their locked npm packages.
if ! command -v node >/dev/null 2>&1; then
  (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq nodejs npm) >/dev/null
fi
npm ci --prefix tests/js --no-audit --no-fund --loglevel=error

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build AiGateway.sln -c Release -nologo -v quiet
# The shipped configuration must pass the checks the gateway runs at start-up.
dotnet run --project gateway -c Release --no-build -- validate --config appsettings.json
log=$(mktemp)
set +e
dotnet test AiGateway.sln -c Release --no-build --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain closing line that any CI reader understands.
failed=$( (grep -oE 'Failed: +[0-9]+' "$log" || true) | awk '{s+=$2} END {print s+0}')
passed=$( (grep -oE 'Passed: +[0-9]+' "$log" || true) | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "$passed passed, $failed failed"
if [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
