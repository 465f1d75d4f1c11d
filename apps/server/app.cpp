// SPDX-License-Identifier: Apache-2.0
#include "app.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <thread>
#include <utility>

#include <dial_analytics/elasticsearch/es_writer.hpp>
#include <dial_analytics/error.hpp>
#include <dial_analytics/flywheel/document.hpp>
#include <dial_analytics/influx/influx_writer.hpp>

#include "routes.hpp"

namespace dial_analytics::server {
namespace {

apps::analysis_objects set_up_analysis(const server_config& config) {
  apps::analysis_settings settings = config.analysis;
  settings.always_price = true;  // the price calculator also counts unpriced records
  // "echo" is a command line tool feature (it would put prompts into tags): here it is a path.
  if (settings.topic_model == "echo") settings.topic_model = "./echo";
  return apps::make_analysis(settings);
}

output::spooled_output_options output_options(const server_config& config, const logger& log) {
  output::spooled_output_options o;
  o.dir = config.data_dir;
  o.spool.max_bytes = config.spool_max_bytes;  // all lanes together
  o.spool.segment_bytes = config.spool_segment_bytes;
  o.spool.sync = config.spool_sync;
  o.sender = config.sender;
  o.sender.log = log.callback();
  o.lanes = config.influx_connections;
  o.when_full = output::overflow_policy::refuse;  // 503: Vector retries
  if (config.has_influx) {
    o.dead_letter_dir = std::filesystem::path(config.data_dir) / "dead-letter";
    o.resend_dead_letters = config.resend_dead_letters;  // before the senders start
  }
  return o;
}

// DATA_DIR/flywheel: the JSONL files, or the lanes drained into Elasticsearch.
output::spooled_output_options flywheel_options(const server_config& config, const logger& log) {
  const flywheel_settings& f = config.flywheel;
  output::spooled_output_options o;
  o.dir = std::filesystem::path(config.data_dir) / "flywheel";
  o.spool.max_bytes = f.spool_max_bytes;
  o.spool.segment_bytes = config.spool_segment_bytes;
  o.spool.sync = config.spool_sync;
  o.spool.segment_prefix = flywheel::spool_segment_prefix;
  o.spool.segment_extension = flywheel::spool_segment_extension;
  o.sender = f.sender;
  o.sender.log = log.callback();
  o.lanes = f.es_connections;
  // The data handler applies FLYWHEEL_WHEN_FULL itself (drop and count, or answer 503), so the
  // output always reports a full spool.
  o.when_full = output::overflow_policy::refuse;
  if (f.has_elasticsearch) {
    o.dead_letter_dir = o.dir / "dead-letter";
    o.resend_dead_letters = config.resend_dead_letters;
  }
  return o;
}

}  // namespace

app::app(const server_config& config, const logger& log)
    : config_(config), log_(log), analysis_(set_up_analysis(config)) {
  notes_ = analysis_.notes;
  output_ = open_output();
  flywheel_hook hook;
  if (config_.flywheel.enabled) {
    flywheel_ = open_flywheel_output();
    hook.output = flywheel_.get();
    hook.mapping = config_.flywheel.mapping;
    hook.format = config_.flywheel.has_elasticsearch ? flywheel::line_format::id_and_document
                                                     : flywheel::line_format::document;
    hook.refuse_when_full = config_.flywheel.refuse_when_full;
  }
  const data_limits limits{.max_body_bytes = config_.max_body_bytes,
                           .max_events = config_.max_events,
                           .max_logged_errors = config_.max_logged_errors};
  data_ = std::make_unique<data_handler>(analysis_.analyzer(), limits, *output_, metrics_, log_,
                                         std::move(hook));
  if (config_.flywheel.enabled && config_.flywheel.has_elasticsearch) {
    // The index is created at start when Elasticsearch is there, without holding start-up up when
    // it is not: the writers prepare it again before their first write until it is ready.
    prepare_index_ = std::thread([this, cfg = config_.flywheel.es] {
      try {
        const elasticsearch::prepare_result r = elasticsearch::prepare_index(cfg);
        log_(r.ready ? log_level::info : log_level::warning,
             fmt::format("Elasticsearch index at start: {}", r.note));
      } catch (const std::exception& e) {
        log_(log_level::error, fmt::format("Elasticsearch: {}", e.what()));
      }
    });
  }
}

app::~app() {
  shutdown();
  if (prepare_index_.joinable()) prepare_index_.join();
}

std::unique_ptr<output::spooled_output> app::open_output() {
  output::spooled_output_options options = output_options(config_, log_);
  if (!config_.has_influx) {
    // The output files load with `influx -import -path=<file>` (1.x) and, these being comments,
    // with `influx write` (2.x) or a POST to /write as they are.
    const std::string database =
        config_.influx.database.empty() ? std::string("dial") : config_.influx.database;
    options.spool.segment_header = "# DML\n# CONTEXT-DATABASE: " + database + "\n";
    notes_.push_back(fmt::format(
        "INFLUX_URL is not set: points go to line-protocol files {}/points-*.lp (load them with "
        "`influx -import`, `influx write --file` or curl to /write); cap {} bytes",
        options.dir.string(), options.spool.max_bytes));
    return std::make_unique<output::spooled_output>(std::move(options), nullptr);
  }
  influx::influx_config influx = config_.influx;
  const influx::version_probe probe = influx::probe_version(influx);
  influx.version = probe.version;
  if (influx.version == influx::api_version::v1 && influx.database.empty()) {
    throw config_error("InfluxDB v1 needs INFLUX_DATABASE (the database to write to)");
  }
  if (probe.answered) {
    notes_.push_back("writing to " + influx::describe(influx) + " (API chosen: " + probe.note +
                     ")");
  } else {
    notes_.push_back("writing to " + influx::describe(influx) + " for now (" + probe.note +
                     "); InfluxDB is asked again before each write until it answers");
  }
  auto out = std::make_unique<output::spooled_output>(
      std::move(options), influx::make_writer_factory(config_.influx, probe, log_.callback()));
  notes_.push_back(fmt::format("spool: {} ({} lanes, {} bytes pending, cap {} bytes)",
                               config_.data_dir, out->lane_count(), out->pending_bytes(),
                               config_.spool_max_bytes));
  return out;
}

std::unique_ptr<output::spooled_output> app::open_flywheel_output() {
  const flywheel_settings& f = config_.flywheel;
  output::spooled_output_options options = flywheel_options(config_, log_);
  // Loud on purpose: DIAL's documentation promises that analytics keeps no prompts.
  std::string what = fmt::format(
      "DATA FLYWHEEL CAPTURE IS ON: the prompts and answers of successful chat completions are "
      "stored ({}; PII redaction {})",
      f.has_elasticsearch ? elasticsearch::describe(f.es)
                          : fmt::format("JSONL files {}/flywheel-*.jsonl", options.dir.string()),
      f.mapping.redact ? "on" : "OFF");
  log_(log_level::warning, what);
  if (!f.has_elasticsearch) {
    notes_.push_back(fmt::format(
        "Flywheel records go to {}/flywheel-*.jsonl (cap {} bytes, {} "
        "when full)",
        options.dir.string(), options.spool.max_bytes, f.refuse_when_full ? "503" : "dropped"));
    return std::make_unique<output::spooled_output>(std::move(options), nullptr);
  }
  auto out = std::make_unique<output::spooled_output>(
      std::move(options), elasticsearch::make_writer_factory(f.es, log_.callback()));
  notes_.push_back(fmt::format(
      "Flywheel records go to {} through the spool {} ({} lanes, {} bytes pending, cap {} bytes, "
      "{} when full); the index is prepared before the first write",
      elasticsearch::describe(f.es), out->options().dir.string(), out->lane_count(),
      out->pending_bytes(), f.spool_max_bytes, f.refuse_when_full ? "503" : "dropped"));
  return out;
}

void app::shutdown() {
  if (stopped_) return;
  stopped_ = true;
  const auto drain = std::chrono::duration_cast<std::chrono::milliseconds>(config_.drain_timeout);
  // Both outputs drain at once, within one SHUTDOWN_DRAIN_S.
  std::thread flywheel_drain;
  if (flywheel_ && flywheel_->has_writer()) {
    flywheel_drain = std::thread([this, drain] { flywheel_->stop(drain); });
  }
  if (output_->has_writer()) output_->stop(drain);
  if (flywheel_drain.joinable()) flywheel_drain.join();
  // After the drains: a slow Elasticsearch must not delay them (the thread touches only the log
  // and its own copy of the configuration).
  if (prepare_index_.joinable()) prepare_index_.join();
  if (output_->has_writer() && output_->pending_bytes() > 0) {
    log_(log_level::warning, fmt::format("{} bytes of points stay in the spool {} and are sent at "
                                         "the next start",
                                         output_->pending_bytes(), config_.data_dir));
  }
  if (flywheel_ && flywheel_->has_writer() && flywheel_->pending_bytes() > 0) {
    log_(log_level::warning,
         fmt::format("{} bytes of Flywheel records stay in the spool {} and are sent at the next "
                     "start",
                     flywheel_->pending_bytes(), flywheel_->options().dir.string()));
  }
}

http_response app::handle(http_request request) {
  const route_match match = match_route(request.method, request.target);
  http_response r;
  switch (match.to) {
    case route::post_data:
      r = (*data_)(request);
      break;
    case route::metrics:
      r = json_response(200, metrics_.render(analysis_.prices.get(), *output_, flywheel_.get()));
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      break;
    default:
      r = fixed_response(match.to);
      break;
  }
  metrics_.count_response(match.path_label, r.status);
  return r;
}

}  // namespace dial_analytics::server
