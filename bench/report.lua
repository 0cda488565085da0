-- wrk script for bench/feed_latency.py: prints one machine-readable "BENCH ..." line.
-- wrk's own --latency output stops at 50/75/90/99; we want p95, and an exact count of
-- non-2xx answers (wrk's errors.status only counts status >= 400, so a 3xx would pass).

local threads = {}

-- Runs in the main Lua state once per thread: keep a handle so done() can read its counter.
function setup(thread)
  table.insert(threads, thread)
end

-- Runs inside each thread's own Lua state.
function init(args)
  non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
  end
  local errors = summary.errors
  local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
  -- latency values and summary.duration are in microseconds.
  io.write(string.format(
    "BENCH p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f rps=%.2f requests=%d non2xx=%d errors=%d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6),
    summary.requests, bad, socket_errors
  ))
end
