// SPDX-License-Identifier: Apache-2.0
// The Data Flywheel stage of a pipeline: a secondary record_sink that turns every qualifying
// chat completion into a flywheel document and buffers it as a spool line, for the caller to
// append to its flywheel output after each ingest() (the server does so after the analytics
// points are stored).
//
// Example:
//   dial_analytics::line_buffer_sink points;
//   dial_analytics::flywheel::flywheel_stage flywheel;
//   dial_analytics::pipeline p(points, {.secondary = {&flywheel}});
//   p.ingest(body);
//   std::fputs(flywheel.lines().c_str(), stdout);  // one JSON document per line
//
// Thread-safety: one pipeline (one thread) at a time, like every stage.
#pragma once

#include <string>

#include <dial_analytics/flywheel/mapping.hpp>
#include <dial_analytics/record_sink.hpp>

namespace dial_analytics::flywheel {

/// What each buffered line holds.
enum class line_format {
  document,         ///< the JSON document: a JSONL file the blueprint's loader reads
  id_and_document,  ///< `<id>` TAB `<document>`: the Elasticsearch output's spool lines
};

class flywheel_stage final : public record_sink {
 public:
  /// @throws config_error when the redaction patterns cannot be compiled.
  explicit flywheel_stage(mapping_options options = {}, line_format format = line_format::document);

  /// Maps the record; a skipped record is counted by reason, never an error.
  record_outcome consume(const log_record& rec) override;

  /// The lines buffered since the last clear(), each ending in '\n'.
  [[nodiscard]] const std::string& lines() const noexcept { return lines_; }
  /// Empties the buffer, keeping its capacity.
  void clear() noexcept { lines_.clear(); }
  /// Counts since construction or the last take_stats().
  [[nodiscard]] const mapping_stats& stats() const noexcept { return stats_; }
  /// Returns the counts and resets them (for adding into shared metrics).
  mapping_stats take_stats() noexcept;

 private:
  mapper mapper_;
  line_format format_;
  mapped_document scratch_;
  std::string lines_;
  mapping_stats stats_;
};

}  // namespace dial_analytics::flywheel
