// SPDX-License-Identifier: Apache-2.0
// POST /data, HEAD /data, GET /health, GET /metrics (docs/http-api.md).
#include "app.hpp"

#include <dial_analytics/analytics/cld2_language_detector.hpp>
#include <dial_analytics/analytics/fasttext_topic_classifier.hpp>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <zlib.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include <dial_analytics/analytics/line_protocol.hpp>
#include <dial_analytics/error.hpp>
#include <dial_analytics/version.hpp>

namespace dial_analytics::server {
namespace {

constexpr std::size_t type_count = 8;
constexpr std::array<const char*, type_count> type_names = {
    "rate", "chat_completion", "responses",  "anthropic_messages", "embedding",
    "mcp",  "route",           "unsupported"};
constexpr std::array<const char*, 3> record_statuses = {"written", "skipped", "error"};

std::string lower(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

std::string media_type(std::string_view content_type) {
  std::string t = lower(content_type.substr(0, content_type.find(';')));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  while (!t.empty() && t.front() == ' ') t.erase(0, 1);
  return t;
}

// gunzip (or zlib) with a cap on the output; false when corrupt or too large.
enum class inflate_result { ok, corrupt, too_large };
inflate_result inflate_body(const std::string& in, std::string& out, std::uint64_t cap) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return inflate_result::corrupt;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  out.clear();
  char buf[1 << 16];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return inflate_result::corrupt;
    }
    out.append(buf, sizeof buf - zs.avail_out);
    if (out.size() > cap) {
      inflateEnd(&zs);
      return inflate_result::too_large;
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return inflate_result::corrupt;  // truncated stream
    }
  }
  inflateEnd(&zs);
  return inflate_result::ok;
}

http_response json_response(int status, std::string body) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// The reference's 422 shapes (FastAPI/pydantic), reference-service.md §2.2.
http_response unprocessable(std::string_view type, std::string_view error, std::string_view input) {
  std::string body;
  if (type == "json_invalid") {
    body =
        R"({"detail":[{"type":"json_invalid","loc":["body",0],"msg":"JSON decode error","input":{},"ctx":{"error":)";
    append_json_string(body, error);
    body += "}}]}";
  } else {
    body =
        R"({"detail":[{"type":"list_type","loc":["body"],"msg":"Input should be a valid list","input":)";
    body += input.empty() ? std::string_view("{}") : input;
    body += "}]}";
  }
  return json_response(422, std::move(body));
}

}  // namespace

void logger::operator()(log_level level, std::string_view message) const {
  if (!enabled(level)) return;
  static constexpr const char* names[] = {"DEBUG", "INFO", "WARNING", "ERROR"};
  const auto now = std::chrono::system_clock::now();
  std::lock_guard lock(mutex_);
  fmt::print(out_, "{:%Y-%m-%dT%H:%M:%S}Z {} {}\n",
             fmt::gmtime(std::chrono::system_clock::to_time_t(now)), names[static_cast<int>(level)],
             message);
}

struct app::metrics {
  std::array<std::array<std::atomic<std::uint64_t>, 3>, type_count> records{};
  std::atomic<std::uint64_t> points_accepted{0};
  std::atomic<std::uint64_t> spool_full{0};
  std::atomic<std::uint64_t> batches{0};
  std::atomic<std::uint64_t> bytes_received{0};
  std::mutex responses_mutex;
  std::vector<std::pair<std::string, std::uint64_t>> responses;  // "path code" → count

  void count_response(std::string_view path, int code) {
    std::lock_guard lock(responses_mutex);
    const std::string key = fmt::format("path=\"{}\",code=\"{}\"", path, code);
    for (auto& [k, v] : responses) {
      if (k == key) {
        ++v;
        return;
      }
    }
    responses.emplace_back(key, 1);
  }
};

// A pipeline with its output buffer; one per request in flight, reused.
struct app::worker {
  // Appends line protocol.
  class sink final : public point_sink {
   public:
    void write(const point& p) override {
      if (append_line(lines, p)) ++no_fields;
    }
    std::string lines;
    std::size_t no_fields = 0;
  };

  worker(pipeline_options json, pipeline_options ndjson)
      : json_pipeline(out, std::move(json)), ndjson_pipeline(out, std::move(ndjson)) {}
  sink out;
  pipeline json_pipeline;
  pipeline ndjson_pipeline;
  std::vector<event_status> statuses;
};

