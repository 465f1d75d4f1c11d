// SPDX-License-Identifier: Apache-2.0
#include "routes.hpp"

namespace dial_analytics::server {

route_match match_route(std::string_view method, std::string_view target) noexcept {
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/data") {
    if (method == "POST") return {route::post_data, path};
    if (method == "HEAD") return {route::head_data, path};
    return {route::method_not_allowed, path};
  }
  if (path == "/health") {
    if (method == "GET" || method == "HEAD") return {route::health, path};
    return {route::method_not_allowed, path};
  }
  if (path == "/metrics") {
    if (method == "GET") return {route::metrics, path};
    return {route::method_not_allowed, path};
  }
  return {route::not_found, "other"};
}

http_response fixed_response(route to) {
  switch (to) {
    case route::head_data:
      return json_response(200, "");
    case route::health:
      return json_response(200, R"({"status":"ok"})");
    case route::method_not_allowed:
      return json_response(405, R"({"detail":"Method Not Allowed"})");
    case route::post_data:
    case route::metrics:
    case route::not_found:
      break;
  }
  return json_response(404, R"({"detail":"Not Found"})");
}

}  // namespace dial_analytics::server
