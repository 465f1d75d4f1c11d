// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include <dial_analytics/flywheel/mapping.hpp>
#include <dial_analytics/input/log_parser.hpp>

#include "support/json.hpp"
#include "support/records.hpp"

using dial_analytics::log_parser;
using dial_analytics::log_record;
using dial_analytics::flywheel::chat_call;
using dial_analytics::flywheel::mapped_document;
using dial_analytics::flywheel::mapper;
using dial_analytics::flywheel::mapping_options;
using dial_analytics::flywheel::pii_type;
using dial_analytics::flywheel::skip_reason;
using dial_analytics::flywheel::workload_source;
using test_support::json;

namespace {

struct mapped {
  std::optional<skip_reason> skip;
  mapped_document doc;
};

mapped map_record(const json& record, mapping_options options = {}) {
  log_parser parser;
  log_record rec;
  const std::string text = record.dump();
  REQUIRE_FALSE(parser.parse(text, rec));
  mapper m(std::move(options));
  mapped out;
  out.skip = m.map(rec, out.doc);
  return out;
}

json chat_with_request(const json& body, const json& answer) {
  json r = test_support::chat_record();
  r["request"]["body"] = body.dump();
  r["assembled_response"] = answer.dump();
  return r;
}

json user_turn(const std::string& text) {
  json body = test_support::chat_request_body();
  body["messages"] = json::arr({json::obj({{"role", "user"}, {"content", text}})});
  return body;
}

const std::string default_request =
    R"({"model":"default-model","messages":[{"role":"user","content":"default-user-message"}]})";
const std::string default_response =
    R"({"id":"default-response-id","object":"chat.completion.chunk","created":1692214960,)"
    R"("model":"whatever-model-id","choices":[{"index":0,"message":{"role":"assistant",)"
    R"("content":"default-assistant-message"},"finish_reason":"stop"}],"usage":{)"
    R"("completion_tokens":189,"prompt_tokens":22,"total_tokens":211,"prompt_tokens_details":)"
    R"({"cached_tokens":10,"cache_write_tokens":5},"completion_tokens_details":)"
    R"({"reasoning_tokens":100}}})";

}  // namespace

TEST_CASE(
    "a successful chat completion becomes the blueprint's document, delta renamed to "
    "message",
    "[flywheel][mapping]") {
  const mapped m = map_record(test_support::chat_record());
  REQUIRE_FALSE(m.skip);
  CHECK(m.doc.document == R"({"request":)" + default_request + R"(,"response":)" +
                              default_response +
                              R"(,"timestamp":978310861,"client_id":"default-project-id",)"
                              R"("workload_id":"default-parent-deployment/default-deployment"})");
  CHECK(m.doc.id == "default_trace_id-default_core_span_id");
  CHECK(m.doc.redactions.total() == 0);
}

TEST_CASE("the user id, title, chat id, claims and headers never reach the document",
          "[flywheel][mapping]") {
  json r = test_support::chat_record();
  r["claims"] = json::obj({{"user_id", "claimed-user"}, {"roles", json::arr({"admin"})}});
  r["headers"] = json::obj({{"x-secret-header", "header-value"}});
  json body = test_support::chat_request_body();
  body["user"] = "end-user-42";
  body["safety_identifier"] = "hashed-user-43";
  body["prediction"] = json::obj({{"type", "content"}, {"content", "reply to eve@example.com"}});
  r["request"]["body"] = body.dump();
  const mapped m = map_record(r);
  REQUIRE_FALSE(m.skip);
  for (const char* s : {"default-user-id", "default-user-title", "default-chat-id", "claimed-user",
                        "header-value", "end-user-42", "hashed-user-43", "eve@example.com"}) {
    INFO(s);
    CHECK(m.doc.document.find(s) == std::string::npos);
  }
}

TEST_CASE(
    "records that are not successful, parsable chat completions are skipped with their "
    "reason",
    "[flywheel][mapping]") {
  CHECK(map_record(test_support::embeddings_record()).skip == skip_reason::not_chat_completion);
  CHECK(map_record(test_support::rate_record()).skip == skip_reason::not_chat_completion);

  json failed = test_support::chat_record();
  failed["response"]["status"] = "500";
  CHECK(map_record(failed).skip == skip_reason::not_successful);

  json secured = test_support::chat_record();
  secured["request"].erase("body");
  CHECK(map_record(secured).skip == skip_reason::no_request_body);

  json no_answer = test_support::chat_record();
  no_answer["assembled_response"] = nullptr;
  CHECK(map_record(no_answer).skip == skip_reason::no_response);

  json truncated = test_support::chat_record();
  truncated["request"]["body"] =
      R"({"model": "m", "messages": [{"role": "user", "content": "aaa>>)";
  CHECK(map_record(truncated).skip == skip_reason::truncated_body);

  json not_json = test_support::chat_record();
  not_json["request"]["body"] = "{not json";
  CHECK(map_record(not_json).skip == skip_reason::request_not_json);

  json bad_answer = test_support::chat_record();
  bad_answer["assembled_response"] = "[1, 2]";
  CHECK(map_record(bad_answer).skip == skip_reason::response_not_json);

  json no_choices = test_support::chat_record();
  json answer = test_support::chat_assembled_response();
  answer["choices"] = json::arr();
  no_choices["assembled_response"] = answer.dump();
  CHECK(map_record(no_choices).skip == skip_reason::no_choices);

  json no_messages = test_support::chat_record();
  no_messages["request"]["body"] = R"({"model": "m"})";
  CHECK(map_record(no_messages).skip == skip_reason::no_messages);

  json bad_time = test_support::chat_record();
  bad_time["request"]["time"] = "yesterday";
  CHECK(map_record(bad_time).skip == skip_reason::bad_timestamp);
}

