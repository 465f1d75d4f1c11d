// SPDX-License-Identifier: Apache-2.0
// ISO-8601 date-times as epoch seconds, for the exporter's sorting and the report's ranges.
// Private to the library.
#pragma once

#include <string_view>

namespace dial_analytics::detail {

/// "2025-08-08T12:00:00Z", "2025-08-08T12:00:00.5+02:00", "2025-08-08 12:00", "2025-08-08":
/// epoch seconds (a date alone is its midnight UTC). False when `s` is not such a time.
bool parse_iso8601(std::string_view s, double& out);

}  // namespace dial_analytics::detail
