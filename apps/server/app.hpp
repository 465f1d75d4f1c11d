// SPDX-License-Identifier: Apache-2.0
// The application behind the HTTP server, free of sockets and Beast: a request in, a response
// out. It owns what the handlers share (the analysis objects, the InfluxDB output with its spool,
// the metrics) and sets them up from a server_config; routes.hpp, data_handler.hpp and
// metrics.hpp do the work. Unit-testable without a network.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <dial_analytics/output/spooled_output.hpp>

#include "analysis_setup.hpp"
#include "data_handler.hpp"
#include "http_types.hpp"
#include "logger.hpp"
#include "metrics.hpp"
#include "server_config.hpp"

namespace dial_analytics::server {

class app {
 public:
  /// Loads the models and the rate table, opens the spool, resolves the InfluxDB API and starts
  /// the senders. @throws config_error for an unusable configuration.
  app(const server_config& config, const logger& log);
  ~app();
  app(const app&) = delete;
  app& operator=(const app&) = delete;

  /// Thread-safe.
  http_response handle(http_request request);
  /// Stops the senders, first trying to send what is pending for SHUTDOWN_DRAIN_S. Once.
  void shutdown();
  /// Counts a reply the HTTP layer sent itself (401, 503 at a limit, 400/431 framing). Thread-safe.
  void count_response(std::string_view path_label, int status) {
    metrics_.count_response(path_label, status);
  }
  /// Lines to log at start-up (analysis, API, URL and target chosen; spool location).
  [[nodiscard]] const std::vector<std::string>& startup_notes() const { return notes_; }

 private:
  std::unique_ptr<output::spooled_output> open_output();
  std::unique_ptr<output::spooled_output> open_flywheel_output();

  server_config config_;
  const logger& log_;
  std::vector<std::string> notes_;
  apps::analysis_objects analysis_;  // shared by every request (thread-safe, docs/topics.md)
  std::unique_ptr<output::spooled_output> output_;
  std::unique_ptr<output::spooled_output> flywheel_;  // null unless the Flywheel is on
  std::thread
      prepare_index_;  // the Elasticsearch index, prepared once at start (in the background)
  metrics metrics_;
  std::unique_ptr<data_handler> data_;
  bool stopped_ = false;
};

}  // namespace dial_analytics::server
