-- wrk script: each request books the next slot id of this thread's own range, so no
-- two requests ask for the same slot. FIRST and STRIDE come from the environment.
local first = tonumber(os.getenv("FIRST") or "1")
local stride = tonumber(os.getenv("STRIDE") or "100000")
local threads = {}
local counter = 0

function setup(thread)
  thread:set("base", first + #threads * stride)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Sec-Fetch-Site"] = "same-origin"
  wrk.headers["Cookie"] = os.getenv("COOKIE") or ""
end

function request()
  local id = base + counter
  counter = counter + 1
  return wrk.format(nil, nil, nil, "slot=" .. id)
end

done = function(summary, latency, requests)
  io.write(string.format("p50_ms=%.2f p99_ms=%.2f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
