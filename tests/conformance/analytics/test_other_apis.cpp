// SPDX-License-Identifier: Apache-2.0
// The reference service's tests of embeddings, responses, anthropic, rate, MCP and routes
// (ai-dial-analytics-realtime tests/endpoints/*.py; docs/conformance.md).
#include <dial_analytics/analytics/analyzer.hpp>

#include "expect.hpp"

using namespace test_support;

namespace {
json with_uri(json r, const std::string& uri) {
  r["request"]["uri"] = uri;
  return r;
}
const json custom_trace = json::obj({{"trace_id", "5dca3d6ed5d22b6ab574f27a6ab5ec14"},
                                     {"core_span_id", "9ade2b6fef0a716d"},
                                     {"core_parent_span_id", "20e7e64715abbe97"}});
}  // namespace

TEST_CASE("embeddings baseline, deployment and status gate", "[conformance][embeddings]") {
  expect_points({embeddings_record()}, {p_emb});
  expect_points({edited(embeddings_record(), [](json& rec) { rec["response"]["status"] = "400"; })},
                {});
  expect_points(
      {edited(embeddings_record(), [](json& rec) { rec["deployment"] = "test-deployment-id"; })},
      {with(p_emb, {{"deployment=default-deployment", "deployment=test-deployment-id"},
                    {"model=default-deployment", "model=test-deployment-id"}})});
}

TEST_CASE("embeddings count inputs", "[conformance][embeddings]") {
  expect_points({edited(embeddings_record(), [](json& rec) { rec["request"]["body"] = nullptr; })},
                {with(p_emb, {{"number_request_messages=1i", "number_request_messages=0i"}})});
  expect_points(
      {edited(embeddings_record(),
              [](json& r) {
                r["request"]["body"] =
                    json::obj(
                        {{"input", json::arr({json::arr({1, 3, 4, 5}), json::arr({6, 7, 8, 9})})}})
                        .dump();
              })},
      {with(p_emb, {{"number_request_messages=1i", "number_request_messages=2i"}})});
}

TEST_CASE("embeddings with a trace log success with the trace ids", "[conformance][embeddings]") {
  const auto r = expect_points(
      {edited(embeddings_record(), [](json& rec) { rec["trace"] = custom_trace; })},
      {with(p_emb, {{"core_parent_span_id=default_core_parent_span_id",
                     "core_parent_span_id=20e7e64715abbe97"},
                    {"core_span_id=default_core_span_id", "core_span_id=9ade2b6fef0a716d"},
                    {"trace_id=default_trace_id", "trace_id=5dca3d6ed5d22b6ab574f27a6ab5ec14"}})});
  CHECK(std::count(r.logs.begin(), r.logs.end(),
                   "DEBUG [1/1] [trace_id=5dca3d6ed5d22b6ab574f27a6ab5ec14 "
                   "span_id=9ade2b6fef0a716d] success") == 1);
}

TEST_CASE("embeddings request URIs route as the reference's patterns do",
          "[conformance][embeddings][router]") {
  for (std::string uri :
       {"/openai/deployments/ID/embeddings", "/openai/deployments/ID1/ID2/embeddings",
        "/openai/deployments/ID/chat/embeddings/abc/efg"}) {
    expect_points({with_uri(embeddings_record(), uri)}, {p_emb});
  }
  for (std::string uri : {"/openai/deployments/ID/embs", "/openai/ID/embeddings"}) {
    expect_points({with_uri(embeddings_record(), uri)}, {});
  }
}

