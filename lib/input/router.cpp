// SPDX-License-Identifier: Apache-2.0
// The reference's URI patterns (docs/line-protocol.md) as hand-written matchers with Python
// `re.search` semantics: `.` never matches '\n', `$` matches at the end or before a final '\n',
// lazy groups take the first match that lets the rest succeed.
#include <dial_analytics/input/router.hpp>

namespace dial_analytics {
namespace {

using sv = std::string_view;
constexpr auto npos = sv::npos;

// re.search(prefix + "(.+?)" + suffix): is there a `prefix`, then one or more non-newline
// characters, then `suffix`?
bool search_lazy(sv uri, sv prefix, sv suffix) {
  for (std::size_t p = uri.find(prefix); p != npos; p = uri.find(prefix, p + 1)) {
    const std::size_t group = p + prefix.size();
    const std::size_t newline = uri.find('\n', group);
    const std::size_t limit = newline == npos ? uri.size() : newline;
    const std::size_t s = uri.find(suffix, group + 1);
    if (s != npos && s <= limit) return true;
  }
  return false;
}

// ^/+<body>(\?|$)
bool match_anchored(sv uri, sv body) {
  std::size_t i = 0;
  while (i < uri.size() && uri[i] == '/') ++i;
  if (i == 0 || uri.substr(i, body.size()) != body) return false;
  const std::size_t e = i + body.size();
  return e == uri.size() || uri[e] == '?' || (e + 1 == uri.size() && uri[e] == '\n');
}

// ^/v1/deployments/(.+?)/route/(.+?)$ ; returns group 2 or npos-position on no match.
bool match_route(sv uri, sv& tail) {
  constexpr sv prefix = "/v1/deployments/";
  constexpr sv marker = "/route/";
  if (uri.substr(0, prefix.size()) != prefix) return false;
  // `$` may match before a final newline; lazy group 2 stops there.
  sv body = uri;
  if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  for (std::size_t q = uri.find(marker, prefix.size() + 1); q != npos;
       q = uri.find(marker, q + 1)) {
    if (uri.substr(prefix.size(), q - prefix.size()).find('\n') != npos) return false;
    const std::size_t start = q + marker.size();
    if (start >= body.size()) continue;
    sv group2 = body.substr(start);
    if (group2.find('\n') != npos) continue;
    tail = group2;
    return true;
  }
  return false;
}

bool match_mcp(sv uri) {
  return search_lazy(uri, "/v1/toolset/", "/mcp") || search_lazy(uri, "/v1/deployments/", "/mcp");
}

}  // namespace

route_match route_uri(std::string_view uri) noexcept {
  if (search_lazy(uri, "/v1/", "/rate")) return {record_type::rate, {}};
  if (search_lazy(uri, "/openai/deployments/", "/chat/completions")) {
    return {record_type::chat_completion, {}};
  }
  if (match_anchored(uri, "openai/v1/responses")) return {record_type::responses, {}};
  if (match_anchored(uri, "anthropic/v1/messages")) return {record_type::anthropic_messages, {}};
  if (search_lazy(uri, "/openai/deployments/", "/embeddings")) return {record_type::embedding, {}};
  if (match_mcp(uri)) return {record_type::mcp, {}};
  if (sv tail; match_route(uri, tail)) return {record_type::route, tail};
  return {record_type::unsupported, {}};
}

std::string_view to_string(record_type type) noexcept {
  switch (type) {
    case record_type::rate:
      return "rate";
    case record_type::chat_completion:
      return "chat_completion";
    case record_type::responses:
      return "responses";
    case record_type::anthropic_messages:
      return "anthropic_messages";
    case record_type::embedding:
      return "embedding";
    case record_type::mcp:
      return "mcp";
    case record_type::route:
      return "route";
    case record_type::unsupported:
      return "unsupported";
  }
  return "unsupported";
}

}  // namespace dial_analytics
