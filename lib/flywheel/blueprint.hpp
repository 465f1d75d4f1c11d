// SPDX-License-Identifier: Apache-2.0
// The blueprint's per-record rules (its OpenAIFormatValidator, DataValidator helpers and
// formatting utilities), one function each, over records as Python holds them. Where the
// blueprint would raise an uncaught Python exception and fail the whole job, these functions do
// the sensible thing instead, as each comment says. Private to the library (tests include it).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <dial_analytics/flywheel/dataset.hpp>

#include "flywheel/py_json_value.hpp"

namespace dial_analytics::flywheel::blueprint {

using pyjson::value;

/// A tool's `function.parameters.properties` may hold at most this many entries (a NIM
/// workaround).
inline constexpr std::size_t tool_properties_limit = 8;

/// `validate_chat_completion_format`: `request.messages` a non-empty list, `response.choices` a
/// non-empty list of dicts that each have a `message` key, and, when `request` has a `tools`
/// key, every tool within the properties limit. Any non-dict record is invalid.
[[nodiscard]] bool valid_chat_completion_format(const value& record);

/// `_has_tool_calls` (the tool-calling quality filter): at the first choice whose
/// `message.tool_calls` is truthy, every call is a dict with `type == "function"`.
[[nodiscard]] bool has_tool_calls(const value& record);

/// `_parse_function_arguments_to_json`: string `function.arguments` of the response's tool calls
/// become the JSON value they hold, in place. False (reject the record) when one is not JSON or
/// the structure is malformed; calls before the failing one stay converted.
[[nodiscard]] bool parse_function_arguments(value& record);

/// What workload detection sees in one record.
enum class detection { tool_calls, none, skipped };

/// `identify_workload_type` for one record: `tool_calls` when
/// `response.choices[0].message.tool_calls` is truthy and non-empty. `skipped` where the
/// blueprint skips the record (KeyError, IndexError) and also where it would crash (TypeError,
/// AttributeError: e.g. `message: null`).
[[nodiscard]] detection detect_tool_calls(const value& record);

/// `_deduplicate_records`' key: the user messages' truthy contents, in order, encoded so that
/// two keys are equal exactly when Python's tuples compare equal (1 == 1.0 == True). Empty when
/// the record is always kept: no such content, messages not a list, or an unhashable content
/// (a list or dict: multimodal records are never deduplicated). NaN contents are equal to each
/// other, as in Python, where json.loads returns one shared NaN object and tuples compare
/// identical elements as equal.
[[nodiscard]] std::optional<std::string> dedup_key(const value& record);

/// A split class as the blueprint's `get_tool_name` returns it: usually a str, but a number or a
/// bool when the logged `function.name` is one.
struct class_label {
  bool numeric = false;  ///< int, float or bool: `number` holds it, `text` is Python's str()
  std::string text;
  double number = 0;
  std::string key;  ///< equal for two labels exactly when Python's == is (append_hashable)
};

/// Appends a key for a str, int, float or bool such that two keys are equal exactly when
/// Python's == says the values are (1 == 1.0 == True; big integers exact); the deduplication
/// tuples and the split classes both compare this way.
void append_hashable(std::string& key, const value& v);

/// `get_tool_name`: the first choice's first tool call's `function.name`, "no_tool" without tool
/// calls. Where the blueprint would crash (no name, a name that is null, a list or a dict, a
/// malformed call) the label is "unknown".
[[nodiscard]] class_label tool_class(const value& record);

/// tool_class(record).text
[[nodiscard]] std::string tool_label(const value& record);

/// `format_training_data` for one record: appends the training line to `out` and returns true,
/// or returns false where the blueprint drops the record (a message without `role`, an assistant
/// message without `content`, tool calling without `request.tools`) or would crash (a request
/// message that is not a dict; tool calling with a response message that is not a dict).
[[nodiscard]] bool format_training_record(const value& record, workload_type workload,
                                          std::string& out);

/// `format_evaluator` for one record: appends the record with each request message's tool-call
/// `function.arguments` that is a dict replaced by its json.dumps text. Malformed messages and
/// calls (where the blueprint would crash) are left as they are.
void format_eval_record(const value& record, std::string& out);

}  // namespace dial_analytics::flywheel::blueprint
