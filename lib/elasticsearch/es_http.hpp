// SPDX-License-Identifier: Apache-2.0
// What the Elasticsearch index preparation and the bulk writer share: the URL without its
// user-info, the Authorization header, the content types, libcurl options, and the reading of
// Elasticsearch's error envelope. Private to the library (tests include it).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <dial_analytics/elasticsearch/es_config.hpp>

#include "detail/curl_http.hpp"

namespace dial_analytics::elasticsearch::wire {

/// Where the cluster is and how to authenticate, from an es_config.
struct endpoint {
  std::string base;           ///< the URL without user-info and trailing slashes
  std::string authorization;  ///< the whole `Authorization: …` header line; empty: none
  std::string auth_kind;      ///< "basic auth", "API key", "bearer token"; empty: none
};

/// @throws config_error when more than one kind of credentials is set, or only one of username
///         and password.
[[nodiscard]] endpoint resolve_endpoint(const es_config& cfg);

/// The request headers: Authorization (when set), Content-Type (JSON, or NDJSON for `_bulk`),
/// Accept, and an empty `Expect:` (no 100-continue round trip before large bodies).
[[nodiscard]] std::vector<std::string> request_headers(const es_config& cfg, const endpoint& at,
                                                       bool ndjson);

/// libcurl options: timeouts (the whole-request one at least `at_least`), CA file, and room for
/// large bulk answers.
[[nodiscard]] dial_analytics::detail::http_client_options client_options(
    const es_config& cfg, std::chrono::milliseconds at_least = std::chrono::milliseconds(0));

/// Standard base64 (with padding).
[[nodiscard]] std::string base64(std::string_view bytes);

/// "<type>: <reason>" (and " (caused by <type>: <reason>)") from an Elasticsearch error answer;
/// else the start of the body. Redacted, on one line.
[[nodiscard]] std::string error_text(std::string_view body);

}  // namespace dial_analytics::elasticsearch::wire
