# HTTP entrypoint of ruby function images (OpenFaaS's classic ruby template behind the classic watchdog).
# Every request forks a child (as the classic watchdog forks the function): the child gets the classic
# watchdog's Http_* variables, calls Handler.new.run(body) and the result, as a string, is the response
# body. WEBrick serves on $PORT with a thread per connection; health at /_/health.
require "webrick"

FUNCTION_DIR = ENV.fetch("DRIFTLESS_FUNCTION_DIR", "/home/app/function")
MAX_BODY = Integer(ENV.fetch("MAX_BODY_BYTES", (64 * 1024 * 1024).to_s))
CONTENT_TYPE = ENV.fetch("content_type", "")

Dir.chdir(FUNCTION_DIR)
if File.exist?(File.join(FUNCTION_DIR, "Gemfile"))
  ENV["BUNDLE_GEMFILE"] ||= File.join(FUNCTION_DIR, "Gemfile")
  require "bundler/setup"
end
$LOAD_PATH.unshift(FUNCTION_DIR)
require File.join(FUNCTION_DIR, "handler")

def request_environment(req)
  env = {}
  req.each do |name, value|
    canonical = name.split("-").map(&:capitalize).join("_")
    env["Http_" + canonical] = value.to_s
  end
  env["Http_Method"] = req.request_method
  env["Http_Content_Length"] = (req.content_length || 0).to_s
  env["Http_ContentLength"] = env["Http_Content_Length"]
  env["Http_Query"] = req.query_string if req.query_string && !req.query_string.empty?
  env["Http_Path"] = req.path
  env
end

# Runs the handler in a forked child; returns [ok, output].
def run_handler(body, env)
  reader, writer = IO.pipe
  pid = fork do
    reader.close
    ENV.keys.grep(/\AHttp_/).each { |k| ENV.delete(k) }
    env.each { |k, v| ENV[k] = v }
    begin
      result = Handler.new.run(body)
      writer.write(result.to_s)
      writer.close
      exit!(0)
    rescue Exception => e
      $stderr.puts("#{e.class}: #{e.message}")
      $stderr.puts(e.backtrace.first(10).join("\n")) if e.backtrace
      writer.write("#{e.class}: #{e.message}")
      writer.close
      exit!(1)
    end
  end
  writer.close
  output = reader.read
  reader.close
  _, status = Process.wait2(pid)
  [status.success?, output]
end

server = WEBrick::HTTPServer.new(
  BindAddress: ENV.fetch("HOST", "0.0.0.0"), Port: Integer(ENV.fetch("PORT", "8080")),
  Logger: WEBrick::Log.new($stderr, WEBrick::Log::WARN), AccessLog: [], MaxClients: 256
)
server.mount_proc("/") do |req, res|
  if req.path == "/_/health"
    res.status = 200
    res["Content-Type"] = "text/plain; charset=utf-8"
    res.body = "OK"
    next
  end
  if (req.content_length || 0) > MAX_BODY
    res.status = 413
    res["Content-Type"] = "text/plain; charset=utf-8"
    res.body = "request body larger than #{MAX_BODY} bytes"
    next
  end
  body = req.body || ""
  ok, output = run_handler(body, request_environment(req))
  if ok
    res.status = 200
    type = CONTENT_TYPE.empty? ? req["Content-Type"] : CONTENT_TYPE
    res["Content-Type"] = type if type && !type.empty?
    res.body = output
  else
    res.status = 500
    res["Content-Type"] = "text/plain; charset=utf-8"
    res.body = "handler error: #{output}"
  end
end
%w[TERM INT].each { |sig| trap(sig) { server.shutdown } }
$stdout.puts("ruby function listening on port #{server.config[:Port]}")
$stdout.flush
server.start
