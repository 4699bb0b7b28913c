# OpenFaaS classic ruby template: Handler#run gets the request body and returns the response body.
class Handler
  def run(req)
    name = req.to_s.strip
    name = "world" if name.empty?
    "Hello, #{name}! (from Ruby, #{ENV.fetch('Http_Method', 'no method')})"
  end
end
