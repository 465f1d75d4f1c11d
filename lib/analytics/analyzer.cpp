// SPDX-License-Identifier: Apache-2.0
// Record → point, following the reference service step by step (reference §4–§8). Python
// semantics (`or`, `[]`, `.get`, `len`, `str`) come from detail::py_value; a Python exception
// becomes the record's error status, exactly where the reference raises.
#include <dial_analytics/analytics/analyzer.hpp>

#include <simdjson.h>

#include <charconv>

#include <fmt/format.h>

#include <dial_analytics/analytics/line_protocol.hpp>
#include <dial_analytics/error.hpp>
#include <dial_analytics/input/timestamp.hpp>

#include "analytics/text_extraction.hpp"
#include "detail/py_json.hpp"
#include "detail/py_value.hpp"
#include "detail/record_access.hpp"

namespace dial_analytics {

using detail::py_exception;
using detail::py_value;
using simdjson::dom::element_type;

namespace {

constexpr std::string_view undefined = "undefined";

// What the record's common prelude (on_log_message) extracts before routing.
struct common_fields {
  py_value rec, request, response, project_id, chat_id, user_hash, user_title;
  py_value token_usage, trace, parent_deployment, execution_path, deployment, upstream_url;
  std::string_view uri;
  std::int64_t timestamp_ns = 0;
};

std::string json_loads_type_error(const py_value& v) {
  return "the JSON object must be str, bytes or bytearray, not " + std::string(v.type_name());
}

}  // namespace

struct analyzer::impl {
  explicit impl(analyzer_options o) : options(std::move(o)) {
    language = options.language ? options.language : &no_language;
    topic = options.topic ? options.topic : &no_topic;
    ids = options.ids ? options.ids : &random_ids;
    extraction_log = [this](bool is_error, std::string_view message) {
      log(is_error ? log_level::error : log_level::warning, message);
    };
  }

  analyzer_options options;
  no_language_detector no_language;
  no_topic_classifier no_topic;
  uuid4_generator random_ids;
  language_detector* language;
  topic_classifier* topic;
  response_id_generator* ids;
  detail::extraction_log extraction_log;

  simdjson::dom::parser request_parser;
  simdjson::dom::parser response_parser;
  detail::pieces request_pieces;
  detail::pieces response_pieces;
  std::string language_text;
  std::string topic_text;
  point* out = nullptr;

  [[nodiscard]] bool wants(log_level level) const {
    return options.log && level >= options.log_threshold;
  }
  void log(log_level level, std::string_view message) const {
    if (wants(level)) options.log(level, message);
  }

  // ---- values → tags and fields -------------------------------------------------------------

  // str(v) as a view valid for the point's lifetime.
  std::string_view py_str(const py_value& v) {
    if (v.is_str()) return v.str();
    std::string& s = out->scratch();
    detail::append_py_str(s, v);
    return s;
  }
  // Point.tag(key, v): None is dropped, everything else is str()-ed.
  void tag(std::string_view key, const py_value& v) {
    if (!v.is_none()) out->add_tag(key, py_str(v));
  }
  // Point.tag(key, to_string(v))
  void tag_u(std::string_view key, const py_value& v) {
    out->add_tag(key, v.truthy() ? py_str(v) : undefined);
  }
  field_value typed(const py_value& v) {
    const auto e = v.element();
    switch (e.type()) {
      case element_type::INT64:
        return field_value::integer(e.get_int64().value_unsafe());
      case element_type::UINT64:
        return field_value::unsigned_integer(e.get_uint64().value_unsafe());
      case element_type::DOUBLE:
        return field_value::floating(e.get_double().value_unsafe());
      case element_type::BOOL:
        return field_value::boolean(e.get_bool().value_unsafe());
      case element_type::STRING:
        return field_value::string(v.str());
      default:
        break;
    }
    std::string& s = out->scratch();
    detail::append_py_repr(s, v);
    return field_value::raw(s);
  }
  // Point.field(key, v): None is dropped.
  void field(std::string_view key, const py_value& v) {
    if (!v.is_none()) out->add_field(key, typed(v));
  }
  // Point.field(key, to_string(v))
  void field_u(std::string_view key, const py_value& v) {
    if (v.truthy()) {
      out->add_field(key, typed(v));
    } else {
      out->add_field(key, field_value::string(undefined));
    }
  }
  // Point.field(key, v or 0)
  void field_or_zero(std::string_view key, const py_value& v) {
    if (v.truthy()) {
      out->add_field(key, typed(v));
    } else {
      out->add_field(key, field_value::integer(0));
    }
  }