app::app(const server_config& config, const logger& log)
    : config_(config), log_(log), metrics_(std::make_unique<metrics>()) {
  {
    rate_table rates;
    try {
      if (!config.model_rates_file.empty()) {
        std::ifstream in(config.model_rates_file);
        if (!in)
          throw rate_table_error("cannot read the rate table file " + config.model_rates_file);
        std::stringstream text;
        text << in.rdbuf();
        rates = rate_table::parse(text.str());
      } else if (!config.model_rates_json.empty()) {
        rates = rate_table::parse(config.model_rates_json);
      }
    } catch (const rate_table_error& e) {
      throw config_error(e.what());
    }
    notes_.push_back(rates.empty()
                         ? std::string("prices: as DIAL Core logs them (no MODEL_RATES)")
                         : fmt::format("prices: {} MODEL_RATES entries for records without Core "
                                       "prices; roll-up keeps {} entries for {} s",
                                       rates.size(), config.rollup.max_entries,
                                       config.rollup.max_age.count()));
    prices_ = std::make_unique<price_calculator>(std::move(rates), config.rollup);
  }
  if (config.detect_language) {
    cld2_options language_options;
    language_options.use_model = config.language_model;
    language_ = std::make_unique<cld2_language_detector>(language_options);
    notes_.push_back(config.language_model
                         ? "language detection: CLD2 + built-in fastText model "
                           "(LANGUAGE_DETECTION=cld2)"
                         : "language detection: CLD2 alone (LANGUAGE_DETECTION=cld2-only)");
  } else {
    notes_.push_back("language detection: off (LANGUAGE_DETECTION=none), language=undefined");
  }
  if (!config.topic_model.empty()) {
    try {
      auto model = std::make_unique<fasttext_topic_classifier>(
          config.topic_model,
          fasttext_topic_options{.min_confidence = config.topic_min_confidence});
      notes_.push_back(fmt::format("topics: {} ({} topics, min confidence {})", config.topic_model,
                                   model->labels().size(), config.topic_min_confidence));
      topic_ = std::move(model);
    } catch (const topic_model_error& e) {
      throw config_error(e.what());
    }
  } else {
    notes_.push_back("topics: off (TOPIC_MODEL unset), topic=undefined");
  }
  output::spool_options so;
  so.dir = config.data_dir;
  so.max_bytes = config.spool_max_bytes;
  so.segment_bytes = config.spool_segment_bytes;
  so.sync = config.spool_sync;
  so.files_are_output = !config.has_influx;
  if (!config.has_influx) {
    // The output files load with `influx -import -path=<file>` (1.x) and, these being comments,
    // with `influx write` (2.x) or a POST to /write as they are.
    so.segment_header =
        "# DML\n# CONTEXT-DATABASE: " +
        (config.influx.database.empty() ? std::string("dial") : config.influx.database) + "\n";
    spools_.push_back(std::make_unique<output::spool>(so));
    notes_.push_back(fmt::format(
        "INFLUX_URL is not set: points go to line-protocol files {}/points-*.lp (load them with "
        "`influx -import`, `influx write --file` or curl to /write); cap {} bytes",
        so.dir.string(), so.max_bytes));
    return;
  }
  influx::influx_config ic = config.influx;
  std::string note;
  ic.version = influx::resolve_version(ic, &note);
  if (ic.version == influx::api_version::v1 && ic.database.empty()) {
    throw config_error("InfluxDB v1 needs INFLUX_DATABASE (the database to write to)");
  }
  notes_.push_back("writing to " + influx::describe(ic) + " (API chosen: " + note + ")");
  // Lanes data_dir/lane-<i>: also drain lanes left by an earlier run with more connections.
  active_lanes_ = config.influx_connections;
  std::size_t lanes = active_lanes_;
  while (std::filesystem::exists(std::filesystem::path(config.data_dir) /
                                 fmt::format("lane-{}", lanes))) {
    ++lanes;
  }
  std::uint64_t pending = 0;
  for (std::size_t i = 0; i < lanes; ++i) {
    so.dir = std::filesystem::path(config.data_dir) / fmt::format("lane-{}", i);
    spools_.push_back(std::make_unique<output::spool>(so));
    pending += spools_.back()->pending_bytes();
    output::sender_options sopts = config.sender;
    sopts.log = [this](log_level level, std::string_view m) { log_(level, m); };
    senders_.push_back(std::make_unique<output::sender>(
        *spools_.back(), influx::make_curl_writer(ic), std::move(sopts)));
  }
  notes_.push_back(fmt::format("spool: {} ({} lanes, {} bytes pending, cap {} bytes)",
                               config.data_dir, lanes, pending, config.spool_max_bytes));
}

