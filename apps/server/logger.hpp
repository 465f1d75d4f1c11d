// SPDX-License-Identifier: Apache-2.0
// The server's log: one line per message, "<UTC time>Z <LEVEL> <message>", to stderr.
#pragma once

#include <cstdio>
#include <mutex>
#include <string_view>

#include <dial_analytics/log.hpp>

namespace dial_analytics::server {

/// Writes one log line (timestamp, level, message) when `level` passes the configured one.
/// Thread-safe: lines from several threads never interleave.
class logger {
 public:
  /// @param out where lines go; null silences the logger (tests).
  explicit logger(log_level min, std::FILE* out = stderr) : min_(min), out_(out) {}
  void operator()(log_level level, std::string_view message) const;
  [[nodiscard]] bool enabled(log_level level) const { return out_ && level >= min_; }
  [[nodiscard]] log_level min_level() const { return min_; }
  /// A callback for the library (pipelines, senders) that writes to this logger.
  [[nodiscard]] log_callback callback() const;

 private:
  log_level min_;
  std::FILE* out_;
  mutable std::mutex mutex_;
};

}  // namespace dial_analytics::server
