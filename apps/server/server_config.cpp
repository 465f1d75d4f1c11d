// SPDX-License-Identifier: Apache-2.0
#include "server_config.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>

#include <dial_analytics/error.hpp>

namespace dial_analytics::server {
namespace {

std::uint64_t to_number(const std::string& name, const std::string& v) {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size()) {
    throw config_error(name + " must be a non-negative integer, not '" + v + "'");
  }
  return n;
}

bool to_bool(const std::string& name, const std::string& v) {
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off") return false;
  throw config_error(name + " must be true or false, not '" + v + "'");
}

log_level to_level(const std::string& v) {
  std::string u;
  for (char c : v) u.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (u == "DEBUG") return log_level::debug;
  if (u == "INFO") return log_level::info;
  if (u == "WARNING" || u == "WARN") return log_level::warning;
  if (u == "ERROR" || u == "CRITICAL") return log_level::error;
  throw config_error("LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not '" + v + "'");
}

influx::api_version to_version(const std::string& v) {
  if (v == "auto") return influx::api_version::automatic;
  if (v == "1") return influx::api_version::v1;
  if (v == "2") return influx::api_version::v2;
  if (v == "3") return influx::api_version::v3;
  throw config_error("INFLUX_API_VERSION must be auto, 1, 2 or 3, not '" + v + "'");
}

struct option {
  const char* env;
  const char* flag;
  std::function<void(server_config&, const std::string&)> set;
};

std::vector<option> options() {
  using ms = std::chrono::milliseconds;
  return {
      {"HOST", "--host", [](server_config& c, const std::string& v) { c.host = v; }},
      {"PORT", "--port",
       [](server_config& c, const std::string& v) {
         const auto n = to_number("PORT", v);
         if (n > 65535) throw config_error("PORT must be at most 65535");
         c.port = static_cast<unsigned short>(n);
       }},
      {"THREADS", "--threads",
       [](server_config& c, const std::string& v) {
         c.threads = static_cast<unsigned>(std::max<std::uint64_t>(1, to_number("THREADS", v)));
       }},
      {"WORKERS", "--workers",
       [](server_config& c, const std::string& v) {
         c.workers = static_cast<unsigned>(std::max<std::uint64_t>(1, to_number("WORKERS", v)));
       }},
      {"MAX_BODY_BYTES", "--max-body-bytes",
       [](server_config& c, const std::string& v) {
         c.max_body_bytes = to_number("MAX_BODY_BYTES", v);
       }},
      {"READ_TIMEOUT_S", "--read-timeout",
       [](server_config& c, const std::string& v) {
         c.read_timeout = std::chrono::seconds(to_number("READ_TIMEOUT_S", v));
       }},
      {"SHUTDOWN_DRAIN_S", "--shutdown-drain",
       [](server_config& c, const std::string& v) {
         c.drain_timeout = std::chrono::seconds(to_number("SHUTDOWN_DRAIN_S", v));
       }},
      {"LOG_LEVEL", "--log-level",
       [](server_config& c, const std::string& v) { c.level = to_level(v); }},
      {"DATA_DIR", "--data-dir", [](server_config& c, const std::string& v) { c.data_dir = v; }},
      {"SPOOL_MAX_BYTES", "--spool-max-bytes",
       [](server_config& c, const std::string& v) {
         c.spool_max_bytes = to_number("SPOOL_MAX_BYTES", v);
       }},
      {"SPOOL_SEGMENT_BYTES", "--spool-segment-bytes",
       [](server_config& c, const std::string& v) {
         c.spool_segment_bytes = to_number("SPOOL_SEGMENT_BYTES", v);
       }},
      {"SPOOL_FSYNC", "--spool-fsync",
       [](server_config& c, const std::string& v) { c.spool_sync = to_bool("SPOOL_FSYNC", v); }},
      {"LANGUAGE_DETECTION", "--language-detection",
       [](server_config& c, const std::string& v) {
         if (v != "cld2" && v != "cld2-only" && v != "none")
           throw config_error("LANGUAGE_DETECTION must be cld2, cld2-only or none, not '" + v +
                              "'");
         c.detect_language = v != "none";
         c.language_model = v == "cld2";
       }},
      {"TOPIC_MODEL", "--topic-model",
       [](server_config& c, const std::string& v) { c.topic_model = v; }},
      {"TOPIC_MIN_CONFIDENCE", "--topic-min-confidence",
       [](server_config& c, const std::string& v) {
         char* end = nullptr;
         const double p = std::strtod(v.c_str(), &end);
         if (v.empty() || *end != '\0' || !(p >= 0 && p <= 1))
           throw config_error("TOPIC_MIN_CONFIDENCE must be a number from 0 to 1, not '" + v + "'");
         c.topic_min_confidence = p;
       }},
      {"TOPIC_EMBEDDINGS_MODEL", "--topic-embeddings-model",
       [](server_config& c, const std::string& v) { c.topic_embeddings_model = v; }},
      {"MODEL_RATES", "--model-rates-json",
       [](server_config& c, const std::string& v) { c.model_rates_json = v; }},
      {"MODEL_RATES_FILE", "--model-rates",
       [](server_config& c, const std::string& v) { c.model_rates_file = v; }},
      {"ROLLUP_MAX_ENTRIES", "--rollup-max-entries",
       [](server_config& c, const std::string& v) {
         c.rollup.max_entries = std::max<std::uint64_t>(1, to_number("ROLLUP_MAX_ENTRIES", v));
       }},
      {"ROLLUP_MAX_AGE_S", "--rollup-max-age",
       [](server_config& c, const std::string& v) {
         c.rollup.max_age = std::chrono::seconds(to_number("ROLLUP_MAX_AGE_S", v));
       }},
      {"INFLUX_URL", "--influx-url",
       [](server_config& c, const std::string& v) {
         c.influx.url = v;
         c.has_influx = !v.empty();
       }},
      {"INFLUX_API_VERSION", "--influx-api-version",
       [](server_config& c, const std::string& v) { c.influx.version = to_version(v); }},
      {"INFLUX_API_TOKEN", "--influx-token",
       [](server_config& c, const std::string& v) { c.influx.token = influx::secret_string(v); }},
      {"INFLUX_ORG", "--influx-org",
       [](server_config& c, const std::string& v) { c.influx.org = v; }},
      {"INFLUX_BUCKET", "--influx-bucket",
       [](server_config& c, const std::string& v) { c.influx.bucket = v; }},
      {"INFLUX_DATABASE", "--influx-database",
       [](server_config& c, const std::string& v) { c.influx.database = v; }},
      {"INFLUX_RETENTION_POLICY", "--influx-retention-policy",
       [](server_config& c, const std::string& v) { c.influx.retention_policy = v; }},
      {"INFLUX_USERNAME", "--influx-username",
       [](server_config& c, const std::string& v) { c.influx.username = v; }},
      {"INFLUX_GZIP", "--influx-gzip",
       [](server_config& c, const std::string& v) { c.influx.gzip = to_bool("INFLUX_GZIP", v); }},
      {"INFLUX_TIMEOUT_MS", "--influx-timeout-ms",
       [](server_config& c, const std::string& v) {
         c.influx.timeout = ms(to_number("INFLUX_TIMEOUT_MS", v));
       }},
      {"INFLUX_BATCH_LINES", "--influx-batch-lines",
       [](server_config& c, const std::string& v) {
         c.sender.batch_lines = std::max<std::size_t>(1, to_number("INFLUX_BATCH_LINES", v));
       }},
      {"INFLUX_BATCH_BYTES", "--influx-batch-bytes",
       [](server_config& c, const std::string& v) {
         c.sender.batch_bytes = std::max<std::size_t>(1024, to_number("INFLUX_BATCH_BYTES", v));
       }},
      {"INFLUX_CONNECTIONS", "--influx-connections",
       [](server_config& c, const std::string& v) {
         c.influx_connections = static_cast<unsigned>(
             std::clamp<std::uint64_t>(to_number("INFLUX_CONNECTIONS", v), 1, 16));
       }},
      {"INFLUX_LINGER_MS", "--influx-linger-ms",
       [](server_config& c, const std::string& v) {
         c.sender.linger = ms(to_number("INFLUX_LINGER_MS", v));
       }},
      {"INFLUX_RETRY_INITIAL_MS", "--influx-retry-initial-ms",
       [](server_config& c, const std::string& v) {
         c.sender.retry_initial =
             ms(std::max<std::uint64_t>(1, to_number("INFLUX_RETRY_INITIAL_MS", v)));
       }},
      {"INFLUX_RETRY_MAX_MS", "--influx-retry-max-ms",
       [](server_config& c, const std::string& v) {
         c.sender.retry_max = ms(std::max<std::uint64_t>(1, to_number("INFLUX_RETRY_MAX_MS", v)));
       }},
  };
}

}  // namespace

