// SPDX-License-Identifier: Apache-2.0
// The realtime-analytics half as a record_sink: analyzer → point → point_sink. This is what the
// pipeline runs for every record when it is built over a point_sink.
//
// Thread-safety: one stage per thread (it owns an analyzer and a scratch point).
#pragma once

#include <dial_analytics/analytics/analyzer.hpp>
#include <dial_analytics/analytics/point.hpp>
#include <dial_analytics/analytics/point_sink.hpp>
#include <dial_analytics/record_sink.hpp>

namespace dial_analytics {

/// Analyzes each record and hands its point (if any) to a point_sink.
class analytics_stage final : public record_sink {
 public:
  /// @param sink receives each point; it must outlive the stage.
  explicit analytics_stage(point_sink& sink, analyzer_options opts = {});
  record_outcome consume(const log_record& rec) override;
  void flush() override;

 private:
  point_sink& sink_;
  analyzer analyzer_;
  point scratch_;
};

}  // namespace dial_analytics
