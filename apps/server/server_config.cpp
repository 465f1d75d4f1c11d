// SPDX-License-Identifier: Apache-2.0
#include "server_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <type_traits>

#include <dial_analytics/error.hpp>
#include <dial_analytics/version.hpp>

#include "args.hpp"

namespace dial_analytics::server {
namespace {

using apps::usage_error;
using setter = std::function<void(server_config&, std::string_view, const std::string&)>;
using shower = std::function<std::string(const server_config&)>;

// The words of a setting: variable, flag, value name, help section, help.
struct about {
  std::string_view env, flag, value_name, group, help;
};

server_option make(const about& a, shower shown, setter set) {
  return {a.env, a.flag, a.value_name, a.group, a.help, std::move(shown), std::move(set)};
}

// `field` is a generic lambda giving the setting's member of a (const or not) server_config.
template <typename Field>
server_option text(const about& a, Field field) {
  return make(
      a, [field](const server_config& c) { return std::string(field(c)); },
      [field](server_config& c, std::string_view, const std::string& v) { field(c) = v; });
}

template <typename T>
std::string show_number(const T& value) {
  if constexpr (requires { value.count(); }) {
    return std::to_string(value.count());
  } else {
    return std::to_string(value);
  }
}

// A whole number (a count, bytes, or a duration in the field's unit), clamped to [lo, hi].
template <typename Field>
server_option number(const about& a, Field field, std::uint64_t lo = 0,
                     std::uint64_t hi = std::numeric_limits<std::uint64_t>::max()) {
  return make(
      a, [field](const server_config& c) { return show_number(field(c)); },
      [field, lo, hi](server_config& c, std::string_view name, const std::string& v) {
        using T = std::remove_cvref_t<decltype(field(c))>;
        field(c) = T(std::clamp(apps::parse_uint64(name, v), lo, hi));
      });
}

bool to_bool(std::string_view name, std::string_view v) {
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off") return false;
  throw usage_error(fmt::format("{} takes true or false, not '{}'", name, v));
}

template <typename Field>
server_option boolean(const about& a, Field field) {
  return make(
      a, [field](const server_config& c) { return std::string(field(c) ? "true" : "false"); },
      [field](server_config& c, std::string_view name, const std::string& v) {
        field(c) = to_bool(name, v);
      });
}

// Secrets are never shown.
template <typename Field>
server_option secret(const about& a, Field field) {
  return make(
      a, [](const server_config&) { return std::string(); },
      [field](server_config& c, std::string_view, const std::string& v) {
        field(c) = output::secret_string(v);
      });
}

influx::api_version to_api_version(std::string_view name, std::string_view v) {
  if (v == "auto") return influx::api_version::automatic;
  if (v == "1") return influx::api_version::v1;
  if (v == "2") return influx::api_version::v2;
  if (v == "3") return influx::api_version::v3;
  throw usage_error(fmt::format("{} takes auto, 1, 2 or 3, not '{}'", name, v));
}

std::string show_api_version(influx::api_version v) {
  switch (v) {
    case influx::api_version::v1:
      return "1";
    case influx::api_version::v2:
      return "2";
    case influx::api_version::v3:
    case influx::api_version::v3_compat:
      return "3";
    case influx::api_version::automatic:
      break;
  }
  return "auto";
}

// The setting's member of a server_config, const or not: the `field` of text(), number(),
// boolean().
#define FIELD(member) \
  [](auto& c) -> auto& { return c.member; }

std::vector<server_option> http_options() {
  return {
      text({"HOST", "--host", "ADDRESS", "HTTP", "listen address"}, FIELD(host)),
      make(
          {"PORT", "--port", "PORT", "HTTP", "listen port"},
          [](const server_config& c) { return std::to_string(c.port); },
          [](server_config& c, std::string_view name, const std::string& v) {
            const std::uint64_t n = apps::parse_uint64(name, v);
            if (n > 65535) {
              throw usage_error(
                  fmt::format("{} takes a port number up to 65535, not '{}'", name, v));
            }
            c.port = static_cast<unsigned short>(n);
          }),
      number({"THREADS", "--threads", "N", "HTTP", "I/O threads (sockets only)"}, FIELD(threads),
             1),
      number({"WORKERS", "--workers", "N", "HTTP",
              "analysis threads: requests are parsed, analysed and spooled here, never on an I/O "
              "thread"},
             FIELD(workers), 1),
      number({"MAX_BODY_BYTES", "--max-body-bytes", "BYTES", "HTTP",
              "largest request body, also after gunzip (413 above it)"},
             FIELD(max_body_bytes)),
      number({"MAX_EVENTS", "--max-events", "N", "HTTP",
              "most events in one body (413 above it, before any is processed); 0: no limit"},
             FIELD(max_events)),
      number({"MAX_LOGGED_ERRORS", "--max-logged-errors", "N", "HTTP",
              "error lines logged per body, then one summary line by reason; 0: every line"},
             FIELD(max_logged_errors)),
      number({"READ_TIMEOUT_S", "--read-timeout", "SECONDS", "HTTP",
              "seconds to read one request's body"},
             FIELD(read_timeout)),
      number({"IDLE_TIMEOUT_S", "--idle-timeout", "SECONDS", "HTTP",
              "seconds a connection may wait for and send a request's header (idle keep-alive "
              "connections close after it)"},
             FIELD(idle_timeout), 1),
      number({"MAX_CONNECTIONS", "--max-connections", "N", "HTTP",
              "open connections; more are answered 503 + Retry-After and closed (also kept below "
              "ulimit -n)"},
             FIELD(max_connections), 1),
      number({"MAX_INFLIGHT_BODY_BYTES", "--max-inflight-body-bytes", "BYTES", "HTTP",
              "request body bytes held by all requests together; beyond it 503 + Retry-After (at "
              "least MAX_BODY_BYTES)"},
             FIELD(max_inflight_body_bytes), 1),
      secret({"AUTH_TOKEN", "--auth-token", "TOKEN", "Security",
              "bearer token required on /data (and /metrics); unset: no authentication (never "
              "printed)"},
             FIELD(auth_token)),
      text({"AUTH_TOKEN_FILE", "--auth-token-file", "PATH", "Security",
            "file of accepted bearer tokens, one per line (with AUTH_TOKEN: either is accepted)"},
           FIELD(auth_token_file)),
      boolean({"AUTH_METRICS", "--auth-metrics", "BOOL", "Security",
               "with a token configured, /metrics needs it too"},
              FIELD(auth_metrics)),
      number({"SHUTDOWN_REQUESTS_S", "--shutdown-requests", "SECONDS", "HTTP",
              "on SIGTERM/SIGINT, seconds to let the requests in flight finish"},
             FIELD(in_flight_timeout)),
      number({"SHUTDOWN_DRAIN_S", "--shutdown-drain", "SECONDS", "HTTP",
              "on SIGTERM/SIGINT, then seconds to keep sending pending points"},
             FIELD(drain_timeout)),
      make(
          {"LOG_LEVEL", "--log-level", "LEVEL", "HTTP", "DEBUG, INFO, WARNING or ERROR"},
          [](const server_config& c) { return std::string(to_string(c.level)); },
          [](server_config& c, std::string_view name, const std::string& v) {
            const auto level = parse_log_level(v);
            if (!level) {
              throw usage_error(
                  fmt::format("{} takes DEBUG, INFO, WARNING or ERROR, not '{}'", name, v));
            }
            c.level = *level;
          }),
  };
}

std::vector<server_option> spool_options() {
  return {
      text({"DATA_DIR", "--data-dir", "DIR", "Spool", "spool directory (created if missing)"},
           FIELD(data_dir)),
      number({"SPOOL_MAX_BYTES", "--spool-max-bytes", "BYTES", "Spool",
              "pending bytes (all lanes together) before 503 + Retry-After: 5"},
             FIELD(spool_max_bytes)),
      number({"SPOOL_SEGMENT_BYTES", "--spool-segment-bytes", "BYTES", "Spool",
              "spool file rotation size"},
             FIELD(spool_segment_bytes)),
      boolean({"SPOOL_FSYNC", "--spool-fsync", "BOOL", "Spool",
               "fdatasync every accepted batch before the reply"},
              FIELD(spool_sync)),
      boolean({"RESEND_DEAD_LETTERS", "--resend-dead-letters", "BOOL", "Spool",
               "at start, resend the points InfluxDB refused (DATA_DIR/dead-letter) and the "
               "records Elasticsearch refused (DATA_DIR/flywheel/dead-letter) once the cause is "
               "fixed"},
              FIELD(resend_dead_letters)),
  };
}

std::vector<server_option> analysis_options() {
  return {
      make(
          {"SCHEMA", "--schema", "reference|compact", "Analysis",
           "reference: points as the reference service writes them; compact: the request ids "
           "are fields (far fewer series; docs/line-protocol.md)"},
          [](const server_config& c) { return std::string(to_string(c.analysis.schema)); },
          [](server_config& c, std::string_view name, const std::string& v) {
            const auto schema = parse_point_schema(v);
            if (!schema)
              throw usage_error(fmt::format("{} takes reference or compact, not '{}'", name, v));
            c.analysis.schema = *schema;
          }),
      make(
          {"LANGUAGE_DETECTION", "--language-detection", "MODE", "Analysis",
           "cld2: CLD2 + the built-in fastText model (docs/language.md); cld2-only: CLD2 alone; "
           "none: language=undefined"},
          [](const server_config& c) { return std::string(apps::to_string(c.analysis.language)); },
          [](server_config& c, std::string_view name, const std::string& v) {
            const auto mode = apps::parse_language_mode(v);
            if (!mode) {
              throw usage_error(fmt::format("{} takes cld2, cld2-only or none, not '{}'", name, v));
            }
            c.analysis.language = *mode;
          }),
      text({"TOPIC_MODEL", "--topic-model", "PATH", "Analysis",
            "fastText supervised topic model (docs/topics.md); unset, empty or none: no topics"},
           FIELD(analysis.topic_model)),
      make(
          {"TOPIC_MIN_CONFIDENCE", "--topic-min-confidence", "P", "Analysis",
           "a best-topic probability below it gives topic=undefined"},
          [](const server_config& c) { return fmt::format("{}", c.analysis.topic_min_confidence); },
          [](server_config& c, std::string_view name, const std::string& v) {
            c.analysis.topic_min_confidence = apps::parse_probability(name, v);
          }),
      text({"TOPIC_EMBEDDINGS_MODEL", "--topic-embeddings-model", "NAME", "Analysis",
            "accepted and ignored with a warning (BERTopic only)"},
           FIELD(topic_embeddings_model)),
      text({"MODEL_RATES", "--model-rates-json", "JSON", "Analysis",
            "rate table for records without Core prices (docs/pricing.md)"},
           FIELD(analysis.model_rates_json)),
      text({"MODEL_RATES_FILE", "--model-rates", "PATH", "Analysis",
            "the same table read from a file (not both)"},
           FIELD(analysis.model_rates_file)),
      number({"ROLLUP_MAX_ENTRIES", "--rollup-max-entries", "N", "Analysis",
              "child prices waiting for their parent, and completed spans remembered"},
             FIELD(analysis.rollup.max_entries), 1),
      number({"ROLLUP_MAX_AGE_S", "--rollup-max-age", "SECONDS", "Analysis",
              "seconds an entry waits before it expires (counted)"},
             FIELD(analysis.rollup.max_age)),
  };
}

std::vector<server_option> influx_options() {
  return {
      make(
          {"INFLUX_URL", "--influx-url", "URL", "InfluxDB",
           "InfluxDB base URL; unset: the spool files are the output"},
          [](const server_config& c) { return c.influx.url; },
          [](server_config& c, std::string_view, const std::string& v) {
            c.influx.url = v;
            c.has_influx = !v.empty();
          }),
      make(
          {"INFLUX_API_VERSION", "--influx-api-version", "auto|1|2|3", "InfluxDB",
           "the write API; auto asks GET /ping"},
          [](const server_config& c) { return show_api_version(c.influx.version); },
          [](server_config& c, std::string_view name, const std::string& v) {
            c.influx.version = to_api_version(name, v);
          }),
      secret({"INFLUX_API_TOKEN", "--influx-token", "TOKEN", "InfluxDB",
              "v2 Token, v3 Bearer, v1 password (never printed)"},
             FIELD(influx.token)),
      text({"INFLUX_ORG", "--influx-org", "ORG", "InfluxDB", "v2 organisation"}, FIELD(influx.org)),
      text({"INFLUX_BUCKET", "--influx-bucket", "BUCKET", "InfluxDB", "v2 bucket"},
           FIELD(influx.bucket)),
      text({"INFLUX_DATABASE", "--influx-database", "NAME", "InfluxDB",
            "v1/v3 database (output files: the CONTEXT-DATABASE, default dial)"},
           FIELD(influx.database)),
      text({"INFLUX_RETENTION_POLICY", "--influx-retention-policy", "NAME", "InfluxDB",
            "v1 retention policy"},
           FIELD(influx.retention_policy)),
      text({"INFLUX_USERNAME", "--influx-username", "USER", "InfluxDB", "v1 Basic-auth user"},
           FIELD(influx.username)),
      boolean({"INFLUX_GZIP", "--influx-gzip", "BOOL", "InfluxDB", "gzip write bodies"},
              FIELD(influx.gzip)),
      number({"INFLUX_TIMEOUT_MS", "--influx-timeout-ms", "MS", "InfluxDB", "one write request"},
             FIELD(influx.timeout)),
      number({"INFLUX_BATCH_LINES", "--influx-batch-lines", "N", "InfluxDB",
              "lines per write request"},
             FIELD(sender.batch_lines), 1),
      number({"INFLUX_BATCH_BYTES", "--influx-batch-bytes", "BYTES", "InfluxDB",
              "bytes per write request (at least 1024)"},
             FIELD(sender.batch_bytes), 1024),
      number({"INFLUX_CONNECTIONS", "--influx-connections", "N", "InfluxDB",
              "parallel writers, each draining its own spool lane DATA_DIR/lane-<i> (1-16)"},
             FIELD(influx_connections), 1, 16),
      number({"INFLUX_LINGER_MS", "--influx-linger-ms", "MS", "InfluxDB",
              "with less than a full batch pending, wait this long once for more"},
             FIELD(sender.linger)),
      number({"INFLUX_RETRY_INITIAL_MS", "--influx-retry-initial-ms", "MS", "InfluxDB",
              "first retry delay (then doubled, with jitter)"},
             FIELD(sender.retry_initial), 1),
      number({"INFLUX_RETRY_MAX_MS", "--influx-retry-max-ms", "MS", "InfluxDB", "retry delay cap"},
             FIELD(sender.retry_max), 1),
  };
}

std::string join_list(const std::vector<std::string>& items) {
  return fmt::format("{}", fmt::join(items, ","));
}

template <typename Field>
server_option list(const about& a, Field field) {
  return make(
      a, [field](const server_config& c) { return join_list(field(c)); },
      [field](server_config& c, std::string_view, const std::string& v) {
        field(c) = apps::split_list(v);
      });
}

std::string show_redaction(const flywheel::redactor_options& r) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < flywheel::pii_type_count; ++i) {
    if (r.enabled[i]) names.emplace_back(flywheel::to_string(static_cast<flywheel::pii_type>(i)));
  }
  return join_list(names);
}

