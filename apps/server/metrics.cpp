// SPDX-License-Identifier: Apache-2.0
#include "metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iterator>

#include <dial_analytics/version.hpp>

namespace dial_analytics::server {
namespace {

constexpr std::array<std::string_view, 3> outcome_names = {"written", "skipped", "error"};

// Prometheus label values escape backslash, double quote and line feed.
void append_label_value(std::string& out, std::string_view value) {
  for (char ch : value) {
    if (ch == '\\' || ch == '"') out.push_back('\\');
    if (ch == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(ch);
  }
}

void render_prices(prometheus_writer& w, const price_stats& ps) {
  std::uint64_t unpriced = 0;
  for (const auto& [deployment, n] : ps.unpriced) unpriced += n;
  w.counter("dial_analytics_unpriced_records_total",
            "Records with tokens but neither a price from DIAL Core nor a MODEL_RATES rate.",
            unpriced);
  constexpr std::string_view by_deployment = "dial_analytics_unpriced_records_by_deployment_total";
  w.family(by_deployment, "counter", "Unpriced records by deployment.");
  for (const auto& [deployment, n] : ps.unpriced) {
    w.sample(by_deployment, {{"deployment", deployment}}, static_cast<std::uint64_t>(n));
  }
  w.counter("dial_analytics_prices_computed_total", "Records priced from MODEL_RATES.",
            ps.computed);
  w.counter("dial_analytics_price_rollups_total",
            "Records whose price includes the prices of child spans.", ps.rolled_up);
  w.counter("dial_analytics_price_rollup_children_total",
            "Child span prices added to their parent's price.", ps.children_claimed);
  w.counter("dial_analytics_price_rollup_expired_total",
            "Child span prices whose parent did not arrive within the roll-up limits.",
            ps.children_expired);
  w.counter("dial_analytics_price_rollup_late_children_total",
            "Child spans logged after their parent (not rolled up).", ps.late_children);
  w.counter("dial_analytics_core_price_below_deployment_price_total",
            "Records whose Core price is below their deployment_price.",
            ps.core_price_below_deployment_price);
}

void render_latency(prometheus_writer& w, const output::output_stats& s) {
  constexpr std::string_view name = "dial_analytics_influx_request_duration_seconds";
  w.family(name, "histogram", "InfluxDB write latency.");
  const std::string bucket = std::string(name) + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < s.latency_count.size(); ++b) {
    cumulative += s.latency_count[b];
    const std::string le =
        b < output::latency_buckets.size() ? fmt::format("{}", output::latency_buckets[b]) : "+Inf";
    w.sample(bucket, {{"le", le}}, cumulative);
  }
  w.sample(std::string(name) + "_sum", {}, static_cast<double>(s.latency_sum_us) / 1e6);
  w.sample(std::string(name) + "_count", {}, cumulative);
}

void render_output(prometheus_writer& w, const output::spooled_output& out) {
  const output::output_stats s = out.stats();
  w.counter("dial_analytics_points_written_total", "Points InfluxDB stored.", s.lines_written);
  w.counter("dial_analytics_points_rejected_total",
            "Points InfluxDB refused (400/422), not resent.", s.lines_rejected);
  w.counter("dial_analytics_points_retried_total",
            "Points in write requests that had to be retried.", s.lines_retried);
  w.counter("dial_analytics_points_dropped_total",
            "Points dropped (a single line too large for InfluxDB).", s.lines_dropped);
  w.counter("dial_analytics_points_dead_lettered_total",
            "Points InfluxDB refused, saved in DATA_DIR/dead-letter for a resend.",
            s.lines_dead_lettered);
  w.counter("dial_analytics_influx_written_bytes_total", "Line-protocol bytes InfluxDB stored.",
            s.bytes_written);
  w.counter("dial_analytics_influx_failed_requests_total",
            "Write requests that failed and were retried.", s.failed_requests);
  w.gauge("dial_analytics_influx_healthy", "1 while InfluxDB accepts writes.", s.healthy ? 1 : 0);
  w.gauge("dial_analytics_spool_bytes", "Bytes in the spool not yet written to InfluxDB.",
          static_cast<double>(out.pending_bytes()));
  const auto oldest = out.oldest_pending();
  w.gauge("dial_analytics_spool_oldest_pending_age_seconds", "Age of the oldest pending point.",
          oldest ? std::chrono::duration<double>(std::chrono::system_clock::now() - *oldest).count()
                 : 0.0);
  render_latency(w, s);
}

}  // namespace

void prometheus_writer::family(std::string_view name, std::string_view type,
                               std::string_view help) {
  if (std::find(families_.begin(), families_.end(), name) != families_.end()) return;
  families_.emplace_back(name);
  fmt::format_to(std::back_inserter(out_), "# HELP {0} {1}\n# TYPE {0} {2}\n", name, help, type);
}

void prometheus_writer::start_sample(std::string_view name, labels label_values) {
  out_ += name;
  if (label_values.size() == 0) return;
  char separator = '{';
  for (const auto& [label, value] : label_values) {
    out_.push_back(separator);
    separator = ',';
    out_ += label;
    out_ += "=\"";
    append_label_value(out_, value);
    out_.push_back('"');
  }
  out_.push_back('}');
}

void prometheus_writer::sample(std::string_view name, labels label_values, std::uint64_t value) {
  start_sample(name, label_values);
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void prometheus_writer::sample(std::string_view name, labels label_values, double value) {
  start_sample(name, label_values);
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void prometheus_writer::counter(std::string_view name, std::string_view help, std::uint64_t value) {
  family(name, "counter", help);
  sample(name, {}, value);
}

void prometheus_writer::gauge(std::string_view name, std::string_view help, double value) {
  family(name, "gauge", help);
  sample(name, {}, value);
}

void metrics::count_batch(const std::vector<event_status>& statuses, std::uint64_t points) {
  ++batches_;
  points_accepted_ += points;
  for (const event_status& s : statuses) {
    const outcome o = !s.ok ? error : s.has_point ? written : skipped;
    ++records_[static_cast<std::size_t>(s.type)][o];
  }
}

void metrics::count_response(std::string_view path, int status) {
  std::lock_guard lock(responses_mutex_);
  for (response_count& r : responses_) {
    if (r.path == path && r.status == status) {
      ++r.count;
      return;
    }
  }
  responses_.push_back({std::string(path), status, 1});
}

void metrics::render_records(prometheus_writer& w) const {
  constexpr std::string_view name = "dial_analytics_records_total";
  w.family(name, "counter", "Records by type and outcome.");
  for (std::size_t t = 0; t < record_type_count; ++t) {
    for (std::size_t o = 0; o < outcome_count; ++o) {
      w.sample(name,
               {{"type", to_string(static_cast<record_type>(t))}, {"status", outcome_names[o]}},
               records_[t][o].load());
    }
  }
}

void metrics::render_responses(prometheus_writer& w) const {
  constexpr std::string_view name = "dial_analytics_http_responses_total";
  w.family(name, "counter", "HTTP responses by path and code.");
  std::lock_guard lock(responses_mutex_);
  for (const response_count& r : responses_) {
    const std::string code = std::to_string(r.status);
    w.sample(name, {{"path", r.path}, {"code", code}}, r.count);
  }
}

void metrics::count_flywheel(const flywheel::mapping_stats& s, bool stored) {
  if (stored) flywheel_documents_ += s.documents;
  for (std::size_t i = 0; i < flywheel::skip_reason_count; ++i)
    flywheel_skipped_[i] += s.skipped[i];
  for (std::size_t i = 0; i < flywheel::pii_type_count; ++i) {
    flywheel_redactions_[i] += s.redactions.by_type[i];
  }
}

void metrics::render_flywheel(prometheus_writer& w, const output::spooled_output& flywheel) const {
  w.counter("dial_analytics_flywheel_records_total",
            "Chat completions captured as Data Flywheel records (appended to their output).",
            flywheel_documents_);
  constexpr std::string_view skip_family = "dial_analytics_flywheel_skipped_total";
  w.family(skip_family, "counter", "Records not captured, by reason.");
  for (std::size_t i = 0; i < flywheel::skip_reason_count; ++i) {
    w.sample(skip_family, {{"reason", flywheel::to_string(static_cast<flywheel::skip_reason>(i))}},
             flywheel_skipped_[i].load());
  }
  constexpr std::string_view redaction_family = "dial_analytics_flywheel_redactions_total";
  w.family(redaction_family, "counter", "PII replaced by a placeholder, by type.");
  for (std::size_t i = 0; i < flywheel::pii_type_count; ++i) {
    w.sample(redaction_family, {{"type", flywheel::to_string(static_cast<flywheel::pii_type>(i))}},
             flywheel_redactions_[i].load());
  }
  const output::output_stats s = flywheel.stats();
  w.counter("dial_analytics_flywheel_dropped_total",
            "Records dropped because the Flywheel output was full or unwritable (analytics is "
            "never held back for them).",
            flywheel_dropped_.load());
  w.counter("dial_analytics_flywheel_written_total", "Records the backend stored.",
            s.lines_written);
  w.counter("dial_analytics_flywheel_rejected_total", "Records the backend refused for good.",
            s.lines_rejected);
  w.counter("dial_analytics_flywheel_dead_lettered_total",
            "Refused records saved in DATA_DIR/flywheel/dead-letter.", s.lines_dead_lettered);
  w.counter("dial_analytics_flywheel_retried_total", "Records resent after a failed write.",
            s.lines_retried);
  w.gauge("dial_analytics_flywheel_pending_bytes",
          "Record bytes in the Flywheel spool not yet stored by the backend (without one: the "
          "bytes of the JSONL files).",
          static_cast<double>(flywheel.pending_bytes()));
  w.gauge("dial_analytics_flywheel_up", "1 when the Flywheel backend accepts writes.",
          flywheel.healthy() ? 1.0 : 0.0);
}

std::string metrics::render(const price_calculator* prices, const output::spooled_output& output,
                            const output::spooled_output* flywheel) const {
  std::string text;
  prometheus_writer w(text);
  w.family("dial_analytics_build_info", "gauge", "Build information.");
  w.sample("dial_analytics_build_info", {{"version", version_string}}, std::uint64_t{1});
  render_records(w);
  w.counter("dial_analytics_batches_total", "Accepted POST /data bodies.", batches_);
  w.counter("dial_analytics_received_bytes_total", "Request body bytes (after gunzip).",
            bytes_received_);
  w.counter("dial_analytics_points_accepted_total", "Points written to the spool.",
            points_accepted_);
  render_prices(w, prices ? prices->stats() : price_stats{});
  w.counter("dial_analytics_spool_full_total",
            "Batches refused with 503 because the spool was full.", spool_full_);
  w.counter("dial_analytics_too_many_events_total",
            "Bodies refused with 413 because they held more than MAX_EVENTS events.",
            too_many_events_);
  render_output(w, output);
  if (flywheel) render_flywheel(w, *flywheel);
  render_responses(w);
  return text;
}

}  // namespace dial_analytics::server
