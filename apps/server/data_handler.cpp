// SPDX-License-Identifier: Apache-2.0
#include "data_handler.hpp"

#include <fmt/format.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <dial_analytics/analytics/point_sink.hpp>
#include <dial_analytics/error.hpp>
#include <dial_analytics/json.hpp>
#include <dial_analytics/pipeline.hpp>

#include "gzip.hpp"

namespace dial_analytics::server {
namespace {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "Application/JSON; charset=utf-8" → "application/json".
std::string media_type(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  return ascii_lower(t);
}

// The framing a media type announces; nothing for media types that are not JSON.
std::optional<input_format> framing(std::string_view media) {
  if (media.empty() || media == "application/json" || media.ends_with("+json")) {
    return input_format::json_array;
  }
  if (media == "application/x-ndjson" || media == "application/ndjson" ||
      media == "application/jsonlines") {
    return input_format::ndjson;
  }
  return std::nullopt;
}

// Inflates a gzip/deflate body in place (every gzip member); the error reply otherwise.
std::optional<http_response> decode(http_request& request, std::uint64_t cap) {
  const std::string encoding = ascii_lower(request.content_encoding);
  if (encoding.empty() || encoding == "identity") return std::nullopt;
  if (encoding != "gzip" && encoding != "x-gzip" && encoding != "deflate") {
    return json_response(
        415, R"({"detail":"unsupported Content-Encoding; use gzip, deflate or identity"})");
  }
  std::string inflated;
  switch (apps::gunzip_all(request.body, inflated, cap)) {
    case apps::gunzip_result::ok:
      request.body.swap(inflated);
      return std::nullopt;
    case apps::gunzip_result::too_large:
      return json_response(413,
                           R"({"detail":"the decompressed body is larger than MAX_BODY_BYTES"})");
    case apps::gunzip_result::corrupt:
      break;
  }
  return json_response(400, R"({"detail":"the body is not valid gzip/deflate data"})");
}

// The reference's 422 replies (FastAPI/pydantic validation errors, docs/http-api.md).
http_response json_invalid(std::string_view error) {
  std::string body =
      R"({"detail":[{"type":"json_invalid","loc":["body",0],"msg":"JSON decode error","input":{},"ctx":{"error":)";
  append_json_string(body, error);
  body += "}}]}";
  return json_response(422, std::move(body));
}

http_response list_type(std::string_view input) {
  std::string body =
      R"({"detail":[{"type":"list_type","loc":["body"],"msg":"Input should be a valid list","input":)";
  body += input.empty() ? std::string_view("{}") : input;
  body += "}]}";
  return json_response(422, std::move(body));
}

// The 422 for a body that is not a JSON array (or not NDJSON at all).
http_response unreadable_body(const ingest_result& result, std::string_view body) {
  if (result.ec == errc::body_not_a_list) return list_type(body.size() <= 4096 ? body : "{}");
  // Python's json error up to its position: "Expecting value: line 1 column 1 (char 0)".
  const std::string& error = result.ec == errc::body_not_json ? result.json_error : result.message;
  return json_invalid(std::string_view(error).substr(0, error.find(':')));
}

// MAX_EVENTS: the whole body is refused before any event is processed; Vector's batches stay
// below it when batch.max_events or batch.max_bytes is set to match.
http_response too_many_events_reply(const ingest_result& result) {
  std::string body = R"({"detail":)";
  append_json_string(body, result.message + " (MAX_EVENTS); send smaller batches");
  body += "}";
  return json_response(413, std::move(body));
}

double milliseconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

// A pipeline with its output buffers; one per request in flight, reused.
struct data_handler::worker {
  worker(pipeline_options options, const flywheel_hook& hook)
      : flywheel(hook.output ? std::make_unique<flywheel::flywheel_stage>(hook.mapping, hook.format)
                             : nullptr),
        pipe(out, with_stage(std::move(options), flywheel.get())) {}

  static pipeline_options with_stage(pipeline_options options, flywheel::flywheel_stage* stage) {
    if (stage) options.secondary.push_back(stage);
    return options;
  }

  line_buffer_sink out;
  std::unique_ptr<flywheel::flywheel_stage> flywheel;  // before `pipe`, which points to it
  pipeline pipe;
  std::vector<event_status> statuses;
};

// A worker taken from the pool, returned on every way out.
class data_handler::borrowed {
 public:
  explicit borrowed(data_handler& pool) : pool_(pool), worker_(pool.take_worker()) {}
  ~borrowed() { pool_.give_back(std::move(worker_)); }
  borrowed(const borrowed&) = delete;
  borrowed& operator=(const borrowed&) = delete;
  worker* operator->() const { return worker_.get(); }
  worker& operator*() const { return *worker_; }

