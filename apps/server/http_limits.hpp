// SPDX-License-Identifier: Apache-2.0
// The pieces of the HTTP server's limits that need no socket (docs/http-api.md#limits): the
// in-flight body budget, rate-limited warnings, the connection cap, the limit and framing replies.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

#include "http_types.hpp"
#include "logger.hpp"
#include "server_config.hpp"

namespace dial_analytics::server {

/// The request body bytes held by all requests together (MAX_INFLIGHT_BODY_BYTES). Thread-safe.
class byte_budget {
 public:
  explicit byte_budget(std::uint64_t cap) : cap_(cap) {}
  /// Takes `n` bytes if they fit; false (and nothing taken) otherwise.
  [[nodiscard]] bool try_take(std::uint64_t n) noexcept;
  void give(std::uint64_t n) noexcept { used_ -= n; }
  [[nodiscard]] std::uint64_t used() const noexcept { return used_.load(); }

 private:
  const std::uint64_t cap_;
  std::atomic<std::uint64_t> used_{0};
};

/// A warning logged at most once per `interval`, with the number of repeats held back (a flood
/// must not become a flood of log lines). Not thread-safe: use it on one strand.
class rate_limited_warning {
 public:
  explicit rate_limited_warning(
      std::chrono::steady_clock::duration interval = std::chrono::seconds(10))
      : interval_(interval) {}
  void operator()(const logger& log, const std::string& message);

 private:
  std::chrono::steady_clock::duration interval_;
  bool logged_once_ = false;
  std::chrono::steady_clock::time_point last_;
  std::uint64_t held_back_ = 0;
};

/// MAX_CONNECTIONS, lowered (with a warning) to fit in the file descriptor limit (ulimit -n)
/// less 64 descriptors for the spool, the InfluxDB connections and the process.
[[nodiscard]] std::uint64_t connection_cap(const server_config& config, const logger& log);

/// 503 with `Retry-After: 1` and `{"detail": detail}`.
[[nodiscard]] http_response busy(std::string_view detail);

/// The reply to a request Beast could not parse (400 malformed, 413 body too large, 431 header
/// too large); none for errors with nobody to answer (closed connection, timeout).
[[nodiscard]] std::optional<http_response> framing_error(boost::system::error_code ec);

}  // namespace dial_analytics::server