  // "/".join(to_string(seg).replace("/", "\\/") for seg in path), or "undefined".
  std::string_view execution_path(const py_value& path) {
    if (!path.truthy()) return undefined;
    std::string& s = out->scratch();
    auto segment = [&](const py_value& seg) {
      if (!seg.truthy()) {
        s += undefined;
        return;
      }
      if (!seg.is_str()) detail::throw_no_attribute(seg, "replace");
      for (char c : seg.str()) {
        if (c == '/') s.push_back('\\');
        s.push_back(c);
      }
    };
    bool first = true;
    if (path.is_list()) {
      simdjson::dom::array a = path.element().get_array().value_unsafe();
      for (auto item : a) {
        if (!first) s.push_back('/');
        first = false;
        segment(py_value(item));
      }
    } else if (path.is_str()) {
      // Iterating a str yields its characters (code points).
      const std::string_view text = path.str();
      for (std::size_t i = 0; i < text.size();) {
        std::size_t n = 1;
        while (i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xc0) == 0x80) ++n;
        if (!first) s.push_back('/');
        first = false;
        if (text[i] == '/') s.push_back('\\');
        s.append(text.substr(i, n));
        i += n;
      }
    } else if (path.is_dict()) {
      simdjson::dom::object o = path.element().get_object().value_unsafe();
      for (auto kv : o) {
        if (!first) s.push_back('/');
        first = false;
        if (kv.key.empty()) {
          s += undefined;
          continue;
        }
        for (char c : kv.key) {
          if (c == '/') s.push_back('\\');
          s.push_back(c);
        }
      }
    } else {
      throw py_exception{"'" + std::string(path.type_name()) + "' object is not iterable"};
    }
    return s;
  }

  // ---- bodies --------------------------------------------------------------------------------

  // parse_json(s, json_path, api): None for None, logs and None for invalid JSON.
  py_value parse_body(const py_value& s, simdjson::dom::parser& parser, std::string_view json_path,
                      std::string_view api) {
    if (s.is_none()) return {};
    if (!s.is_str()) throw py_exception{json_loads_type_error(s)};
    const std::string_view text = s.str();
    simdjson::dom::element root;
    if (parser.parse(text.data(), text.size(), true).get(root)) {
      if (wants(log_level::error)) {
        log(log_level::error, std::string(json_path) + " in the " + std::string(api) +
                                  " API log message isn't valid JSON");
      }
      return {};
    }
    return py_value(root);
  }

  // get_assembled_response(msg, api): parse, then rename choices[].delta → message (read as
  // "delta wins" by first_choice_message). Raises where the rename would raise.
  py_value assembled_response(const py_value& rec, std::string_view api) {
    py_value result =
        parse_body(rec.get("assembled_response"), response_parser, "assembled_response", api);
    if (result.is_none()) return result;
    const py_value choices = result.get("choices");
    if (!choices.truthy()) return result;
    auto check = [](const py_value& choice) {
      if (!choice.contains("delta") || choice.is_dict()) return;
      if (choice.is_str()) detail::throw_no_attribute(choice, "pop");
      throw py_exception{"'str' object cannot be interpreted as an integer"};
    };
    if (choices.is_list()) {
      simdjson::dom::array a = choices.element().get_array().value_unsafe();
      for (auto item : a) check(py_value(item));
    } else if (choices.is_dict()) {
      simdjson::dom::object o = choices.element().get_object().value_unsafe();
      for (auto kv : o) {
        if (kv.key.find("delta") != std::string_view::npos) {
          throw py_exception{"'str' object has no attribute 'pop'"};
        }
      }
    } else if (!choices.is_str()) {  // a str yields one-character strings: never "delta"
      throw py_exception{"'" + std::string(choices.type_name()) + "' object is not iterable"};
    }
    return result;
  }