std::vector<server_option> flywheel_options() {
  return {
      boolean({"FLYWHEEL_ENABLED", "--flywheel", "BOOL", "Flywheel",
               "capture every successful chat completion as a Data Flywheel record (prompts and "
               "answers are stored!); unset: on exactly when ELASTICSEARCH_URL is set"},
              FIELD(flywheel.enabled)),
      text({"FLYWHEEL_CLIENT_ID", "--flywheel-client-id", "ID", "Flywheel",
            "client_id of records without a DIAL project"},
           FIELD(flywheel.mapping.default_client_id)),
      make(
          {"FLYWHEEL_WORKLOAD_ID_FROM", "--flywheel-workload-id-from", "SOURCE", "Flywheel",
           "route (parent_deployment/deployment), deployment, or execution_path (without its "
           "first element)"},
          [](const server_config& c) {
            return std::string(flywheel::to_string(c.flywheel.mapping.workload));
          },
          [](server_config& c, std::string_view name, const std::string& v) {
            const auto source = flywheel::parse_workload_source(v);
            if (!source) {
              throw usage_error(
                  fmt::format("{} takes route, deployment or execution_path, not '{}'", name, v));
            }
            c.flywheel.mapping.workload = *source;
          }),
      text({"FLYWHEEL_WORKLOAD_HEADER", "--flywheel-workload-header", "NAME", "Flywheel",
            "request header (as logged by DIAL Core) whose value overrides the workload_id"},
           FIELD(flywheel.mapping.workload_header)),
      list({"FLYWHEEL_DEPLOYMENTS", "--flywheel-deployments", "LIST", "Flywheel",
            "only these deployments (comma-separated); empty: all"},
           FIELD(flywheel.mapping.include_deployments)),
      list({"FLYWHEEL_EXCLUDE_DEPLOYMENTS", "--flywheel-exclude-deployments", "LIST", "Flywheel",
            "never these deployments (comma-separated)"},
           FIELD(flywheel.mapping.exclude_deployments)),
      text({"FLYWHEEL_ONLY_AFTER", "--flywheel-only-after", "DEPLOYMENT", "Flywheel",
            "only records whose execution path contains this deployment (e.g. a PII interceptor)"},
           FIELD(flywheel.mapping.only_after)),
      make(
          {"FLYWHEEL_KEEP_DIAL_EXTENSIONS", "--flywheel-keep-dial-extensions", "BOOL", "Flywheel",
           "keep custom_content, custom_fields, addons and statistics in records"},
          [](const server_config& c) {
            return std::string(c.flywheel.mapping.strip_dial_extensions ? "false" : "true");
          },
          [](server_config& c, std::string_view name, const std::string& v) {
            c.flywheel.mapping.strip_dial_extensions = !to_bool(name, v);
          }),
      boolean({"FLYWHEEL_REDACT", "--flywheel-redact", "BOOL", "Flywheel",
               "replace PII in message texts and tool arguments with <EMAIL>, <PHONE>, …"},
              FIELD(flywheel.mapping.redact)),
      make(
          {"FLYWHEEL_REDACT_TYPES", "--flywheel-redact-types", "TYPES", "Flywheel",
           "the PII types to redact (comma-separated): email, phone, credit_card, iban, "
           "ip_address, credential, us_ssn"},
          [](const server_config& c) { return show_redaction(c.flywheel.mapping.redaction); },
          [](server_config& c, std::string_view name, const std::string& v) {
            flywheel::redactor_options r;
            r.enabled.fill(false);
            for (const std::string& item : apps::split_list(v)) {
              const auto type = flywheel::parse_pii_type(item);
              if (!type) {
                throw usage_error(fmt::format(
                    "{} takes a list of email, phone, credit_card, iban, ip_address, credential, "
                    "us_ssn, not '{}'",
                    name, item));
              }
              r.enabled[static_cast<std::size_t>(*type)] = true;
            }
            c.flywheel.mapping.redaction = r;
          }),
      number({"FLYWHEEL_SPOOL_MAX_BYTES", "--flywheel-spool-max-bytes", "BYTES", "Flywheel",
              "records pending (or stored, without Elasticsearch) in DATA_DIR/flywheel before new "
              "ones are dropped"},
             FIELD(flywheel.spool_max_bytes)),
      make(
          {"FLYWHEEL_WHEN_FULL", "--flywheel-when-full", "drop|refuse", "Flywheel",
           "drop: count and drop records (analytics never waits); refuse: answer 503"},
          [](const server_config& c) {
            return std::string(c.flywheel.refuse_when_full ? "refuse" : "drop");
          },
          [](server_config& c, std::string_view name, const std::string& v) {
            if (v != "drop" && v != "refuse") {
              throw usage_error(fmt::format("{} takes drop or refuse, not '{}'", name, v));
            }
            c.flywheel.refuse_when_full = v == "refuse";
          }),
      make(
          {"ELASTICSEARCH_URL", "--elasticsearch-url", "URL", "Elasticsearch",
           "store records in Elasticsearch/OpenSearch; unset: JSONL files DATA_DIR/flywheel"},
          [](const server_config& c) {
            return c.flywheel.has_elasticsearch ? c.flywheel.es.url : std::string();
          },
          [](server_config& c, std::string_view, const std::string& v) {
            c.flywheel.es.url = v;
            c.flywheel.has_elasticsearch = !v.empty();
          }),
      text({"ES_COLLECTION_NAME", "--elasticsearch-index", "NAME", "Elasticsearch",
            "the index (the blueprint's name for it)"},
           FIELD(flywheel.es.index)),
      text({"ELASTICSEARCH_USERNAME", "--elasticsearch-username", "USER", "Elasticsearch",
            "Basic-auth user (with ELASTICSEARCH_PASSWORD)"},
           FIELD(flywheel.es.username)),
      secret({"ELASTICSEARCH_PASSWORD", "--elasticsearch-password", "PASSWORD", "Elasticsearch",
              "Basic-auth password (never printed)"},
             FIELD(flywheel.es.password)),
      secret({"ELASTICSEARCH_API_KEY", "--elasticsearch-api-key", "KEY", "Elasticsearch",
              "ApiKey auth: id:key or the encoded key (never printed)"},
             FIELD(flywheel.es.api_key)),
      secret({"ELASTICSEARCH_BEARER_TOKEN", "--elasticsearch-bearer-token", "TOKEN",
              "Elasticsearch", "Bearer auth (never printed)"},
             FIELD(flywheel.es.bearer_token)),
      text({"ELASTICSEARCH_CA_FILE", "--elasticsearch-ca-file", "PATH", "Elasticsearch",
            "CA bundle for an https URL"},
           FIELD(flywheel.es.ca_file)),
      make(
          {"ELASTICSEARCH_MAPPING", "--elasticsearch-mapping", "blueprint|nat_compat",
           "Elasticsearch",
           "index mapping created when the index is missing: the blueprint's strict one, or "
           "with NeMo Agent Toolkit's contract_version and error_details"},
          [](const server_config& c) {
            return std::string(c.flywheel.es.mapping == elasticsearch::index_mapping::nat_compat
                                   ? "nat_compat"
                                   : "blueprint");
          },
          [](server_config& c, std::string_view name, const std::string& v) {
            if (v == "blueprint") {
              c.flywheel.es.mapping = elasticsearch::index_mapping::blueprint;
            } else if (v == "nat_compat") {
              c.flywheel.es.mapping = elasticsearch::index_mapping::nat_compat;
            } else {
              throw usage_error(fmt::format("{} takes blueprint or nat_compat, not '{}'", name, v));
            }
          }),
      number({"ELASTICSEARCH_TIMEOUT_MS", "--elasticsearch-timeout-ms", "MS", "Elasticsearch",
              "one bulk request"},
             FIELD(flywheel.es.timeout), 1),
      number(
          {"ELASTICSEARCH_CONNECTIONS", "--elasticsearch-connections", "N", "Elasticsearch",
           "parallel bulk writers, each draining its own lane DATA_DIR/flywheel/lane-<i> (1-16)"},
          FIELD(flywheel.es_connections), 1, 16),
      number({"ELASTICSEARCH_BATCH_DOCUMENTS", "--elasticsearch-batch-documents", "N",
              "Elasticsearch", "documents per bulk request"},
             FIELD(flywheel.sender.batch_lines), 1),
      number({"ELASTICSEARCH_BATCH_BYTES", "--elasticsearch-batch-bytes", "BYTES", "Elasticsearch",
              "bytes per bulk request (at least 1024)"},
             FIELD(flywheel.sender.batch_bytes), 1024),
  };
}

