// SPDX-License-Identifier: Apache-2.0
// Rollups of the raw `analytics` measurement (docs/dashboards.md, "Rollups"): 6-hour aggregates
// per aligned UTC window and monthly aggregates, as line protocol for any InfluxDB (v1, v2, v3).
// What InfluxQL's continuous queries cannot compute is here too: per-user and per-chat counts,
// unique users across windows, monthly costs and user deciles.
//
// The same points in give the same aggregates out, byte for byte, so writing a window twice
// leaves the same points (InfluxDB keeps the last write of a series and time).
//
// Thread-safety: one builder per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <dial_analytics/report.hpp>

namespace dial_analytics::rollup {

inline constexpr std::int64_t hour_ns = 3600LL * 1000000000LL;
inline constexpr std::int64_t six_hours_ns = 6 * hour_ns;

/// The aggregate measurements, in the order they are written for a window and a month.
inline constexpr const char* window_measurements[] = {"default_agg_stats", "default_agg_topic_2",
                                                      "default_agg_topic", "default_agg_kpi",
                                                      "default_agg_chatid"};
inline constexpr const char* month_measurements[] = {"default_agg_month",
                                                     "default_agg_user_deciles"};

/// The start of the window holding `t` (UTC, windows aligned to the epoch, so 6-hour windows
/// start at 00, 06, 12 and 18 UTC).
[[nodiscard]] std::int64_t window_floor(std::int64_t t, std::int64_t window_ns = six_hours_ns);

/// The start (00:00 UTC on the 1st) of the month holding `t`, and of the month after it.
[[nodiscard]] std::int64_t month_floor(std::int64_t t);
[[nodiscard]] std::int64_t next_month(std::int64_t month_start);

/// Aggregates the raw `analytics` points of [from_ns, to_ns), window by window.
class builder {
 public:
  /// @param from_ns, to_ns must be window boundaries, to_ns after from_ns.
  /// @param window_ns must divide a day (1h, 2h, 3h, 4h, 6h, 8h, 12h or 24h).
  /// @throws std::invalid_argument otherwise.
  builder(std::int64_t from_ns, std::int64_t to_ns, std::int64_t window_ns = six_hours_ns);
  ~builder();
  builder(builder&&) noexcept;
  builder& operator=(builder&&) noexcept;

  /// One line-protocol line (no newline). Points of other measurements, outside the range,
  /// blank lines and `#` comments are ignored; lines that are not line protocol are counted.
  void add_line(std::string_view line);
  /// Every line of a block of text.
  void add_text(std::string_view text);

  /// The starts of every window of the range, in order.
  [[nodiscard]] std::vector<std::int64_t> windows() const;
  /// The aggregate points of the window starting at `start`, as line protocol (sorted, one
  /// '\n'-terminated line per point; empty when the window had no points), and forgets the
  /// window's aggregates (its points still count for the months).
  [[nodiscard]] std::string take_window(std::int64_t start);
  /// The starts of the calendar months wholly inside the range (only those get monthly points).
  [[nodiscard]] std::vector<std::int64_t> months() const;
  /// The monthly points of the month starting at `start` (`default_agg_month` and
  /// `default_agg_user_deciles`); empty when the month had no points.
  [[nodiscard]] std::string month_lines(std::int64_t start) const;

  [[nodiscard]] std::int64_t from() const;     ///< the range's start
  [[nodiscard]] std::int64_t to() const;       ///< the range's end
  [[nodiscard]] std::int64_t window() const;   ///< the window length
  [[nodiscard]] std::uint64_t points() const;  ///< `analytics` points in the range
  [[nodiscard]] std::uint64_t points_in(std::int64_t window_start) const;  ///< before take_window
  [[nodiscard]] std::uint64_t unreadable_lines() const;  ///< not line protocol (skipped)

 private:
  struct state;
  std::unique_ptr<state> s_;
};

/// Reads the raw `analytics` points of `into`'s range from InfluxDB's 1.x query API, one query
/// per window, and calls `window_done(index)` after each (index into into.windows()).
/// @throws std::runtime_error with InfluxDB's error text when a query fails.
void read_influxdb(const report::influx_source& source, builder& into,
                   const std::function<void(std::size_t)>& window_done);

}  // namespace dial_analytics::rollup