  // The text pieces of a record's request and response, by API (reference §7); embeddings have
  // no response text.
  static void extract_texts(record_type type, const py_value& request_body,
                            const py_value& response_body, detail::pieces& request,
                            detail::pieces& response, const detail::extraction_log& log) {
    switch (type) {
      case record_type::chat_completion:
        detail::chat_request_contents(request_body, request, log);
        detail::chat_response_contents(response_body, response, log);
        break;
      case record_type::embedding:
        detail::embeddings_request_contents(request_body, request, log);
        break;
      case record_type::responses:
        detail::responses_request_contents(request_body, request, log);
        detail::responses_response_contents(response_body, response, log);
        break;
      default:
        detail::anthropic_request_contents(request_body, request, log);
        detail::anthropic_response_contents(response_body, response, log);
        break;
    }
  }

  // ---- prices (MODEL_RATES, docs/pricing.md) --------------------------------------------------

  static std::string_view str_or_empty(const py_value& v) { return v.is_str() ? v.str() : ""; }
  static std::int64_t count_of(const py_value& v) {
    if (v.is_none() || v.is_str()) return 0;
    try {
      const double d = detail::py_float(v);
      return d >= 1e15 ? static_cast<std::int64_t>(1e15) : d > 0 ? static_cast<std::int64_t>(d) : 0;
    } catch (...) {
      return 0;
    }
  }
  static usage_counts counts_of(const py_value& usage) {
    usage_counts u;
    if (!usage.is_dict()) return u;
    u.prompt_tokens = count_of(usage.get("prompt_tokens"));
    u.completion_tokens = count_of(usage.get("completion_tokens"));
    const py_value details = usage.get("prompt_tokens_details");
    if (details.is_dict()) {
      u.cached_prompt_tokens = count_of(details.get("cached_tokens"));
      u.cache_write_prompt_tokens = count_of(details.get("cache_write_tokens"));
    }
    return u;
  }
  static std::int64_t chars_of(const detail::pieces& pieces) {
    std::int64_t n = pieces.empty() ? 0 : static_cast<std::int64_t>(pieces.size()) - 1;  // "\n"s
    for (std::string_view piece : pieces) n += chars_without_spaces(piece);
    return n;
  }

  // Leaves Core's prices as they are when it gave them; otherwise prices the record from the
  // rate table and adds the prices of child spans seen before it.
  void apply_rates(const common_fields& c, const py_value& usage, const py_value& model,
                   record_type type, const py_value& request_body, const py_value& response_body,
                   double& price, double& deployment_price) {
    if (options.prices == nullptr) return;
    span_ids span;
    if (c.trace.is_dict()) {
      span.trace_id = str_or_empty(c.trace.get("trace_id"));
      span.span_id = str_or_empty(c.trace.get("core_span_id"));
      span.parent_span_id = str_or_empty(c.trace.get("core_parent_span_id"));
    }
    if (usage.truthy() && !usage.get("price").is_none()) {
      options.prices->observe_core_price(span, price, deployment_price);
      return;
    }
    usage_counts u = counts_of(usage);
    const std::string_view deployment = str_or_empty(c.deployment);
    const model_rate* rate = options.prices->table().find(deployment, str_or_empty(model));
    if (rate != nullptr && rate->unit == rate_unit::char_without_whitespace) {
      const detail::extraction_log silent = [](bool, std::string_view) {};
      detail::pieces request, response;
      extract_texts(type, request_body, response_body, request, response, silent);
      u.prompt_chars = chars_of(request);
      u.completion_chars = chars_of(response);
    }
    // Without any rates there is nothing to compute and nothing to roll up.
    const price_calculator::result r = options.prices->table().empty()
                                           ? price_calculator::result{}
                                           : options.prices->price(span, rate, u);
    if (rate == nullptr && !r.has_children && (u.prompt_tokens > 0 || u.completion_tokens > 0) &&
        options.prices->count_unpriced(deployment) && wants(log_level::warning)) {
      log(log_level::warning,
          fmt::format("no price from DIAL Core and no MODEL_RATES entry for deployment '{}' "
                      "(model '{}'): its prices are written as 0 (docs/pricing.md)",
                      deployment, str_or_empty(model)));
    }
    if (rate == nullptr && !r.has_children) return;
    deployment_price = r.deployment_price.to_double();
    price = r.price.to_double();
  }

  // ---- language and topic --------------------------------------------------------------------

