// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/input/batch.hpp>

namespace dial_analytics {

input_format detect_format(std::string_view body) noexcept {
  const std::size_t i = body.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && body[i] == '[' ? input_format::json_array
                                                       : input_format::ndjson;
}

std::size_t count_nonblank_lines(std::string_view text) noexcept {
  std::size_t n = 0;
  for_each_line(text, [&](std::string_view) { ++n; });
  return n;
}

std::size_t complete_lines_size(std::string_view text) noexcept {
  const std::size_t last = text.rfind('\n');
  return last == std::string_view::npos ? 0 : last + 1;
}

namespace {

constexpr bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

bool split_json_array(std::string_view body, std::vector<std::string_view>& elements) {
  elements.clear();
  std::size_t i = 0;
  while (i < body.size() && is_json_space(body[i])) ++i;
  if (i == body.size() || body[i] != '[') return false;
  ++i;
  std::size_t depth = 0;  // nesting inside the current element
  std::size_t start = i;
  bool closed = false;
  for (; i < body.size() && !closed; ++i) {
    const char c = body[i];
    if (c == '"') {
      for (++i; i < body.size() && body[i] != '"'; ++i) {
        if (body[i] == '\\') ++i;  // skip the escaped character
      }
      if (i >= body.size()) return false;  // unterminated string
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      if (depth > 0) {
        --depth;
        continue;
      }
      if (c == '}') return false;
      closed = true;
    }
    if (depth == 0 && (c == ',' || closed)) {
      std::string_view element = body.substr(start, i - start);
      while (!element.empty() && is_json_space(element.front())) element.remove_prefix(1);
      while (!element.empty() && is_json_space(element.back())) element.remove_suffix(1);
      if (element.empty() && !(closed && elements.empty())) return false;  // `[,`, `[1,]`
      if (!element.empty()) elements.push_back(element);                   // else `[]`
      start = i + 1;
    }
  }
  if (!closed) return false;
  while (i < body.size() && is_json_space(body[i])) ++i;
  return i == body.size();
}

}  // namespace dial_analytics
