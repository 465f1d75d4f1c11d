// SPDX-License-Identifier: Apache-2.0
// The NVIDIA Data Flywheel blueprint's tests/unit/lib/test_openai_format_validator.py, ported to
// the per-record rules in flywheel/blueprint.hpp: same inputs, same expected values. The
// blueprint's validate_tool_calling_quality is its _has_tool_calls (blueprint::has_tool_calls);
// where an upstream test asserts a logged warning, the port asserts the rejection that goes with
// it (parse_function_arguments returning false). See README.md in this folder.
#include <catch2/catch.hpp>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/flywheel/records.hpp"
#include "flywheel/blueprint.hpp"
#include "flywheel/py_json_value.hpp"

namespace {

namespace bp = dial_analytics::flywheel::blueprint;
namespace pyjson = dial_analytics::flywheel::pyjson;

using conformance::at;
using conformance::parse;

/// The first response tool call's function.arguments, as json.dumps prints it.
std::string first_arguments(const pyjson::value& record, int call = 0) {
  return pyjson::dumps(at(
      record, {"response", "choices", 0, "message", "tool_calls", call, "function", "arguments"}));
}

using conformance::invalid_openai_records;
using conformance::openai_record_with_tool_calls;
using conformance::openai_records_batch;
using conformance::valid_openai_record;

struct record_case {
  std::string_view record;
  bool expected;
};

}  // namespace

// blueprint test_validate_chat_completion_format[0..16]
TEST_CASE("chat completion format needs a non-empty messages list and a non-empty choices list",
          "[flywheel][conformance]") {
  const std::vector<record_case> cases = {
      // 0: valid basic chat completion format
      {R"json({"request": {"messages": [{"role": "user", "content": "Hello"}]},
               "response": {"choices": [{"message": {"content": "Hi there!"}}]}})json",
       true},
      // 1: valid with multiple messages
      {R"json({"request": {"messages": [{"role": "system", "content": "You are helpful"},
                                        {"role": "user", "content": "Hello"},
                                        {"role": "assistant", "content": "Hi!"},
                                        {"role": "user", "content": "How are you?"}]},
               "response": {"choices": [{"message": {"content": "I'm doing well!"}}]}})json",
       true},
      // 2: valid with multiple choices
      {R"json({"request": {"messages": [{"role": "user", "content": "Hello"}]},
               "response": {"choices": [{"message": {"content": "Hi!"}},
                                        {"message": {"content": "Hello!"}}]}})json",
       true},
      // 3: empty messages list and empty choices list
      {R"json({"request": {"messages": []}, "response": {"choices": []}})json", false},
      // 4: missing request
      {R"json({"response": {"choices": [{"message": {"content": "Hi!"}}]}})json", false},
      // 5: missing response
      {R"json({"request": {"messages": [{"role": "user", "content": "Hello"}]}})json", false},
      // 6: request is not a dict
      {R"json({"request": "not a dict", "response": {"choices": []}})json", false},
      // 7: response is not a dict
      {R"json({"request": {"messages": []}, "response": "not a dict"})json", false},
      // 8: missing messages in request
      {R"json({"request": {}, "response": {"choices": []}})json", false},
      // 9: messages is not a list
      {R"json({"request": {"messages": "not a list"}, "response": {"choices": []}})json", false},
      // 10: missing choices in response
      {R"json({"request": {"messages": []}, "response": {}})json", false},
      // 11: choices is not a list
      {R"json({"request": {"messages": []}, "response": {"choices": "not a list"}})json", false},
      // 12: empty dict
      {R"json({})json", false},
      // 13: request is None
      {R"json({"request": null, "response": {"choices": []}})json", false},
      // 14: response without choices
      {R"json({"request": {"messages": [{"role": "user", "content": "Hello"}]},
               "response": {"not_choices": []}})json",
       false},
      // 15: choices is an object
      {R"json({"request": {"messages": [{"role": "user", "content": "Hello"}]},
               "response": {"choices": {"message": {"content": "Hi!"}}}})json",
       false},
      // 16: choices is an empty list
      {R"json({"request": {"messages": [{"role": "user", "content": "Hello"}]},
               "response": {"choices": []}})json",
       false},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(i, cases[i].record);
    CHECK(bp::valid_chat_completion_format(parse(cases[i].record)) == cases[i].expected);
  }
}