TEST_CASE("responses baseline, status gate, deployment and model", "[conformance][responses]") {
  expect_points({responses_record()}, {p_resp});
  expect_points({edited(responses_record(), [](json& rec) { rec["response"]["status"] = "400"; })},
                {});
  expect_points(
      {edited(responses_record(),
              [](json& rec) { rec["deployment"] = "test-dial-deployment-id"; })},
      {with(p_resp, {{"deployment=default-deployment", "deployment=test-dial-deployment-id"}})});
  json body = responses_request_body();
  body["model"] = "test-model-id";
  expect_points(
      {edited(responses_record(), [&](json& rec) { rec["request"]["body"] = body.dump(); })},
      {with(p_resp, {{"model=default-model", "model=test-model-id"}})});
  body.erase("model");
  expect_points({edited(responses_record(),
                        [&](json& r) {
                          r["request"]["body"] = body.dump();
                          r["deployment"] = "test-deployment-id";
                        })},
                {with(p_resp, {{"deployment=default-deployment", "deployment=test-deployment-id"},
                               {"model=default-model", "model=test-deployment-id"}})});
}

TEST_CASE("responses response id and message count", "[conformance][responses]") {
  json response = responses_assembled_response();
  response["id"] = "test-response-id";
  expect_points(
      {edited(responses_record(), [&](json& rec) { rec["assembled_response"] = response.dump(); })},
      {with(p_resp,
            {{"response_id=\"default-response-id\"", "response_id=\"test-response-id\""}})});
  for (json assembled : {json(nullptr), json("{}"), json(""), json("invalid JSON")}) {
    expect_points(
        {edited(responses_record(), [&](json& rec) { rec["assembled_response"] = assembled; })},
        {with(p_resp, {{"response_id=\"default-response-id\"", "response_id=\"pseudo-uuid-1\""}})});
  }
  const std::vector<std::pair<json, std::string>> inputs = {
      {json("a single string input"), "1"},
      {json::arr(), "0"},
      {json::arr({json::obj({{"role", "user"}, {"content", "a"}}),
                  json::obj({{"role", "user"}, {"content", "b"}})}),
       "2"}};
  for (const auto& [input, n] : inputs) {
    json b = responses_request_body();
    b["input"] = input;
    expect_points(
        {edited(responses_record(), [&](json& rec) { rec["request"]["body"] = b.dump(); })},
        {with(p_resp, {{"number_request_messages=1i", "number_request_messages=" + n + "i"}})});
  }
  expect_points({edited(responses_record(), [](json& rec) { rec["request"]["body"] = nullptr; })},
                {with(p_resp, {{"model=default-model", "model=default-deployment"},
                               {"number_request_messages=1i", "number_request_messages=0i"}})});
}

TEST_CASE("responses usage, prices, trace and execution path are fields",
          "[conformance][responses]") {
  const json usage = full_token_usage();
  expect_points({edited(responses_record(), [&](json& rec) { rec["token_usage"] = usage; })},
                {with(p_resp, full_token_usage_edits())});
  expect_points(
      {edited(responses_record(),
              [&](json& rec) {
                rec["token_usage"] = json::obj({{"deployment_price", 0.123}, {"price", 0.456}});
              })},
      {with(p_resp,
            {{"deployment_price=0", "deployment_price=0.123"}, {",price=0,", ",price=0.456,"}})});
  // Independent, unlike analytics: a deployment_price alone is written.
  expect_points({edited(responses_record(),
                        [&](json& rec) {
                          rec["token_usage"] = json::obj({{"deployment_price", 0.123}});
                        })},
                {with(p_resp, {{"deployment_price=0", "deployment_price=0.123"}})});
  expect_points(
      {edited(responses_record(), [](json& rec) { rec["trace"] = custom_trace; })},
      {with(p_resp,
            {{"core_parent_span_id=\"default_core_parent_span_id\"",
              "core_parent_span_id=\"20e7e64715abbe97\""},
             {"core_span_id=\"default_core_span_id\"", "core_span_id=\"9ade2b6fef0a716d\""},
             {"trace_id=\"default_trace_id\"", "trace_id=\"5dca3d6ed5d22b6ab574f27a6ab5ec14\""}})});
  expect_points({edited(responses_record(),
                        [](json& rec) {
                          rec["execution_path"] = json::arr({"a/b", "c"});
                        })},
                {with(p_resp, {{"execution_path=\"app1/app2\"", "execution_path=\"a\\\\/b/c\""}})});
}

