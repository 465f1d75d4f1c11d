// SPDX-License-Identifier: Apache-2.0
// The seam between input and the two halves of the product: the pipeline decodes each DIAL
// record once and hands it to a primary record_sink (the analytics stage, whose outcome is the
// event's status in the reply) and to any secondary ones (the Data Flywheel stage), in order.
//
// Thread-safety: a sink is used by one pipeline (one thread) at a time unless it says otherwise.
#pragma once

#include <string>
#include <system_error>

#include <dial_analytics/input/log_parser.hpp>
#include <dial_analytics/input/router.hpp>

namespace dial_analytics {

/// What a stage made of one record.
struct record_outcome {
  std::error_code ec;   ///< set: the record failed (the reference's error status)
  std::string reason;   ///< the reference's `reason`, empty when it has none
  std::string message;  ///< the reference's `error` text
  bool wrote = false;   ///< the stage appended output (a point, a document)
  record_type type = record_type::unsupported;
};

/// Receives every decoded record of a pipeline.
class record_sink {
 public:
  virtual ~record_sink() = default;
  /// Never throws for bad data. Must not keep `rec` or its views after returning.
  virtual record_outcome consume(const log_record& rec) = 0;
  /// Called once at the end of each ingest() call.
  virtual void flush() {}
};

}  // namespace dial_analytics