#undef FIELD

constexpr const char* description =
    R"(Receives DIAL Core log batches from Vector on POST /data, writes the analytics points to a
durable spool in DATA_DIR, and from there to InfluxDB (v1, v2 or v3). Without INFLUX_URL the
spool files (DATA_DIR/points-*.lp) are the output.

Every option can also be set with the environment variable its help names ("env NAME");
flags win over variables.)";

constexpr const char* footer =
    R"(Endpoints: POST /data, HEAD /data, GET /health, GET /metrics (docs/http-api.md).
Every setting in detail: docs/configuration.md.)";

// The CLI11 command of the server: one option per setting, its value kept as text in `values`.
void describe_command(CLI::App& app, std::vector<std::string>& values,
                      std::vector<CLI::Option*>& given) {
  apps::configure_app(app, version_line());
  app.description(description);
  app.footer(footer);
  const server_config defaults;
  const auto& table = server_options();
  values.assign(table.size(), std::string());
  given.clear();
  for (std::size_t i = 0; i < table.size(); ++i) {
    const server_option& o = table[i];
    given.push_back(
        app.add_option(std::string(o.flag), values[i], fmt::format("{}; env {}", o.help, o.env))
            ->type_name(std::string(o.value_name))
            ->default_str(o.shown(defaults))
            ->group(std::string(o.group)));
  }
}

}  // namespace