app::~app() { shutdown(); }

void app::shutdown() {
  if (senders_.empty()) return;
  // Drain all lanes at once: stop() on each in parallel threads shares the deadline.
  const auto drain = std::chrono::duration_cast<std::chrono::milliseconds>(config_.drain_timeout);
  std::vector<std::thread> stoppers;
  for (auto& s : senders_) stoppers.emplace_back([&s, drain] { s->stop(drain); });
  for (auto& t : stoppers) t.join();
  std::uint64_t pending = 0;
  for (const auto& sp : spools_) pending += sp->pending_bytes();
  if (pending > 0) {
    log_(log_level::warning, fmt::format("{} bytes of points stay in the spool {} and are sent at "
                                         "the next start",
                                         pending, config_.data_dir));
  }
  senders_.clear();
}

std::unique_ptr<app::worker> app::take_worker() {
  {
    std::lock_guard lock(workers_mutex_);
    if (!workers_.empty()) {
      auto w = std::move(workers_.back());
      workers_.pop_back();
      return w;
    }
  }
  pipeline_options json;
  json.format = input_format::json_array;
  if (log_.enabled(log_level::error)) {
    json.analysis.log = [this](log_level level, std::string_view m) { log_(level, m); };
    json.analysis.log_threshold = log_.min_level();  // per-event lines below it are never built
  }
  json.analysis.language = language_.get();
  json.analysis.prices = prices_.get();
  json.analysis.topic = topic_.get();
  pipeline_options ndjson = json;
  ndjson.format = input_format::ndjson;
  return std::make_unique<worker>(std::move(json), std::move(ndjson));
}

void app::give_back(std::unique_ptr<worker> w) {
  std::lock_guard lock(workers_mutex_);
  workers_.push_back(std::move(w));
}

http_response app::handle(http_request request) {
  std::string path = request.target.substr(0, request.target.find('?'));
  http_response r;
  if (path == "/data" && request.method == "POST") {
    r = post_data(request);
  } else if (path == "/data" && request.method == "HEAD") {
    r = json_response(200, "");
  } else if (path == "/health" && (request.method == "GET" || request.method == "HEAD")) {
    r = json_response(200, R"({"status":"ok"})");
  } else if (path == "/metrics" && request.method == "GET") {
    r = render_metrics();
  } else if (path == "/data" || path == "/health" || path == "/metrics") {
    r = json_response(405, R"({"detail":"Method Not Allowed"})");
  } else {
    r = json_response(404, R"({"detail":"Not Found"})");
    path = "other";
  }
  metrics_->count_response(path, r.status);
  return r;
}