  // "\n\n".join(a[from:] + b), stopped once `limit` bytes (plus a margin for the UTF-8 boundary
  // and trailing whitespace) follow the leading whitespace the caller strips: a model that reads
  // only a prefix sees exactly the prefix it would see in the whole text.
  static void join(std::string& out, const detail::pieces& a, std::size_t from,
                   const detail::pieces& b, std::size_t limit) {
    constexpr std::size_t margin = 64;
    const std::size_t cap = limit > SIZE_MAX - margin ? SIZE_MAX : limit + margin;
    out.clear();
    bool first = true;
    std::size_t lead = std::string::npos;  // where the text starts after leading whitespace
    auto append = [&](std::string_view piece) {
      if (!first) out += "\n\n";
      first = false;
      if (lead != std::string::npos) {
        out.append(piece.substr(0, std::min(piece.size(), cap - (out.size() - lead))));
      } else {
        out += piece;
        lead = out.find_first_not_of(" \t\n\r\f\v");
        if (lead != std::string::npos && out.size() - lead > cap) out.resize(lead + cap);
      }
      return lead == std::string::npos || out.size() - lead < cap;
    };
    for (std::size_t i = from; i < a.size(); ++i)
      if (!append(a[i])) return;
    for (std::string_view piece : b)
      if (!append(piece)) return;
  }

  // With the default no-op models there is nothing to compute: skip text extraction entirely.
  [[nodiscard]] bool needs_language() const { return language != &no_language; }
  [[nodiscard]] bool needs_topic() const { return topic != &no_topic; }
  [[nodiscard]] bool needs_text() const { return needs_language() || needs_topic(); }

  std::string_view detect_language(std::string_view text) {
    const std::string_view stripped = detail::py_strip(text);
    if (stripped.empty()) return {};
    return language->detect(stripped);
  }
  std::string_view classify_topic(std::string_view text) {
    const std::string_view stripped = detail::py_strip(text);
    if (stripped.empty()) return {};
    return topic->classify(stripped);
  }
  static std::string_view or_undefined(std::string_view v) { return v.empty() ? undefined : v; }

  // Language of "\n\n".join(request[-1:] + response) and topic of "\n\n".join(request +
  // response), computed from the pieces already extracted.
  std::string_view language_of_last_turn() {
    if (!needs_language()) return undefined;
    const std::size_t from = request_pieces.empty() ? 0 : request_pieces.size() - 1;
    join(language_text, request_pieces, from, response_pieces, language->max_text_bytes());
    return or_undefined(detect_language(language_text));
  }
  std::string_view topic_of_all() {
    if (!needs_topic()) return undefined;
    join(topic_text, request_pieces, 0, response_pieces, topic->max_text_bytes());
    return or_undefined(classify_topic(topic_text));
  }

  // ---- measurements --------------------------------------------------------------------------

  void add_trace_fields(const py_value& trace) {
    for (std::string_view key : {"trace_id", "core_span_id", "core_parent_span_id"}) {
      if (!trace.truthy()) {
        out->add_field(key, field_value::string(undefined));
      } else {
        field_u(key, trace.get(key));
      }
    }
  }

  void add_common_string_fields(const common_fields& c) {
    out->add_field("execution_path", field_value::string(execution_path(c.execution_path)));
    add_trace_fields(c.trace);
    field_u("upstream", c.upstream_url);
    field_u("user_hash", c.user_hash);
    field_u("chat_id", c.chat_id);
  }

  void generated_response_id(std::string_view& id) { id = out->store(ids->next()); }

  void rate(const common_fields& c) {
    const py_value body_text = c.request["body"];
    if (!body_text.is_str()) throw py_exception{json_loads_type_error(body_text)};
    simdjson::dom::element root;
    const std::string_view text = body_text.str();
    if (request_parser.parse(text.data(), text.size(), true).get(root)) {
      std::string message = detail::python_json_error(text, true);
      if (message.empty()) message = "unsupported JSON in rate request body";
      throw py_exception{message};
    }
    const py_value body(root);
    const py_value like = body["rate"];
    const py_value response_id = body["responseId"];
    out->measurement = "rate_analytics";
    tag("deployment", c.deployment);
    tag("project_id", c.project_id);
    tag_u("title", c.user_title);
    tag("response_id", response_id);
    tag_u("user_hash", c.user_hash);
    tag_u("chat_id", c.chat_id);
    const bool liked = like.truthy();
    out->add_field("dislike_count", field_value::integer(liked ? 0 : 1));
    out->add_field("like_count", field_value::integer(liked ? 1 : 0));
  }

