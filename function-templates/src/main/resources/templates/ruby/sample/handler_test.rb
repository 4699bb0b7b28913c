require "minitest/autorun"
require_relative "handler"

class HandlerTest < Minitest::Test
  def test_greets_the_name_in_the_body
    ENV["Http_Method"] = "POST"
    assert_equal "Hello, Driftless! (from Ruby, POST)", Handler.new.run("Driftless")
  end

  def test_greets_the_world_without_a_body
    ENV["Http_Method"] = "GET"
    assert_equal "Hello, world! (from Ruby, GET)", Handler.new.run("")
  end
end