server_config load_config(const std::vector<std::string>& args, bool& help) {
  server_config c;
  const auto opts = options();
  for (const option& o : opts) {
    if (const char* v = std::getenv(o.env)) o.set(c, v);
  }
  help = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a == "--help" || a == "-h") {
      help = true;
      return c;
    }
    std::string value;
    bool has_value = false;
    if (const auto eq = a.find('='); eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_value = true;
    }
    const option* found = nullptr;
    for (const option& o : opts) {
      if (a == o.flag) found = &o;
    }
    if (!found) throw config_error("unknown option '" + a + "'");
    if (!has_value) {
      if (i + 1 >= args.size()) throw config_error("option " + a + " needs a value");
      value = args[++i];
    }
    found->set(c, value);
  }
  if (!c.model_rates_json.empty() && !c.model_rates_file.empty())
    throw config_error("give the rate table as MODEL_RATES or as a file (--model-rates), not both");
  return c;
}

const char* usage() {
  return R"(Usage: dial-analytics-server [--option value | --option=value]...

Receives DIAL Core log batches from Vector on POST /data, writes the analytics points to a
durable spool in DATA_DIR, and from there to InfluxDB (v1, v2 or v3). Without INFLUX_URL the
spool files (DATA_DIR/points-*.lp) are the output.

Every option is an environment variable (left) or a flag (right); flags win.
  HOST                  --host                  listen address (default 0.0.0.0)
  PORT                  --port                  listen port (default 5000)
  THREADS               --threads               I/O threads (default 2)
  WORKERS               --workers               analysis threads, off the I/O threads (default 2)
  MAX_BODY_BYTES        --max-body-bytes        largest request body, also after gunzip (64 MiB)
  READ_TIMEOUT_S        --read-timeout          seconds to read one request (default 300)
  SHUTDOWN_DRAIN_S      --shutdown-drain        on SIGTERM, seconds to keep sending (default 10)
  LOG_LEVEL             --log-level             DEBUG, INFO, WARNING, ERROR (default INFO)
  DATA_DIR              --data-dir              spool directory (default ./data)
  SPOOL_MAX_BYTES       --spool-max-bytes       pending bytes before 503 (default 1 GiB)
  SPOOL_SEGMENT_BYTES   --spool-segment-bytes   spool file rotation size (default 64 MiB)
  SPOOL_FSYNC           --spool-fsync           fdatasync before acknowledging (default true)
  LANGUAGE_DETECTION    --language-detection    cld2 (default: CLD2 + built-in model), cld2-only
                                                or none (docs/language.md)
  TOPIC_MODEL           --topic-model           fastText topic model file; unset: no topics
  TOPIC_MIN_CONFIDENCE  --topic-min-confidence  lower probability: topic=undefined (default 0.5)
  TOPIC_EMBEDDINGS_MODEL --topic-embeddings-model  accepted and ignored (BERTopic only)
  MODEL_RATES           --model-rates-json      rate table (JSON) for records without Core prices
  MODEL_RATES_FILE      --model-rates           the same table read from a file (docs/pricing.md)
  ROLLUP_MAX_ENTRIES    --rollup-max-entries    pending child prices kept for parents (100000)
  ROLLUP_MAX_AGE_S      --rollup-max-age        seconds a child price waits for its parent (600)
  INFLUX_URL            --influx-url            InfluxDB base URL; unset: spool files only
  INFLUX_API_VERSION    --influx-api-version    auto, 1, 2 or 3 (default auto: GET /ping)
  INFLUX_API_TOKEN      --influx-token          v2 Token / v3 Bearer / v1 password
  INFLUX_ORG            --influx-org            v2 organisation
  INFLUX_BUCKET         --influx-bucket         v2 bucket
  INFLUX_DATABASE       --influx-database       v1 / v3 database
  INFLUX_RETENTION_POLICY --influx-retention-policy  v1 retention policy
  INFLUX_USERNAME       --influx-username       v1 user (Basic auth)
  INFLUX_GZIP           --influx-gzip           gzip request bodies (default false)
  INFLUX_TIMEOUT_MS     --influx-timeout-ms     one write request (default 10000)
  INFLUX_BATCH_LINES    --influx-batch-lines    lines per write (default 5000)
  INFLUX_BATCH_BYTES    --influx-batch-bytes    bytes per write (default 4 MiB)
  INFLUX_CONNECTIONS    --influx-connections    parallel writers, one spool lane each (default 2)
  INFLUX_LINGER_MS      --influx-linger-ms      wait once for a fuller batch (default 1000)
  INFLUX_RETRY_INITIAL_MS --influx-retry-initial-ms  first retry delay (default 1000)
  INFLUX_RETRY_MAX_MS   --influx-retry-max-ms   retry delay cap (default 60000)

Endpoints: POST /data, HEAD /data, GET /health, GET /metrics. See docs/http-api.md.
)";
}

}  // namespace dial_analytics::server
