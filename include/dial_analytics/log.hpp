// SPDX-License-Identifier: Apache-2.0
// The logging vocabulary shared by every part of the library: a level and a callback. The
// library never writes to stderr itself; hosts pass a `log_callback` where they want messages.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

namespace dial_analytics {

/// Severity of a diagnostic message.
enum class log_level {
  debug,    ///< per-record progress
  info,     ///< normal operation
  warning,  ///< unsupported URI, unexpected content type, a retried write
  error,    ///< invalid body JSON, failed text extraction, refused points
};

/// Receives diagnostics, one message per call, without a trailing newline.
using log_callback = std::function<void(log_level, std::string_view message)>;

/// "DEBUG", "INFO", "WARNING" or "ERROR" (the names Python's logging prints).
[[nodiscard]] std::string_view to_string(log_level level) noexcept;

/// Parses a level name, case-insensitively: DEBUG, INFO, WARNING (or WARN), ERROR (or
/// CRITICAL). @return nothing for any other text.
[[nodiscard]] std::optional<log_level> parse_log_level(std::string_view name) noexcept;

}  // namespace dial_analytics
