// SPDX-License-Identifier: Apache-2.0
// The server's configuration: the ONLY place that reads environment variables and flags. One
// table (server_options()) gives every setting its variable, flag, help text and parser; --help
// and docs/configuration.md follow it (a test checks the doc).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <dial_analytics/elasticsearch/es_config.hpp>
#include <dial_analytics/flywheel/mapping.hpp>
#include <dial_analytics/influx/influx_config.hpp>
#include <dial_analytics/log.hpp>
#include <dial_analytics/output/secret_string.hpp>
#include <dial_analytics/output/sender.hpp>

#include "analysis_setup.hpp"

namespace dial_analytics::server {

/// The Data Flywheel output (docs/flywheel.md): off unless enabled or Elasticsearch is set.
struct flywheel_settings {
  bool enabled = false;  ///< FLYWHEEL_ENABLED (or ELASTICSEARCH_URL set)
  flywheel::mapping_options
      mapping;  ///< FLYWHEEL_CLIENT_ID, FLYWHEEL_WORKLOAD_*, FLYWHEEL_REDACT*…
  std::uint64_t spool_max_bytes = 1ull << 30;  ///< FLYWHEEL_SPOOL_MAX_BYTES
  bool refuse_when_full = false;   ///< FLYWHEEL_WHEN_FULL=refuse: 503 instead of dropping
  bool has_elasticsearch = false;  ///< ELASTICSEARCH_URL set
  elasticsearch::es_config es;     ///< ELASTICSEARCH_*, ES_COLLECTION_NAME
  unsigned es_connections = 1;     ///< ELASTICSEARCH_CONNECTIONS
  output::sender_options sender;   ///< ELASTICSEARCH_BATCH_*, retry delays
};

/// Everything the server needs, with defaults (docs/configuration.md lists each one).
struct server_config {
  std::string host = "0.0.0.0";  ///< HOST / --host
  unsigned short port = 5000;    ///< PORT / --port
  unsigned threads = 2;          ///< THREADS / --threads: I/O threads
  unsigned workers = 2;          ///< WORKERS / --workers: analysis threads (off the I/O threads)
  std::uint64_t max_body_bytes = 64ull << 20;  ///< MAX_BODY_BYTES / --max-body-bytes
  std::size_t max_events = 100000;             ///< MAX_EVENTS / --max-events
  std::size_t max_logged_errors = 5;           ///< MAX_LOGGED_ERRORS / --max-logged-errors
  std::chrono::seconds read_timeout{300};      ///< READ_TIMEOUT_S / --read-timeout
  std::chrono::seconds idle_timeout{30};       ///< IDLE_TIMEOUT_S / --idle-timeout
  std::uint64_t max_connections = 1024;        ///< MAX_CONNECTIONS / --max-connections
  std::uint64_t max_inflight_body_bytes = 256ull << 20;  ///< MAX_INFLIGHT_BODY_BYTES
  output::secret_string auth_token;                      ///< AUTH_TOKEN / --auth-token
  std::string auth_token_file;                           ///< AUTH_TOKEN_FILE / --auth-token-file
  bool auth_metrics = true;                              ///< AUTH_METRICS / --auth-metrics
  std::chrono::seconds in_flight_timeout{30};       ///< SHUTDOWN_REQUESTS_S / --shutdown-requests
  std::chrono::seconds drain_timeout{10};           ///< SHUTDOWN_DRAIN_S / --shutdown-drain
  log_level level = log_level::info;                ///< LOG_LEVEL / --log-level
  std::string data_dir = "./data";                  ///< DATA_DIR / --data-dir
  std::uint64_t spool_max_bytes = 1ull << 30;       ///< SPOOL_MAX_BYTES / --spool-max-bytes
  std::uint64_t spool_segment_bytes = 64ull << 20;  ///< SPOOL_SEGMENT_BYTES
  bool spool_sync = true;                           ///< SPOOL_FSYNC / --spool-fsync
  bool resend_dead_letters = false;                 ///< RESEND_DEAD_LETTERS
  bool has_influx = false;                          ///< INFLUX_URL set
  influx::influx_config influx;                     ///< INFLUX_* variables
  output::sender_options sender;    ///< INFLUX_BATCH_*, INFLUX_LINGER_MS, INFLUX_RETRY_*_MS
  unsigned influx_connections = 2;  ///< INFLUX_CONNECTIONS: parallel writers, one lane each
  /// LANGUAGE_DETECTION, TOPIC_MODEL, TOPIC_MIN_CONFIDENCE, MODEL_RATES, MODEL_RATES_FILE,
  /// ROLLUP_MAX_ENTRIES, ROLLUP_MAX_AGE_S.
  apps::analysis_settings analysis;
  std::string topic_embeddings_model;  ///< TOPIC_EMBEDDINGS_MODEL: accepted, ignored (warning)
  flywheel_settings flywheel;          ///< FLYWHEEL_*, ELASTICSEARCH_*
};

/// One setting: an environment variable and a flag with the same meaning.
struct server_option {
  std::string_view env;         ///< "PORT"
  std::string_view flag;        ///< "--port"
  std::string_view value_name;  ///< the value in the help: "N", "PATH", …
  std::string_view group;       ///< the help section
  std::string_view help;        ///< what it does, one sentence
  /// The value in a configuration as the help shows it; empty for "unset".
  std::function<std::string(const server_config&)> shown;
  /// Sets the value. @throws apps::usage_error naming `name` (the variable or the flag).
  std::function<void(server_config&, std::string_view name, const std::string& value)> set;
};

/// Every setting, in the help's order.
[[nodiscard]] const std::vector<server_option>& server_options();

/// What the command line asks for.
struct command_line {
  enum class action { serve, help, version };
  action what = action::serve;
  server_config config;  ///< for `serve`
};

/// Looks an environment variable up: its value, or null when unset.
using env_lookup = std::function<const char*(const char* name)>;

/// Builds the configuration from the environment, then `args` (flags win over variables;
/// `--flag value` and `--flag=value` both work; a repeated flag keeps its last value).
/// @param env the environment; empty: the process's (std::getenv)
/// @throws config_error "dial-analytics-server: PORT takes …, not 'x' (see
///         dial-analytics-server --help)": the message names the variable or the flag.
[[nodiscard]] command_line load_config(const std::vector<std::string>& args,
                                       const env_lookup& env = {});

/// The --help text, rendered from server_options() with a default server_config's values.
[[nodiscard]] std::string help_text();

/// The --version line: "dial-analytics-server 0.1.0".
[[nodiscard]] std::string version_line();

}  // namespace dial_analytics::server