  // chat completions and embeddings → analytics (reference §5.2, §5.5, §5.8, §6.1)
  void analytics(const common_fields& c, record_type type, const py_value& request_body,
                 const py_value& response_body, const py_value& model) {
    const bool is_chat = type == record_type::chat_completion;
    const py_value response_usage =
        response_body.is_none() ? py_value() : response_body.get("usage");
    const py_value usage = detail::py_or(c.token_usage, response_usage);

    out->measurement = "analytics";
    tag("model", model);
    tag("deployment", c.deployment);
    tag_u("parent_deployment", c.parent_deployment);
    out->add_tag("execution_path", execution_path(c.execution_path));
    if (!c.trace.truthy()) {
      out->add_tag("trace_id", undefined);
      out->add_tag("core_span_id", undefined);
      out->add_tag("core_parent_span_id", undefined);
    } else {
      tag("trace_id", c.trace["trace_id"]);
      tag("core_span_id", c.trace["core_span_id"]);
      tag_u("core_parent_span_id", c.trace.get("core_parent_span_id"));
    }
    tag("project_id", c.project_id);

    std::string_view detected = undefined;
    if (c.chat_id.truthy()) {
      request_pieces.clear();
      response_pieces.clear();
      if (needs_text()) {
        extract_texts(type, request_body, response_body, request_pieces, response_pieces,
                      extraction_log);
      }
      if (!request_body.is_none() && !response_body.is_none()) {
        if (is_chat) {
          detected = language_of_last_turn();
        } else if (needs_language()) {
          join(language_text, request_pieces, 0, response_pieces, language->max_text_bytes());
          detected = or_undefined(detect_language(language_text));
        }
      }
      out->add_tag("topic", topic_of_all());
    }
    out->add_tag("language", detected);
    tag_u("upstream", c.upstream_url);
    tag_u("title", c.user_title);
    if (is_chat && !response_body.is_none() && response_body.contains("id")) {
      tag("response_id", response_body["id"]);
    } else {
      std::string_view id;
      generated_response_id(id);
      out->add_tag("response_id", id);
    }

    field_u("user_hash", c.user_hash);
    double price = 0;
    double deployment_price = 0;
    if (!usage.is_none() && !usage.get("price").is_none()) {
      price = detail::py_float(usage["price"]);
      deployment_price =
          usage.contains("deployment_price") ? detail::py_float(usage["deployment_price"]) : 0.0;
    }
    apply_rates(c, usage, model, type, request_body, response_body, price, deployment_price);
    out->add_field("price", field_value::floating(price));
    out->add_field("deployment_price", field_value::floating(deployment_price));
    std::int64_t messages = 0;
    if (!request_body.is_none()) {
      if (is_chat) {
        messages = static_cast<std::int64_t>(request_body["messages"].len());
      } else {
        const py_value input = request_body["input"];
        messages = input.is_str() ? 1 : static_cast<std::int64_t>(input.len());
      }
    }
    out->add_field("number_request_messages", field_value::integer(messages));
    field_u("chat_id", c.chat_id);
    add_token_fields(usage);
  }

  void add_token_fields(const py_value& usage_or_none) {
    if (!usage_or_none.truthy()) {
      for (std::string_view key : {"completion_tokens", "prompt_tokens", "cached_prompt_tokens",
                                   "cache_write_prompt_tokens", "reasoning_completion_tokens"}) {
        out->add_field(key, field_value::integer(0));
      }
      return;
    }
    const py_value& usage = usage_or_none;
    field_or_zero("completion_tokens", usage.get("completion_tokens"));
    field_or_zero("prompt_tokens", usage.get("prompt_tokens"));
    const py_value prompt_details = usage.get("prompt_tokens_details");
    if (prompt_details.truthy()) {
      field_or_zero("cached_prompt_tokens", prompt_details.get("cached_tokens"));
      field_or_zero("cache_write_prompt_tokens", prompt_details.get("cache_write_tokens"));
    } else {
      out->add_field("cached_prompt_tokens", field_value::integer(0));
      out->add_field("cache_write_prompt_tokens", field_value::integer(0));
    }
    const py_value completion_details = usage.get("completion_tokens_details");
    if (completion_details.truthy()) {
      field_or_zero("reasoning_completion_tokens", completion_details.get("reasoning_tokens"));
    } else {
      out->add_field("reasoning_completion_tokens", field_value::integer(0));
    }
  }

