// SPDX-License-Identifier: Apache-2.0
// Which handler a request goes to, by path and method (docs/http-api.md): a pure function.
#pragma once

#include <string_view>

#include "http_types.hpp"

namespace dial_analytics::server {

enum class route {
  post_data,           ///< POST /data: the Vector batches
  head_data,           ///< HEAD /data: Vector's health check, 200 without a body
  health,              ///< GET or HEAD /health
  metrics,             ///< GET /metrics
  method_not_allowed,  ///< a known path with another method: 405
  not_found,           ///< any other path: 404
};

struct route_match {
  route to = route::not_found;
  /// The `path` label of dial_analytics_http_responses_total: the path, or "other" for
  /// unknown paths (so that scanners cannot grow the metric without bound).
  std::string_view path_label;
};

/// Routes `target` (the query string is ignored); the label views a static string or `target`.
[[nodiscard]] route_match match_route(std::string_view method, std::string_view target) noexcept;

/// The fixed answer of head_data, health, method_not_allowed and not_found.
[[nodiscard]] http_response fixed_response(route to);

}  // namespace dial_analytics::server
