// SPDX-License-Identifier: Apache-2.0
// A usage and cost report from line-protocol points (docs/dashboards.md, "The report"): what the
// reference's Grafana dashboards show, without a database or Grafana. Points are streamed: memory
// grows with the number of users, projects, models and hours, never with the number of points.
//
// Thread-safety: one aggregator per thread; the formatting functions are pure.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dial_analytics::report {

/// One row of a breakdown (by model, deployment, project, user, topic, ...).
struct breakdown_row {
  std::string name;
  std::uint64_t requests = 0;
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
  double cost = 0;  ///< sum of `price` (what the reference's dashboards call money)
};

/// One bucket of the usage-over-time series.
struct time_bucket {
  std::int64_t start_ns = 0;  ///< UTC, aligned to the bucket size
  std::uint64_t requests = 0;
  std::uint64_t tokens = 0;  ///< prompt + completion
  double cost = 0;
};

/// The numbers of a report. Requests, tokens, users and cost are counted over the `analytics`
/// measurement (one point per LLM call); the other measurements add their own sections.
struct summary {
  std::uint64_t requests = 0;
  std::uint64_t api_requests = 0;  ///< requests without a user (`user_hash` "undefined": API keys)
  std::uint64_t unique_users = 0;  ///< distinct `user_hash` other than "undefined"
  std::uint64_t prompt_tokens = 0;
  std::uint64_t completion_tokens = 0;
  double cost = 0;
  std::int64_t first_ns = 0, last_ns = 0;  ///< of the points counted (0 when none)
  std::int64_t from_ns = 0, to_ns = 0;     ///< the range asked for (0: open)
  std::vector<breakdown_row> by_model, by_deployment, by_project;  ///< by cost, highest first
  std::vector<breakdown_row> top_users;                            ///< the 10 costliest user hashes
  std::vector<breakdown_row> languages, topics;  ///< by requests; "undefined" left out
  std::vector<breakdown_row> mcp_tools;          ///< `mcp_analytics` calls by method and tool
  std::vector<breakdown_row> routes;             ///< `routes_analytics` requests by route
  std::vector<breakdown_row>
      other_apis;  ///< Responses and Anthropic Messages: requests, tokens, cost
  std::uint64_t likes = 0, dislikes = 0;  ///< `rate_analytics`
  std::int64_t bucket_ns = 0;             ///< the size of the buckets below
  std::vector<time_bucket> over_time;     ///< every bucket from the first point to the last
  std::uint64_t points = 0;               ///< points read in the range, every measurement
  std::uint64_t unreadable_lines = 0;     ///< lines that are not line protocol (skipped)
};

/// Reads line-protocol lines and keeps the totals.
class aggregator {
 public:
  /// Only points with from_ns <= time < to_ns count (unset: open).
  aggregator(std::optional<std::int64_t> from_ns = std::nullopt,
             std::optional<std::int64_t> to_ns = std::nullopt);
  ~aggregator();
  aggregator(aggregator&&) noexcept;
  aggregator& operator=(aggregator&&) noexcept;

  /// One line (without its newline); blank lines and `#` comments are ignored.
  void add_line(std::string_view line);
  /// Every line of a block of text.
  void add_text(std::string_view text);

  [[nodiscard]] summary finish() const;

 private:
  struct state;
  std::unique_ptr<state> s_;
};

/// Where to read points from an InfluxDB 1.x (or a 2.x/3.x with the v1 query API).
struct influx_source {
  std::string url;                 ///< e.g. http://127.0.0.1:8086; user-info in it is Basic auth
  std::string database;            ///< e.g. dial
  std::string username, password;  ///< optional (`u` and `p` query parameters)
};

/// Reads the report's measurements between from_ns and to_ns from InfluxDB with
/// `SELECT * FROM <measurement> WHERE time >= … AND time < …`, one day at a time, and feeds them
/// to `into` (which must have been made with the same range). `progress` is called after each
/// day with (days done, days).
/// @throws std::runtime_error with InfluxDB's error text when a query fails.
void read_influxdb(const influx_source& source, std::int64_t from_ns, std::int64_t to_ns,
                   aggregator& into,
                   const std::function<void(std::size_t, std::size_t)>& progress = {});

/// An ISO-8601 time as parse_timestamp() reads it ("2024-11-22T09:00:00Z", "...+02:00", or a
/// date "2024-11-22", its midnight UTC) as epoch nanoseconds; nullopt when it is not one.
[[nodiscard]] std::optional<std::int64_t> parse_time(std::string_view text);

/// The numbers as JSON: `requests`, `unique_users`, `prompt_tokens`, `completion_tokens`, `cost`,
/// `by_model`, `by_deployment`, `by_project` (arrays of {"name", "requests", "prompt_tokens",
/// "completion_tokens", "cost"} by cost, highest first) and the other sections.
[[nodiscard]] std::string to_json(const summary& s);

/// A terminal summary.
[[nodiscard]] std::string to_text(const summary& s);

/// One self-contained HTML page (inline CSS and SVG; no scripts, no fonts or images from the
/// network), printable.
[[nodiscard]] std::string to_html(const summary& s);

}  // namespace dial_analytics::report