TEST_CASE("responses request URIs route as the reference's patterns do",
          "[conformance][responses][router]") {
  for (std::string uri :
       {"/openai/v1/responses", "//openai/v1/responses", "/openai/v1/responses?stream=true"}) {
    expect_points({with_uri(responses_record(), uri)}, {p_resp});
  }
  for (std::string uri :
       {"/openai/v1/responses/RESPONSE_ID", "/openai/v1/responses/RESPONSE_ID/cancel",
        "/openai/v2/responses", "/openai/deployments/ID/responses"}) {
    const auto r = expect_points({with_uri(responses_record(), uri)}, {});
    CHECK(std::count(r.logs.begin(), r.logs.end(),
                     "WARNING [1/1] [trace_id=default_trace_id span_id=default_core_span_id] "
                     "Unsupported message type: '" +
                         uri + "'") == 1);
  }
}

TEST_CASE("anthropic messages baseline, routing and message count", "[conformance][anthropic]") {
  expect_points({anthropic_record()}, {p_anth});
  expect_points({edited(anthropic_record(), [](json& rec) { rec["response"]["status"] = "400"; })},
                {});
  for (std::string uri : {"/anthropic/v1/messages", "//anthropic/v1/messages",
                          "/anthropic/v1/messages?stream=true"}) {
    expect_points({with_uri(anthropic_record(), uri)}, {p_anth});
  }
  for (std::string uri : {"/anthropic/v1/messages/count_tokens", "/anthropic/v2/messages",
                          "/openai/v1/messages", "/openai/deployments/ID/messages"}) {
    expect_points({with_uri(anthropic_record(), uri)}, {});
  }
  json body = anthropic_request_body();
  body["messages"] = json::arr();
  expect_points(
      {edited(anthropic_record(), [&](json& rec) { rec["request"]["body"] = body.dump(); })},
      {with(p_anth, {{"number_request_messages=1i", "number_request_messages=0i"}})});
  body["messages"] = json::arr({json::obj({{"role", "user"}, {"content", "a"}}),
                                json::obj({{"role", "user"}, {"content", "b"}})});
  expect_points(
      {edited(anthropic_record(), [&](json& rec) { rec["request"]["body"] = body.dump(); })},
      {with(p_anth, {{"number_request_messages=1i", "number_request_messages=2i"}})});
  expect_points({edited(anthropic_record(), [](json& rec) { rec["request"]["body"] = nullptr; })},
                {with(p_anth, {{"model=default-model", "model=default-deployment"},
                               {"number_request_messages=1i", "number_request_messages=0i"}})});
}

TEST_CASE("rate records count likes and dislikes as the legacy suite expects",
          "[conformance][rate]") {
  expect_points({rate_record()}, {p_rate});
  auto legacy = [](const char* response_id, bool like, const char* time) {
    json r = rate_record();
    r["deployment"] = "gpt-4";
    r["request"]["uri"] = "/v1/gpt-4/rate";
    r["chat"]["id"] = "chat-1";
    r["project"]["id"] = "PROJECT-KEY";
    r["user"] = json::obj({{"id", ""}, {"title", ""}});
    r["request"]["body"] = json::obj({{"responseId", response_id}, {"rate", like}}).dump();
    r["request"]["time"] = time;
    return r;
  };
  expect_points({legacy("response_123", true, "2023-08-16T19:42:39.997"),
                 legacy("response_124", false, "2023-11-24T03:33:40.39")},
                {"rate_analytics,chat_id=chat-1,deployment=gpt-4,project_id=PROJECT-KEY,response_"
                 "id=response_123,title=undefined,"
                 "user_hash=undefined dislike_count=0i,like_count=1i 1692214959997000000",
                 "rate_analytics,chat_id=chat-1,deployment=gpt-4,project_id=PROJECT-KEY,response_"
                 "id=response_124,title=undefined,"
                 "user_hash=undefined dislike_count=1i,like_count=0i 1700796820390000000"});
}

