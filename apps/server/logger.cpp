// SPDX-License-Identifier: Apache-2.0
#include "logger.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>

namespace dial_analytics::server {

void logger::operator()(log_level level, std::string_view message) const {
  if (!enabled(level)) return;
  const auto now = std::chrono::system_clock::now();
  std::lock_guard lock(mutex_);
  fmt::print(out_, "{:%Y-%m-%dT%H:%M:%S}Z {} {}\n",
             fmt::gmtime(std::chrono::system_clock::to_time_t(now)), to_string(level), message);
}

log_callback logger::callback() const {
  return [this](log_level level, std::string_view message) { (*this)(level, message); };
}

}  // namespace dial_analytics::server