// blueprint test_validate_tool_calling_quality[0..5]
TEST_CASE("the tool-calling quality check passes only records with a typed function call",
          "[flywheel][conformance]") {
  const std::vector<record_case> cases = {
      // 0: no tool calls
      {R"json({"request": {"messages": [{"role": "user", "content": "Hello"}]},
               "response": {"choices": [{"message": {"content": "Hi!"}}]}})json",
       false},
      // 1: a tool call with type "function"
      {R"json({"request": {"messages": [{"role": "user", "content": "Get weather"}]},
               "response": {"choices": [{"message": {
                   "content": "I'll check the weather",
                   "tool_calls": [{"id": "call_123", "type": "function",
                                   "function": {"name": "get_weather",
                                                "arguments": "{\"location\": \"NYC\"}"}}]}}]}})json",
       true},
      // 2: empty tool_calls list
      {R"json({"request": {"messages": [{"role": "user", "content": "Hello"}]},
               "response": {"choices": [{"message": {"content": "Hi!", "tool_calls": []}}]}})json",
       false},
      // 3: tool_calls is None
      {R"json({"request": {"messages": [{"role": "user", "content": "Hello"}]},
               "response": {"choices": [{"message": {"content": "Hi!", "tool_calls": null}}]}})json",
       false},
      // 4: two choices, the second with a typed tool call
      {R"json({"request": {"messages": [{"role": "user", "content": "Get weather"}]},
               "response": {"choices": [
                   {"message": {"content": "Hi!"}},
                   {"message": {"content": "Checking...",
                                "tool_calls": [{"type": "function",
                                                "function": {"name": "get_weather"}}]}}]}})json",
       true},
      // 5: invalid structure
      {R"json({"request": {"messages": []}, "response": {}})json", false},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(i, cases[i].record);
    CHECK(bp::has_tool_calls(parse(cases[i].record)) == cases[i].expected);
  }
}

// blueprint test_has_tool_calls[0..8]
TEST_CASE("a record has tool calls when every call of the first choice with calls is a function",
          "[flywheel][conformance]") {
  const std::vector<record_case> cases = {
      // 0: content only
      {R"json({"response": {"choices": [{"message": {"content": "Hi!"}}]}})json", false},
      // 1: a typed tool call
      {R"json({"response": {"choices": [{"message": {"tool_calls": [
                  {"type": "function", "function": {"name": "get_weather"}}]}}]}})json",
       true},
      // 2: empty response
      {R"json({"response": {}})json", false},
      // 3: no response key
      {R"json({})json", false},
      // 4: empty choices
      {R"json({"response": {"choices": []}})json", false},
      // 5: response is not a dict
      {R"json({"response": "not a dict"})json", false},
      // 6: a tool call without type
      {R"json({"response": {"choices": [{"message": {"tool_calls": [
                  {"function": {"name": "get_weather"}}]}}]}})json",
       false},
      // 7: a tool call whose type is not "function"
      {R"json({"response": {"choices": [{"message": {"tool_calls": [
                  {"type": "not_function", "function": {"name": "get_weather"}}]}}]}})json",
       false},
      // 8: a tool call whose type is "function"
      {R"json({"response": {"choices": [{"message": {"tool_calls": [
                  {"type": "function", "function": {"name": "get_weather"}}]}}]}})json",
       true},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(i, cases[i].record);
    CHECK(bp::has_tool_calls(parse(cases[i].record)) == cases[i].expected);
  }
}

// blueprint test_parse_function_arguments_to_json
TEST_CASE("string function arguments of the response's tool calls are parsed into JSON objects",
          "[flywheel][conformance]") {
  pyjson::value record = parse(R"json(
      {"response": {"choices": [{"message": {"tool_calls": [
          {"function": {"name": "get_weather",
                        "arguments": "{\"location\": \"New York\", \"unit\": \"celsius\"}"}},
          {"function": {"name": "get_time", "arguments": "{\"timezone\": \"EST\"}"}}]}}]}})json");
  CHECK(bp::parse_function_arguments(record));
  CHECK(at(record, {"response", "choices", 0, "message", "tool_calls", 0, "function", "arguments"})
            .is_dict());
  CHECK(first_arguments(record, 0) == R"({"location": "New York", "unit": "celsius"})");
  CHECK(first_arguments(record, 1) == R"({"timezone": "EST"})");
}

