// SPDX-License-Identifier: Apache-2.0
// One builder per measurement the reference service writes (docs/line-protocol.md): each writes
// the tags and fields of one record into the point, in the reference's order, and raises
// (py_exception) exactly where the reference raises.
#pragma once

#include <string_view>

#include <dial_analytics/analytics/response_ids.hpp>
#include <dial_analytics/input/router.hpp>

#include "analytics/point_builder.hpp"
#include "analytics/record_pricing.hpp"
#include "analytics/record_view.hpp"
#include "analytics/text_features.hpp"

namespace dial_analytics::detail {

/// What the builders of model-call measurements use besides the record's bodies.
struct measurement_context {
  point_builder& out;
  const record_view& record;
  text_features& texts;
  record_pricing& pricing;
  response_id_generator& ids;
};

/// rate_analytics, from the parsed rate request body.
void build_rate_point(point_builder& out, const record_view& record, const py_value& body);

/// analytics: chat completions and embeddings.
void build_analytics_point(const measurement_context& context, record_type type,
                           const record_bodies& bodies);

/// responses_analytics and anthropic_messages_analytics.
void build_responses_like_point(const measurement_context& context, record_type type,
                                const record_bodies& bodies);

/// mcp_analytics, from the parsed request body (None when absent or invalid).
void build_mcp_point(point_builder& out, const record_view& record, const py_value& body);

/// routes_analytics; `route_tail` is the path after `/route/`.
void build_route_point(point_builder& out, const record_view& record, std::string_view route_tail);

}  // namespace dial_analytics::detail