TEST_CASE("client_id is the project, else the configured default", "[flywheel][mapping]") {
  json r = test_support::chat_record();
  r["project"]["id"] = "";
  mapping_options o;
  o.default_client_id = "my-gateway";
  const mapped m = map_record(r, o);
  REQUIRE_FALSE(m.skip);
  CHECK(m.doc.document.find(R"("client_id":"my-gateway")") != std::string::npos);
  r.erase("project");
  CHECK(map_record(r).doc.document.find(R"("client_id":"dial")") != std::string::npos);
}

TEST_CASE("workload_id follows the route, the deployment, the execution path or a header",
          "[flywheel][mapping]") {
  json r = test_support::chat_record();
  r["execution_path"] = json::arr({"project-or-user-hash", "app1", "interceptor", "gpt-4o"});
  r["headers"] = json::obj({{"X-Flywheel-Workload-Id", "checkout-agent"}});
  auto workload = [&](mapping_options o) {
    const mapped m = map_record(r, std::move(o));
    REQUIRE_FALSE(m.skip);
    const std::string& d = m.doc.document;
    const auto at = d.find(R"("workload_id":")") + 15;
    return d.substr(at, d.size() - at - 2);
  };
  CHECK(workload({}) == "default-parent-deployment/default-deployment");
  mapping_options by_deployment;
  by_deployment.workload = workload_source::deployment;
  CHECK(workload(by_deployment) == "default-deployment");
  mapping_options by_path;
  by_path.workload = workload_source::execution_path;
  CHECK(workload(by_path) == "app1/interceptor/gpt-4o");
  mapping_options by_header;
  by_header.workload_header = "x-flywheel-workload-id";
  CHECK(workload(by_header) == "checkout-agent");

  r.erase("parent_deployment");
  CHECK(workload({}) == "default-deployment");
}

TEST_CASE("DIAL's extensions are stripped by default and kept on request", "[flywheel][mapping]") {
  json body = test_support::chat_request_body();
  body["custom_fields"] = json::obj({{"configuration", json::obj({{"k", "v"}})}});
  body["addons"] = json::arr({json::obj({{"url", "http://addon"}})});
  body["messages"] = json::arr({json::obj(
      {{"role", "user"},
       {"content", "hi"},
       {"custom_content", json::obj({{"attachments", json::arr({json::obj({{"url", "f"}})})}})}})});
  json answer = test_support::chat_assembled_response();
  answer["statistics"] = json::obj({{"usage_per_model", json::arr()}});
  const json r = chat_with_request(body, answer);

  const mapped stripped = map_record(r);
  REQUIRE_FALSE(stripped.skip);
  for (const char* key : {"custom_fields", "addons", "custom_content", "statistics"}) {
    INFO(key);
    CHECK(stripped.doc.document.find(key) == std::string::npos);
  }
  mapping_options keep;
  keep.strip_dial_extensions = false;
  const mapped kept = map_record(r, keep);
  REQUIRE_FALSE(kept.skip);
  for (const char* key : {"custom_fields", "addons", "custom_content", "statistics"}) {
    INFO(key);
    CHECK(kept.doc.document.find(key) != std::string::npos);
  }
}

TEST_CASE("numbers keep their type: floats stay floats, integers stay integers",
          "[flywheel][mapping]") {
  json body = user_turn("hi");
  body["temperature"] = 1.0;
  body["top_p"] = 0.2;
  body["max_tokens"] = 1024;
  body["seed"] = json(static_cast<std::int64_t>(-5));
  const mapped m = map_record(chat_with_request(body, test_support::chat_assembled_response()));
  REQUIRE_FALSE(m.skip);
  CHECK(m.doc.document.find(R"("temperature":1.0,"top_p":0.2,"max_tokens":1024,"seed":-5)") !=
        std::string::npos);
}

