// SPDX-License-Identifier: Apache-2.0
// Classifies a DIAL request URI the way the reference service does: seven patterns tried in a
// fixed order, the first match wins, unanchored ones match anywhere (so `/v1/x/rate` inside a
// route path is a rate record). Thread-safety: pure function.
#pragma once

#include <string_view>

namespace dial_analytics {

/// The kind of a DIAL log record, which decides its measurement.
enum class record_type {
  rate,                ///< `/v1/<x>/rate` → rate_analytics
  chat_completion,     ///< `/openai/deployments/<x>/chat/completions` → analytics
  responses,           ///< `^/+openai/v1/responses(?|$)` → responses_analytics
  anthropic_messages,  ///< `^/+anthropic/v1/messages(?|$)` → anthropic_messages_analytics
  embedding,           ///< `/openai/deployments/<x>/embeddings` → analytics
  mcp,                 ///< `/v1/(toolset|deployments)/<x>/mcp` → mcp_analytics
  route,               ///< `^/v1/deployments/<x>/route/<path>$` → routes_analytics
  unsupported,         ///< anything else: no point, a warning
};

/// The result of routing one URI.
struct route_match {
  record_type type = record_type::unsupported;
  /// For `route`: the path after `/route/` (the route path tag is "/" + this); else empty.
  std::string_view route_tail;
};

/// Routes `uri` (a view into the caller's memory; `route_tail` views it too).
route_match route_uri(std::string_view uri) noexcept;

/// A short name: "rate", "chat_completion", "responses", "anthropic_messages", "embedding",
/// "mcp", "route", "unsupported".
std::string_view to_string(record_type type) noexcept;

}  // namespace dial_analytics