const std::vector<server_option>& server_options() {
  static const std::vector<server_option> table = [] {
    std::vector<server_option> all;
    for (auto part : {http_options(), spool_options(), analysis_options(), influx_options(),
                      flywheel_options()}) {
      for (auto& o : part) all.push_back(std::move(o));
    }
    return all;
  }();
  return table;
}

command_line load_config(const std::vector<std::string>& args, const env_lookup& env) {
  CLI::App app;
  app.name("dial-analytics-server");
  std::vector<std::string> values;
  std::vector<CLI::Option*> given;
  describe_command(app, values, given);
  command_line result;
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them so
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    result.what = command_line::action::help;
    return result;
  } catch (const CLI::CallForAllHelp&) {
    result.what = command_line::action::help;
    return result;
  } catch (const CLI::CallForVersion&) {
    result.what = command_line::action::version;
    return result;
  } catch (const CLI::ParseError& e) {
    throw config_error(apps::describe_parse_error(app, e));
  }
  const auto& table = server_options();
  server_config& c = result.config;
  try {
    bool flywheel_given = false;  // FLYWHEEL_ENABLED set either way
    for (const server_option& o : table) {
      const std::string name(o.env);
      if (const char* v = env ? env(name.c_str()) : std::getenv(name.c_str())) {
        o.set(c, o.env, v);
        flywheel_given = flywheel_given || o.env == "FLYWHEEL_ENABLED";
      }
    }
    for (std::size_t i = 0; i < table.size(); ++i) {
      if (given[i]->count() == 0) continue;
      table[i].set(c, table[i].flag, values[i]);
      flywheel_given = flywheel_given || table[i].env == "FLYWHEEL_ENABLED";
    }
    // An Elasticsearch output turns capture on, unless FLYWHEEL_ENABLED says otherwise.
    if (c.flywheel.has_elasticsearch && !flywheel_given) c.flywheel.enabled = true;
    if (!c.analysis.model_rates_json.empty() && !c.analysis.model_rates_file.empty()) {
      throw usage_error(
          "give the rate table as MODEL_RATES or as a file (--model-rates), not both");
    }
  } catch (const usage_error& e) {
    throw config_error(apps::usage_message(app, e.what()));
  }
  return result;
}

std::string help_text() {
  CLI::App app;
  app.name("dial-analytics-server");
  std::vector<std::string> values;
  std::vector<CLI::Option*> given;
  describe_command(app, values, given);
  return apps::help_text(app);
}

std::string version_line() { return std::string("dial-analytics-server ") + version_string; }

}  // namespace dial_analytics::server
