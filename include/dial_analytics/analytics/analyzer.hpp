// SPDX-License-Identifier: Apache-2.0
// Turns one decoded DIAL record into the point the reference service writes for it
// (analytics, rate_analytics, mcp_analytics, routes_analytics, responses_analytics,
// anthropic_messages_analytics), byte-identical once encoded.
//
// Thread-safety: an analyzer is used by one thread at a time (it owns the parsers for the
// request and response bodies). Lifetime: the point views the record, the bodies and the
// analyzer's scratch; it is valid until the next analyze() or parse of the record.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include <dial_analytics/analytics/classifiers.hpp>
#include <dial_analytics/analytics/point.hpp>
#include <dial_analytics/analytics/pricing.hpp>
#include <dial_analytics/analytics/response_ids.hpp>
#include <dial_analytics/analytics/schema.hpp>
#include <dial_analytics/input/log_parser.hpp>
#include <dial_analytics/input/router.hpp>
#include <dial_analytics/log.hpp>

namespace dial_analytics {

/// Options of an analyzer. Null pointers select the defaults noted on each member.
struct analyzer_options {
  language_detector* language = nullptr;  ///< null: no language (`undefined`)
  topic_classifier* topic = nullptr;  ///< null: no topic (`undefined` where the reference has one)
  response_id_generator* ids =
      nullptr;  ///< null: ids derived from the record (content_id_generator)
  /// null: prices exactly as DIAL Core logs them (0 when absent). Set: records without Core
  /// prices are priced from its rate table and child spans roll up (docs/pricing.md).
  price_calculator* prices = nullptr;
  /// `compact`: the ids are fields and timestamps unique per series (docs/line-protocol.md).
  point_schema schema = point_schema::reference;
  /// The compact schema's timestamps, shared by every analyzer writing to the same database
  /// (null: one of the analyzer's own).
  unique_timestamps* times = nullptr;
  log_callback log;  ///< empty: diagnostics are dropped
  /// Diagnostics below this level are neither built nor passed to `log` (hot paths skip them).
  log_level log_threshold = log_level::debug;
};

/// The outcome of analysing one record.
struct analysis {
  std::error_code ec;      ///< set when the record fails (the reference's error status)
  std::string reason;      ///< the reference's `reason`, empty when it has none
  std::string message;     ///< the reference's `error` text (Python exception text)
  bool has_point = false;  ///< false for skipped records (non-200, unsupported URI) and errors
  record_type type = record_type::unsupported;
};

/// Analyzes records into points.
class analyzer {
 public:
  explicit analyzer(analyzer_options opts = {});
  ~analyzer();
  analyzer(analyzer&&) noexcept;
  analyzer& operator=(analyzer&&) noexcept;

  /// Builds the point of `rec` into `out` (cleared first). Never throws for bad data.
  /// @return the outcome; `out` holds a point only when `has_point`.
  analysis analyze(const log_record& rec, point& out);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace dial_analytics
