// SPDX-License-Identifier: Apache-2.0
// Data Flywheel capture for host programs that are not behind DIAL: log one OpenAI-style chat
// request/response pair with a workload id (and a client id), and the recorder maps it (PII
// redaction included), stores it durably and, when Elasticsearch is configured, delivers it to
// the blueprint's index in the background. The C++ counterpart of the blueprint's `log_chat`
// example (examples/flywheel_logging.cpp).
//
// log_chat() never blocks on disk or network: it copies the pair into a bounded queue and
// returns. A background thread maps queued pairs and appends them to the output's spool
// (`<data_dir>/flywheel-*.jsonl` files without Elasticsearch; with it, `<data_dir>/lane-*/`,
// drained by senders). flush() waits until everything queued so far is on disk. Each call is one
// record, also when two calls have the same content.
//
// Example:
//   dial_analytics::flywheel::recorder_options o;
//   o.data_dir = "/var/lib/myapp/flywheel";
//   dial_analytics::flywheel::recorder rec(std::move(o));
//   rec.log_chat(request_json, response_json, "tool_call_routing", "acme-prod");
//
// Thread-safety: every member function may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include <dial_analytics/elasticsearch/es_config.hpp>
#include <dial_analytics/flywheel/mapping.hpp>
#include <dial_analytics/log.hpp>
#include <dial_analytics/output/spooled_output.hpp>

namespace dial_analytics::flywheel {

/// Options of a recorder.
struct recorder_options {
  /// The spool; without Elasticsearch also the output (`flywheel-000001.jsonl`, …).
  std::filesystem::path data_dir = "flywheel-data";
  /// Deliver to this Elasticsearch index (from the spool, with retries); unset: local files only.
  std::optional<elasticsearch::es_config> elasticsearch;
  mapping_options mapping;                         ///< redaction on by default
  std::size_t max_queued = 10000;                  ///< pairs waiting to be mapped; beyond: dropped
  std::uint64_t max_spool_bytes = 1ull << 30;      ///< beyond: dropped and counted
  bool sync = true;                                ///< fdatasync each appended batch
  std::size_t lanes = 1;                           ///< parallel connections to Elasticsearch
  std::chrono::milliseconds drain_on_close{2000};  ///< sending time given at destruction
  log_callback log;  ///< warnings and errors of the output (none by default)
};

/// Counters since construction.
struct recorder_stats {
  std::uint64_t queued = 0;         ///< log_chat() calls accepted
  std::uint64_t dropped_queue = 0;  ///< log_chat() calls refused: the queue was full
  std::uint64_t dropped_spool = 0;  ///< documents dropped: the spool was full or unwritable
  mapping_stats mapping;            ///< documents made, skipped by reason, redactions
  output::output_stats output;      ///< delivery (Elasticsearch), as for every output
};

class recorder {
 public:
  /// Opens the output (locks `data_dir`) and starts the background thread.
  /// @throws config_error when the directory cannot be used or the options are invalid.
  explicit recorder(recorder_options options);
  /// Maps what is queued, then gives the senders `drain_on_close` to deliver; what is not
  /// delivered stays in the spool for the next recorder on `data_dir`.
  ~recorder();
  recorder(const recorder&) = delete;
  recorder& operator=(const recorder&) = delete;

  /// Queues one call. `timestamp` defaults to now (epoch seconds); an empty `client_id` means
  /// mapping_options::default_client_id. The texts are copied.
  /// @return false when the queue is full (the call is dropped and counted).
  bool log_chat(std::string_view request_json, std::string_view response_json,
                std::string_view workload_id, std::string_view client_id = {},
                std::optional<std::int64_t> timestamp = std::nullopt);
  /// Blocks until every call queued before it is mapped and on disk (or, when the spool was
  /// full, dropped and counted in recorder_stats::dropped_spool).
  void flush();
  [[nodiscard]] recorder_stats stats() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace dial_analytics::flywheel
