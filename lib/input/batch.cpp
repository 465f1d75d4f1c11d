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

}  // namespace dial_analytics
