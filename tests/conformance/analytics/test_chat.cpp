// SPDX-License-Identifier: Apache-2.0
// The reference service's tests/endpoints/test_chat.py (analytics, chat completions).
#include <dial_analytics/analytics/analyzer.hpp>

#include "expect.hpp"

using namespace test_support;

namespace {
json chat_with_body(const std::function<void(json&)>& edit) {
  json body = chat_request_body();
  edit(body);
  json r = chat_record();
  r["request"]["body"] = body.dump();
  return r;
}
json chat_with_usage(json usage) {
  json r = chat_record();
  r["token_usage"] = std::move(usage);
  return r;
}
}  // namespace

TEST_CASE("chat baseline writes the default analytics point", "[conformance][chat]") {
  expect_points({chat_record()}, {p_chat});
}

TEST_CASE("chat records whose status is not the string 200 write nothing", "[conformance][chat]") {
  expect_points({edited(chat_record(), [](json& rec) { rec["response"]["status"] = "400"; })}, {});
  expect_points({edited(chat_record(), [](json& rec) { rec["response"]["status"] = 200; })}, {});
}

TEST_CASE("chat deployment, model, chat id, project id and time become tags and fields",
          "[conformance][chat]") {
  expect_points(
      {edited(chat_record(), [](json& rec) { rec["deployment"] = "test-dial-deployment-id"; })},
      {with(p_chat, {{"deployment=default-deployment", "deployment=test-dial-deployment-id"}})});
  expect_points({chat_with_body([](json& b) { b["model"] = "test-model-id"; })},
                {with(p_chat, {{"model=default-model", "model=test-model-id"}})});
  json missing_model = chat_with_body([](json& b) { b.erase("model"); });
  missing_model["deployment"] = "test-deployment-id";
  expect_points({missing_model},
                {with(p_chat, {{"deployment=default-deployment", "deployment=test-deployment-id"},
                               {"model=default-model", "model=test-deployment-id"}})});
  expect_points({edited(chat_record(), [](json& rec) { rec["chat"]["id"] = "test-chat-id"; })},
                {with(p_chat, {{"chat_id=\"default-chat-id\"", "chat_id=\"test-chat-id\""}})});
  expect_points(
      {edited(chat_record(), [](json& rec) { rec["project"]["id"] = "test-project-id"; })},
      {with(p_chat, {{"project_id=default-project-id", "project_id=test-project-id"}})});
  expect_points(
      {edited(chat_record(), [](json& rec) { rec["request"]["time"] = "2023-11-24T03:33:40.39"; })},
      {with(p_chat, {{"978310861001000000", "1700796820390000000"}})});
}

TEST_CASE("chat response id comes from the assembled response", "[conformance][chat]") {
  json response = chat_assembled_response();
  response["id"] = "test-response-id";
  expect_points(
      {edited(chat_record(), [&](json& rec) { rec["assembled_response"] = response.dump(); })},
      {with(p_chat, {{"response_id=default-response-id", "response_id=test-response-id"}})});
}

TEST_CASE("chat writes one point per record for fifty records", "[conformance][chat]") {
  std::vector<json> records;
  std::vector<std::string> expected;
  for (int i = 0; i < 50; ++i) {
    const std::string id = "chat-" + std::to_string(i);
    records.push_back(edited(chat_record(), [&](json& rec) { rec["chat"]["id"] = id; }));
    expected.push_back(with(p_chat, {{"chat_id=\"default-chat-id\"", "chat_id=\"" + id + "\""}}));
  }
  expect_points(records, expected);
}

TEST_CASE("chat usage falls back to the assembled response when token_usage is null",
          "[conformance][chat]") {
  expect_points(
      {chat_with_usage(nullptr)},
      {with(p_chat, {{"cache_write_prompt_tokens=0i", "cache_write_prompt_tokens=5i"},
                     {"cached_prompt_tokens=0i", "cached_prompt_tokens=10i"},
                     {"completion_tokens=0i", "completion_tokens=189i"},
                     {"prompt_tokens=0i", "prompt_tokens=22i"},
                     {"reasoning_completion_tokens=0i", "reasoning_completion_tokens=100i"}})});
}

TEST_CASE("chat takes tokens and prices from the top-level token_usage", "[conformance][chat]") {
  const json usage = full_token_usage();
  expect_points({chat_with_usage(usage)}, {with(p_chat, full_token_usage_edits())});
  expect_points(
      {chat_with_usage(
          json::obj({{"prompt_tokens_details", json::obj({{"cache_write_tokens", 77}})}}))},
      {with(p_chat, {{"cache_write_prompt_tokens=0i", "cache_write_prompt_tokens=77i"}})});
  expect_points(
      {chat_with_usage(
          json::obj({{"completion_tokens_details", json::obj({{"reasoning_tokens", 88}})}}))},
      {with(p_chat, {{"reasoning_completion_tokens=0i", "reasoning_completion_tokens=88i"}})});
}