// blueprint test_parse_function_arguments_already_parsed
TEST_CASE("function arguments that are already an object are left unchanged",
          "[flywheel][conformance]") {
  pyjson::value record = parse(R"json(
      {"response": {"choices": [{"message": {"tool_calls": [
          {"function": {"name": "get_weather",
                        "arguments": {"location": "NYC", "unit": "fahrenheit"}}}]}}]}})json");
  const std::string before = pyjson::dumps(record);
  CHECK(bp::parse_function_arguments(record));
  CHECK(first_arguments(record) == R"({"location": "NYC", "unit": "fahrenheit"})");
  CHECK(pyjson::dumps(record) == before);
}

// blueprint test_parse_function_arguments_invalid_json
TEST_CASE("function arguments that are not JSON reject the record", "[flywheel][conformance]") {
  pyjson::value record = parse(R"json(
      {"response": {"choices": [{"message": {"tool_calls": [
          {"function": {"name": "get_weather", "arguments": "invalid json {"}}]}}]}})json");
  // Upstream asserts one warning "Failed to parse function arguments"; the rejection is the result.
  CHECK_FALSE(bp::parse_function_arguments(record));
  CHECK(first_arguments(record) == R"("invalid json {")");
}

// blueprint test_parse_function_arguments_edge_cases
TEST_CASE("records without parsable tool-call arguments pass argument parsing",
          "[flywheel][conformance]") {
  const std::vector<std::string_view> records = {
      // empty record
      R"json({})json",
      // no tool calls
      R"json({"response": {"choices": [{"message": {}}]}})json",
      // empty tool calls list
      R"json({"response": {"choices": [{"message": {"tool_calls": []}}]}})json",
      // a tool call without a function key
      R"json({"response": {"choices": [{"message": {"tool_calls": [{}]}}]}})json",
      // a typed tool call without an arguments key
      R"json({"response": {"choices": [{"message": {"tool_calls": [
          {"type": "function", "function": {"name": "test"}}]}}]}})json",
  };
  for (std::string_view text : records) {
    CAPTURE(text);
    pyjson::value record = parse(text);
    const std::string before = pyjson::dumps(record);
    CHECK(bp::parse_function_arguments(record));
    CHECK(pyjson::dumps(record) == before);
  }
}

// blueprint test_tool_properties_limit_validation
TEST_CASE("a tool with more than eight parameter properties makes the record invalid",
          "[flywheel][conformance]") {
  const pyjson::value three = parse(R"json(
      {"request": {"messages": [{"role": "user", "content": "Hello"}],
                   "tools": [{"type": "function", "function": {"name": "small_tool",
                       "parameters": {"type": "object", "properties": {
                           "prop1": {"type": "string"}, "prop2": {"type": "string"},
                           "prop3": {"type": "string"}}}}}]},
       "response": {"choices": [{"message": {"content": "Hi!"}}]}})json");
  CHECK(bp::valid_chat_completion_format(three));

  const pyjson::value nine = parse(R"json(
      {"request": {"messages": [{"role": "user", "content": "Hello"}],
                   "tools": [{"type": "function", "function": {"name": "large_tool",
                       "parameters": {"type": "object", "properties": {
                           "prop1": {"type": "string"}, "prop2": {"type": "string"},
                           "prop3": {"type": "string"}, "prop4": {"type": "string"},
                           "prop5": {"type": "string"}, "prop6": {"type": "string"},
                           "prop7": {"type": "string"}, "prop8": {"type": "string"},
                           "prop9": {"type": "string"}}}}}]},
       "response": {"choices": [{"message": {"content": "Hi!"}}]}})json");
  CHECK_FALSE(bp::valid_chat_completion_format(nine));
}

