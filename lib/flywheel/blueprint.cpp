// SPDX-License-Identifier: Apache-2.0
// Each rule follows the blueprint's Python line by line; the comments name the Python
// expression whose outcome (value or exception) a branch reproduces.
#include "flywheel/blueprint.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "detail/utf8.hpp"

namespace dial_analytics::flywheel::blueprint {
namespace {

using pyjson::kind;

/// len(x) in Python terms: code points for a str, elements for a list or dict; -1 where len()
/// raises TypeError (numbers, bools, None).
long python_len(const value& v) {
  switch (v.type) {
    case kind::string:
      return static_cast<long>(detail::count_code_points(v.text));
    case kind::array:
    case kind::object:
      return static_cast<long>(v.items.size());
    default:
      return -1;
  }
}

/// `tool.get("function", {}).get("parameters", {}).get("properties", {})` then `len(...) > 8`;
/// false where Python raises.
bool tool_within_limit(const value& tool) {
  if (!tool.is_dict()) return false;  // "x".get → AttributeError
  const value* function = tool.find("function");
  if (!function) return true;  // {} .get(...) chain gives {}
  if (!function->is_dict()) return false;
  const value* parameters = function->find("parameters");
  if (!parameters) return true;
  if (!parameters->is_dict()) return false;
  const value* properties = parameters->find("properties");
  if (!properties) return true;
  const long n = python_len(*properties);
  return n >= 0 && static_cast<std::size_t>(n) <= tool_properties_limit;
}

/// `for tool in request["tools"]`: iterating a str gives its characters, a dict its keys (both
/// str, which fail `.get`); numbers, bools and None raise TypeError.
bool tools_within_limit(const value& tools) {
  switch (tools.type) {
    case kind::array:
      for (const value& tool : tools.items) {
        if (!tool_within_limit(tool)) return false;
      }
      return true;
    case kind::string:
    case kind::object:
      return tools.size() == 0;
    default:
      return false;
  }
}

/// The `message` dict of a choice, following `choice.get("message", {})`: null when Python
/// would raise on the next `.get` (the message is not a dict). `missing` tells an absent key
/// (Python's default `{}`).
const value* message_of(const value& choice, bool& missing) {
  missing = false;
  const value* message = choice.find("message");
  if (!message) {
    missing = true;
    return nullptr;
  }
  return message->is_dict() ? message : nullptr;
}

bool is_typed_function_call(const value& call) {
  if (!call.is_dict()) return false;
  const value* type = call.find("type");
  return type && type->equals("function");
}

// The exact decimal digits of an integral double (|d| >= 2^63), by doubling a decimal number.
std::string integral_double_digits(double d) {
  int exponent = 0;
  const double mantissa = std::frexp(std::fabs(d), &exponent);  // d = m × 2^e, 0.5 <= m < 1
  auto m = static_cast<std::uint64_t>(std::ldexp(mantissa, 53));
  exponent -= 53;
  std::string digits = std::to_string(m);  // most significant first
  for (int k = 0; k < exponent; ++k) {
    int carry = 0;
    for (std::size_t i = digits.size(); i-- > 0;) {
      const int v = (digits[i] - '0') * 2 + carry;
      digits[i] = static_cast<char>('0' + v % 10);
      carry = v / 10;
    }
    if (carry) digits.insert(digits.begin(), static_cast<char>('0' + carry));
  }
  return d < 0 ? "-" + digits : digits;
}

void append_double_key(std::string& key, double d) {
  if (d == 0) d = 0;  // -0.0 == 0.0
  std::uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  key.push_back('n');
  key.append(reinterpret_cast<const char*>(&bits), sizeof bits);
}

void dump_request_message_for_eval(std::string& out, const value& message) {
  // format_evaluator: message.get("tool_calls") truthy → each call's dict arguments become
  // json.dumps text. Anything malformed is left as it is.
  const value* calls = message.is_dict() ? message.find("tool_calls") : nullptr;
  bool touched = false;
  if (calls && calls->is_list()) {
    for (const value& call : calls->items) {
      const value* function = call.is_dict() ? call.find("function") : nullptr;
      const value* arguments =
          function && function->is_dict() ? function->find("arguments") : nullptr;
      if (arguments && arguments->is_dict()) {
        touched = true;
        break;
      }
    }
  }
  if (!touched) {
    pyjson::dump(out, message);
    return;
  }
  value copy = message;
  for (value& call : copy.find("tool_calls")->items) {
    value* function = call.is_dict() ? call.find("function") : nullptr;
    value* arguments = function && function->is_dict() ? function->find("arguments") : nullptr;
    if (arguments && arguments->is_dict())
      *arguments = value::make_string(pyjson::dumps(*arguments));
  }
  pyjson::dump(out, copy);
}

}  // namespace

void append_hashable(std::string& key, const value& v) {
  switch (v.type) {
    case kind::string:
      key.push_back('s');
      key.append(std::to_string(v.text.size()));
      key.push_back(':');
      key.append(v.text);
      return;
    case kind::boolean:
      append_double_key(key, v.boolean ? 1.0 : 0.0);
      return;
    case kind::real:
      append_double_key(key, v.real);
      return;
    case kind::integer: {
      // Equal to a float exactly when the float holds the same integer.
      const double d = std::strtod(v.text.c_str(), nullptr);
      bool exact = false;
      if (std::isfinite(d)) {
        if (std::fabs(d) < 9.2e18) {
          exact = std::to_string(static_cast<long long>(d)) == v.text;
        } else {
          exact = integral_double_digits(d) == v.text;
        }
      }
      if (exact) {
        append_double_key(key, d);
      } else {
        key.push_back('i');
        key.append(std::to_string(v.text.size()));
        key.push_back(':');
        key.append(v.text);
      }
      return;
    }
    default:
      return;  // not reached: callers handle None, lists and dicts
  }
}

bool valid_chat_completion_format(const value& record) {
  if (!record.is_dict()) return false;
  const value* request = record.find("request");
  const value* response = record.find("response");
  if (!request || !response) return false;
  if (!request->is_dict()) return false;
  const value* messages = request->find("messages");
  if (!messages || !messages->is_list() || messages->items.empty()) return false;
  if (const value* tools = request->find("tools"); tools && !tools_within_limit(*tools))
    return false;
  if (!response->is_dict()) return false;
  const value* choices = response->find("choices");
  if (!choices || !choices->is_list() || choices->items.empty()) return false;
  for (const value& choice : choices->items) {
    if (!choice.is_dict() || !choice.find("message")) return false;
  }
  return true;
}

bool has_tool_calls(const value& record) {
  // record.get("response", {}).get("choices", [])
  if (!record.is_dict()) return false;
  const value* response = record.find("response");
  if (!response) return false;
  if (!response->is_dict()) return false;
  const value* choices = response->find("choices");
  if (!choices) return false;
  if (!choices->is_list()) {
    // Iterating a str gives str choices (no .get), a dict its keys; numbers raise.
    return false;
  }
  for (const value& choice : choices->items) {
    if (!choice.is_dict()) return false;
    bool missing = false;
    const value* message = message_of(choice, missing);
    if (missing) continue;  // {}.get("tool_calls") → None
    if (!message) return false;
    const value* calls = message->find("tool_calls");
    if (!calls || !calls->truthy()) continue;
    // The first choice with tool calls decides: every call typed "function".
    if (!calls->is_list()) return false;
    for (const value& call : calls->items) {
      if (!is_typed_function_call(call)) return false;
    }
    return true;
  }
  return false;
}

bool parse_function_arguments(value& record) {
  if (!record.is_dict()) return false;
  value* response = record.find("response");
  if (!response) return true;
  if (!response->is_dict()) return false;
  value* choices = response->find("choices");
  if (!choices) return true;
  if (!choices->is_list())
    return choices->type == kind::string || choices->type == kind::object ? choices->size() == 0
                                                                          : false;
  for (value& choice : choices->items) {
    if (!choice.is_dict()) return false;
    value* message = choice.find("message");
    if (!message) continue;
    if (!message->is_dict()) return false;
    value* calls = message->find("tool_calls");
    if (!calls || !calls->truthy()) continue;
    if (!calls->is_list()) return false;  // str/dict elements fail .get; numbers raise
    for (value& call : calls->items) {
      if (!call.is_dict()) return false;
      value* function = call.find("function");
      if (!function) continue;  // {}.get("arguments") → None
      if (!function->is_dict()) return false;
      value* arguments = function->find("arguments");
      if (!arguments || !arguments->is_str()) continue;
      value parsed;
      std::string error;
      // The arguments sit 8 levels deep; the record as a whole must stay readable.
      if (!pyjson::parse_str(arguments->text, parsed, error, 1000 - 8)) return false;
      *arguments = std::move(parsed);
    }
  }
  return true;
}

detection detect_tool_calls(const value& record) {
  // record["response"]["choices"][0]["message"].get("tool_calls"); `tool_calls and len(...) > 0`
  if (!record.is_dict()) return detection::skipped;
  const value* response = record.find("response");
  if (!response || !response->is_dict()) return detection::skipped;
  const value* choices = response->find("choices");
  if (!choices || !choices->is_list() || choices->items.empty()) return detection::skipped;
  const value& first = choices->items.front();
  if (!first.is_dict()) return detection::skipped;
  const value* message = first.find("message");
  if (!message || !message->is_dict()) return detection::skipped;
  const value* calls = message->find("tool_calls");
  if (!calls || !calls->truthy()) return detection::none;
  const long n = python_len(*calls);
  if (n < 0) return detection::skipped;  // len(5) raises TypeError
  return n > 0 ? detection::tool_calls : detection::none;
}

std::optional<std::string> dedup_key(const value& record) {
  // messages = record.get("request", {}).get("messages", [])
  if (!record.is_dict()) return std::nullopt;
  const value* request = record.find("request");
  if (!request || !request->is_dict()) return std::nullopt;
  const value* messages = request->find("messages");
  if (!messages || !messages->is_list()) return std::nullopt;
  std::string key;
  bool any = false;
  bool unhashable = false;
  for (const value& message : messages->items) {
    if (!message.is_dict()) continue;
    const value* role = message.find("role");
    if (!role || !role->equals("user")) continue;
    const value* content = message.find("content");
    if (!content || !content->truthy()) continue;
    any = true;
    if (content->is_list() || content->is_dict()) {
      unhashable = true;
      continue;
    }
    append_hashable(key, *content);
    key.push_back('\x1f');
  }
  if (!any || unhashable) return std::nullopt;
  return key;
}

std::string tool_label(const value& record) { return tool_class(record).text; }

class_label tool_class(const value& record) {
  // A label the blueprint itself spells ("no_tool"), or ours where it would crash ("unknown").
  const auto literal = [](std::string text) {
    class_label c{false, std::move(text), 0, {}};
    append_hashable(c.key, value::make_string(c.text));
    return c;
  };
  const value* response = record.is_dict() ? record.find("response") : nullptr;
  const value* choices = response && response->is_dict() ? response->find("choices") : nullptr;
  if (!choices || !choices->is_list() || choices->items.empty()) return literal("unknown");
  const value& first = choices->items.front();
  const value* message = first.is_dict() ? first.find("message") : nullptr;
  if (!message || !message->is_dict()) return literal("unknown");
  const value* calls = message->find("tool_calls");
  if (!calls || !calls->truthy()) return literal("no_tool");
  if (!calls->is_list()) return literal("unknown");
  const value& call = calls->items.front();
  const value* function = call.is_dict() ? call.find("function") : nullptr;
  const value* name = function && function->is_dict() ? function->find("name") : nullptr;
  if (!name) return literal("unknown");
  class_label c;
  switch (name->type) {
    case kind::string:
      return literal(name->text);
    case kind::integer:
      c = {true, name->text, std::strtod(name->text.c_str(), nullptr), {}};
      break;
    case kind::boolean:
      c = {true, name->boolean ? "True" : "False", name->boolean ? 1.0 : 0.0, {}};
      break;
    case kind::real:
      // str(float): repr, with Python's spellings of the special values.
      c = {true,
           std::isnan(name->real)   ? "nan"
           : std::isinf(name->real) ? (name->real > 0 ? "inf" : "-inf")
                                    : pyjson::dumps(*name),
           name->real,
           {}};
      break;
    default:
      return literal("unknown");
  }
  append_hashable(c.key, *name);
  return c;
}

bool format_training_record(const value& record, workload_type workload, std::string& out) {
  const value* request = record.is_dict() ? record.find("request") : nullptr;
  const value* response = record.is_dict() ? record.find("response") : nullptr;
  if (!request || !response || !request->is_dict() || !response->is_dict()) return false;
  const value* messages = request->find("messages");
  const value* choices = response->find("choices");
  if (!messages || !messages->is_list() || !choices || !choices->is_list() ||
      choices->items.empty())
    return false;
  // for message in messages: message["role"] == "assistant" and message["content"] is None
  for (const value& message : messages->items) {
    if (!message.is_dict()) return false;
    const value* role = message.find("role");
    if (!role) return false;
    if (role->equals("assistant") && !message.find("content")) return false;
  }
  const value& first = choices->items.front();
  if (!first.is_dict()) return false;
  const value* response_message = first.find("message");
  if (!response_message) return false;
  const value* tools = nullptr;
  if (workload == workload_type::tool_calling) {
    if (!response_message->is_dict()) return false;
    tools = request->find("tools");
    if (!tools) return false;
  }
  out.push_back('{');
  if (tools) {
    out.append("\"tools\": ");
    pyjson::dump(out, *tools);
    out.append(", ");
  }
  out.append("\"messages\": [");
  bool first_item = true;
  for (const value& message : messages->items) {
    if (!first_item) out.append(", ");
    first_item = false;
    const value* content = message.find("content");
    if (message.find("role")->equals("assistant") && content->is_null()) {
      value copy = message;
      *copy.find("content") = value::make_string("");
      pyjson::dump(out, copy);
    } else {
      pyjson::dump(out, message);
    }
  }
  if (!first_item) out.append(", ");
  if (workload == workload_type::tool_calling) {
    value copy = *response_message;
    copy.set("content", value::make_string(""));
    pyjson::dump(out, copy);
  } else {
    pyjson::dump(out, *response_message);
  }
  out.append("]}");
  return true;
}

void format_eval_record(const value& record, std::string& out) {
  const value* request = record.is_dict() ? record.find("request") : nullptr;
  const value* messages = request && request->is_dict() ? request->find("messages") : nullptr;
  if (!messages || !messages->is_list()) {
    pyjson::dump(out, record);
    return;
  }
  // The record with its request messages rewritten; every other key exactly as it was.
  out.push_back('{');
  for (std::size_t i = 0; i < record.keys.size(); ++i) {
    if (i) out.append(", ");
    pyjson::dump_string(out, record.keys[i]);
    out.append(": ");
    const value& v = record.items[i];
    if (&v != request) {
      pyjson::dump(out, v);
      continue;
    }
    out.push_back('{');
    for (std::size_t j = 0; j < request->keys.size(); ++j) {
      if (j) out.append(", ");
      pyjson::dump_string(out, request->keys[j]);
      out.append(": ");
      const value& r = request->items[j];
      if (&r != messages) {
        pyjson::dump(out, r);
        continue;
      }
      out.push_back('[');
      for (std::size_t m = 0; m < messages->items.size(); ++m) {
        if (m) out.append(", ");
        dump_request_message_for_eval(out, messages->items[m]);
      }
      out.push_back(']');
    }
    out.push_back('}');
  }
  out.push_back('}');
}

}  // namespace dial_analytics::flywheel::blueprint
