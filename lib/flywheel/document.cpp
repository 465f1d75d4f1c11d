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

void append_line_with_id(std::string& out, std::string_view id, const flywheel_record& record) {
  out += id;
  out += '\t';
  append_document(out, record);
  out += '\n';
}

std::string_view document_of_line(std::string_view line) noexcept {
  // A document starts with '{' and holds no raw tab (JSON escapes it in strings).
  const std::size_t tab = line.find('\t');
  if (tab != std::string_view::npos && !line.empty() && line.front() != '{') {
    line.remove_prefix(tab + 1);
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

}  // namespace dial_analytics::flywheel
