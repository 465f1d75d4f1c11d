// SPDX-License-Identifier: Apache-2.0
// Error codes of the library (std::error_code) and the exception thrown for bad configuration.
#pragma once

#include <stdexcept>
#include <string>
#include <system_error>

namespace dial_analytics {

/// Why a record, an event or an input could not be turned into points.
/// Per-record failures are values, never exceptions (see docs/architecture.md).
enum class errc {
  success = 0,
  malformed_json = 1,  ///< a JSON document could not be decoded
  invalid_event = 2,   ///< a Vector event is not an object with a string `message`
  record_rejected =
      3,  ///< the record fails the way the reference service raises (missing key, wrong type)
  invalid_timestamp = 4,       ///< `request.time` is not an ISO-8601 time the reference accepts
  timestamp_out_of_range = 5,  ///< the time does not fit in signed 64-bit nanoseconds since 1970
  no_fields = 6,               ///< a point without fields cannot be written as line protocol
  unreadable_input = 7,        ///< the whole input is neither a JSON array nor NDJSON
  unsupported_json = 8,  ///< valid JSON we do not accept (NaN/Infinity literals, huge numbers)
  body_not_json = 9,     ///< a body that should be a JSON array is not JSON at all
  body_not_a_list = 10,  ///< a body that should be a JSON array is JSON of another type
  too_many_events = 11,  ///< a body holds more events than the configured limit
};

/// The category of `errc` values ("dial_analytics").
const std::error_category& error_category() noexcept;

/// Makes an error_code from an `errc` value.
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

/// Thrown by constructors and factories for an invalid configuration (set-up time only).
class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace dial_analytics

template <>
struct std::is_error_code_enum<dial_analytics::errc> : std::true_type {};