  // Responses API and Anthropic Messages (reference §5.3, §5.4, §6.5, §6.6)
  void responses_like(const common_fields& c, record_type type) {
    const bool is_responses = type == record_type::responses;
    const std::string_view api = is_responses ? "Responses" : "Anthropic Messages";
    const py_value request_body =
        parse_body(c.request.get("body"), request_parser, "request.body", api);
    const py_value body_model = request_body.truthy() ? request_body.get("model") : py_value();
    const py_value model = detail::py_or(body_model, c.deployment);
    const py_value response_body = assembled_response(c.rec, api);

    out->measurement = is_responses ? "responses_analytics" : "anthropic_messages_analytics";
    tag("project_id", c.project_id);
    tag_u("title", c.user_title);
    tag("deployment", c.deployment);
    tag("model", model);
    tag_u("parent_deployment", c.parent_deployment);
    std::string_view detected = undefined;
    std::string_view topic_label = undefined;
    if (c.chat_id.truthy()) {
      request_pieces.clear();
      response_pieces.clear();
      if (needs_text()) {
        extract_texts(type, request_body, response_body, request_pieces, response_pieces,
                      extraction_log);
      }
      if (!request_body.is_none() && !response_body.is_none()) detected = language_of_last_turn();
      topic_label = topic_of_all();
    }
    out->add_tag("language", detected);
    out->add_tag("topic", topic_label);

    add_common_string_fields(c);
    if (!response_body.is_none() && response_body.contains("id")) {
      field("response_id", response_body["id"]);
    } else {
      std::string_view id;
      generated_response_id(id);
      out->add_field("response_id", field_value::string(id));
    }
    std::int64_t messages = 0;
    if (!request_body.is_none()) {
      if (is_responses) {
        const py_value input = request_body.get("input");
        messages = input.is_str() ? 1 : input.truthy() ? static_cast<std::int64_t>(input.len()) : 0;
      } else {
        const py_value list = request_body.get("messages");
        messages = list.truthy() ? static_cast<std::int64_t>(list.len()) : 0;
      }
    }
    out->add_field("number_request_messages", field_value::integer(messages));
    const bool has_usage = c.token_usage.truthy();
    double prices[2] = {0.0, 0.0};  // price, deployment_price
    for (int i = 0; i < 2; ++i) {
      const py_value v =
          has_usage ? c.token_usage.get(i == 0 ? "price" : "deployment_price") : py_value();
      prices[i] = v.is_none() ? 0.0 : detail::py_float(v);
    }
    apply_rates(c, c.token_usage, model, type, request_body, response_body, prices[0], prices[1]);
    out->add_field("price", field_value::floating(prices[0]));
    out->add_field("deployment_price", field_value::floating(prices[1]));
    add_token_fields(c.token_usage);
  }

  void mcp(const common_fields& c) {
    const py_value body = parse_body(c.request.get("body"), request_parser, "request.body", "MCP");
    // `parse_json(...) or {}`: a falsy body behaves as an empty dict.
    const bool empty = !body.truthy();
    const py_value method = empty ? py_value() : body.get("method");
    out->measurement = "mcp_analytics";
    tag("project_id", c.project_id);
    tag_u("title", c.user_title);
    tag("deployment", c.deployment);
    tag_u("parent_deployment", c.parent_deployment);
    tag_u("mcp_method", method);
    add_common_string_fields(c);
    const py_value params = empty ? py_value() : body.get("params");
    if (method.equals("tools/call") && params.truthy()) {
      field_u("mcp_tool_call_name", params.get("name"));
    } else {
      out->add_field("mcp_tool_call_name", field_value::string(undefined));
    }
  }

  void route(const common_fields& c, std::string_view tail) {
    const py_value method = c.request["method"];
    out->measurement = "routes_analytics";
    tag("project_id", c.project_id);
    tag_u("title", c.user_title);
    tag("deployment", c.deployment);
    std::string& path = out->scratch();
    path.push_back('/');
    path.append(tail);
    out->add_tag("route_path", path);
    tag("http_method", method);
    tag_u("parent_deployment", c.parent_deployment);
    add_common_string_fields(c);
  }

  // ---- the record ------------------------------------------------------------------------------

