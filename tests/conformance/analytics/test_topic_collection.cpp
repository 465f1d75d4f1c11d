// SPDX-License-Identifier: Apache-2.0
// The reference service's topic tests: the text given to the topic model, seen through the echo
// model (docs/line-protocol.md, "topic").
#include <dial_analytics/analytics/classifiers.hpp>

#include "expect.hpp"

using namespace test_support;

namespace {

json msg(const char* role, json content) {
  return json::obj({{"role", role}, {"content", std::move(content)}});
}
json text_part(const char* type, const char* text) {
  return json::obj({{"type", type}, {"text", text}});
}

// The echo topic escaped as a tag value.
std::string topic_tag(const std::string& text) {
  std::string out;
  dial_analytics::append_escaped_tag(out, text);
  return out;
}

json chat_with(json messages, const char* assistant = "assistant-message") {
  json r = chat_record();
  json body = chat_request_body();
  body["messages"] = std::move(messages);
  r["request"]["body"] = body.dump();
  json response = chat_assembled_response();
  response["choices"] =
      json::arr({json::obj({{"index", 0},
                            {"message", json::obj({{"role", "assistant"}, {"content", assistant}})},
                            {"finish_reason", "stop"}})});
  r["assembled_response"] = response.dump();
  return r;
}

}  // namespace

TEST_CASE("chat topic without an assembled response is the user message", "[conformance][topic]") {
  for (json assembled : {json(nullptr), json("{}"), json(""), json("invalid JSON")}) {
    json r = chat_with(json::arr({msg("user", "user-message")}));
    r["assembled_response"] = assembled;
    expect_points({r},
                  {with(p_chat, {{"response_id=default-response-id", "response_id=pseudo-uuid-1"},
                                 {"topic=undefined", "topic=user-message"}})},
                  topics::echo);
  }
}

TEST_CASE("chat topic joins text content parts of every role", "[conformance][topic]") {
  json r = chat_with(json::arr({msg("system", json::arr({text_part("text", "system-message")})),
                                msg("user", "user-message")}));
  expect_points(
      {r},
      {with(p_chat,
            {{"number_request_messages=1i", "number_request_messages=2i"},
             {"topic=undefined",
              "topic=" + topic_tag("system-message\n\nuser-message\n\nassistant-message")}})},
      topics::echo);
}

TEST_CASE("chat topic skips messages without text content", "[conformance][topic]") {
  json tool_call = json::obj(
      {{"role", "assistant"},
       {"content", nullptr},
       {"tool_calls",
        json::arr(
            {json::obj({{"id", "call_1"},
                        {"type", "function"},
                        {"function", json::obj({{"name", "weather"}, {"arguments", "{}"}})}})})}});
  json r = chat_with(json::arr(
      {msg("user", "what's the weather like?"), tool_call,
       json::obj({{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "It's sunny today."}}),
       msg("user", "user-message")}));
  expect_points(
      {r},
      {with(p_chat, {{"number_request_messages=1i", "number_request_messages=4i"},
                     {"topic=undefined",
                      "topic=" + topic_tag("what's the weather like?\n\nIt's sunny "
                                           "today.\n\nuser-message\n\nassistant-message")}})},
      topics::echo);
}

TEST_CASE("topic tags escape spaces, equals signs and newlines",
          "[conformance][topic][line_protocol]") {
  CHECK(topic_tag("what's the weather like?\n\nIt's sunny today.\n\n2+3=?\n\n5") ==
        "what's\\ the\\ weather\\ like?\\n\\nIt's\\ sunny\\ today.\\n\\n2+3\\=?\\n\\n5");
}

TEST_CASE("embeddings topic joins the input strings", "[conformance][topic][embeddings]") {
  json r = embeddings_record();
  r["request"]["body"] = json::obj({{"input", json::arr({"fish", "cat"})}}).dump();
  expect_points({r},
                {with(p_emb, {{"number_request_messages=1i", "number_request_messages=2i"},
                              {"topic=undefined", "topic=fish\\n\\ncat"}})},
                topics::echo);
}

namespace {

json responses_with(json input, json output) {
  json r = responses_record();
  json body = responses_request_body();
  body["input"] = std::move(input);
  r["request"]["body"] = body.dump();
  json response = responses_assembled_response();
  response["output"] = std::move(output);
  r["assembled_response"] = response.dump();
  return r;
}
json output_message(const char* text) {
  return json::obj({{"type", "message"},
                    {"role", "assistant"},
                    {"content", json::arr({text_part("output_text", text)})}});
}
json reasoning_item() {
  return json::obj({{"type", "reasoning"},
                    {"summary", json::arr({text_part("summary_text", "thinking")})},
                    {"content", json::arr()}});
}
std::string resp_topic(const std::string& topic, const std::string& n = "1") {
  return with(p_resp, {{"number_request_messages=1i", "number_request_messages=" + n + "i"},
                       {"topic=undefined", "topic=" + topic_tag(topic)}});
}

}  // namespace