http_response app::post_data(http_request& request) {
  const std::string media = media_type(request.content_type);
  input_format format;
  if (media.empty() || media == "application/json" || media.ends_with("+json")) {
    format = input_format::json_array;
  } else if (media == "application/x-ndjson" || media == "application/ndjson" ||
             media == "application/jsonlines") {
    format = input_format::ndjson;
  } else {
    return unprocessable("list_type", {}, {});
  }
  const std::string encoding = lower(request.content_encoding);
  if (encoding == "gzip" || encoding == "x-gzip" || encoding == "deflate") {
    std::string inflated;
    switch (inflate_body(request.body, inflated, config_.max_body_bytes)) {
      case inflate_result::ok:
        request.body.swap(inflated);
        break;
      case inflate_result::too_large:
        return json_response(413,
                             R"({"detail":"the decompressed body is larger than MAX_BODY_BYTES"})");
      case inflate_result::corrupt:
        return json_response(400, R"({"detail":"the body is not valid gzip/deflate data"})");
    }
  } else if (!encoding.empty() && encoding != "identity") {
    return json_response(
        415, R"({"detail":"unsupported Content-Encoding; use gzip, deflate or identity"})");
  }
  metrics_->bytes_received += request.body.size();

  const auto started = std::chrono::steady_clock::now();
  std::unique_ptr<worker> w = take_worker();
  w->out.lines.clear();
  pipeline& p = format == input_format::json_array ? w->json_pipeline : w->ndjson_pipeline;
  const ingest_result result = p.ingest(request.body, &w->statuses);
  if (result.ec) {
    give_back(std::move(w));
    if (result.message == "Input should be a valid list") {
      return unprocessable("list_type", {}, request.body.size() <= 4096 ? request.body : "{}");
    }
    std::string error = result.message;
    if (error.rfind("JSON decode error: ", 0) == 0) error.erase(0, 19);
    return unprocessable("json_invalid", error.substr(0, error.find(':')), {});
  }
  const auto analysed = std::chrono::steady_clock::now();
  // Durable before acknowledged. SPOOL_MAX_BYTES caps all lanes together (concurrent requests
  // may overshoot it by a batch each).
  std::uint64_t pending = 0;
  for (const auto& sp : spools_) pending += sp->pending_bytes();
  std::error_code ec = std::make_error_code(std::errc::no_space_on_device);
  if (spools_.size() == 1 || pending + w->out.lines.size() <= config_.spool_max_bytes) {
    ec = spools_[next_lane_++ % active_lanes_]->append(w->out.lines);
  }
  if (ec) {
    give_back(std::move(w));
    if (ec == std::errc::no_space_on_device) {
      ++metrics_->spool_full;
      log_(log_level::warning, "spool full: answering 503, Vector will retry");
      http_response r = json_response(503, R"({"detail":"spool full, retry later"})");
      r.headers.emplace_back("Retry-After", "5");
      return r;
    }
    log_(log_level::error, "cannot write the spool: " + ec.message());
    return json_response(500, R"({"detail":"cannot write the spool"})");
  }
  ++metrics_->batches;
  metrics_->points_accepted += result.stats.points;
  std::string body = "[";
  for (std::size_t i = 0; i < w->statuses.size(); ++i) {
    const event_status& s = w->statuses[i];
    if (i) body.push_back(',');
    append_status_json(body, s);
    const std::size_t status = !s.ok ? 2 : s.has_point ? 0 : 1;
    ++metrics_->records[static_cast<std::size_t>(s.type)][status];
  }
  body.push_back(']');
  if (log_.enabled(log_level::info)) {
    const auto done = std::chrono::steady_clock::now();
    log_(log_level::info,
         fmt::format("number of messages: {} ({} points, {} failed; analysed in {:.1f} ms, "
                     "spooled in {:.1f} ms)",
                     result.stats.events, result.stats.points, result.stats.failed,
                     std::chrono::duration<double, std::milli>(analysed - started).count(),
                     std::chrono::duration<double, std::milli>(done - analysed).count()));
  }
  give_back(std::move(w));
  return json_response(200, std::move(body));
}

