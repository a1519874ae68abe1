-- wrk: GET the URL's path (a passthrough endpoint such as /v1/models) with a bearer key.
function init(args)
  wrk.headers["Authorization"] = "Bearer sk-bench-0000"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d rps=%.1f p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