TEST_CASE("rate records ignore the status and fail hard on a bad body", "[conformance][rate]") {
  expect_points({edited(rate_record(), [](json& rec) { rec["response"]["status"] = "500"; })},
                {p_rate});
  auto r = run({edited(rate_record(), [](json& rec) { rec["request"]["body"] = "not json"; })});
  CHECK(r.lines.empty());
  CHECK(r.reply ==
        "[{\"status\":\"error\",\"error\":\"Expecting value: line 1 column 1 (char 0)\"}]");
  r = run({edited(rate_record(), [](json& rec) {
    rec["request"]["body"] = json::obj({{"rate", true}}).dump();
  })});
  CHECK(r.reply == R"([{"status":"error","error":"'responseId'"}])");
}

TEST_CASE("mcp baseline, tags, fields and tools/list", "[conformance][mcp]") {
  expect_points({mcp_record()}, {p_mcp});
  expect_points({edited(mcp_record(), [](json& rec) { rec["response"]["status"] = "400"; })}, {});
  expect_points({edited(mcp_record(), [](json& rec) { rec["deployment"] = "test-deployment"; })},
                {with(p_mcp, {{"deployment=default-deployment", "deployment=test-deployment"}})});
  expect_points(
      {edited(mcp_record(), [](json& rec) { rec["trace"] = custom_trace; })},
      {with(p_mcp,
            {{"core_parent_span_id=\"default_core_parent_span_id\"",
              "core_parent_span_id=\"20e7e64715abbe97\""},
             {"core_span_id=\"default_core_span_id\"", "core_span_id=\"9ade2b6fef0a716d\""},
             {"trace_id=\"default_trace_id\"", "trace_id=\"5dca3d6ed5d22b6ab574f27a6ab5ec14\""}})});
  expect_points(
      {edited(mcp_record(),
              [](json& rec) {
                rec["execution_path"] = json::arr({nullptr, "b", "c"});
              })},
      {with(p_mcp, {{"execution_path=\"app1/app2\"", "execution_path=\"undefined/b/c\""}})});
  expect_points({edited(mcp_record(),
                        [](json& r) {
                          r["request"]["body"] = json::obj({{"jsonrpc", "2.0"},
                                                            {"id", 0},
                                                            {"method", "tools/list"},
                                                            {"params", json::obj()}})
                                                     .dump();
                        })},
                {with(p_mcp, {{"mcp_method=tools/call", "mcp_method=tools/list"},
                              {"mcp_tool_call_name=\"get_current_time\"",
                               "mcp_tool_call_name=\"undefined\""}})});
  std::vector<json> many;
  std::vector<std::string> expected;
  for (int i = 0; i < 50; ++i) {
    const std::string id = "mcp-" + std::to_string(i);
    many.push_back(edited(mcp_record(), [&](json& rec) { rec["chat"]["id"] = id; }));
    expected.push_back(with(p_mcp, {{"chat_id=\"default-chat-id\"", "chat_id=\"" + id + "\""}}));
  }
  expect_points(many, expected);
}

TEST_CASE("mcp request URIs route as the reference's patterns do", "[conformance][mcp][router]") {
  for (std::string uri : {"/v1/toolset/ID/mcp", "/v1/toolset/ID1/ID2/mcp",
                          "/v1/toolset/ID1/ID2/mcp/abc/efg", "/v1/deployments/APP/mcp"}) {
    expect_points({with_uri(mcp_record(), uri)}, {p_mcp});
  }
  for (std::string uri : {"/v1/toolset/ID/mpc", "/v1/toolsets/ID/mcp"}) {
    expect_points({with_uri(mcp_record(), uri)}, {});
  }
}

