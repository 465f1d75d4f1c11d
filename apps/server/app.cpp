// SPDX-License-Identifier: Apache-2.0
#include "app.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <utility>

#include <dial_analytics/error.hpp>
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

}  // namespace

app::app(const server_config& config, const logger& log)
    : config_(config), log_(log), analysis_(set_up_analysis(config)) {
  notes_ = analysis_.notes;
  output_ = open_output();
  const data_limits limits{.max_body_bytes = config_.max_body_bytes,
                           .max_events = config_.max_events,
                           .max_logged_errors = config_.max_logged_errors};
  data_ = std::make_unique<data_handler>(analysis_.analyzer(), limits, *output_, metrics_, log_);
}

app::~app() { shutdown(); }

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

void app::shutdown() {
  if (stopped_ || !output_->has_writer()) return;
  stopped_ = true;
  output_->stop(std::chrono::duration_cast<std::chrono::milliseconds>(config_.drain_timeout));
  if (const std::uint64_t pending = output_->pending_bytes(); pending > 0) {
    log_(log_level::warning, fmt::format("{} bytes of points stay in the spool {} and are sent at "
                                         "the next start",
                                         pending, config_.data_dir));
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
      r = json_response(200, metrics_.render(analysis_.prices.get(), *output_));
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
