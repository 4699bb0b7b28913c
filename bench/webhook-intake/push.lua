-- wrk script: signed GitHub push deliveries, each with a unique X-GitHub-Delivery (dedupe is by that id).
-- BODIES names a file of lines "<body file> <signature>": the bodies are fixed, so run.sh computes their HMACs
-- once. Requests cycle through the bodies (one line: every push names the same branch; many: many repositories).
local bodies, signatures = {}, {}
for line in assert(io.open(os.getenv("BODIES"), "r")):lines() do
  local path, signature = line:match("^(%S+) (%S+)$")
  bodies[#bodies + 1] = assert(io.open(path, "rb")):read("*a")
  signatures[#signatures + 1] = signature
end
local run = os.getenv("RUN_ID") or "run"
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("prefix", run .. "-t" .. threads)
  thread:set("offset", threads * 7)
end

local n = 0
function request()
  n = n + 1
  local i = (n + offset) % #bodies + 1
  return wrk.format("POST", "/webhooks/github", {
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = "push",
    ["X-GitHub-Delivery"] = prefix .. "-" .. n,
    ["X-Hub-Signature-256"] = signatures[i],
  }, bodies[i])
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, non2xx,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
