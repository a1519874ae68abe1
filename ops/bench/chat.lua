-- wrk: POST /v1/chat/completions (non-streamed) with a JSON body.
-- Every request's body is unique (a nonce for the run, the wrk thread and a counter inside the user message), so a
-- cache or dedupe step never hits; BENCH_UNIQUE=0 sends one fixed body instead (for cache-hit targets).
-- BENCH_PAD_BYTES (default 600) sizes the system prompt; BENCH_STREAM=1 asks for "stream":true;
-- BENCH_KEY is the bearer key (default sk-bench-0000; run.sh --limits: the limited org's); BENCH_HEADERS adds request headers ("Name: value|Name: value"). BENCH_BODY_FILE sends that file's bytes as the one
-- fixed body (run.sh's cache-hit targets: the same body it checks with curl for x-aigw-cache: hit).
local body_file = os.getenv("BENCH_BODY_FILE")
local unique = os.getenv("BENCH_UNIQUE") ~= "0" and not body_file
local nonce = os.getenv("BENCH_NONCE") or tostring(os.time())
local pad = tonumber(os.getenv("BENCH_PAD_BYTES") or "600")
local stream = os.getenv("BENCH_STREAM") == "1"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  local system = string.rep("You are a careful assistant. ", math.ceil(pad / 29))
  local who = unique and (nonce .. " t" .. tostring(tid)) or "fixed"
  prefix = '{"model":"gpt-4o-mini",' .. (stream and '"stream":true,' or '') ..
    '"temperature":0.2,"messages":[{"role":"system","content":"' .. system ..
    '"},{"role":"user","content":"bench ' .. who .. ' n'
  suffix = ': summarise the trade-offs of a reverse proxy in one line."}]}'
  counter = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_KEY") or "sk-bench-0000")
  for name, value in string.gmatch(os.getenv("BENCH_HEADERS") or "", "([^:|]+):%s*([^|]*)") do
    wrk.headers[name] = value
  end
  if body_file then
    local f = assert(io.open(body_file, "rb"))
    fixed = wrk.format(nil, nil, nil, f:read("*a"))
    f:close()
  elseif not unique then
    fixed = wrk.format(nil, nil, nil, prefix .. "0" .. suffix)
  end
end

function request()
  if fixed then
    return fixed
  end
  counter = counter + 1
  return wrk.format(nil, nil, nil, prefix .. counter .. suffix)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d rps=%.1f p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
