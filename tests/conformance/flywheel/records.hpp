// SPDX-License-Identifier: Apache-2.0
// What the ported blueprint tests share: reading a test record as json.loads does, and walking
// into it the way the upstream tests index their dicts (record["response"]["choices"][0]).
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "flywheel/py_json_value.hpp"

namespace conformance {

namespace pyjson = dial_analytics::flywheel::pyjson;

/// json.loads(text); fails the test when the text is not JSON.
inline pyjson::value parse(std::string_view text) {
  pyjson::value v;
  std::string error;
  if (!pyjson::parse(text, v, error)) FAIL("test input is not JSON (" << error << "): " << text);
  return v;
}

/// One step of a path into a record: a dict key or a list index.
struct step {
  step(const char* k) : key(k) {}  // NOLINT(google-explicit-constructor)
  step(int i) : index(static_cast<std::size_t>(i)), is_key(false) {}  // NOLINT
  std::string_view key;
  std::size_t index = 0;
  bool is_key = true;
};

/// record[k1][k2]...; fails the test when a step is missing.
inline const pyjson::value& at(const pyjson::value& v, std::initializer_list<step> path) {
  const pyjson::value* cur = &v;
  for (const step& s : path) {
    if (s.is_key) {
      const pyjson::value* next = cur->find(s.key);
      if (next == nullptr) FAIL("missing key " << s.key << " in " << pyjson::dumps(*cur));
      cur = next;
    } else {
      if (!cur->is_list() || s.index >= cur->items.size())
        FAIL("missing index " << s.index << " in " << pyjson::dumps(*cur));
      cur = &cur->items[s.index];
    }
  }
  return *cur;
}

/// The fixtures of the blueprint's conftest.py: valid_openai_record, openai_record_with_tool_calls,
/// openai_records_batch and the seven invalid_openai_records (I1-I7).
inline const std::string valid_openai_record = R"json(
{"request": {"messages": [{"role": "system", "content": "You are a helpful assistant."},
                          {"role": "user", "content": "What is the capital of France?"}]},
 "response": {"choices": [{"message": {"role": "assistant",
                                       "content": "The capital of France is Paris."}}]}})json";

inline const std::string openai_record_with_tool_calls = R"json(
{"request": {"messages": [{"role": "user", "content": "What's the weather in New York?"}]},
 "response": {"choices": [{"message": {"role": "assistant",
                                       "content": "I'll check the weather for you.",
                                       "tool_calls": [{"id": "call_abc123", "type": "function",
                                                       "function": {"name": "get_weather",
                                                                    "arguments": "{\"location\": \"New York\", \"unit\": \"fahrenheit\"}"}}]},
                           "finish_reason": "tool_calls"}]}})json";

inline const std::vector<std::string_view> openai_records_batch = {
    R"json({"request": {"messages": [{"role": "user", "content": "Hello"}]},
            "response": {"choices": [{"message": {"content": "Hi there!"}}]}})json",
    R"json({"request": {"messages": [{"role": "system", "content": "You are helpful"},
                                     {"role": "user", "content": "Tell me a joke"}]},
            "response": {"choices": [{"message": {"content": "Why did the chicken cross the road?"}}]}})json",
    R"json({"request": {"messages": [{"role": "user", "content": "What is 2+2?"},
                                     {"role": "assistant", "content": "2+2 equals 4"},
                                     {"role": "user", "content": "What about 3+3?"}]},
            "response": {"choices": [{"message": {"content": "3+3 equals 6"}}]}})json",
};

inline const std::vector<std::string> invalid_openai_records = {
    R"json({"response": {"choices": []}})json",                                         // I1
    R"json({"request": {"messages": []}})json",                                         // I2
    R"json({"request": "not a dict", "response": {"choices": []}})json",                // I3
    R"json({"request": {}, "response": {"choices": []}})json",                          // I4
    R"json({"request": {"messages": "not a list"}, "response": {"choices": []}})json",  // I5
    R"json({"request": {"messages": []}, "response": {}})json",                         // I6
    R"json({"request": {"messages": []}, "response": {"choices": "not a list"}})json",  // I7
};

}  // namespace conformance
