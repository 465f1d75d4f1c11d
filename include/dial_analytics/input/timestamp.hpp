// SPDX-License-Identifier: Apache-2.0
// ISO-8601 timestamps as the reference parses them (dateutil.parser.isoparse), to nanoseconds.
//
// Accepts: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`/`YYYYMMDD`, week dates `YYYY-Www[-D]`, ordinal dates
// `YYYY-DDD`; any single separator character; `hh`, `hh:mm`/`hhmm`, `hh:mm:ss`/`hhmmss`, fractions
// with `.` or `,` (digits past the 6th truncated); `24:00:00` (the next day); `Z`, `±HH`, `±HHMM`,
// `±HH:MM`. No time zone means UTC. Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace dial_analytics {

/// Parses `text` into nanoseconds since the Unix epoch (UTC).
/// @param message if not null, receives the reference's ValueError text on failure.
/// @return `errc::invalid_timestamp`, or `errc::timestamp_out_of_range` for a valid time that
///         does not fit in int64 nanoseconds (before 1677-09-21 or after 2262-04-11).
[[nodiscard]] std::error_code parse_timestamp(std::string_view text, std::int64_t& ns,
                                              std::string* message = nullptr);

}  // namespace dial_analytics