  std::int64_t parse_time(const py_value& time) {
    std::int64_t ns = 0;
    if (time.is_str()) {
      std::string message;
      if (auto ec = parse_timestamp(time.str(), ns, &message)) throw py_exception{message};
      return ns;
    }
    // dateutil calls len() first, then slices: only a str gets further.
    const std::size_t n = time.len();
    if (n < 4) throw py_exception{"ISO string too short"};
    if (time.is_dict()) throw py_exception{"unhashable type: 'slice'"};
    throw py_exception{
        "int() argument must be a string, a bytes-like object or a real number, not '" +
        std::string(time.type_name()) + "'"};
  }

  bool status_is_200(const py_value& response) { return response["status"].equals("200"); }

  void run(const py_value& rec, analysis& result) {
    common_fields c;
    c.rec = rec;
    c.request = rec["request"];
    const py_value uri = rec["request"]["uri"];
    c.response = rec["response"];
    c.project_id = rec["project"]["id"];
    c.chat_id = rec["chat"]["id"];
    c.user_hash = rec["user"]["id"];
    c.user_title = rec["user"]["title"];
    c.timestamp_ns = parse_time(c.request["time"]);
    c.upstream_url = c.response.get("upstream_uri");
    c.token_usage = rec.get("token_usage");
    c.trace = rec.get("trace");
    c.parent_deployment = rec.get("parent_deployment");
    c.execution_path = rec.get("execution_path");
    c.deployment = detail::py_or(rec.get("deployment"), py_value());  // `or ""`: falsy → no tag
    if (!uri.is_str()) {
      throw py_exception{"expected string or bytes-like object, got '" +
                         std::string(uri.type_name()) + "'"};
    }
    const route_match match = route_uri(uri.str());
    result.type = match.type;
    switch (match.type) {
      case record_type::rate:
        rate(c);
        break;
      case record_type::chat_completion: {
        const py_value response_body = assembled_response(rec, "Chat Completions");
        if (!status_is_200(c.response)) return;
        const py_value request_body =
            parse_body(c.request.get("body"), request_parser, "request.body", "Chat Completions");
        const py_value body_model = request_body.truthy() ? request_body.get("model") : py_value();
        analytics(c, match.type, request_body, response_body,
                  detail::py_or(body_model, c.deployment));
        break;
      }
      case record_type::embedding: {
        if (!status_is_200(c.response)) return;
        const py_value request_body =
            parse_body(c.request.get("body"), request_parser, "request.body", "Embeddings");
        const py_value response_body =
            parse_body(c.response.get("body"), response_parser, "response.body", "Embeddings");
        analytics(c, match.type, request_body, response_body, c.deployment);
        break;
      }
      case record_type::responses:
      case record_type::anthropic_messages:
        if (!status_is_200(c.response)) return;
        responses_like(c, match.type);
        break;
      case record_type::mcp:
        if (!status_is_200(c.response)) return;
        mcp(c);
        break;
      case record_type::route:
        if (!status_is_200(c.response)) return;
        route(c, match.route_tail);
        break;
      case record_type::unsupported: {
        if (wants(log_level::warning)) {
          std::string message = "Unsupported message type: ";
          detail::append_py_repr(message, uri);
          log(log_level::warning, message);
        }
        return;
      }
    }
    out->timestamp_ns = c.timestamp_ns;
    result.has_point = true;
  }
};

analyzer::analyzer(analyzer_options opts) : impl_(std::make_unique<impl>(std::move(opts))) {}
analyzer::~analyzer() = default;
analyzer::analyzer(analyzer&&) noexcept = default;
analyzer& analyzer::operator=(analyzer&&) noexcept = default;

analysis analyzer::analyze(const log_record& rec, point& out) {
  analysis result;
  out.clear();
  impl_->out = &out;
  if (!rec.valid()) {
    result.ec = errc::malformed_json;
    result.message = "record was not parsed";
    return result;
  }
  try {
    impl_->run(py_value(detail::record_access::get(rec)), result);
  } catch (const py_exception& e) {
    out.clear();
    const record_type type = result.type;
    result = analysis{};
    result.type = type;
    result.ec = errc::record_rejected;
    result.message = e.text;
  } catch (const std::exception& e) {
    // Nothing escapes the boundary: allocation failures and the like become a status.
    out.clear();
    result = analysis{};
    result.ec = errc::record_rejected;
    result.message = e.what();
  }
  return result;
}

}  // namespace dial_analytics
