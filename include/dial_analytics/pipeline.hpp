// SPDX-License-Identifier: Apache-2.0
// The whole path from a Vector batch to its outputs: split the body into events, decode each DIAL
// record once, and hand it to the record sinks (the analytics stage: analyze → point → sink; and
// any secondary stage such as the Data Flywheel recorder). Events are processed in input order.
//
// Inputs: a JSON array of Vector events (`[{"message": "<DIAL record as a string>", ...}]`), or
// NDJSON with one event per line, where a line may also be a raw DIAL record object (log files).
// One bad event never affects the others: it gets an error status and the rest go on.
//
// Thread-safety: one pipeline per thread (it owns parsers and its stages' scratch); a sink must be
// thread-safe if several pipelines share it. The framing is chosen per ingest() call, so one
// pipeline serves JSON arrays and NDJSON alike.
//
// Example:
//   dial_analytics::line_buffer_sink sink;
//   dial_analytics::pipeline p(sink);
//   auto result = p.ingest(R"([{"message": "{...}"}])");
//   std::fputs(sink.lines().c_str(), stdout);
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <dial_analytics/analytics/analyzer.hpp>
#include <dial_analytics/analytics/point_sink.hpp>
#include <dial_analytics/input/batch.hpp>
#include <dial_analytics/json.hpp>
#include <dial_analytics/record_sink.hpp>

namespace dial_analytics {

/// The status of one event, as the reference's `POST /data` reply reports it.
struct event_status {
  std::size_t index = 0;  ///< 0-based position of the event in the input
  bool ok = true;         ///< `"status": "success"` or `"error"`
  std::string reason;     ///< e.g. "invalid JSON in request message"; may be empty on errors
  std::string error;      ///< the error text; may be empty
  std::error_code ec;  ///< why it failed: errc::invalid_event, malformed_json, record_rejected, …
  /// The record's type once its URI was routed (`unsupported` before that or for other URIs).
  record_type type = record_type::unsupported;
  bool has_point = false;  ///< the record wrote a point
};

/// Counters of one ingest() call (or summed over many).
struct ingest_stats {
  std::size_t events = 0;   ///< events seen
  std::size_t points = 0;   ///< points handed to the sink
  std::size_t skipped = 0;  ///< successful events without a point (non-200, unsupported URI)
  std::size_t failed = 0;   ///< events with an error status
  std::size_t bytes = 0;    ///< input bytes
  std::size_t secondary_failed = 0;  ///< records a secondary stage failed on (status unaffected)
};

/// The result of one ingest() call.
struct ingest_result {
  /// Set when the body itself cannot be read: `errc::body_not_json` (a JSON array was expected
  /// and the body is not JSON), `errc::body_not_a_list` (valid JSON, but not an array), or
  /// `errc::unreadable_input` (auto-detected input that is neither framing; an internal error).
  std::error_code ec;
  std::string message;     ///< what was wrong with the body, for people
  std::string json_error;  ///< for body_not_json: Python's json error, e.g. "Expecting value:
                           ///< line 1 column 1 (char 0)"
  ingest_stats stats;
};

/// Options of a pipeline.
struct pipeline_options {
  /// Classifiers, id generator, prices and diagnostics of the analytics stage; `log` and
  /// `log_threshold` also receive the pipeline's own per-event lines (`[i/n] [trace_id=…] …`).
  analyzer_options analysis;
  input_format format = input_format::auto_detect;  ///< the framing of ingest(body, statuses)
  /// A body with more events than this is refused whole (errc::too_many_events) before any
  /// event is processed; 0: no limit.
  std::size_t max_events = 0;
  /// At most this many error lines per body go to `analysis.log`; the rest are counted, and one
  /// summary line per body gives the failures by reason. 0: every line (as the reference logs).
  std::size_t max_logged_errors = 0;
  /// Stages that see every decoded record after the primary one (e.g. the Flywheel recorder).
  /// Their failures are counted in ingest_stats::secondary_failed, never in the event's status.
  /// They must outlive the pipeline.
  std::vector<record_sink*> secondary;
};

/// Body → events → records → record sinks.
class pipeline {
 public:
  /// The analytics pipeline: an analytics_stage over `sink` (with `opts.analysis`) is primary.
  explicit pipeline(point_sink& sink, pipeline_options opts = {});
  /// A pipeline over any primary stage (which must outlive the pipeline); `opts.analysis` then
  /// only supplies the log callback and threshold of the pipeline's own lines.
  explicit pipeline(record_sink& primary, pipeline_options opts = {});
  ~pipeline();
  pipeline(pipeline&&) noexcept;
  pipeline& operator=(pipeline&&) noexcept;

  /// Processes one body framed as `pipeline_options::format`. Never throws for bad data.
  /// @param statuses if not null, cleared and filled with one status per event, in input order.
  ingest_result ingest(std::string_view body, std::vector<event_status>* statuses = nullptr);
  /// Processes one body framed as `format`.
  ingest_result ingest(std::string_view body, input_format format,
                       std::vector<event_status>* statuses = nullptr);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Appends one status as the reference's reply element: `{"status":"success"}` or
/// `{"status":"error","error":"...","reason":"..."}` (keys absent when empty).
void append_status_json(std::string& out, const event_status& status);

/// The same with the event's position first, for per-event error reports (the command line
/// tool): `{"index":3,"status":"error","error":"...","reason":"..."}`, index plus `index_offset`.
void append_indexed_status_json(std::string& out, const event_status& status,
                                std::size_t index_offset = 0);

}  // namespace dial_analytics
