// SPDX-License-Identifier: Apache-2.0
// The reference service's tests/test_invalid_json.py and tests/test_request_validation.py.
#include <dial_analytics/pipeline.hpp>

#include "expect.hpp"

using namespace test_support;

namespace {

struct injection {
  const char* name;
  json (*record)();
  const char* field;  // "request.body", "assembled_response" or "response.body"
  const char* api;
  std::string expected;
};

void inject(json& r, const std::string& field, const std::string& value) {
  if (field == "request.body")
    r["request"]["body"] = value;
  else if (field == "response.body")
    r["response"]["body"] = value;
  else
    r["assembled_response"] = value;
}

}  // namespace

TEST_CASE("invalid JSON bodies are logged once and the point is still written",
          "[conformance][invalid_json]") {
  const std::string no_body_chat =
      with(p_chat, {{"model=default-model", "model=default-deployment"},
                    {"number_request_messages=1i", "number_request_messages=0i"}});
  const std::string no_body_resp =
      with(p_resp, {{"model=default-model", "model=default-deployment"},
                    {"number_request_messages=1i", "number_request_messages=0i"}});
  const std::string no_body_anth =
      with(p_anth, {{"model=default-model", "model=default-deployment"},
                    {"number_request_messages=1i", "number_request_messages=0i"}});
  const std::vector<injection> injections = {
      {"chat request", chat_record, "request.body", "Chat Completions", no_body_chat},
      {"chat response", chat_record, "assembled_response", "Chat Completions",
       with(p_chat, {{"response_id=default-response-id", "response_id=pseudo-uuid-1"}})},
      {"responses request", responses_record, "request.body", "Responses", no_body_resp},
      {"responses response", responses_record, "assembled_response", "Responses",
       with(p_resp, {{"response_id=\"default-response-id\"", "response_id=\"pseudo-uuid-1\""}})},
      {"anthropic request", anthropic_record, "request.body", "Anthropic Messages", no_body_anth},
      {"anthropic response", anthropic_record, "assembled_response", "Anthropic Messages",
       with(p_anth, {{"response_id=\"default-response-id\"", "response_id=\"pseudo-uuid-1\""}})},
      {"embeddings request", embeddings_record, "request.body", "Embeddings",
       with(p_emb, {{"number_request_messages=1i", "number_request_messages=0i"}})},
      {"embeddings response", embeddings_record, "response.body", "Embeddings", p_emb},
      {"mcp request", mcp_record, "request.body", "MCP",
       with(p_mcp,
            {{"mcp_method=tools/call", "mcp_method=undefined"},
             {"mcp_tool_call_name=\"get_current_time\"", "mcp_tool_call_name=\"undefined\""}})},
  };
  for (const std::string bad : {"", " ", "not a JSON", "{", "{\"model\": }", "[1, 2"}) {
    for (const injection& c : injections) {
      DYNAMIC_SECTION(c.name << " with '" << bad << "'") {
        json r = c.record();
        inject(r, c.field, bad);
        const auto result = expect_points({r}, {c.expected});
        CHECK(result.reply == R"([{"status":"success"}])");
        const std::string error =
            std::string("ERROR [1/1] [trace_id=default_trace_id span_id=default_core_span_id] ") +
            c.field + " in the " + c.api + " API log message isn't valid JSON";
        CHECK(std::count(result.logs.begin(), result.logs.end(), error) == 1);
        CHECK(std::count_if(result.logs.begin(), result.logs.end(),
                            [](const std::string& l) { return l.rfind("ERROR", 0) == 0; }) == 1);
      }
    }
  }
}

TEST_CASE("a batch mixing bad events gets one error status per event",
          "[conformance][request_validation]") {
  const auto r =
      run_body(R"(["invalid message", {"message":"invalid message JSON"}, {"message":"[\"\n"}])");
  REQUIRE(r.statuses.size() == 3);
  CHECK(r.statuses[0].reason == "invalid request message");
  CHECK(r.statuses[0].error.find("1 validation error for Message") != std::string::npos);
  CHECK(r.statuses[0].error.find("Input should be a valid dictionary or instance of Message") !=
        std::string::npos);
  CHECK(r.reply.substr(r.reply.find("},{") + 2) ==
        "{\"status\":\"error\",\"error\":\"Expecting value: line 1 column 1 (char 0)\","
        "\"reason\":\"invalid JSON in request message\"},{\"status\":\"error\",\"error\":"
        "\"Unterminated string starting at: line 1 column 2 (char 1)\",\"reason\":\"invalid JSON "
        "in request message\"}]");
  CHECK(r.lines.empty());
}

TEST_CASE("a body that is not a JSON array cannot be read", "[conformance][request_validation]") {
  dial_analytics::line_buffer_sink sink;
  dial_analytics::pipeline_options options;
  options.format = dial_analytics::input_format::json_array;
  dial_analytics::pipeline p(sink, options);
  auto result = p.ingest("invalid json");
  CHECK(result.ec == dial_analytics::errc::body_not_json);
  CHECK(result.json_error == "Expecting value: line 1 column 1 (char 0)");
  CHECK(result.message == "JSON decode error: Expecting value: line 1 column 1 (char 0)");
  result = p.ingest(R"({"foo":"bar"})");
  CHECK(result.ec == dial_analytics::errc::body_not_a_list);
  CHECK(result.message == "Input should be a valid list");
  result = p.ingest("[]");
  CHECK_FALSE(result.ec);
  CHECK(result.stats.events == 0);
}

TEST_CASE("one bad event never affects its neighbours", "[conformance][request_validation]") {
  json bad = chat_record();
  bad.erase("user");
  const auto r = run({chat_record(), bad, rate_record()});
  CHECK(r.lines == std::vector<std::string>{p_chat, p_rate});
  CHECK(r.reply ==
        R"([{"status":"success"},{"status":"error","error":"'user'"},{"status":"success"}])");
}
