// SPDX-License-Identifier: Apache-2.0
// The analyzer's log: the host's callback and the level below which messages are neither built
// nor passed on, so the per-record paths skip formatting what nobody reads.
#pragma once

#include <string_view>
#include <utility>

#include <dial_analytics/log.hpp>

namespace dial_analytics::detail {

class diagnostics {
 public:
  diagnostics(log_callback log, log_level threshold)
      : log_(std::move(log)), threshold_(threshold) {}

  /// Whether a message of `level` would be passed on: check before building an expensive one.
  [[nodiscard]] bool wants(log_level level) const { return log_ && level >= threshold_; }
  void log(log_level level, std::string_view message) const {
    if (wants(level)) log_(level, message);
  }

 private:
  log_callback log_;
  log_level threshold_;
};

}  // namespace dial_analytics::detail
