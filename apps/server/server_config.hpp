// SPDX-License-Identifier: Apache-2.0
// The server's configuration: the ONLY place that reads environment variables and flags.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <dial_analytics/analytics/analyzer.hpp>
#include <dial_analytics/analytics/pricing.hpp>
#include <dial_analytics/influx/influx_config.hpp>
#include <dial_analytics/output/sender.hpp>
#include <dial_analytics/output/spool.hpp>

namespace dial_analytics::server {

/// Everything the server needs, with defaults (docs/configuration.md lists each one).
struct server_config {
  std::string host = "0.0.0.0";  ///< HOST / --host
  unsigned short port = 5000;    ///< PORT / --port
  unsigned threads = 2;          ///< THREADS / --threads: I/O threads
  unsigned workers = 2;          ///< WORKERS / --workers: analysis threads (off the I/O threads)
  std::uint64_t max_body_bytes = 64ull << 20;       ///< MAX_BODY_BYTES / --max-body-bytes
  std::chrono::seconds read_timeout{300};           ///< READ_TIMEOUT_S / --read-timeout
  std::chrono::seconds drain_timeout{10};           ///< SHUTDOWN_DRAIN_S / --shutdown-drain
  log_level level = log_level::info;                ///< LOG_LEVEL / --log-level
  std::string data_dir = "./data";                  ///< DATA_DIR / --data-dir
  std::uint64_t spool_max_bytes = 1ull << 30;       ///< SPOOL_MAX_BYTES / --spool-max-bytes
  std::uint64_t spool_segment_bytes = 64ull << 20;  ///< SPOOL_SEGMENT_BYTES / --spool-segment-bytes
  bool spool_sync = true;                           ///< SPOOL_FSYNC / --spool-fsync
  bool has_influx = false;                          ///< INFLUX_URL set
  influx::influx_config influx;                     ///< INFLUX_* variables
  output::sender_options sender;                    ///< INFLUX_BATCH_LINES, INFLUX_RETRY_*_MS
  unsigned influx_connections = 2;    ///< INFLUX_CONNECTIONS: parallel writers, one spool lane each
  bool detect_language = true;        ///< LANGUAGE_DETECTION=cld2|cld2-only|none
  bool language_model = true;         ///< cld2: with the built-in model's second opinion
  std::string topic_model;            ///< TOPIC_MODEL: fastText model path; empty: no topics
  double topic_min_confidence = 0.5;  ///< TOPIC_MIN_CONFIDENCE
  std::string topic_embeddings_model;  ///< TOPIC_EMBEDDINGS_MODEL: accepted, ignored (warning)
  std::string model_rates_json;        ///< MODEL_RATES: the rate table as JSON (docs/pricing.md)
  std::string model_rates_file;        ///< --model-rates / MODEL_RATES_FILE: the table in a file
  rollup_options rollup;               ///< ROLLUP_MAX_ENTRIES, ROLLUP_MAX_AGE_S
};

/// Builds the configuration from the environment, then `args` (flags win).
/// @throws config_error with a message naming the bad option.
/// Sets `help` when --help was given (the caller prints `usage()`).
server_config load_config(const std::vector<std::string>& args, bool& help);

/// The --help text.
const char* usage();

}  // namespace dial_analytics::server
