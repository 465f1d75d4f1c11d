// SPDX-License-Identifier: Apache-2.0
// Optional bearer-token authentication (AUTH_TOKEN, AUTH_TOKEN_FILE, AUTH_METRICS;
// docs/http-api.md#authentication). Checked on the request header, before the body is read.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http_types.hpp"
#include "routes.hpp"
#include "server_config.hpp"

namespace dial_analytics::server {

/// Compares two strings in time that depends only on their lengths, never on where they differ
/// (no early exit, also not on a length mismatch).
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

/// The accepted tokens and the routes that need one. Thread-safe (immutable).
class authenticator {
 public:
  /// No tokens: authentication is off and every request passes.
  authenticator(std::vector<std::string> tokens, bool protect_metrics);

  /// AUTH_TOKEN plus the lines of AUTH_TOKEN_FILE (blank lines and `#` comments skipped).
  /// @throws config_error when the file cannot be read or holds no token.
  [[nodiscard]] static authenticator from_config(const server_config& config);

  [[nodiscard]] bool enabled() const noexcept { return !tokens_.empty(); }
  [[nodiscard]] std::size_t token_count() const noexcept { return tokens_.size(); }
  /// POST and HEAD /data always, GET /metrics unless AUTH_METRICS=false; never /health.
  [[nodiscard]] bool required(route to) const noexcept;
  /// Whether `authorization` (the header's value) is `Bearer <an accepted token>`; every
  /// token is compared, so the time does not tell which one nearly matched.
  [[nodiscard]] bool accepts(std::string_view authorization) const noexcept;
  /// True when the request to `to` may proceed.
  [[nodiscard]] bool allows(route to, std::string_view authorization) const noexcept {
    return !enabled() || !required(to) || accepts(authorization);
  }
  /// A one-line start-up note without secrets.
  [[nodiscard]] std::string describe() const;

 private:
  std::vector<std::string> tokens_;
  bool protect_metrics_;
};

/// 401 with `WWW-Authenticate: Bearer` and a JSON detail.
[[nodiscard]] http_response unauthorized();

}  // namespace dial_analytics::server
