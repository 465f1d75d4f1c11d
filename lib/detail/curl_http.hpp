// SPDX-License-Identifier: Apache-2.0
// A small blocking HTTP client over libcurl for the backends' writers and probes (InfluxDB
// today, Elasticsearch next). libcurl stays behind this header: no curl type appears here, and
// no public header includes it.
//
// Thread-safety: one http_client per thread at a time (it owns one easy handle and with it one
// keep-alive connection); the free functions are pure.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dial_analytics::detail {

/// Settings of one client, fixed for its lifetime.
struct http_client_options {
  std::chrono::milliseconds timeout{10000};         ///< whole request, including the answer
  std::chrono::milliseconds connect_timeout{5000};  ///< TCP (and TLS) connect
  std::string basic_auth;                           ///< "user:password"; empty: no Basic auth
  std::string ca_file;  ///< CA bundle (PEM) to verify https servers with; empty: the system's
  std::size_t max_body_bytes = 64 * 1024;  ///< answer bytes kept (the rest is read)
};

/// An answer, or why there is none.
struct http_response {
  int status = 0;     ///< HTTP status; 0 when no answer came (see `error`)
  std::string error;  ///< for status 0: libcurl's text ("Couldn't connect to server", …)
  std::string body;   ///< the first `max_body_bytes` of the body
  /// Response headers, names in lower case, values trimmed (the last response's, after
  /// redirects or `100 Continue`).
  std::vector<std::pair<std::string, std::string>> headers;

  /// The value of header `lower_case_name`, empty when absent.
  [[nodiscard]] std::string_view header(std::string_view lower_case_name) const noexcept;
};

/// One keep-alive connection (reopened as needed) to any URL.
class http_client {
 public:
  /// @throws config_error when libcurl cannot create a handle.
  explicit http_client(http_client_options options = {});
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  /// POSTs `body`; with `gzip` the body is compressed and sent with `Content-Encoding: gzip`.
  /// `headers` are whole lines, e.g. "Content-Type: text/plain; charset=utf-8".
  http_response post(const std::string& url, std::string_view body,
                     std::span<const std::string> headers = {}, bool gzip = false);
  /// GETs `url`.
  http_response get(const std::string& url, std::span<const std::string> headers = {});
  /// HEADs `url` (status and headers only).
  http_response head(const std::string& url, std::span<const std::string> headers = {});
  /// PUTs `body` (sent from memory like a POST body, with the PUT method).
  http_response put(const std::string& url, std::string_view body,
                    std::span<const std::string> headers = {});

  /// Sends `body` with any method ("DELETE" with a body, as Elasticsearch's clear-scroll takes).
  http_response send_body(const std::string& url, std::string_view body,
                          std::span<const std::string> headers, const char* method);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// A `Retry-After` header value as a delay: delta-seconds as given; an HTTP date (or anything
/// else unparsable) counts as 10 s, as Telegraf does; empty means none (0).
[[nodiscard]] std::chrono::milliseconds parse_retry_after(std::string_view value) noexcept;

/// `url` without trailing slashes, so that paths can be appended.
[[nodiscard]] std::string trim_slash(std::string url);

/// Percent-encodes `s` for a query parameter or path segment (RFC 3986 unreserved kept).
[[nodiscard]] std::string url_escape(std::string_view s);

}  // namespace dial_analytics::detail
