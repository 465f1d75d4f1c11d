// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <string>

#include <dial_analytics/error.hpp>
#include <dial_analytics/flywheel/loader.hpp>

using dial_analytics::flywheel::loader;
using dial_analytics::flywheel::loader_format;
using dial_analytics::flywheel::loader_options;

namespace {

std::string convert(loader& l, std::string_view line) {
  std::string out, message;
  const std::error_code ec = l.convert(line, out, message);
  INFO(message);
  REQUIRE_FALSE(ec);
  return out;
}

}  // namespace

TEST_CASE("log-format files keep their documents, with workload and client ids overridden",
          "[flywheel][loader]") {
  loader plain({});
  const std::string doc =
      R"({"request":{"model":"m","temperature":1.0},"response":{},"timestamp":5,"workload_id":"w","client_id":"c"})";
  CHECK(convert(plain, doc) == doc);
  CHECK(plain.format() == loader_format::log);

  loader overriding({.workload_id = "W", .client_id = "C", .now = 0});
  CHECK(
      convert(overriding, doc) ==
      R"({"request":{"model":"m","temperature":1.0},"response":{},"timestamp":5,"workload_id":"W","client_id":"C"})");
  // A later line without a client_id gets it added.
  CHECK(convert(overriding, R"({"request":{},"workload_id":"x"})") ==
        R"({"request":{},"workload_id":"W","client_id":"C"})");
}

TEST_CASE("conversations become request/response documents as the blueprint's loader makes them",
          "[flywheel][loader]") {
  loader l({.workload_id = "aiva", .client_id = "", .now = 1700000000});
  const std::string out = convert(
      l,
      R"({"messages": [{"role": "user", "content": "How do I  reset it?"}, {"role": "assistant", "content": "Press the button"}, {"role": "user", "content": "ok"}, {"role": "assistant", "content": "Done."}], "tools": [{"type": "function"}]})");
  CHECK(l.format() == loader_format::conversation);
  CHECK(
      out ==
      R"({"request":{"model":"not-a-model","messages":[{"role":"user","content":"How do I  reset it?"},)"
      R"({"role":"assistant","content":"Press the button"},{"role":"user","content":"ok"}],)"
      R"("temperature":0.7,"max_tokens":1000,"tools":[{"type":"function"}]},)"
      R"("response":{"id":"chatcmpl-1700000000","object":"chat.completion","created":1700000000,)"
      R"("model":"not-a-model","choices":[{"index":0,"message":{"role":"assistant","content":"Done."},)"
      R"("finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}},)"
      R"("timestamp":1700000000,"workload_id":"aiva"})");
}

TEST_CASE("the loader explains lines it cannot convert", "[flywheel][loader]") {
  loader l({.workload_id = "w", .client_id = "", .now = 0});
  std::string out, message;
  CHECK(l.convert("{not json", out, message) == dial_analytics::errc::malformed_json);
  CHECK_FALSE(message.empty());
  CHECK(l.convert(R"({"messages": [{"role": "user", "content": "only one"}]})", out, message) ==
        dial_analytics::errc::record_rejected);
  CHECK(message.find("at least two") != std::string::npos);
  CHECK(out.empty());
}
