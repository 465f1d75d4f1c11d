// SPDX-License-Identifier: Apache-2.0
// DIAL record decoding: simdjson DOM (full validation, as json.loads validates everything) with
// a slow path for raw control characters (docs/architecture.md, "Record") and Python error texts.
#include <dial_analytics/input/log_parser.hpp>

#include <simdjson.h>

#include <dial_analytics/error.hpp>

#include "detail/py_json.hpp"
#include "detail/record_access.hpp"

namespace dial_analytics {

struct log_parser::impl {
  parser_options options;
  simdjson::dom::parser parser;
  std::string escaped;  // reused buffer for the control-character rewrite
};

log_parser::log_parser(parser_options opts) : impl_(std::make_unique<impl>()) {
  impl_->options = opts;
}
log_parser::~log_parser() = default;
log_parser::log_parser(log_parser&&) noexcept = default;
log_parser& log_parser::operator=(log_parser&&) noexcept = default;

std::error_code log_parser::parse(std::string_view json, log_record& out, std::string* message) {
  out = log_record{};
  auto& p = impl_->parser;
  // parse(ptr, len, true) copies into the parser's own padded buffer, reused across calls.
  auto result = p.parse(json.data(), json.size(), true);
  if (result.error() == simdjson::UNESCAPED_CHARS && impl_->options.allow_control_characters &&
      detail::escape_control_characters(json, impl_->escaped)) {
    result = p.parse(impl_->escaped.data(), impl_->escaped.size(), true);
  }
  if (result.error()) {
    std::string text = detail::python_json_error(json, !impl_->options.allow_control_characters);
    const bool python_rejects = !text.empty();
    if (!python_rejects) {
      text = "unsupported JSON: ";
      text += simdjson::error_message(result.error());
    }
    if (message) *message = std::move(text);
    return python_rejects ? errc::malformed_json : errc::unsupported_json;
  }
  detail::record_access::set(out, result.value_unsafe(), json);
  return {};
}

namespace {

simdjson::simdjson_result<simdjson::dom::element> walk(
    const log_record& r, std::initializer_list<std::string_view> path) {
  if (!r.valid()) return simdjson::NO_SUCH_FIELD;
  simdjson::simdjson_result<simdjson::dom::element> e = detail::record_access::get(r);
  for (std::string_view key : path) e = e[key];
  return e;
}

}  // namespace

std::optional<std::string_view> log_record::string_at(
    std::initializer_list<std::string_view> path) const noexcept {
  std::string_view s;
  if (walk(*this, path).get(s)) return std::nullopt;
  return s;
}

std::optional<double> log_record::number_at(
    std::initializer_list<std::string_view> path) const noexcept {
  auto e = walk(*this, path);
  if (e.error()) return std::nullopt;
  double d;
  if (!e.get_double().get(d)) return d;
  std::int64_t i;
  if (!e.get_int64().get(i)) return static_cast<double>(i);
  std::uint64_t u;
  if (!e.get_uint64().get(u)) return static_cast<double>(u);
  return std::nullopt;
}

}  // namespace dial_analytics
