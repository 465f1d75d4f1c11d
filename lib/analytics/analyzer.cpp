// SPDX-License-Identifier: Apache-2.0
// Record → point, following the reference service step by step: the common prelude reads the
// record, the URI routes it, the bodies are parsed, and a measurement builder writes the point
// (measurements.cpp). Python semantics (`or`, `[]`, `.get`, `len`, `str`) come from
// detail::py_value; a Python exception becomes the record's error status, exactly where the
// reference raises (docs/conformance.md).
#include <dial_analytics/analytics/analyzer.hpp>

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <dial_analytics/error.hpp>
#include <dial_analytics/input/timestamp.hpp>

#include "analytics/diagnostics.hpp"
#include "analytics/measurements.hpp"
#include "analytics/point_builder.hpp"
#include "analytics/record_pricing.hpp"
#include "analytics/record_view.hpp"
#include "analytics/text_features.hpp"
#include "detail/py_json.hpp"
#include "detail/py_value.hpp"
#include "detail/record_access.hpp"

namespace dial_analytics {

using detail::py_exception;
using detail::py_value;

namespace {

[[nodiscard]] std::string json_loads_type_error(const py_value& v) {
  return "the JSON object must be str, bytes or bytearray, not " + std::string(v.type_name());
}

// `request_body.get("model") or deployment`, where a falsy body has no model.
[[nodiscard]] py_value requested_model(const py_value& request_body, const py_value& deployment) {
  const py_value body_model = request_body.truthy() ? request_body.get("model") : py_value();
  return detail::py_or(body_model, deployment);
}

[[nodiscard]] std::int64_t parse_time(const py_value& time) {
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

[[nodiscard]] bool status_is_200(const py_value& response) {
  return response["status"].equals("200");
}

// The prelude (on_log_message): the values every measurement reads, before routing.
[[nodiscard]] detail::record_view read_record(const py_value& rec) {
  detail::record_view r;
  r.rec = rec;
  r.request = rec["request"];
  r.uri = r.request["uri"];
  r.response = rec["response"];
  r.project_id = rec["project"]["id"];
  r.chat_id = rec["chat"]["id"];
  r.user_hash = rec["user"]["id"];
  r.user_title = rec["user"]["title"];
  r.timestamp_ns = parse_time(r.request["time"]);
  r.upstream_url = r.response.get("upstream_uri");
  r.token_usage = rec.get("token_usage");
  r.trace = rec.get("trace");
  r.parent_deployment = rec.get("parent_deployment");
  r.execution_path = rec.get("execution_path");
  r.deployment = detail::py_or(rec.get("deployment"), py_value());  // `or ""`: falsy → no tag
  return r;
}

}  // namespace

struct analyzer::impl {
  explicit impl(analyzer_options options)
      : log(std::move(options.log), options.log_threshold),
        ids(options.ids != nullptr ? options.ids : &content_ids),
        texts(options.language, options.topic,
              [this](bool is_error, std::string_view message) {
                log.log(is_error ? log_level::error : log_level::warning, message);
              }),
        pricing(options.prices, log),
        schema(options.schema),
        times(options.times) {
    if (schema == point_schema::compact && times == nullptr) {
      own_times = std::make_unique<unique_timestamps>();
      times = own_times.get();
    }
  }

  detail::diagnostics log;
  content_id_generator content_ids;
  response_id_generator* ids;
  detail::text_features texts;
  detail::record_pricing pricing;
  simdjson::dom::parser request_parser;
  simdjson::dom::parser response_parser;
  point_schema schema;
  unique_timestamps* times;
  std::unique_ptr<unique_timestamps> own_times;

  // parse_json(s, json_path, api): None for None, logs and None for invalid JSON.
  py_value parse_body(const py_value& s, simdjson::dom::parser& parser, std::string_view json_path,
                      std::string_view api) {
    if (s.is_none()) return {};
    if (!s.is_str()) throw py_exception{json_loads_type_error(s)};
    const std::string_view text = s.str();
    simdjson::dom::element root;
    if (parser.parse(text.data(), text.size(), true).get(root)) {
      if (log.wants(log_level::error)) {
        log.log(log_level::error, std::string(json_path) + " in the " + std::string(api) +
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

  // json.loads(request["body"]): unlike the other bodies, invalid JSON raises.
  py_value parse_rate_body(const py_value& request) {
    const py_value body_text = request["body"];
    if (!body_text.is_str()) throw py_exception{json_loads_type_error(body_text)};
    simdjson::dom::element root;
    const std::string_view text = body_text.str();
    if (request_parser.parse(text.data(), text.size(), true).get(root)) {
      std::string message = detail::python_json_error(text, true);
      if (message.empty()) message = "unsupported JSON in rate request body";
      throw py_exception{message};
    }
    return py_value(root);
  }

  py_value parse_request_body(const detail::record_view& record, std::string_view api) {
    return parse_body(record.request.get("body"), request_parser, "request.body", api);
  }

  void run(const py_value& rec, std::string_view text, point& p, analysis& result) {
    detail::record_view record = read_record(rec);
    record.text = text;
    const py_value& uri = record.uri;
    if (!uri.is_str()) {
      throw py_exception{"expected string or bytes-like object, got '" +
                         std::string(uri.type_name()) + "'"};
    }
    const route_match match = route_uri(uri.str());
    result.type = match.type;
    detail::point_builder out(p);
    const detail::measurement_context context{out, record, texts, pricing, *ids};
    detail::record_bodies bodies;
    switch (match.type) {
      case record_type::rate:
        detail::build_rate_point(out, record, parse_rate_body(record.request));
        break;
      case record_type::chat_completion:
        // The reference reads the assembled response before it looks at the status.
        bodies.response = assembled_response(rec, "Chat Completions");
        if (!status_is_200(record.response)) return;
        bodies.request = parse_request_body(record, "Chat Completions");
        bodies.model = requested_model(bodies.request, record.deployment);
        detail::build_analytics_point(context, match.type, bodies);
        break;
      case record_type::embedding:
        if (!status_is_200(record.response)) return;
        bodies.request = parse_request_body(record, "Embeddings");
        bodies.response =
            parse_body(record.response.get("body"), response_parser, "response.body", "Embeddings");
        bodies.model = record.deployment;
        detail::build_analytics_point(context, match.type, bodies);
        break;
      case record_type::responses:
      case record_type::anthropic_messages: {
        if (!status_is_200(record.response)) return;
        const std::string_view api =
            match.type == record_type::responses ? "Responses" : "Anthropic Messages";
        bodies.request = parse_request_body(record, api);
        bodies.model = requested_model(bodies.request, record.deployment);
        bodies.response = assembled_response(rec, api);
        detail::build_responses_like_point(context, match.type, bodies);
        break;
      }
      case record_type::mcp:
        if (!status_is_200(record.response)) return;
        detail::build_mcp_point(out, record, parse_request_body(record, "MCP"));
        break;
      case record_type::route:
        if (!status_is_200(record.response)) return;
        detail::build_route_point(out, record, match.route_tail);
        break;
      case record_type::unsupported:
        if (log.wants(log_level::warning)) {
          std::string message = "Unsupported message type: ";
          detail::append_py_repr(message, uri);
          log.log(log_level::warning, message);
        }
        return;
    }
    p.timestamp_ns = record.timestamp_ns;
    if (schema == point_schema::compact) times->assign(p, make_compact(p));
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
  if (!rec.valid()) {
    result.ec = errc::malformed_json;
    result.message = "record was not parsed";
    return result;
  }
  try {
    impl_->run(py_value(detail::record_access::get(rec)), rec.text(), out, result);
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
