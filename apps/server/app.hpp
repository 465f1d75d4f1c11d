// SPDX-License-Identifier: Apache-2.0
// The server's request handling, free of sockets and Beast: a request in, a response out.
// Owns the spool, the InfluxDB sender, the metrics and a pool of pipelines (one per request in
// flight), so it is unit-testable without a network.
#pragma once

#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dial_analytics/influx/influx_writer.hpp>
#include <dial_analytics/output/sender.hpp>
#include <dial_analytics/output/spool.hpp>
#include <dial_analytics/pipeline.hpp>

#include "server_config.hpp"

namespace dial_analytics::server {

struct http_request {
  std::string method;
  std::string target;
  std::string content_type;
  std::string content_encoding;
  std::string body;
};

struct http_response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Writes one log line (timestamp, level, message) when `level` passes the configured one.
class logger {
 public:
  /// @param out where lines go; null silences the logger (tests).
  explicit logger(log_level min, std::FILE* out = stderr) : min_(min), out_(out) {}
  void operator()(log_level level, std::string_view message) const;
  [[nodiscard]] bool enabled(log_level level) const { return out_ && level >= min_; }
  [[nodiscard]] log_level min_level() const { return min_; }

 private:
  log_level min_;
  std::FILE* out_;
  mutable std::mutex mutex_;
};

/// The application behind the HTTP server.
class app {
 public:
  /// Opens the spool, resolves the InfluxDB API and starts the sender.
  /// @throws config_error for an unusable configuration.
  app(const server_config& config, const logger& log);
  ~app();

  http_response handle(http_request request);
  /// Stops the sender, first trying to send what is pending for the drain timeout.
  void shutdown();
  /// Lines to log at start-up (API, URL and target chosen; spool location).
  [[nodiscard]] const std::vector<std::string>& startup_notes() const { return notes_; }

 private:
  struct worker;
  struct metrics;
  std::unique_ptr<worker> take_worker();
  void give_back(std::unique_ptr<worker> w);
  http_response post_data(http_request& request);
  http_response render_metrics() const;

  server_config config_;
  const logger& log_;
  // One spool (lane) per InfluxDB connection, each drained by its own sender: InfluxDB ingests
  // faster over several connections. Without INFLUX_URL there is one lane, the output files.
  std::vector<std::unique_ptr<output::spool>> spools_;
  std::vector<std::unique_ptr<output::sender>> senders_;
  std::atomic<std::size_t> next_lane_{0};
  std::size_t active_lanes_ = 1;
  std::unique_ptr<metrics> metrics_;
  // Shared by every worker: both are safe to call from several threads (docs/topics.md).
  std::unique_ptr<language_detector> language_;
  std::unique_ptr<topic_classifier> topic_;
  // Prices for records without Core prices; always present (it also counts unpriced records).
  std::unique_ptr<price_calculator> prices_;
  std::mutex workers_mutex_;
  std::vector<std::unique_ptr<worker>> workers_;
  std::vector<std::string> notes_;
};

}  // namespace dial_analytics::server