// blueprint test_exception_handling
TEST_CASE("malformed records are neither in chat format nor tool-calling quality",
          "[flywheel][conformance]") {
  const std::vector<std::string_view> records = {
      R"json(null)json",
      R"json("not a dict")json",
      R"json([])json",
      R"json({"request": {"messages": null}})json",
      R"json({"response": {"choices": "not a list"}})json",
  };
  for (std::string_view text : records) {
    CAPTURE(text);
    const pyjson::value record = parse(text);
    CHECK_FALSE(bp::valid_chat_completion_format(record));
    CHECK_FALSE(bp::has_tool_calls(record));
  }
}

// blueprint test_validate_with_fixtures
TEST_CASE("the fixture records are in chat format and only the tool record passes quality",
          "[flywheel][conformance]") {
  const pyjson::value valid = parse(valid_openai_record);
  CHECK(bp::valid_chat_completion_format(valid));
  CHECK_FALSE(bp::has_tool_calls(valid));

  const pyjson::value with_tools = parse(openai_record_with_tool_calls);
  CHECK(bp::valid_chat_completion_format(with_tools));
  CHECK(bp::has_tool_calls(with_tools));
}

// blueprint test_batch_validation
TEST_CASE("the batch records are in chat format without tool calls", "[flywheel][conformance]") {
  for (std::string_view text : openai_records_batch) {
    CAPTURE(text);
    const pyjson::value record = parse(text);
    CHECK(bp::valid_chat_completion_format(record));
    CHECK_FALSE(bp::has_tool_calls(record));
  }
}

// blueprint test_invalid_records_from_fixtures
TEST_CASE("the seven invalid fixture records are not in chat format", "[flywheel][conformance]") {
  for (std::string_view text : invalid_openai_records) {
    CAPTURE(text);
    CHECK_FALSE(bp::valid_chat_completion_format(parse(text)));
  }
}

// blueprint test_nested_tool_calls
TEST_CASE("nested function arguments are parsed whole", "[flywheel][conformance]") {
  pyjson::value record = parse(R"json(
      {"request": {"messages": [{"role": "user", "content": "Complex request"}]},
       "response": {"choices": [{"message": {"content": "Processing...", "tool_calls": [
           {"id": "call_1", "type": "function",
            "function": {"name": "complex_function",
                         "arguments": "{\"nested\": {\"data\": [\"item1\", \"item2\"], \"config\": {\"key\": \"value\"}}}"}}]}}]}})json");
  CHECK(bp::valid_chat_completion_format(record));
  CHECK(bp::has_tool_calls(record));
  CHECK(bp::parse_function_arguments(record));
  const pyjson::value& args =
      at(record, {"response", "choices", 0, "message", "tool_calls", 0, "function", "arguments"});
  CHECK(args.is_dict());
  CHECK(pyjson::dumps(at(args, {"nested", "data"})) == R"(["item1", "item2"])");
}

// blueprint test_unicode_and_special_characters
TEST_CASE("unicode and special characters do not affect the format rule",
          "[flywheel][conformance]") {
  const pyjson::value record = parse(R"json(
      {"request": {"messages": [{"role": "user",
                                 "content": "Hello 你好 🌍 \n\t Special chars: <>&\"'"}]},
       "response": {"choices": [{"message": {
           "content": "Response with émojis 🎉 and spëcial çhars"}}]}})json");
  CHECK(bp::valid_chat_completion_format(record));
  CHECK_FALSE(bp::has_tool_calls(record));
}

// blueprint test_very_large_record
TEST_CASE("a very large record is in chat format", "[flywheel][conformance]") {
  std::string text = R"({"request": {"messages": [)";
  for (int i = 0; i < 100; ++i) {
    std::string content;
    for (int k = 0; k < 100; ++k) content += "Message " + std::to_string(i);
    if (i > 0) text += ", ";
    text += R"({"role": ")";
    text += i % 2 == 0 ? "user" : "assistant";
    text += R"(", "content": ")" + content + R"("})";
  }
  std::string final_response;
  for (int k = 0; k < 1000; ++k) final_response += "Final response";
  text +=
      R"(]}, "response": {"choices": [{"message": {"content": ")" + final_response + R"("}}]}})";
  const pyjson::value record = parse(text);
  REQUIRE(at(record, {"request", "messages"}).items.size() == 100);
  CHECK(bp::valid_chat_completion_format(record));
  CHECK_FALSE(bp::has_tool_calls(record));
}