TEST_CASE(
    "PII is redacted in contents, text parts, tool-call arguments and answers, never in "
    "keys or structure",
    "[flywheel][mapping]") {
  json body = test_support::chat_request_body();
  body["messages"] = json::arr(
      {json::obj({{"role", "user"}, {"content", "mail me at jane.doe@example.com please"}}),
       json::obj(
           {{"role", "user"},
            {"content",
             json::arr(
                 {json::obj({{"type", "text"}, {"text", "my card is 4111 1111 1111 1111"}}),
                  json::obj({{"type", "image_url"}, {"image_url", json::obj({{"url", "u"}})}})})}}),
       json::obj(
           {{"role", "assistant"},
            {"content", nullptr},
            {"tool_calls",
             json::arr({json::obj(
                 {{"id", "call_1"},
                  {"type", "function"},
                  {"function", json::obj({{"name", "send_mail"},
                                          {"arguments", R"({"to": "bob@example.org"})"}})}})})}})});
  body["tools"] = json::arr(
      {json::obj({{"type", "function"}, {"function", json::obj({{"name", "send_mail"}})}})});
  json answer = test_support::chat_assembled_response();
  answer["choices"] = json::arr({json::obj(
      {{"index", 0},
       {"message", json::obj({{"role", "assistant"}, {"content", "Call 212-555-0199 now"}})},
       {"finish_reason", "stop"}})});
  const json r = chat_with_request(body, answer);

  const mapped m = map_record(r);
  REQUIRE_FALSE(m.skip);
  const std::string& d = m.doc.document;
  CHECK(d.find("mail me at <EMAIL> please") != std::string::npos);
  CHECK(d.find("my card is <CREDIT_CARD>") != std::string::npos);
  CHECK(d.find(R"("arguments":"{\"to\": \"<EMAIL>\"}")") != std::string::npos);
  CHECK(d.find("Call <PHONE> now") != std::string::npos);
  CHECK(d.find(R"("name":"send_mail")") != std::string::npos);
  CHECK(m.doc.redactions[pii_type::email] == 2);
  CHECK(m.doc.redactions[pii_type::credit_card] == 1);
  CHECK(m.doc.redactions[pii_type::phone] == 1);

  mapping_options off;
  off.redact = false;
  const mapped plain = map_record(r, off);
  REQUIRE_FALSE(plain.skip);
  CHECK(plain.doc.document.find("jane.doe@example.com") != std::string::npos);
  CHECK(plain.doc.redactions.total() == 0);
}

TEST_CASE("deployment lists and the interceptor condition select records", "[flywheel][mapping]") {
  const json r = test_support::chat_record();
  mapping_options only_other;
  only_other.include_deployments = {"gpt-4o"};
  CHECK(map_record(r, only_other).skip == skip_reason::excluded_deployment);
  mapping_options excluded;
  excluded.exclude_deployments = {"default-deployment"};
  CHECK(map_record(r, excluded).skip == skip_reason::excluded_deployment);
  mapping_options after;
  after.only_after = "pii-interceptor";
  CHECK(map_record(r, after).skip == skip_reason::not_after_interceptor);
  after.only_after = "app2";
  CHECK_FALSE(map_record(r, after).skip);
}

TEST_CASE(
    "without trace ids the document id is a hash of the content: the same record gets "
    "the same id",
    "[flywheel][mapping]") {
  json a = test_support::chat_record_with("first question");
  a.erase("trace");
  json b = test_support::chat_record_with("second question");
  b.erase("trace");
  const mapped a1 = map_record(a), a2 = map_record(a), b1 = map_record(b);
  REQUIRE_FALSE(a1.skip);
  CHECK(a1.doc.id.size() == 36);
  CHECK(a1.doc.id == a2.doc.id);
  CHECK(a1.doc.id != b1.doc.id);
}

TEST_CASE("a host's call maps like a DIAL record, with its own workload and client ids",
          "[flywheel][mapping]") {
  mapper m;
  mapped_document doc;
  const chat_call call{
      R"({"model": "llama", "messages": [{"role": "user", "content": "hi"}], "temperature": 0.2})",
      R"({"id": "x", "choices": [{"index": 0, "message": {"role": "assistant", "content": "hello"}}]})",
      1715854074, "acme-prod", "tool_call_routing"};
  REQUIRE_FALSE(m.map(call, doc));
  CHECK(
      doc.document ==
      R"({"request":{"model":"llama","messages":[{"role":"user","content":"hi"}],"temperature":0.2},)"
      R"("response":{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"hello"}}]},)"
      R"("timestamp":1715854074,"client_id":"acme-prod","workload_id":"tool_call_routing"})");
  chat_call no_workload = call;
  no_workload.workload_id = "";
  CHECK(m.map(no_workload, doc) == skip_reason::no_workload_id);
  chat_call bad = call;
  bad.response_json = "{";
  CHECK(m.map(bad, doc) == skip_reason::response_not_json);
}