TEST_CASE("chat prices: deployment_price only with a price, ints written as floats",
          "[conformance][chat]") {
  expect_points({chat_with_usage(json::obj({{"price", 0.456}}))},
                {with(p_chat, {{",price=0,", ",price=0.456,"}})});
  expect_points({chat_with_usage(json::obj({{"deployment_price", 0.123}}))}, {p_chat});
  expect_points({chat_with_usage(json::obj({{"deployment_price", 0.123}, {"price", 0.456}}))},
                {with(p_chat, {{"deployment_price=0", "deployment_price=0.123"},
                               {",price=0,", ",price=0.456,"}})});
  expect_points({chat_with_usage(json::obj({{"deployment_price", 0.001}}))}, {p_chat});
  expect_points({chat_with_usage(json::obj({{"deployment_price", 42}, {"price", 0.001}}))},
                {with(p_chat, {{"deployment_price=0", "deployment_price=42"},
                               {",price=0,", ",price=0.001,"}})});
  expect_points({chat_with_usage(json::obj({{"deployment_price", 0.001}, {"price", 42}}))},
                {with(p_chat, {{"deployment_price=0", "deployment_price=0.001"},
                               {",price=0,", ",price=42,"}})});
}

TEST_CASE("chat parent deployment, trace and execution path are tags", "[conformance][chat]") {
  expect_points({edited(chat_record(),
                        [](json& rec) { rec["parent_deployment"] = "test-parent-deployment"; })},
                {with(p_chat, {{"parent_deployment=default-parent-deployment",
                                "parent_deployment=test-parent-deployment"}})});
  json trace = json::obj({{"trace_id", "5dca3d6ed5d22b6ab574f27a6ab5ec14"},
                          {"core_span_id", "9ade2b6fef0a716d"},
                          {"core_parent_span_id", "20e7e64715abbe97"}});
  expect_points(
      {edited(chat_record(), [&](json& rec) { rec["trace"] = trace; })},
      {with(p_chat, {{"core_parent_span_id=default_core_parent_span_id",
                      "core_parent_span_id=20e7e64715abbe97"},
                     {"core_span_id=default_core_span_id", "core_span_id=9ade2b6fef0a716d"},
                     {"trace_id=default_trace_id", "trace_id=5dca3d6ed5d22b6ab574f27a6ab5ec14"}})});
  const std::vector<std::pair<json, std::string>> paths = {
      {json::arr({nullptr, "b", "c"}), "undefined/b/c"},
      {json::arr({"a", "b", "c"}), "a/b/c"},
      {json::arr({"a/b", "c"}), "a\\/b/c"},
      {json::arr({"a", "b/c"}), "a/b\\/c"}};
  for (const auto& [path, tag] : paths) {
    expect_points({edited(chat_record(), [&](json& rec) { rec["execution_path"] = path; })},
                  {with(p_chat, {{"execution_path=app1/app2", "execution_path=" + tag}})});
  }
}

TEST_CASE("chat without a usable assembled response gets a generated response id",
          "[conformance][chat]") {
  for (json assembled : {json(nullptr), json("{}"), json(""), json("invalid JSON")}) {
    expect_points(
        {edited(chat_record(), [&](json& rec) { rec["assembled_response"] = assembled; })},
        {with(p_chat, {{"response_id=default-response-id", "response_id=pseudo-uuid-1"}})});
  }
}

TEST_CASE("chat accepts raw control characters inside the record's strings",
          "[conformance][chat][regression]") {
  // json.dumps would escape the newline; the raw record carries it unescaped (strict=False).
  std::string message =
      edited(chat_record(), [](json& rec) { rec["project"]["id"] = "PROJECT-@KEY"; }).dump();
  message.replace(message.find("PROJECT-@KEY"), 12, "PROJECT-\nKEY");
  const auto r = run_body(json::arr({json::obj({{"message", message}})}).dump());
  CHECK(r.reply == R"([{"status":"success"}])");
  REQUIRE(r.lines.size() == 1);
  CHECK(r.lines[0] ==
        with(p_chat, {{"project_id=default-project-id", "project_id=PROJECT-\\nKEY"}}));
}

TEST_CASE("chat request URIs route as the reference's patterns do", "[conformance][chat][router]") {
  for (std::string uri :
       {"/openai/deployments/ID/chat/completions", "/openai/deployments/ID1/ID2/chat/completions",
        "/openai/deployments/ID/chat/completions/abc/efg",
        "/openai/deployments/ID/chat/completions?api-version=2024-02-01"}) {
    expect_points({edited(chat_record(), [&](json& rec) { rec["request"]["uri"] = uri; })},
                  {p_chat});
  }
  for (std::string uri : {"/openai/deployments/ID/completions", "/openai/ID/chat/completions"}) {
    const auto r =
        expect_points({edited(chat_record(), [&](json& rec) { rec["request"]["uri"] = uri; })}, {});
    CHECK(r.reply == R"([{"status":"success"}])");
    CHECK(std::count(r.logs.begin(), r.logs.end(),
                     "WARNING [1/1] [trace_id=default_trace_id span_id=default_core_span_id] "
                     "Unsupported message type: '" +
                         uri + "'") == 1);
  }
}

TEST_CASE("chat record missing a required key fails with the Python KeyError text",
          "[conformance][chat]") {
  const auto r = run({edited(chat_record(), [](json& rec) { rec.erase("chat"); })});
  CHECK(r.lines.empty());
  CHECK(r.reply == R"([{"status":"error","error":"'chat'"}])");
}
