// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/output/batch_writer.hpp>

#include <algorithm>

namespace dial_analytics::output {

std::size_t count_lines(std::string_view lines) noexcept {
  const auto terminated = static_cast<std::size_t>(std::count(lines.begin(), lines.end(), '\n'));
  return terminated + (!lines.empty() && lines.back() != '\n' ? 1 : 0);
}

}  // namespace dial_analytics::output