http_response app::render_metrics() const {
  std::string m;
  auto out = std::back_inserter(m);
  fmt::format_to(out,
                 "# HELP dial_analytics_build_info Build information.\n# TYPE "
                 "dial_analytics_build_info gauge\n"
                 "dial_analytics_build_info{{version=\"{}\"}} 1\n",
                 version_string);
  fmt::format_to(out,
                 "# HELP dial_analytics_records_total Records by type and outcome.\n"
                 "# TYPE dial_analytics_records_total counter\n");
  for (std::size_t t = 0; t < type_count; ++t) {
    for (std::size_t s = 0; s < 3; ++s) {
      fmt::format_to(out, "dial_analytics_records_total{{type=\"{}\",status=\"{}\"}} {}\n",
                     type_names[t], record_statuses[s], metrics_->records[t][s].load());
    }
  }
  auto counter = [&](const char* name, const char* help, std::uint64_t v) {
    fmt::format_to(out, "# HELP {0} {1}\n# TYPE {0} counter\n{0} {2}\n", name, help, v);
  };
  auto gauge = [&](const char* name, const char* help, double v) {
    fmt::format_to(out, "# HELP {0} {1}\n# TYPE {0} gauge\n{0} {2}\n", name, help, v);
  };
  counter("dial_analytics_batches_total", "Accepted POST /data bodies.", metrics_->batches);
  counter("dial_analytics_received_bytes_total", "Request body bytes (after gunzip).",
          metrics_->bytes_received);
  counter("dial_analytics_points_accepted_total", "Points written to the spool.",
          metrics_->points_accepted);
  const price_stats ps = prices_->stats();
  std::uint64_t unpriced = 0;
  for (const auto& [deployment, n] : ps.unpriced) unpriced += n;
  counter("dial_analytics_unpriced_records_total",
          "Records with tokens but neither a price from DIAL Core nor a MODEL_RATES rate.",
          unpriced);
  fmt::format_to(out,
                 "# HELP dial_analytics_unpriced_records_by_deployment_total Unpriced records "
                 "by deployment.\n# TYPE dial_analytics_unpriced_records_by_deployment_total "
                 "counter\n");
  for (const auto& [deployment, n] : ps.unpriced) {
    std::string label;
    for (char ch : deployment) {  // Prometheus label escaping
      if (ch == '\\' || ch == '"') label.push_back('\\');
      if (ch == '\n') {
        label += "\\n";
        continue;
      }
      label.push_back(ch);
    }
    fmt::format_to(out,
                   "dial_analytics_unpriced_records_by_deployment_total{{deployment=\"{}\"}} {}\n",
                   label, n);
  }
  counter("dial_analytics_prices_computed_total", "Records priced from MODEL_RATES.", ps.computed);
  counter("dial_analytics_price_rollups_total",
          "Records whose price includes the prices of child spans.", ps.rolled_up);
  counter("dial_analytics_price_rollup_children_total",
          "Child span prices added to their parent's price.", ps.children_claimed);
  counter("dial_analytics_price_rollup_expired_total",
          "Child span prices whose parent did not arrive within the roll-up limits.",
          ps.children_expired);
  counter("dial_analytics_price_rollup_late_children_total",
          "Child spans logged after their parent (not rolled up).", ps.late_children);
  counter("dial_analytics_core_price_below_deployment_price_total",
          "Records whose Core price is below their deployment_price.",
          ps.core_price_below_deployment_price);
  counter("dial_analytics_spool_full_total", "Batches refused with 503 because the spool was full.",
          metrics_->spool_full);
  auto total = [&](auto member) {
    std::uint64_t sum = 0;
    for (const auto& sender : senders_) sum += (sender->stats().*member).load();
    return sum;
  };
  using stats = output::sender_stats;
  counter("dial_analytics_points_written_total", "Points InfluxDB stored.",
          total(&stats::lines_written));
  counter("dial_analytics_points_rejected_total", "Points InfluxDB refused (400/422), not resent.",
          total(&stats::lines_rejected));
  counter("dial_analytics_points_retried_total", "Points in write requests that had to be retried.",
          total(&stats::lines_retried));
  counter("dial_analytics_points_dropped_total",
          "Points dropped (a single line too large for InfluxDB).", total(&stats::lines_dropped));
  counter("dial_analytics_influx_written_bytes_total", "Line-protocol bytes InfluxDB stored.",
          total(&stats::bytes_written));
  counter("dial_analytics_influx_failed_requests_total",
          "Write requests that failed and were retried.", total(&stats::failed_requests));
  bool healthy = true;
  for (const auto& sender : senders_) healthy = healthy && sender->stats().healthy;
  gauge("dial_analytics_influx_healthy", "1 while InfluxDB accepts writes.", healthy ? 1 : 0);
  std::uint64_t pending = 0;
  std::optional<std::chrono::system_clock::time_point> oldest;
  for (const auto& sp : spools_) {
    pending += sp->pending_bytes();
    if (auto o = sp->oldest_pending(); o && (!oldest || *o < *oldest)) oldest = o;
  }
  gauge("dial_analytics_spool_bytes", "Bytes in the spool not yet written to InfluxDB.",
        static_cast<double>(pending));
  gauge("dial_analytics_spool_oldest_pending_age_seconds", "Age of the oldest pending point.",
        oldest ? std::chrono::duration<double>(std::chrono::system_clock::now() - *oldest).count()
               : 0.0);
  fmt::format_to(out,
                 "# HELP dial_analytics_influx_request_duration_seconds InfluxDB write latency.\n"
                 "# TYPE dial_analytics_influx_request_duration_seconds histogram\n");
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b <= output::latency_buckets.size(); ++b) {
    for (const auto& sender : senders_) cumulative += sender->stats().latency_count[b].load();
    if (b < output::latency_buckets.size()) {
      fmt::format_to(out, "dial_analytics_influx_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                     output::latency_buckets[b], cumulative);
    } else {
      fmt::format_to(out,
                     "dial_analytics_influx_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n",
                     cumulative);
    }
  }
  fmt::format_to(out, "dial_analytics_influx_request_duration_seconds_sum {}\n",
                 static_cast<double>(total(&stats::latency_sum_us)) / 1e6);
  fmt::format_to(out, "dial_analytics_influx_request_duration_seconds_count {}\n", cumulative);
  {
    std::lock_guard lock(metrics_->responses_mutex);
    fmt::format_to(out,
                   "# HELP dial_analytics_http_responses_total HTTP responses by path and code.\n"
                   "# TYPE dial_analytics_http_responses_total counter\n");
    for (const auto& [k, v] : metrics_->responses) {
      fmt::format_to(out, "dial_analytics_http_responses_total{{{}}} {}\n", k, v);
    }
  }
  http_response r = json_response(200, std::move(m));
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

}  // namespace dial_analytics::server