TEST_CASE("routes baseline, methods and paths", "[conformance][routes]") {
  expect_points({route_record()}, {p_route});
  expect_points({edited(route_record(), [](json& rec) { rec["response"]["status"] = "400"; })}, {});
  for (std::string method : {"GET", "POST", "PATCH", "DELETE"}) {
    expect_points({edited(route_record(), [&](json& rec) { rec["request"]["method"] = method; })},
                  {with(p_route, {{"http_method=POST", "http_method=" + method}})});
  }
  const std::vector<std::pair<std::string, std::string>> paths = {
      {"/v1/deployments/ID/route/PATH1", "/PATH1"},
      {"/v1/deployments/ID/route/PATH1/PATH2", "/PATH1/PATH2"},
      {"/v1/deployments/ID1/ID2/route/PATH1/PATH2", "/PATH1/PATH2"}};
  for (const auto& [uri, path] : paths) {
    expect_points(
        {with_uri(route_record(), uri)},
        {with(p_route, {{"route_path=/v1/default-route-path/get", "route_path=" + path}})});
  }
  for (std::string uri :
       {"/v1/deployments/ID1/ID2/routes/PATH1", "/v1/deployment/ID1/ID2/route/PATH1"}) {
    expect_points({with_uri(route_record(), uri)}, {});
  }
  std::string message = route_record().dump();
  message.replace(message.find("default-project-id"), 18, "PROJECT-\nKEY");
  const auto r = run_body(json::arr({json::obj({{"message", message}})}).dump());
  CHECK(r.reply == R"([{"status":"success"}])");
  CHECK(r.lines == std::vector<std::string>{with(
                       p_route, {{"project_id=default-project-id", "project_id=PROJECT-\\nKEY"}})});
}

TEST_CASE("mcp and routes carry chat id, project, time, parent, trace and path like the reference",
          "[conformance][mcp][routes]") {
  struct change {
    const char* name;
    std::function<void(json&)> edit;
    std::vector<std::pair<std::string, std::string>> edits;
  };
  const std::vector<change> changes = {
      {"chat id",
       [](json& r) { r["chat"]["id"] = "test-chat-id"; },
       {{"chat_id=\"default-chat-id\"", "chat_id=\"test-chat-id\""}}},
      {"project id",
       [](json& r) { r["project"]["id"] = "test-project-id"; },
       {{"project_id=default-project-id", "project_id=test-project-id"}}},
      {"request time",
       [](json& r) { r["request"]["time"] = "2023-11-24T03:33:40.39"; },
       {{"978310861001000000", "1700796820390000000"}}},
      {"parent deployment",
       [](json& r) { r["parent_deployment"] = "test-parent"; },
       {{"parent_deployment=default-parent-deployment", "parent_deployment=test-parent"}}},
      {"no trace",
       [](json& r) { r["trace"] = nullptr; },
       {{"core_parent_span_id=\"default_core_parent_span_id\"",
         "core_parent_span_id=\"undefined\""},
        {"core_span_id=\"default_core_span_id\"", "core_span_id=\"undefined\""},
        {"trace_id=\"default_trace_id\"", "trace_id=\"undefined\""}}},
      {"execution path",
       [](json& r) {
         r["execution_path"] = json::arr({"a", "b", "c"});
       },
       {{"execution_path=\"app1/app2\"", "execution_path=\"a/b/c\""}}},
  };
  for (const auto& c : changes) {
    DYNAMIC_SECTION(c.name) {
      expect_points({edited(mcp_record(), c.edit)}, {with(p_mcp, c.edits)});
      expect_points({edited(route_record(), c.edit)}, {with(p_route, c.edits)});
    }
  }
  std::string message = mcp_record().dump();
  message.replace(message.find("default-project-id"), 18, "PROJECT-\nKEY");
  const auto r = run_body(json::arr({json::obj({{"message", message}})}).dump());
  CHECK(r.reply == R"([{"status":"success"}])");
  CHECK(r.lines == std::vector<std::string>{with(
                       p_mcp, {{"project_id=default-project-id", "project_id=PROJECT-\\nKEY"}})});
}