TEST_CASE("responses topic from a string input and the output message",
          "[conformance][topic][responses]") {
  expect_points({responses_with("user-message", json::arr({reasoning_item(),
                                                           output_message("assistant-message")}))},
                {resp_topic("user-message\n\nassistant-message")}, topics::echo);
}

TEST_CASE("responses topic without an assembled response", "[conformance][topic][responses]") {
  for (json assembled : {json(nullptr), json("{}"), json(""), json("invalid JSON")}) {
    json r = responses_with("user-message", json::arr());
    r["assembled_response"] = assembled;
    expect_points({r},
                  {with(resp_topic("user-message"), {{"response_id=\"default-response-id\"",
                                                      "response_id=\"pseudo-uuid-1\""}})},
                  topics::echo);
  }
}

TEST_CASE("responses topic from input_text parts, echoed output_text and tool outputs",
          "[conformance][topic][responses]") {
  json system = json::obj(
      {{"role", "system"}, {"content", json::arr({text_part("input_text", "system-message")})}});
  expect_points({responses_with(
                    json::arr({system, json::obj({{"role", "user"}, {"content", "user-message"}})}),
                    json::arr({output_message("assistant-message")}))},
                {resp_topic("system-message\n\nuser-message\n\nassistant-message", "2")},
                topics::echo);

  expect_points({responses_with(
                    json::arr({json::obj({{"role", "user"}, {"content", "first-user-message"}}),
                               output_message("first-assistant-message"),
                               json::obj({{"role", "user"}, {"content", "second-user-message"}})}),
                    json::arr({output_message("assistant-message")}))},
                {resp_topic("first-user-message\n\nfirst-assistant-message\n\nsecond-user-"
                            "message\n\nassistant-message",
                            "3")},
                topics::echo);

  json call = json::obj(
      {{"type", "function_call"}, {"call_id", "c1"}, {"name", "weather"}, {"arguments", "{}"}});
  json result = json::obj(
      {{"type", "function_call_output"}, {"call_id", "c1"}, {"output", "It's sunny today."}});
  json image_and_text = json::obj(
      {{"role", "user"},
       {"content", json::arr({json::obj({{"type", "input_image"}, {"image_url", "data:x"}}),
                              text_part("input_text", "user-message")})}});
  expect_points(
      {responses_with(
          json::arr({json::obj({{"role", "user"}, {"content", "what's the weather like?"}}), call,
                     result, image_and_text}),
          json::arr({output_message("assistant-message")}))},
      {resp_topic(
          "what's the weather like?\n\nIt's sunny today.\n\nuser-message\n\nassistant-message",
          "4")},
      topics::echo);
}

TEST_CASE("responses topic excludes reasoning and joins several output messages",
          "[conformance][topic][responses]") {
  expect_points({responses_with("user-message", json::arr({reasoning_item(),
                                                           output_message("assistant-message")}))},
                {resp_topic("user-message\n\nassistant-message")}, topics::echo);
  expect_points({responses_with("user-message", json::arr({output_message("first-part"),
                                                           output_message("second-part")}))},
                {resp_topic("user-message\n\nfirst-part\n\nsecond-part")}, topics::echo);
}

TEST_CASE("responses without a chat id write undefined topic and language",
          "[conformance][topic][responses]") {
  json r = responses_record();
  r["chat"]["id"] = "";
  expect_points({r}, {with(p_resp, {{"chat_id=\"default-chat-id\"", "chat_id=\"undefined\""}})},
                topics::echo);
}

namespace {

json anthropic_with(json messages, json content, json system = nullptr) {
  json r = anthropic_record();
  json body = anthropic_request_body();
  body["messages"] = std::move(messages);
  if (!system.dump().empty() && system.dump() != "null") body["system"] = std::move(system);
  r["request"]["body"] = body.dump();
  json response = anthropic_assembled_response();
  response["content"] = std::move(content);
  r["assembled_response"] = response.dump();
  return r;
}
json text_block(const char* text) { return json::obj({{"type", "text"}, {"text", text}}); }
std::string anth_topic(const std::string& topic, const std::string& n = "1") {
  return with(p_anth, {{"number_request_messages=1i", "number_request_messages=" + n + "i"},
                       {"topic=undefined", "topic=" + topic_tag(topic)}});
}
json thinking() {
  return json::obj({{"type", "thinking"}, {"thinking", "hmm"}, {"signature", "s"}});
}

}  // namespace

TEST_CASE("anthropic topic from string content, blocks and system prompts",
          "[conformance][topic][anthropic]") {
  expect_points({anthropic_with(json::arr({msg("user", "user-message")}),
                                json::arr({thinking(), text_block("assistant-message")}))},
                {anth_topic("user-message\n\nassistant-message")}, topics::echo);
  expect_points({anthropic_with(
                    json::arr({msg("user", json::arr({text_block("first-user-message")})),
                               msg("assistant", json::arr({text_block("first-assistant-message")})),
                               msg("user", json::arr({text_block("second-user-message")}))}),
                    json::arr({text_block("assistant-message")}))},
                {anth_topic("first-user-message\n\nfirst-assistant-message\n\nsecond-user-"
                            "message\n\nassistant-message",
                            "3")},
                topics::echo);
  for (json system : {json("system-prompt"), json::arr({text_block("system-prompt")})}) {
    expect_points({anthropic_with(json::arr({msg("user", "user-message")}),
                                  json::arr({text_block("assistant-message")}), system)},
                  {anth_topic("system-prompt\n\nuser-message\n\nassistant-message")}, topics::echo);
  }
}

