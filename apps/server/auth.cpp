// SPDX-License-Identifier: Apache-2.0
#include "auth.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <utility>

#include <dial_analytics/error.hpp>

namespace dial_analytics::server {
namespace {

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

std::vector<std::string> read_token_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw config_error("AUTH_TOKEN_FILE: cannot read " + path);
  std::vector<std::string> tokens;
  for (std::string line; std::getline(in, line);) {
    const std::string_view t = trim(line);
    if (!t.empty() && t.front() != '#') tokens.emplace_back(t);
  }
  if (tokens.empty()) throw config_error("AUTH_TOKEN_FILE: no token in " + path);
  return tokens;
}

}  // namespace

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = std::max(a.size(), b.size());
  // volatile: the compiler may not stop the loop once a difference is known.
  volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    diff = static_cast<unsigned char>(diff | (x ^ y));
  }
  return diff == 0;
}

authenticator::authenticator(std::vector<std::string> tokens, bool protect_metrics)
    : tokens_(std::move(tokens)), protect_metrics_(protect_metrics) {
  std::erase_if(tokens_, [](const std::string& t) { return t.empty(); });
}

authenticator authenticator::from_config(const server_config& config) {
  std::vector<std::string> tokens;
  if (!config.auth_token_file.empty()) tokens = read_token_file(config.auth_token_file);
  if (const std::string_view t = trim(config.auth_token.reveal()); !t.empty()) {
    tokens.emplace_back(t);
  }
  return authenticator(std::move(tokens), config.auth_metrics);
}

bool authenticator::required(route to) const noexcept {
  switch (to) {
    case route::post_data:
    case route::head_data:
      return true;
    case route::metrics:
      return protect_metrics_;
    case route::health:
    case route::method_not_allowed:
    case route::not_found:
      break;
  }
  return false;
}

bool authenticator::accepts(std::string_view authorization) const noexcept {
  authorization = trim(authorization);
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() <= scheme.size() ||
      !iequals(authorization.substr(0, scheme.size()), scheme)) {
    return false;
  }
  const std::string_view given = trim(authorization.substr(scheme.size()));
  bool ok = false;
  for (const std::string& token : tokens_) ok = constant_time_equal(given, token) || ok;
  return ok;
}

std::string authenticator::describe() const {
  if (!enabled()) {
    return "authentication: off (AUTH_TOKEN unset): anyone who reaches the port can write points";
  }
  return fmt::format("authentication: bearer token ({} accepted) on /data{}", tokens_.size(),
                     protect_metrics_ ? " and /metrics" : "");
}

http_response unauthorized() {
  http_response r = json_response(401, R"({"detail":"missing or invalid bearer token"})");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

}  // namespace dial_analytics::server
