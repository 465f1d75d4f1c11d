// SPDX-License-Identifier: Apache-2.0
// Line-protocol points read back for the report and the rollups. Private to the library.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dial_analytics/report.hpp>

namespace dial_analytics::report::lp {

using pairs = std::vector<std::pair<std::string_view, std::string_view>>;

/// One point, as views into the line (escapes still in place, removed on demand).
struct point {
  std::string_view measurement;
  pairs tags;
  pairs fields;  // raw values
  std::int64_t time = 0;

  /// A tag's raw value, or a field's of that name (points read back from InfluxDB carry every
  /// column as a field); empty when neither is there.
  [[nodiscard]] std::string_view tag_or_field(std::string_view key) const;
};

/// Calls `line` with every line of `text` (without its newline).
void for_each_line(std::string_view text, const std::function<void(std::string_view)>& line);

/// A line's content: without a trailing '\r' and leading blanks; empty for blank lines and
/// `#` comments.
[[nodiscard]] std::string_view content_of(std::string_view line);

/// Parses one line (no newline, no leading blanks); false when it is not line protocol with a
/// timestamp.
bool parse_line(std::string_view line, point& p);

/// The raw value of `key`, empty when absent.
[[nodiscard]] std::string_view lookup(const pairs& list, std::string_view key);

/// A field's numeric value (`12i`, `0.5`, `1e-05`); 0 for strings and absent fields.
[[nodiscard]] double number_of(std::string_view raw);

/// A field's integer value (`12i`, `12u`, `12`, or a float, truncated); 0 for strings and
/// absent fields.
[[nodiscard]] std::int64_t integer_of(std::string_view raw);

/// A string field's text (quotes and escapes removed), or a tag's.
[[nodiscard]] std::string text_of(std::string_view raw);

/// `text` with every byte that does not start a valid UTF-8 sequence replaced by U+FFFD (what
/// a point's names become in JSON and HTML; InfluxDB itself does not check).
[[nodiscard]] std::string valid_utf8(std::string_view text);

/// Reads `measurements` between from_ns and to_ns from InfluxDB's 1.x query API, one query per
/// measurement and `step_ns` (a day for the report), each row as a line of line protocol
/// (every column a field) handed to `line`. `progress` is called after each step with (steps
/// done, steps). @throws std::runtime_error with InfluxDB's error text when a query fails.
void read_influxdb_lines(const influx_source& source, std::int64_t from_ns, std::int64_t to_ns,
                         std::int64_t step_ns, const std::vector<std::string>& measurements,
                         const std::function<void(std::string_view)>& line,
                         const std::function<void(std::size_t, std::size_t)>& progress);

}  // namespace dial_analytics::report::lp
