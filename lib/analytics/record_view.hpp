// SPDX-License-Identifier: Apache-2.0
// The parts of one record that the measurement builders read, taken once by the analyzer's
// prelude (the reference's on_log_message) before it routes the record by URI.
#pragma once

#include <cstdint>
#include <string_view>

#include "detail/py_value.hpp"

namespace dial_analytics::detail {

/// Views of one record's common values. Absent values are None; nothing is copied.
struct record_view {
  py_value rec, request, uri, response, project_id, chat_id, user_hash, user_title;
  py_value token_usage, trace, parent_deployment, execution_path, deployment, upstream_url;
  std::int64_t timestamp_ns = 0;
  std::string_view text;  ///< the record's JSON text (for content-derived response ids)
};

/// A record's parsed request and response bodies (None when absent or not valid JSON) and the
/// model it is written with.
struct record_bodies {
  py_value request;
  py_value response;
  py_value model;
};

}  // namespace dial_analytics::detail
