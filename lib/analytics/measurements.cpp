// SPDX-License-Identifier: Apache-2.0
// The measurement builders: which tags and fields each measurement has, and how each value is
// read from the record (docs/line-protocol.md).
#include "analytics/measurements.hpp"

#include <cstdint>
#include <string>

#include "detail/utf8.hpp"

namespace dial_analytics::detail {

namespace {

// Appends one path segment with "/" escaped as "\/".
void append_escaped(std::string& s, std::string_view segment) {
  for (char c : segment) {
    if (c == '/') s.push_back('\\');
    s.push_back(c);
  }
}

// "/".join(to_string(seg).replace("/", "\\/") for seg in path), or "undefined" for a falsy path.
[[nodiscard]] std::string_view execution_path_text(point_builder& out, const py_value& path) {
  if (!path.truthy()) return undefined;
  std::string& s = out.scratch();
  bool first = true;
  auto separate = [&] {
    if (!first) s.push_back('/');
    first = false;
  };
  if (path.is_list()) {
    simdjson::dom::array a = path.element().get_array().value_unsafe();
    for (auto item : a) {
      separate();
      const py_value segment(item);
      if (!segment.truthy()) {
        s += undefined;
        continue;
      }
      if (!segment.is_str()) throw_no_attribute(segment, "replace");
      append_escaped(s, segment.str());
    }
  } else if (path.is_str()) {
    // Iterating a str yields its characters (code points).
    const std::string_view text = path.str();
    for (std::size_t i = 0; i < text.size();) {
      const std::size_t n = char_length_at(text, i);
      separate();
      append_escaped(s, text.substr(i, n));
      i += n;
    }
  } else if (path.is_dict()) {
    // Iterating a dict yields its keys; only the empty key is falsy.
    simdjson::dom::object o = path.element().get_object().value_unsafe();
    for (auto kv : o) {
      separate();
      if (kv.key.empty()) {
        s += undefined;
        continue;
      }
      append_escaped(s, kv.key);
    }
  } else {
    throw py_exception{"'" + std::string(path.type_name()) + "' object is not iterable"};
  }
  return s;
}

// The three trace ids. Analytics writes them as tags and reads the first two with trace[key]
// (KeyError when missing, dropped when None); the other measurements write them as fields, each
// read with .get. Both write "undefined" for all three when the trace is falsy.
void add_trace_ids(point_builder& out, const py_value& trace, written_as as) {
  if (!trace.truthy()) {
    for (std::string_view key : {"trace_id", "core_span_id", "core_parent_span_id"}) {
      out.add_text(as, key, undefined);
    }
    return;
  }
  if (as == written_as::tag) {
    out.tag("trace_id", trace["trace_id"]);
    out.tag("core_span_id", trace["core_span_id"]);
  } else {
    out.field_or_undefined("trace_id", trace.get("trace_id"));
    out.field_or_undefined("core_span_id", trace.get("core_span_id"));
  }
  out.add_or_undefined(as, "core_parent_span_id", trace.get("core_parent_span_id"));
}

// The response's own id when the body has one, else a generated one. Analytics writes it as a
// tag, the responses-like measurements as a field.
void add_response_id(point_builder& out, response_id_generator& ids, const record_view& record,
                     const py_value& response_body, written_as as) {
  if (!response_body.is_none() && response_body.contains("id")) {
    out.add(as, "response_id", response_body["id"]);
  } else {
    out.add_text(as, "response_id", out.store(ids.next_for(record.text)));
  }
}

// The request list number_request_messages counts. An "input" may also be one string: one
// message.
enum class message_list : std::uint8_t { messages, input };
// How the list is read: analytics subscripts it (KeyError when missing, len() of whatever it
// is); the responses-like measurements use .get and count a falsy value as 0.
enum class list_lookup : std::uint8_t { subscript, get };

[[nodiscard]] std::int64_t count_request_messages(const py_value& request_body, message_list list,
                                                  list_lookup lookup) {
  if (request_body.is_none()) return 0;
  const std::string_view key = list == message_list::input ? "input" : "messages";
  const py_value value =
      lookup == list_lookup::subscript ? request_body[key] : request_body.get(key);
  if (list == message_list::input && value.is_str()) return 1;
  if (lookup == list_lookup::get && !value.truthy()) return 0;
  return static_cast<std::int64_t>(value.len());
}

// The token counts of the usage, 0 where absent or falsy.
void add_token_fields(point_builder& out, const py_value& usage) {
  if (!usage.truthy()) {
    for (std::string_view key : {"completion_tokens", "prompt_tokens", "cached_prompt_tokens",
                                 "cache_write_prompt_tokens", "reasoning_completion_tokens"}) {
      out.add_field(key, field_value::integer(0));
    }
    return;
  }
  out.integer_field_or_zero("completion_tokens", usage.get("completion_tokens"));
  out.integer_field_or_zero("prompt_tokens", usage.get("prompt_tokens"));
  const py_value prompt_details = usage.get("prompt_tokens_details");
  if (prompt_details.truthy()) {
    out.integer_field_or_zero("cached_prompt_tokens", prompt_details.get("cached_tokens"));
    out.integer_field_or_zero("cache_write_prompt_tokens",
                              prompt_details.get("cache_write_tokens"));
  } else {
    out.add_field("cached_prompt_tokens", field_value::integer(0));
    out.add_field("cache_write_prompt_tokens", field_value::integer(0));
  }
  const py_value completion_details = usage.get("completion_tokens_details");
  if (completion_details.truthy()) {
    out.integer_field_or_zero("reasoning_completion_tokens",
                              completion_details.get("reasoning_tokens"));
  } else {
    out.add_field("reasoning_completion_tokens", field_value::integer(0));
  }
}

// The tags that open the responses-like, MCP and route measurements.
void add_request_owner_tags(point_builder& out, const record_view& record) {
  out.tag("project_id", record.project_id);
  out.tag_or_undefined("title", record.user_title);
  out.tag("deployment", record.deployment);
}

// The string fields every measurement but analytics and rate_analytics has.
void add_common_string_fields(point_builder& out, const record_view& record) {
  out.add_field("execution_path",
                field_value::string(execution_path_text(out, record.execution_path)));
  add_trace_ids(out, record.trace, written_as::field);
  out.field_or_undefined("upstream", record.upstream_url);
  out.field_or_undefined("user_hash", record.user_hash);
  out.field_or_undefined("chat_id", record.chat_id);
}

}  // namespace

void build_rate_point(point_builder& out, const record_view& record, const py_value& body) {
  const py_value like = body["rate"];
  const py_value response_id = body["responseId"];
  out.set_measurement("rate_analytics");
  out.tag("deployment", record.deployment);
  out.tag("project_id", record.project_id);
  out.tag_or_undefined("title", record.user_title);
  out.tag("response_id", response_id);
  out.tag_or_undefined("user_hash", record.user_hash);
  out.tag_or_undefined("chat_id", record.chat_id);
  const bool liked = like.truthy();
  out.add_field("dislike_count", field_value::integer(liked ? 0 : 1));
  out.add_field("like_count", field_value::integer(liked ? 1 : 0));
}

void build_analytics_point(const measurement_context& context, record_type type,
                           const record_bodies& bodies) {
  point_builder& out = context.out;
  const record_view& record = context.record;
  const bool is_chat = type == record_type::chat_completion;
  const py_value response_usage =
      bodies.response.is_none() ? py_value() : bodies.response.get("usage");
  const py_value usage = py_or(record.token_usage, response_usage);

  out.set_measurement("analytics");
  out.tag("model", bodies.model);
  out.tag("deployment", record.deployment);
  out.tag_or_undefined("parent_deployment", record.parent_deployment);
  out.add_tag("execution_path", execution_path_text(out, record.execution_path));
  add_trace_ids(out, record.trace, written_as::tag);
  out.tag("project_id", record.project_id);
  std::string_view language = undefined;
  if (record.chat_id.truthy()) {
    const text_labels labels = context.texts.label(type, bodies.request, bodies.response);
    // Unlike the responses-like measurements, analytics has a topic tag only with a chat id.
    out.add_tag("topic", labels.topic);
    language = labels.language;
  }
  out.add_tag("language", language);
  out.tag_or_undefined("upstream", record.upstream_url);
  out.tag_or_undefined("title", record.user_title);
  // An embedding response's id is not used: embeddings always get a generated one.
  add_response_id(out, context.ids, context.record, is_chat ? bodies.response : py_value(),
                  written_as::tag);

  out.field_or_undefined("user_hash", record.user_hash);
  context.pricing.add_price_fields(out, record, type, bodies, usage,
                                   core_price_reading::price_gates_both);
  const std::int64_t messages =
      count_request_messages(bodies.request, is_chat ? message_list::messages : message_list::input,
                             list_lookup::subscript);
  out.add_field("number_request_messages", field_value::integer(messages));
  out.field_or_undefined("chat_id", record.chat_id);
  add_token_fields(out, usage);
}

void build_responses_like_point(const measurement_context& context, record_type type,
                                const record_bodies& bodies) {
  point_builder& out = context.out;
  const record_view& record = context.record;
  const bool is_responses = type == record_type::responses;

  out.set_measurement(is_responses ? "responses_analytics" : "anthropic_messages_analytics");
  add_request_owner_tags(out, record);
  out.tag("model", bodies.model);
  out.tag_or_undefined("parent_deployment", record.parent_deployment);
  text_labels labels;
  if (record.chat_id.truthy()) labels = context.texts.label(type, bodies.request, bodies.response);
  out.add_tag("language", labels.language);
  out.add_tag("topic", labels.topic);

  add_common_string_fields(out, record);
  add_response_id(out, context.ids, context.record, bodies.response, written_as::field);
  const std::int64_t messages = count_request_messages(
      bodies.request, is_responses ? message_list::input : message_list::messages,
      list_lookup::get);
  out.add_field("number_request_messages", field_value::integer(messages));
  context.pricing.add_price_fields(out, record, type, bodies, record.token_usage,
                                   core_price_reading::each_on_its_own);
  add_token_fields(out, record.token_usage);
}

void build_mcp_point(point_builder& out, const record_view& record, const py_value& body) {
  // `parse_json(...) or {}`: a falsy body behaves as an empty dict.
  const bool empty = !body.truthy();
  const py_value method = empty ? py_value() : body.get("method");
  out.set_measurement("mcp_analytics");
  add_request_owner_tags(out, record);
  out.tag_or_undefined("parent_deployment", record.parent_deployment);
  out.tag_or_undefined("mcp_method", method);
  add_common_string_fields(out, record);
  const py_value params = empty ? py_value() : body.get("params");
  if (method.equals("tools/call") && params.truthy()) {
    out.field_or_undefined("mcp_tool_call_name", params.get("name"));
  } else {
    out.add_field("mcp_tool_call_name", field_value::string(undefined));
  }
}

void build_route_point(point_builder& out, const record_view& record, std::string_view route_tail) {
  const py_value method = record.request["method"];
  out.set_measurement("routes_analytics");
  add_request_owner_tags(out, record);
  std::string& path = out.scratch();
  path.push_back('/');
  path.append(route_tail);
  out.add_tag("route_path", path);
  out.tag("http_method", method);
  out.tag_or_undefined("parent_deployment", record.parent_deployment);
  add_common_string_fields(out, record);
}

}  // namespace dial_analytics::detail
