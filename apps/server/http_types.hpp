// SPDX-License-Identifier: Apache-2.0
// A request and a response as the handlers see them: plain values, no sockets, no Beast.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace dial_analytics::server {

struct http_request {
  std::string method;
  std::string target;  ///< path and query, as sent
  std::string content_type;
  std::string content_encoding;
  std::string body;
};

struct http_response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers, e.g. Retry-After
};

/// A response with a JSON body (docs/http-api.md lists every one the server sends).
inline http_response json_response(int status, std::string body) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace dial_analytics::server
