// SPDX-License-Identifier: Apache-2.0
// The whole path from a Vector batch to points: split the body into events, decode each DIAL
// record, analyze it, hand the point to a sink. Events are processed in input order.
//
// Inputs: a JSON array of Vector events (`[{"message": "<DIAL record as a string>", ...}]`), or
// NDJSON with one event per line, where a line may also be a raw DIAL record object (log files).
// One bad event never affects the others: it gets an error status and the rest go on.
//
// Thread-safety: one pipeline per thread (it owns parsers and a scratch point); the sink must be
// thread-safe if several pipelines share it.
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

#include <dial_analytics/analyzer.hpp>
#include <dial_analytics/point_sink.hpp>

namespace dial_analytics {

/// How the body is framed.
enum class input_format {
  auto_detect,  ///< first non-space byte `[` → json_array, else ndjson whose first line is `{`
  json_array,   ///< one JSON array of Vector events (Vector `codec=json`)
  ndjson,       ///< one event or raw DIAL record per line; a bad line is that event's error
};

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
};

/// The result of one ingest() call.
struct ingest_result {
  std::error_code ec;   ///< `errc::unreadable_input` when the body itself cannot be read
  std::string message;  ///< what was wrong with the body
  ingest_stats stats;
};

/// Options of a pipeline.
struct pipeline_options {
  analyzer_options analysis;                        ///< classifiers, id generator, diagnostics
  input_format format = input_format::auto_detect;  ///< how bodies are framed
};

/// Body → events → records → points → sink.
class pipeline {
 public:
  explicit pipeline(point_sink& sink, pipeline_options opts = {});
  ~pipeline();
  pipeline(pipeline&&) noexcept;
  pipeline& operator=(pipeline&&) noexcept;

  /// Processes one body. Never throws for bad data.
  /// @param statuses if not null, cleared and filled with one status per event, in input order.
  ingest_result ingest(std::string_view body, std::vector<event_status>* statuses = nullptr);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Appends one status as the reference's reply element: `{"status":"success"}` or
/// `{"status":"error","error":"...","reason":"..."}` (keys absent when empty).
void append_status_json(std::string& out, const event_status& status);

/// Appends `text` as a JSON string literal: quotes, `\` and control characters escaped; UTF-8
/// kept, or written as `\uXXXX` escapes with `ascii_only` (Python json.dumps' default).
void append_json_string(std::string& out, std::string_view text, bool ascii_only = false);

}  // namespace dial_analytics
