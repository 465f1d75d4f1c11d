// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/log.hpp>

#include "detail/ascii.hpp"

namespace dial_analytics {

std::string_view to_string(log_level level) noexcept {
  switch (level) {
    case log_level::debug:
      return "DEBUG";
    case log_level::info:
      return "INFO";
    case log_level::warning:
      return "WARNING";
    case log_level::error:
      return "ERROR";
  }
  return "ERROR";
}

std::optional<log_level> parse_log_level(std::string_view name) noexcept {
  if (detail::iequals(name, "DEBUG")) return log_level::debug;
  if (detail::iequals(name, "INFO")) return log_level::info;
  if (detail::iequals(name, "WARNING") || detail::iequals(name, "WARN")) return log_level::warning;
  if (detail::iequals(name, "ERROR") || detail::iequals(name, "CRITICAL")) return log_level::error;
  return std::nullopt;
}

}  // namespace dial_analytics
