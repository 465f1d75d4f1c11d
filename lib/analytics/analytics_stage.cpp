// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/analytics/analytics_stage.hpp>

#include <utility>

namespace dial_analytics {

analytics_stage::analytics_stage(point_sink& sink, analyzer_options opts)
    : sink_(sink), analyzer_(std::move(opts)) {}

record_outcome analytics_stage::consume(const log_record& rec) {
  analysis result = analyzer_.analyze(rec, scratch_);
  if (!result.ec && result.has_point) sink_.write(scratch_);
  return {result.ec, std::move(result.reason), std::move(result.message), result.has_point,
          result.type};
}

void analytics_stage::flush() { sink_.flush(); }

}  // namespace dial_analytics
