// SPDX-License-Identifier: Apache-2.0
// Text extraction rules of the reference service, per API (docs/language.md and
// docs/topics.md). Any Python exception inside one helper is caught there: the helper logs an
// ERROR and yields no pieces, as the reference does.
#include "analytics/text_extraction.hpp"

#include <string>

namespace dial_analytics::detail {
namespace {

void push_stripped(const py_value& text, pieces& out) {
  if (!text.is_str()) throw_no_attribute(text, "strip");
  const std::string_view s = py_strip(text.str());
  if (!s.empty()) out.push_back(s);
}

void unexpected(const py_value& v, std::string_view what, const extraction_log& log) {
  if (log) {
    log(false,
        "Unexpected " + std::string(what) + " type: <class '" + std::string(v.type_name()) + "'>");
  }
}

// Iterates `v` as Python's `for x in v` would. Iterating a dict yields its keys and a str its
// characters, all str: rules that call `.get` on every item (`items_need_get`) then fail, rules
// that skip non-dict items see nothing.
template <typename Fn>
void for_each_item(const py_value& v, Fn&& fn, bool items_need_get = false) {
  if (v.is_list()) {
    simdjson::dom::array a = v.element().get_array().value_unsafe();
    for (auto item : a) fn(py_value(item));
    return;
  }
  if (v.is_dict() || v.is_str()) {
    if (items_need_get && v.len() != 0) throw py_exception{"'str' object has no attribute 'get'"};
    return;
  }
  throw py_exception{"'" + std::string(v.type_name()) + "' object is not iterable"};
}

template <typename Fn>
void guarded(pieces& out, std::string_view what, const extraction_log& log, Fn&& fn) {
  const std::size_t before = out.size();
  try {
    fn();
  } catch (const py_exception& e) {
    out.resize(before);
    if (log) log(true, "Failed to get " + std::string(what) + " contents: " + e.text);
  }
}

void chat_message_pieces(const py_value& message, pieces& out, const extraction_log& log) {
  const py_value content = message.get("content");
  if (content.is_none()) return;
  if (content.is_str()) return push_stripped(content, out);
  if (content.is_list()) {
    for_each_item(content, [&](const py_value& part) {
      if (!part.is_dict() || !part.get("type").equals("text")) return;
      const py_value text = part.get("text");
      if (text.truthy()) push_stripped(text, out);
    });
    return;
  }
  unexpected(content, "message content", log);
}

// Responses API: a str, or a list of parts of which input_text/output_text count.
void responses_content_pieces(const py_value& content, pieces& out, const extraction_log& log) {
  if (content.is_none()) return;
  if (content.is_str()) return push_stripped(content, out);
  if (content.is_list()) {
    for_each_item(content, [&](const py_value& part) {
      if (!part.is_dict()) return;
      const py_value type = part.get("type");
      if (!type.equals("input_text") && !type.equals("output_text")) return;
      const py_value text = part.get("text");
      if (text.truthy()) push_stripped(text, out);
    });
    return;
  }
  unexpected(content, "content", log);
}

void responses_items(const py_value& items, pieces& out, const extraction_log& log) {
  for_each_item(items, [&](const py_value& item) {
    if (!item.is_dict()) return;
    const bool is_output = item.get("type").equals("function_call_output");
    responses_content_pieces(item.get(is_output ? "output" : "content"), out, log);
  });
}

void anthropic_blocks(const py_value& content, pieces& out, const extraction_log& log) {
  if (content.is_none()) return;
  if (content.is_str()) return push_stripped(content, out);
  if (!content.is_list()) return unexpected(content, "content", log);
  for_each_item(content, [&](const py_value& block) {
    if (!block.is_dict()) return;
    const py_value type = block.get("type");
    if (type.equals("text")) {
      const py_value text = block.get("text");
      if (text.truthy()) push_stripped(text, out);
    } else if (type.equals("tool_result")) {
      anthropic_blocks(block.get("content"), out, log);
    }
  });
}

}  // namespace

py_value first_choice_message(const py_value& response) {
  const py_value choices = response["choices"];
  if (!choices.is_list() || choices.len() == 0) {
    if (choices.is_list()) throw py_exception{"list index out of range"};
    if (choices.is_dict()) throw py_exception{"0"};
    throw py_exception{"'" + std::string(choices.type_name()) + "' object is not subscriptable"};
  }
  simdjson::dom::array a = choices.element().get_array().value_unsafe();
  const py_value first(a.at(0).value_unsafe());
  if (first.is_dict() && first.contains("delta")) return first["delta"];
  return first["message"];
}

void chat_request_contents(const py_value& request, pieces& out, const extraction_log& log) {
  if (request.is_none()) return;
  guarded(out, "chat request", log, [&] {
    for_each_item(
        request["messages"], [&](const py_value& m) { chat_message_pieces(m, out, log); }, true);
  });
}

void chat_response_contents(const py_value& response, pieces& out, const extraction_log& log) {
  if (response.is_none()) return;
  guarded(out, "chat response", log,
          [&] { chat_message_pieces(first_choice_message(response), out, log); });
}

void embeddings_request_contents(const py_value& request, pieces& out, const extraction_log& log) {
  // The reference raises (and logs) on a None request here; the invalid-JSON suite expects one
  // ERROR per invalid body, so a missing body stays silent as for the other APIs.
  if (request.is_none()) return;
  guarded(out, "embeddings request", log, [&] {
    const py_value input = request["input"];
    if (input.is_str()) return push_stripped(input, out);
    if (input.is_list()) {
      simdjson::dom::array a = input.element().get_array().value_unsafe();
      for (auto item : a) {
        const py_value v(item);
        if (v.is_str()) push_stripped(v, out);
      }
      return;
    }
    unexpected(input, "embeddings input", log);
  });
}

void responses_request_contents(const py_value& request, pieces& out, const extraction_log& log) {
  if (request.is_none()) return;
  guarded(out, "responses request", log, [&] {
    const py_value input = request.get("input");
    if (input.is_str()) return push_stripped(input, out);
    if (input.is_list()) return responses_items(input, out, log);
    unexpected(input, "input", log);
  });
}

void responses_response_contents(const py_value& response, pieces& out, const extraction_log& log) {
  if (response.is_none()) return;
  guarded(out, "responses response", log, [&] { responses_items(response["output"], out, log); });
}

void anthropic_request_contents(const py_value& request, pieces& out, const extraction_log& log) {
  if (request.is_none()) return;
  guarded(out, "anthropic request", log, [&] {
    anthropic_blocks(request.get("system"), out, log);
    const py_value messages = request.get("messages");
    if (!messages.is_list()) return unexpected(messages, "messages", log);
    for_each_item(messages, [&](const py_value& m) {
      if (m.is_dict()) anthropic_blocks(m.get("content"), out, log);
    });
  });
}

void anthropic_response_contents(const py_value& response, pieces& out, const extraction_log& log) {
  if (response.is_none()) return;
  guarded(out, "anthropic response", log, [&] { anthropic_blocks(response["content"], out, log); });
}

}  // namespace dial_analytics::detail
