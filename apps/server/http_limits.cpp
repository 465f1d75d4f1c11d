// SPDX-License-Identifier: Apache-2.0
#include "http_limits.hpp"

#include <sys/resource.h>

#include <fmt/format.h>
#include <boost/beast/http/error.hpp>

#include <algorithm>

namespace dial_analytics::server {
namespace {

namespace http = boost::beast::http;

// File descriptors kept for the spool, the InfluxDB connections and the process itself.
constexpr std::uint64_t reserved_descriptors = 64;

}  // namespace

bool byte_budget::try_take(std::uint64_t n) noexcept {
  std::uint64_t used = used_.load();
  do {
    if (n > cap_ || used > cap_ - n) return false;
  } while (!used_.compare_exchange_weak(used, used + n));
  return true;
}

void rate_limited_warning::operator()(const logger& log, const std::string& message) {
  const auto now = std::chrono::steady_clock::now();
  if (logged_once_ && now - last_ < interval_) {
    ++held_back_;
    return;
  }
  log(log_level::warning,
      held_back_ == 0 ? message
                      : fmt::format("{} ({} more since the last warning)", message, held_back_));
  logged_once_ = true;
  last_ = now;
  held_back_ = 0;
}

std::uint64_t connection_cap(const server_config& config, const logger& log) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return config.max_connections;
  }
  const std::uint64_t fds = limit.rlim_cur;
  const std::uint64_t usable =
      fds > 2 * reserved_descriptors ? fds - reserved_descriptors : fds / 2;
  if (usable >= config.max_connections) return config.max_connections;
  log(log_level::warning,
      fmt::format("MAX_CONNECTIONS={} does not fit in the file descriptor limit ({}, ulimit -n): "
                  "serving at most {} connections",
                  config.max_connections, fds, usable));
  return std::max<std::uint64_t>(usable, 1);
}

http_response busy(std::string_view detail) {
  http_response r = json_response(503, fmt::format(R"({{"detail":"{}"}})", detail));
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

std::optional<http_response> framing_error(boost::system::error_code ec) {
  if (ec == http::error::header_limit) {
    return json_response(431, R"({"detail":"request header larger than 8 KiB"})");
  }
  if (ec == http::error::body_limit) {
    return json_response(413, R"({"detail":"request body larger than MAX_BODY_BYTES"})");
  }
  static constexpr http::error malformed[] = {
      http::error::bad_line_ending,    http::error::bad_method,
      http::error::bad_target,         http::error::bad_version,
      http::error::bad_field,          http::error::bad_value,
      http::error::bad_content_length, http::error::bad_transfer_encoding,
      http::error::bad_chunk,          http::error::bad_chunk_extension,
      http::error::bad_obs_fold,       http::error::unexpected_body};
  for (const http::error e : malformed) {
    if (ec == e) {
      return json_response(
          400, fmt::format(R"({{"detail":"malformed HTTP request: {}"}})", ec.message()));
    }
  }
  return std::nullopt;
}

}  // namespace dial_analytics::server
