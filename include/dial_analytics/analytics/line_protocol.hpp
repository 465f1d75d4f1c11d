// SPDX-License-Identifier: Apache-2.0
// InfluxDB line protocol, byte for byte as the Python influxdb-client (Point.to_line_protocol)
// writes it: sorted tags and fields, per-element escaping, empty tags dropped, ints with `i`,
// floats as Python's repr without a trailing `.0`, non-finite floats dropped.
//
// Thread-safety: free functions without shared state.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

#include <dial_analytics/analytics/point.hpp>

namespace dial_analytics {

/// Appends `p` as one line plus '\n' to `out`.
/// @return `errc::no_fields` (and appends nothing) when no field survives (all non-finite).
[[nodiscard]] std::error_code append_line(std::string& out, const point& p);

/// Appends a float as a line-protocol field value: `repr` without a trailing `.0` (`0`, `42`).
void append_field_float(std::string& out, double value);

/// Appends a tag key or value escaped as the reference does (`,` `=` space `\n` `\t` `\r`).
void append_escaped_tag(std::string& out, std::string_view text);

/// Appends a string field value with `"` and `\` escaped, without the surrounding quotes.
void append_escaped_string(std::string& out, std::string_view text);

}  // namespace dial_analytics
