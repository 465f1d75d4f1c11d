// SPDX-License-Identifier: Apache-2.0
#include "flywheel/json_value.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <iterator>

#include <dial_analytics/json.hpp>

namespace dial_analytics::detail {

void append_json_double(std::string& out, double d) {
  const std::size_t start = out.size();
  fmt::format_to(std::back_inserter(out), "{}", d);
  if (out.find_first_of(".eE", start) == std::string::npos) out += ".0";
}

void append_json_value(std::string& out, simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      char separator = '{';
      for (auto [key, value] : simdjson::dom::object(e)) {
        out += separator;
        separator = ',';
        append_json_string(out, key);
        out += ':';
        append_json_value(out, value);
      }
      out += separator == '{' ? "{}" : "}";
      break;
    }
    case element_type::ARRAY: {
      char separator = '[';
      for (simdjson::dom::element value : simdjson::dom::array(e)) {
        out += separator;
        separator = ',';
        append_json_value(out, value);
      }
      out += separator == '[' ? "[]" : "]";
      break;
    }
    case element_type::STRING:
      append_json_string(out, std::string_view(e));
      break;
    case element_type::INT64:
      fmt::format_to(std::back_inserter(out), "{}", std::int64_t(e));
      break;
    case element_type::UINT64:
      fmt::format_to(std::back_inserter(out), "{}", std::uint64_t(e));
      break;
    case element_type::DOUBLE:
      append_json_double(out, double(e));
      break;
    case element_type::BOOL:
      out += bool(e) ? "true" : "false";
      break;
    case element_type::NULL_VALUE:
      out += "null";
      break;
  }
}

}  // namespace dial_analytics::detail