 private:
  data_handler& pool_;
  std::unique_ptr<worker> worker_;
};

data_handler::data_handler(analyzer_options analysis, data_limits limits,
                           output::spooled_output& output, metrics& counters, const logger& log,
                           flywheel_hook flywheel)
    : analysis_(std::move(analysis)),
      limits_(limits),
      output_(output),
      metrics_(counters),
      log_(log),
      flywheel_(std::move(flywheel)) {
  if (log_.enabled(log_level::error)) {
    analysis_.log = log_.callback();
    analysis_.log_threshold = log_.min_level();  // per-event lines below it are never built
  }
}

data_handler::~data_handler() = default;

std::unique_ptr<data_handler::worker> data_handler::take_worker() {
  {
    std::lock_guard lock(workers_mutex_);
    if (!workers_.empty()) {
      auto w = std::move(workers_.back());
      workers_.pop_back();
      return w;
    }
  }
  pipeline_options options;
  options.analysis = analysis_;
  options.max_events = limits_.max_events;
  options.max_logged_errors = limits_.max_logged_errors;
  return std::make_unique<worker>(std::move(options), flywheel_);
}

void data_handler::give_back(std::unique_ptr<worker> w) {
  std::lock_guard lock(workers_mutex_);
  workers_.push_back(std::move(w));
}

http_response data_handler::operator()(http_request& request) {
  const std::optional<input_format> format = framing(media_type(request.content_type));
  if (!format) return list_type({});
  if (auto refused = decode(request, limits_.max_body_bytes)) return std::move(*refused);
  metrics_.count_received(request.body.size());

  const auto started = std::chrono::steady_clock::now();
  borrowed w(*this);
  w->out.clear();
  if (w->flywheel) {
    w->flywheel->clear();
    w->flywheel->take_stats();  // nothing of an earlier, failed request carries over
  }
  // The pipeline refuses a body over MAX_EVENTS before it parses it.
  const ingest_result result = w->pipe.ingest(request.body, *format, &w->statuses);
  if (result.ec == errc::too_many_events) {
    metrics_.count_too_many_events();
    log_(log_level::warning, fmt::format("{}: answering 413 (MAX_EVENTS)", result.message));
    return too_many_events_reply(result);
  }
  if (result.ec) return unreadable_body(result, request.body);
  const auto analysed = std::chrono::steady_clock::now();
  // FLYWHEEL_WHEN_FULL=refuse: the records first, so that a 503 leaves nothing of the batch
  // stored or counted (a resent batch would otherwise be priced and counted twice). Records
  // stored before the points are refused come back with the resent batch under the same ids.
  if (w->flywheel && flywheel_.refuse_when_full) {
    if (auto refused = store_flywheel(*w)) return std::move(*refused);
  }
  http_response reply = store(*w, result.stats.points);
  // By default the points first: the records are dropped (and counted) when their output is
  // full, and never hold the points back.
  if (w->flywheel && !flywheel_.refuse_when_full && reply.status == 200) store_flywheel(*w);
  if (reply.status == 200 && log_.enabled(log_level::info)) {
    log_(log_level::info,
         fmt::format("number of messages: {} ({} points, {} failed; analysed in {:.1f} ms, "
                     "spooled in {:.1f} ms)",
                     result.stats.events, result.stats.points, result.stats.failed,
                     milliseconds(analysed - started),
                     milliseconds(std::chrono::steady_clock::now() - analysed)));
  }
  return reply;
}

// Hands the batch's Flywheel records to their output. By default a full or unwritable output
// drops them (counted) so that analytics never waits; with FLYWHEEL_WHEN_FULL=refuse the batch
// is answered 503 and Vector resends all of it (a batch whose records alone are larger than
// FLYWHEEL_SPOOL_MAX_BYTES can never fit: its records are dropped).
std::optional<http_response> data_handler::store_flywheel(worker& w) {
  const flywheel::mapping_stats counts = w.flywheel->take_stats();
  const std::string& lines = w.flywheel->lines();
  const std::error_code ec = lines.empty() ? std::error_code() : flywheel_.output->append(lines);
  if (!ec) {
    metrics_.count_flywheel(counts, true);
    return std::nullopt;
  }
  const auto kind = output::classify_append_error(ec);
  if (flywheel_.refuse_when_full && kind != output::append_error::too_large) {
    log_(log_level::warning, "the Flywheel output is full or unwritable: answering 503");
    http_response r = json_response(
        503, R"({"detail":"the Flywheel output is full or unwritable, retry later"})");
    r.headers.emplace_back("Retry-After", "5");
    return r;
  }
  metrics_.count_flywheel(counts, false);
  metrics_.count_flywheel_dropped(counts.documents);
  log_(log_level::warning,
       fmt::format(
           "dropped {} Flywheel records: {} (analytics points are kept)", counts.documents,
           kind == output::append_error::storage ? ec.message() : "the Flywheel spool is full"));
  return std::nullopt;
}

// Durable before acknowledged: appends the points, then answers one status per event.
http_response data_handler::store(const worker& w, std::uint64_t points) {
  if (const std::error_code ec = output_.append(w.out.lines())) {
    switch (output::classify_append_error(ec)) {
      case output::append_error::too_large:
        // Retrying cannot help: Vector must send smaller batches (or the cap must grow).
        log_(log_level::warning, fmt::format("a batch of {} bytes of points is larger than "
                                             "SPOOL_MAX_BYTES: answering 413",
                                             w.out.lines().size()));
        return json_response(
            413,
            R"({"detail":"the batch's points are larger than SPOOL_MAX_BYTES; send smaller batches"})");
      case output::append_error::storage: {
        // The output logged the errno and directory (rate-limited); nothing of the batch was kept.
        http_response r = json_response(
            503,
            R"({"detail":"the data directory cannot be written (see the server log), retry later"})");
        r.headers.emplace_back("Retry-After", "5");
        return r;
      }
      case output::append_error::full:
      case output::append_error::none: {
        metrics_.count_spool_full();
        log_(log_level::warning, "spool full: answering 503, Vector will retry");
        http_response r = json_response(503, R"({"detail":"spool full, retry later"})");
        r.headers.emplace_back("Retry-After", "5");
        return r;
      }
    }
  }
  metrics_.count_batch(w.statuses, points);
  std::string body = "[";
  for (std::size_t i = 0; i < w.statuses.size(); ++i) {
    if (i) body.push_back(',');
    append_status_json(body, w.statuses[i]);
  }
  body.push_back(']');
  return json_response(200, std::move(body));
}

}  // namespace dial_analytics::server
