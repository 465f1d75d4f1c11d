// SPDX-License-Identifier: Apache-2.0
// POST /data: media type and Content-Encoding, the pipeline, the durable append, the reply
// (docs/http-api.md). A body is acknowledged only once its points are in the spool (and, with
// the Data Flywheel on, after its records were handed to the Flywheel output: docs/flywheel.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <dial_analytics/analytics/analyzer.hpp>
#include <dial_analytics/flywheel/flywheel_stage.hpp>
#include <dial_analytics/output/spooled_output.hpp>

#include "http_types.hpp"
#include "logger.hpp"
#include "metrics.hpp"

namespace dial_analytics::server {

/// The bounds of one POST /data (docs/configuration.md, docs/operations.md).
struct data_limits {
  std::uint64_t max_body_bytes = 64ull << 20;  ///< after gunzip (413 above it)
  std::size_t max_events = 100000;             ///< events per body (413 above it); 0: no limit
  std::size_t max_logged_errors = 5;           ///< error lines per body, then one summary; 0: all
};

/// The Data Flywheel output of POST /data, when enabled.
struct flywheel_hook {
  output::spooled_output* output = nullptr;  ///< null: no Flywheel capture
  flywheel::mapping_options mapping;
  flywheel::line_format format = flywheel::line_format::document;
  bool refuse_when_full = false;  ///< FLYWHEEL_WHEN_FULL=refuse: 503 (Vector retries the batch)
};

/// Handles POST /data. Thread-safe: each call borrows a pipeline from a pool that grows to the
/// number of requests in flight.
class data_handler {
 public:
  /// @param analysis the shared analysis objects (their `log` is set here from `log`)
  /// @param limits the caps on a body (size after gunzip, events, error lines logged)
  /// @param flywheel where captured chats go (its output must outlive the handler)
  data_handler(analyzer_options analysis, data_limits limits, output::spooled_output& output,
               metrics& counters, const logger& log, flywheel_hook flywheel = {});
  ~data_handler();
  data_handler(const data_handler&) = delete;
  data_handler& operator=(const data_handler&) = delete;

  /// The reply to one POST /data; `request.body` may be replaced by its inflated form.
  http_response operator()(http_request& request);

 private:
  struct worker;
  class borrowed;
  std::unique_ptr<worker> take_worker();
  void give_back(std::unique_ptr<worker> w);
  http_response store(const worker& w, std::uint64_t points);
  std::optional<http_response> store_flywheel(worker& w);

  analyzer_options analysis_;
  data_limits limits_;
  output::spooled_output& output_;
  metrics& metrics_;
  const logger& log_;
  flywheel_hook flywheel_;
  std::mutex workers_mutex_;
  std::vector<std::unique_ptr<worker>> workers_;
};

}  // namespace dial_analytics::server