TEST_CASE("anthropic topic reads tool results and skips tool use, images and thinking",
          "[conformance][topic][anthropic]") {
  json tool_use =
      json::obj({{"type", "tool_use"}, {"id", "t1"}, {"name", "weather"}, {"input", json::obj()}});
  json image =
      json::obj({{"type", "image"}, {"source", json::obj({{"type", "base64"}, {"data", "x"}})}});
  expect_points(
      {anthropic_with(
          json::arr({msg("user", "what's the weather like?"),
                     msg("assistant", json::arr({tool_use})),
                     msg("user", json::arr({json::obj({{"type", "tool_result"},
                                                       {"tool_use_id", "t1"},
                                                       {"content", "It's sunny today."}})})),
                     msg("user", json::arr({image, text_block("user-message")}))}),
          json::arr({text_block("assistant-message")}))},
      {anth_topic(
          "what's the weather like?\n\nIt's sunny today.\n\nuser-message\n\nassistant-message",
          "4")},
      topics::echo);
  expect_points(
      {anthropic_with(
          json::arr({msg(
              "user", json::arr({json::obj(
                          {{"type", "tool_result"},
                           {"tool_use_id", "t1"},
                           {"content", json::arr({image, text_block("It's sunny today.")})}})}))}),
          json::arr({text_block("assistant-message")}))},
      {anth_topic("It's sunny today.\n\nassistant-message")}, topics::echo);
  expect_points({anthropic_with(json::arr({msg("user", "user-message")}),
                                json::arr({thinking(), text_block("assistant-message")}))},
                {anth_topic("user-message\n\nassistant-message")}, topics::echo);
  expect_points({anthropic_with(json::arr({msg("user", "user-message")}),
                                json::arr({text_block("first-part"), text_block("second-part")}))},
                {anth_topic("user-message\n\nfirst-part\n\nsecond-part")}, topics::echo);
}

TEST_CASE("anthropic without an assembled response or a chat id",
          "[conformance][topic][anthropic]") {
  json r = anthropic_with(json::arr({msg("user", "user-message")}), json::arr());
  r["assembled_response"] = nullptr;
  expect_points({r},
                {with(anth_topic("user-message"),
                      {{"response_id=\"default-response-id\"", "response_id=\"pseudo-uuid-1\""}})},
                topics::echo);
  json no_chat = anthropic_record();
  no_chat["chat"]["id"] = "";
  expect_points({no_chat},
                {with(p_anth, {{"chat_id=\"default-chat-id\"", "chat_id=\"undefined\""}})},
                topics::echo);
}

TEST_CASE("the legacy test_app embeddings line holds with the newest token fields",
          "[conformance][embeddings][regression]") {
  json r = embeddings_record();
  r["deployment"] = "text-embedding-3-small";
  r["chat"]["id"] = "chat-1";
  r["project"]["id"] = "PROJECT-KEY";
  r["user"] = json::obj({{"id", ""}, {"title", ""}});
  r["parent_deployment"] = "assistant";
  r["execution_path"] = json::arr({nullptr, "b", "c"});
  r["trace"] = json::obj({{"trace_id", "5dca3d6ed5d22b6ab574f27a6ab5ec14"},
                          {"core_span_id", "9ade2b6fef0a716d"},
                          {"core_parent_span_id", "20e7e64715abbe97"}});
  r["response"]["upstream_uri"] = nullptr;
  r["request"]["time"] = "2023-08-16T19:42:39.997";
  r["request"]["body"] = json::obj({{"input", json::arr({"fish", "cat"})}}).dump();
  r["token_usage"] =
      json::obj({{"prompt_tokens", 2}, {"deployment_price", 0.001}, {"price", 0.001}});
  expect_points(
      {r},
      {"analytics,core_parent_span_id=20e7e64715abbe97,core_span_id=9ade2b6fef0a716d,deployment="
       "text-embedding-3-small,execution_path=undefined/b/c,language=undefined,model=text-"
       "embedding-3-small,parent_deployment=assistant,project_id=PROJECT-KEY,response_id=pseudo-"
       "uuid-1,title=undefined,topic=fish\\n\\ncat,trace_id=5dca3d6ed5d22b6ab574f27a6ab5ec14,"
       "upstream=undefined cache_write_prompt_tokens=0i,cached_prompt_tokens=0i,chat_id=\"chat-1\","
       "completion_tokens=0i,deployment_price=0.001,number_request_messages=2i,price=0.001,"
       "prompt_tokens=2i,reasoning_completion_tokens=0i,user_hash=\"undefined\" "
       "1692214959997000000"},
      topics::echo);
}
