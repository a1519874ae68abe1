#!/usr/bin/env bash
# Runs each request the dashboards and the costs export make against a gateway on a database that has auto_explain
# turned on (see README.md beside this file), and prints the plan of every SQL statement each request ran, with its
# actual timings and buffers, as Postgres logged it.
# Usage: explain.sh <gateway base url> <admin key> <postgres log file>
set -euo pipefail
base=${1:?gateway base url}; key=${2:?admin key}; log=${3:?postgres log file}
day() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
from24h=$(day '-24 hours'); from30d=$(day '-30 days')
requests=(
  "/api/metrics/ai-performance?from=$from24h"
  "/api/metrics/ai-performance?from=$from24h&org=org-3"
  "/api/metrics/ai-performance?from=$from24h&route=summarize"
  "/api/metrics/ai-performance?from=$from30d"
  "/api/metrics/ai-performance?from=$from30d&org=org-3"
  "/api/metrics/ai-performance?from=$from30d&route=summarize"
  "/api/metrics/ai-performance?from=$from30d&model=gpt-4o"
  "/api/metrics/ai-performance"
  "/api/metrics/ai-performance/timeseries?from=$from24h&bucket=hour"
  "/api/metrics/ai-performance/timeseries?from=$from24h&org=org-3&bucket=hour"
  "/api/metrics/ai-performance/timeseries?from=$from30d&bucket=day"
  "/api/costs.csv?from=$(date -u -d '-60 days' +%F)"
  "/api/costs.csv?org=org-3&group=month"
)
for request in "${requests[@]}"; do
  start=$(wc -c <"$log")
  total=$(curl -sS -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $key" "$base$request")
  sleep 0.5 # the server writes its log asynchronously
  echo "=== GET $request -> $total s"
  tail -c +"$((start + 1))" "$log" | grep -v -E '^\s*$' || true
done
