-- wrk script: signed GitHub push deliveries, each with a unique X-GitHub-Delivery (dedupe is by that id).
-- The body is fixed, so its HMAC is computed once by run.sh and passed in SIGNATURE.
local body = assert(io.open(os.getenv("BODY_FILE"), "rb")):read("*a")
local signature = os.getenv("SIGNATURE")
local run = os.getenv("RUN_ID") or "run"
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("prefix", run .. "-t" .. threads)
end

local n = 0
function request()
  n = n + 1
  return wrk.format("POST", "/webhooks/github", {
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = "push",
    ["X-GitHub-Delivery"] = prefix .. "-" .. n,
    ["X-Hub-Signature-256"] = signature,
  }, body)
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, non2xx,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