// blueprint test_multiple_choices_mixed_tool_calls
TEST_CASE("one choice with a typed tool call among several is enough for quality",
          "[flywheel][conformance]") {
  const pyjson::value record = parse(R"json(
      {"request": {"messages": [{"role": "user", "content": "Multi-response"}]},
       "response": {"choices": [
           {"message": {"content": "Response 1"}},
           {"message": {"content": "Response 2", "tool_calls": []}},
           {"message": {"content": "Response 3",
                        "tool_calls": [{"type": "function", "function": {"name": "test"}}]}},
           {"message": {"content": "Response 4"}}]}})json");
  CHECK(bp::valid_chat_completion_format(record));
  CHECK(bp::has_tool_calls(record));
}

// blueprint test_empty_string_arguments
TEST_CASE("empty string arguments reject the record and stay as they are",
          "[flywheel][conformance]") {
  pyjson::value record = parse(R"json(
      {"response": {"choices": [{"message": {"tool_calls": [
          {"function": {"name": "test_function", "arguments": ""}}]}}]}})json");
  CHECK_FALSE(bp::parse_function_arguments(record));
  CHECK(first_arguments(record) == R"("")");
}

// blueprint test_whitespace_only_arguments
TEST_CASE("whitespace-only arguments reject the record and stay as they are",
          "[flywheel][conformance]") {
  pyjson::value record = parse(R"json(
      {"response": {"choices": [{"message": {"tool_calls": [
          {"function": {"name": "test_function", "arguments": "   \n\t   "}}]}}]}})json");
  CHECK_FALSE(bp::parse_function_arguments(record));
  CHECK(first_arguments(record) == R"("   \n\t   ")");
}

// blueprint test_parse_function_arguments_key_error
TEST_CASE("tool calls that are not a list reject the record in argument parsing",
          "[flywheel][conformance]") {
  pyjson::value record = parse(R"json(
      {"response": {"choices": [{"message": {"tool_calls": "not a list"}}]}})json");
  // Upstream asserts one warning "Error parsing function arguments"; the rejection is the result.
  CHECK_FALSE(bp::parse_function_arguments(record));
}

// blueprint test_has_tool_calls_exception_handling (upstream: a duck-typed choice whose .get
// raises; the JSON equivalent is a choice that is not a dict, whose .get raises AttributeError)
TEST_CASE("a choice that is not a dict means no tool calls", "[flywheel][conformance]") {
  CHECK_FALSE(bp::has_tool_calls(parse(R"json(
      {"response": {"choices": [["message", {"tool_calls": [{"type": "function"}]}]]}})json")));
  CHECK_FALSE(bp::has_tool_calls(parse(R"json(
      {"response": {"choices": [{"message": ["tool_calls", [{"type": "function"}]]}]}})json")));
}

// blueprint test_validate_chat_completion_format_exception_handling (upstream: an object whose
// `in` raises; the JSON equivalent is a record for which `"request" in record` raises TypeError)
TEST_CASE("a record that is a number or a boolean is not in chat format",
          "[flywheel][conformance]") {
  CHECK_FALSE(bp::valid_chat_completion_format(parse("42")));
  CHECK_FALSE(bp::valid_chat_completion_format(parse("true")));
}

// blueprint test_has_tool_calls_with_malformed_choices
TEST_CASE("choices that are a string, a number and null mean no tool calls",
          "[flywheel][conformance]") {
  CHECK_FALSE(bp::has_tool_calls(parse(R"json(
      {"request": {"messages": [{"role": "user", "content": "Hello"}]},
       "response": {"choices": ["not a dict", 123, null]}})json")));
}

// blueprint test_validate_chat_completion_format_with_invalid_nested_structure
TEST_CASE("a choice that is a string makes the record invalid", "[flywheel][conformance]") {
  CHECK_FALSE(bp::valid_chat_completion_format(parse(R"json(
      {"request": {"messages": [{"role": "user", "content": "Hello"}, null]},
       "response": {"choices": [{"message": {"content": "Hi!"}}, "invalid choice"]}})json")));
}
