// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/flywheel/document.hpp>

#include <fmt/format.h>

#include <dial_analytics/json.hpp>

namespace dial_analytics::flywheel {

void append_document(std::string& out, const flywheel_record& record) {
  out += R"({"request":)";
  out += record.request_json;
  out += R"(,"response":)";
  out += record.response_json;
  out += R"(,"timestamp":)";
  fmt::format_to(std::back_inserter(out), "{}", record.timestamp);
  out += R"(,"client_id":)";
  append_json_string(out, record.client_id);
  out += R"(,"workload_id":)";
  append_json_string(out, record.workload_id);
  out += '}';
}

void append_spool_line(std::string& out, std::string_view id, std::string_view document) {
  if (!id.empty()) {
    out += id;
    out += '\t';
  }
  out += document;
  out += '\n';
}

spool_line split_spool_line(std::string_view line) noexcept {
  // A compact JSON document holds no raw tab (JSON escapes it in strings).
  const std::size_t tab = line.find('\t');
  if (tab == std::string_view::npos) return {{}, line};
  return {line.substr(0, tab), line.substr(tab + 1)};
}

}  // namespace dial_analytics::flywheel
