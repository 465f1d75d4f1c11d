// SPDX-License-Identifier: Apache-2.0
// The two point schemas (docs/line-protocol.md, "The compact schema"): the reference's, byte for
// byte, and a compact one where the per-request ids are fields instead of tags, so InfluxDB
// creates a series per tag combination instead of one per request.
//
// Thread-safety: make_compact() is pure; a unique_timestamps may be shared by any number of
// threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include <dial_analytics/analytics/point.hpp>

namespace dial_analytics {

/// How points are written.
enum class point_schema {
  reference,  ///< as ai-dial-analytics-realtime writes them (the default)
  compact,    ///< the ids below are string fields; timestamps made unique within a series
};

/// The tags that name one request and become fields in the compact schema.
inline constexpr std::array<std::string_view, 4> compact_id_keys = {
    "response_id", "trace_id", "core_span_id", "core_parent_span_id"};

/// "reference" or "compact"; nullopt otherwise.
[[nodiscard]] std::optional<point_schema> parse_point_schema(std::string_view text) noexcept;
/// "reference" or "compact".
[[nodiscard]] const char* to_string(point_schema s) noexcept;

/// Moves the id tags of `p` (compact_id_keys) to string fields of the same names.
/// @return a stable 64-bit hash of the ids moved (FNV-1a), the seed of unique_timestamps.
std::uint64_t make_compact(point& p);

/// Without the ids, two requests with the same tags at the same nanosecond would be one point
/// (InfluxDB keeps the last write of a series and time). This gives each point a timestamp of
/// its own within its series: the request time plus `seed % 1000` nanoseconds (so the same
/// record gets the same time on every replay and every server), moved on by one nanosecond
/// while that series already has a point at that time among the last `remember` points.
class unique_timestamps {
 public:
  explicit unique_timestamps(std::size_t remember = std::size_t{1} << 18);
  ~unique_timestamps();
  unique_timestamps(const unique_timestamps&) = delete;
  unique_timestamps& operator=(const unique_timestamps&) = delete;

  /// Sets p.timestamp_ns to the point's own time in its series (measurement and tags).
  void assign(point& p, std::uint64_t seed);
  /// Points that had to move past a time already taken (for tests and metrics).
  [[nodiscard]] std::uint64_t moved() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace dial_analytics
