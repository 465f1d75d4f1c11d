// SPDX-License-Identifier: Apache-2.0
#include "records.hpp"

#include <algorithm>
#include <stdexcept>

namespace test_support {
namespace da = dial_analytics;

namespace {

json token_usage_zero() {
  return json::obj(
      {{"prompt_tokens", 0},
       {"completion_tokens", 0},
       {"total_tokens", 0},
       {"prompt_tokens_details", json::obj({{"cached_tokens", 0}, {"cache_write_tokens", 0}})},
       {"completion_tokens_details", json::obj({{"reasoning_tokens", 0}})},
       {"deployment_price", 0.0},
       {"price", 0.0}});
}

json base_record(const std::string& uri, const json& body) {
  return json::obj(
      {{"apiType", "DialOpenAI"},
       {"chat", json::obj({{"id", "default-chat-id"}})},
       {"project", json::obj({{"id", "default-project-id"}})},
       {"user", json::obj({{"id", "default-user-id"}, {"title", "default-user-title"}})},
       {"deployment", "default-deployment"},
       {"token_usage", token_usage_zero()},
       {"parent_deployment", "default-parent-deployment"},
       {"trace", json::obj({{"trace_id", "default_trace_id"},
                            {"core_span_id", "default_core_span_id"},
                            {"core_parent_span_id", "default_core_parent_span_id"}})},
       {"execution_path", json::arr({"app1", "app2"})},
       {"request", json::obj({{"protocol", "HTTP/1.1"},
                              {"method", "POST"},
                              {"uri", uri},
                              {"time", "2001-01-01T01:01:01.001"},
                              {"body", body}})},
       {"assembled_response", nullptr},
       {"response", json::obj({{"status", "200"},
                               {"upstream_uri", "http://default-upstream.domain.com/endpoint"},
                               {"body", "whatever"}})}});
}

json usage_in_response() {
  return json::obj(
      {{"completion_tokens", 189},
       {"prompt_tokens", 22},
       {"total_tokens", 211},
       {"prompt_tokens_details", json::obj({{"cached_tokens", 10}, {"cache_write_tokens", 5}})},
       {"completion_tokens_details", json::obj({{"reasoning_tokens", 100}})}});
}

}  // namespace

json chat_request_body() {
  return json::obj(
      {{"model", "default-model"},
       {"messages",
        json::arr({json::obj({{"role", "user"}, {"content", "default-user-message"}})})}});
}

json chat_assembled_response() {
  return json::obj(
      {{"id", "default-response-id"},
       {"object", "chat.completion.chunk"},
       {"created", 1692214960},
       {"model", "whatever-model-id"},
       {"choices",
        json::arr({json::obj({{"index", 0},
                              {"delta", json::obj({{"role", "assistant"},
                                                   {"content", "default-assistant-message"}})},
                              {"finish_reason", "stop"}})})},
       {"usage", usage_in_response()}});
}

json chat_record() {
  json r = base_record("/openai/deployments/whatever-deployment-id/chat/completions",
                       chat_request_body().dump());
  r["assembled_response"] = chat_assembled_response().dump();
  return r;
}

json chat_record_with(const std::string& user, const std::string& assistant) {
  json body = chat_request_body();
  body["messages"] = json::arr({json::obj({{"role", "user"}, {"content", user}})});
  json answer = chat_assembled_response();
  answer["choices"] =
      json::arr({json::obj({{"index", 0},
                            {"delta", json::obj({{"role", "assistant"}, {"content", assistant}})},
                            {"finish_reason", "stop"}})});
  json r = base_record("/openai/deployments/whatever-deployment-id/chat/completions", body.dump());
  r["assembled_response"] = answer.dump();
  return r;
}

json embeddings_record() {
  json r = base_record("/openai/deployments/whatever-deployment-id/embeddings",
                       json::obj({{"input", json::arr({"default-embedding-input"})}}).dump());
  r["response"]["body"] =
      json::obj({{"object", "list"},
                 {"model", "text-embedding-3-small"},
                 {"data", json::arr({json::obj({{"index", 0},
                                                {"object", "embedding"},
                                                {"embedding", json::arr({0.1, 0.2})}})})},
                 {"usage", json::obj({{"prompt_tokens", 43}, {"total_tokens", 43}})}})
          .dump();
  return r;
}

json rate_record() {
  json r = base_record("/v1/whatever-deployment-id/rate",
                       json::obj({{"responseId", "default-response-id"}, {"rate", true}}).dump());
  r["token_usage"] = nullptr;
  r["response"]["upstream_uri"] = nullptr;
  return r;
}

json mcp_record() {
  json r = base_record(
      "/v1/toolset/whatever-deployment-id/mcp",
      json::obj({{"jsonrpc", "2.0"},
                 {"id", 0},
                 {"method", "tools/call"},
                 {"params", json::obj({{"name", "get_current_time"}, {"arguments", json::obj()}})}})
          .dump());
  r["token_usage"] = nullptr;
  r["assembled_response"] = "whatever-response-assembled";
  r["response"]["body"] = "whatever-response-body";
  return r;
}

json route_record() {
  json r = base_record("/v1/deployments/whatever-deployment-id/route/v1/default-route-path/get",
                       "whatever-request-body");
  r["token_usage"] = nullptr;
  return r;
}

json responses_request_body() {
  return json::obj({{"model", "default-model"}, {"input", "default-user-message"}});
}

json responses_assembled_response() {
  return json::obj(
      {{"id", "default-response-id"},
       {"object", "response"},
       {"created_at", 1785851850},
       {"model", "whatever-model-id"},
       {"status", "completed"},
       {"output",
        json::arr(
            {json::obj({{"id", "rs_whatever"},
                        {"type", "reasoning"},
                        {"summary",
                         json::arr({json::obj({{"text", "thinking"}, {"type", "summary_text"}})})},
                        {"content", json::arr()}}),
             json::obj({{"id", "msg_whatever"},
                        {"type", "message"},
                        {"role", "assistant"},
                        {"status", "completed"},
                        {"content", json::arr({json::obj({{"text", "default-assistant-message"},
                                                          {"type", "output_text"}})})}})})},
       {"usage", json::obj({{"input_tokens", 22},
                            {"input_tokens_details",
                             json::obj({{"cached_tokens", 10}, {"cache_write_tokens", 5}})},
                            {"output_tokens", 189},
                            {"output_tokens_details", json::obj({{"reasoning_tokens", 100}})},
                            {"total_tokens", 211}})}});
}

json responses_record() {
  json r = base_record("/openai/v1/responses", responses_request_body().dump());
  r["assembled_response"] = responses_assembled_response().dump();
  return r;
}

json anthropic_request_body() {
  return json::obj(
      {{"model", "default-model"},
       {"max_tokens", 1024},
       {"messages",
        json::arr({json::obj({{"role", "user"}, {"content", "default-user-message"}})})}});
}

json anthropic_assembled_response() {
  return json::obj(
      {{"id", "default-response-id"},
       {"type", "message"},
       {"role", "assistant"},
       {"model", "whatever-model-id"},
       {"content",
        json::arr(
            {json::obj({{"type", "thinking"}, {"thinking", "thinking"}, {"signature", "whatever"}}),
             json::obj({{"type", "text"}, {"text", "default-assistant-message"}})})},
       {"stop_reason", "end_turn"},
       {"stop_sequence", nullptr},
       {"usage", json::obj({{"input_tokens", 22},
                            {"cache_read_input_tokens", 10},
                            {"cache_creation_input_tokens", 5},
                            {"output_tokens", 189}})}});
}

json anthropic_record() {
  json r = base_record("/anthropic/v1/messages", anthropic_request_body().dump());
  r["assembled_response"] = anthropic_assembled_response().dump();
  return r;
}

json full_token_usage() {
  return json::obj(
      {{"prompt_tokens", 111},
       {"completion_tokens", 222},
       {"total_tokens", 333},
       {"prompt_tokens_details", json::obj({{"cached_tokens", 44}, {"cache_write_tokens", 55}})},
       {"completion_tokens_details", json::obj({{"reasoning_tokens", 66}})},
       {"deployment_price", 0.001},
       {"price", 0.002}});
}

std::vector<std::pair<std::string, std::string>> full_token_usage_edits() {
  return {{"cache_write_prompt_tokens=0i", "cache_write_prompt_tokens=55i"},
          {"cached_prompt_tokens=0i", "cached_prompt_tokens=44i"},
          {"completion_tokens=0i", "completion_tokens=222i"},
          {"deployment_price=0", "deployment_price=0.001"},
          {",price=0,", ",price=0.002,"},
          {"prompt_tokens=0i", "prompt_tokens=111i"},
          {"reasoning_completion_tokens=0i", "reasoning_completion_tokens=66i"}};
}

const std::string p_chat =
    "analytics,core_parent_span_id=default_core_parent_span_id,core_span_id=default_core_span_id,"
    "deployment=default-deployment,execution_path=app1/app2,language=undefined,model=default-model,"
    "parent_deployment=default-parent-deployment,project_id=default-project-id,response_id=default-"
    "response-id,title=default-user-title,topic=undefined,trace_id=default_trace_id,upstream=http:/"
    "/"
    "default-upstream.domain.com/endpoint cache_write_prompt_tokens=0i,cached_prompt_tokens=0i,"
    "chat_id=\"default-chat-id\",completion_tokens=0i,deployment_price=0,number_request_messages="
    "1i,"
    "price=0,prompt_tokens=0i,reasoning_completion_tokens=0i,user_hash=\"default-user-id\" "
    "978310861001000000";

const std::string p_emb =
    with(p_chat, {{"model=default-model", "model=default-deployment"},
                  {"response_id=default-response-id", "response_id=pseudo-uuid-1"}});

const std::string p_resp =
    "responses_analytics,deployment=default-deployment,language=undefined,model=default-model,"
    "parent_deployment=default-parent-deployment,project_id=default-project-id,title=default-user-"
    "title,topic=undefined cache_write_prompt_tokens=0i,cached_prompt_tokens=0i,chat_id=\"default-"
    "chat-id\",completion_tokens=0i,core_parent_span_id=\"default_core_parent_span_id\",core_span_"
    "id="
    "\"default_core_span_id\",deployment_price=0,execution_path=\"app1/"
    "app2\",number_request_messages="
    "1i,price=0,prompt_tokens=0i,reasoning_completion_tokens=0i,response_id=\"default-response-"
    "id\","
    "trace_id=\"default_trace_id\",upstream=\"http://default-upstream.domain.com/"
    "endpoint\",user_hash="
    "\"default-user-id\" 978310861001000000";

const std::string p_anth = with(p_resp, {{"responses_analytics", "anthropic_messages_analytics"}});

const std::string p_rate =
    "rate_analytics,chat_id=default-chat-id,deployment=default-deployment,project_id=default-"
    "project-id,response_id=default-response-id,title=default-user-title,user_hash=default-user-id "
    "dislike_count=0i,like_count=1i 978310861001000000";

const std::string p_mcp =
    "mcp_analytics,deployment=default-deployment,mcp_method=tools/call,parent_deployment=default-"
    "parent-deployment,project_id=default-project-id,title=default-user-title "
    "chat_id=\"default-chat-"
    "id\",core_parent_span_id=\"default_core_parent_span_id\",core_span_id=\"default_core_span_"
    "id\","
    "execution_path=\"app1/app2\",mcp_tool_call_name=\"get_current_time\",trace_id=\"default_trace_"
    "id\",upstream=\"http://default-upstream.domain.com/endpoint\",user_hash=\"default-user-id\" "
    "978310861001000000";

const std::string p_route =
    "routes_analytics,deployment=default-deployment,http_method=POST,parent_deployment=default-"
    "parent-deployment,project_id=default-project-id,route_path=/v1/default-route-path/get,title="
    "default-user-title chat_id=\"default-chat-id\",core_parent_span_id=\"default_core_parent_span_"
    "id\",core_span_id=\"default_core_span_id\",execution_path=\"app1/app2\",trace_id=\"default_"
    "trace_id\",upstream=\"http://default-upstream.domain.com/endpoint\",user_hash=\"default-user-"
    "id\" 978310861001000000";

std::string with(std::string line, const std::vector<std::pair<std::string, std::string>>& edits) {
  for (const auto& [from, to] : edits) {
    const auto pos = line.find(from);
    if (pos == std::string::npos) throw std::logic_error("test edit not found: " + from);
    line.replace(pos, from.size(), to);
  }
  return line;
}

namespace {

run_result run_body_with(const std::string& body, da::topic_classifier* topic,
                         da::language_detector* language, da::price_calculator* prices) {
  run_result result;
  da::sequential_id_generator ids;
  da::line_buffer_sink sink;
  da::pipeline_options options;
  options.analysis.ids = &ids;
  options.analysis.topic = topic;
  options.analysis.language = language;
  options.analysis.prices = prices;
  options.analysis.log = [&](da::log_level level, std::string_view message) {
    static constexpr const char* names[] = {"DEBUG", "INFO", "WARNING", "ERROR"};
    result.logs.push_back(std::string(names[static_cast<int>(level)]) + " " + std::string(message));
  };
  da::pipeline pipeline(sink, std::move(options));
  const auto ingest = pipeline.ingest(body, &result.statuses);
  if (ingest.ec) throw std::runtime_error("unreadable body: " + ingest.message);
  const std::string& text = sink.lines();
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t end = text.find('\n', pos);
    result.lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  std::sort(result.lines.begin(), result.lines.end());
  result.reply = "[";
  for (std::size_t i = 0; i < result.statuses.size(); ++i) {
    if (i) result.reply += ",";
    da::append_status_json(result.reply, result.statuses[i]);
  }
  result.reply += "]";
  return result;
}

std::string body_of(const std::vector<json>& records) {
  json body = json::arr();
  for (const json& r : records) body.push(json::obj({{"message", r.dump()}}));
  return body.dump();
}

}  // namespace

run_result run_body(const std::string& body, topics t) {
  da::echo_topic_classifier echo;
  return run_body_with(body, t == topics::echo ? &echo : nullptr, nullptr, nullptr);
}

run_result run(const std::vector<json>& records, topics t) { return run_body(body_of(records), t); }

run_result run_with(const std::vector<json>& records, da::topic_classifier* topic,
                    da::language_detector* language, da::price_calculator* prices) {
  return run_body_with(body_of(records), topic, language, prices);
}

}  // namespace test_support
