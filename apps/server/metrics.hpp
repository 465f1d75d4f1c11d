// SPDX-License-Identifier: Apache-2.0
// GET /metrics: the server's counters and their Prometheus text (docs/http-api.md lists them).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dial_analytics/analytics/pricing.hpp>
#include <dial_analytics/flywheel/mapping.hpp>
#include <dial_analytics/input/router.hpp>
#include <dial_analytics/output/spooled_output.hpp>
#include <dial_analytics/pipeline.hpp>

namespace dial_analytics::server {

/// Writes the Prometheus text format (version 0.0.4): a family's HELP and TYPE lines once, then
/// its samples, with label values escaped.
class prometheus_writer {
 public:
  using labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  explicit prometheus_writer(std::string& out) : out_(out) {}
  /// Starts the family `name` of `type` ("counter", "gauge", "histogram"); again: nothing.
  void family(std::string_view name, std::string_view type, std::string_view help);
  /// `name{label="value",…} value`; `name` is the family or a histogram's `_bucket` etc.
  void sample(std::string_view name, labels label_values, std::uint64_t value);
  void sample(std::string_view name, labels label_values, double value);
  /// A family with one sample without labels.
  void counter(std::string_view name, std::string_view help, std::uint64_t value);
  void gauge(std::string_view name, std::string_view help, double value);

 private:
  void start_sample(std::string_view name, labels label_values);
  std::string& out_;
  std::vector<std::string> families_;
};

/// The record types, in enum order (`unsupported` is the last enumerator).
inline constexpr std::size_t record_type_count =
    static_cast<std::size_t>(record_type::unsupported) + 1;

/// The server's own counters. Thread-safe.
class metrics {
 public:
  /// A request body of `bytes` (after gunzip) about to be analysed.
  void count_received(std::uint64_t bytes) { bytes_received_ += bytes; }
  /// An accepted batch: its points and one outcome per event.
  void count_batch(const std::vector<event_status>& statuses, std::uint64_t points);
  /// A batch refused with 503 because the spool was full.
  void count_spool_full() { ++spool_full_; }
  /// A body refused with 413 because it held more than MAX_EVENTS events.
  void count_too_many_events() { ++too_many_events_; }
  /// What the Flywheel stage made of one batch; its documents count as records only when
  /// `stored` (dropped ones are counted by count_flywheel_dropped).
  void count_flywheel(const flywheel::mapping_stats& s, bool stored);
  /// Flywheel documents dropped because their output was full or could not be written.
  void count_flywheel_dropped(std::uint64_t documents) { flywheel_dropped_ += documents; }
  /// A response on `path` ("/data", …, or "other").
  void count_response(std::string_view path, int status);

  /// The Prometheus text of these counters, the price calculator's (`prices` may be null) and
  /// the output's.
  /// `flywheel` is the Flywheel output when it is enabled.
  [[nodiscard]] std::string render(const price_calculator* prices,
                                   const output::spooled_output& output,
                                   const output::spooled_output* flywheel = nullptr) const;

 private:
  enum outcome : std::size_t { written, skipped, error, outcome_count };
  struct response_count {
    std::string path;
    int status = 0;
    std::uint64_t count = 0;
  };
  void render_records(prometheus_writer& w) const;
  void render_responses(prometheus_writer& w) const;
  void render_flywheel(prometheus_writer& w, const output::spooled_output& flywheel) const;

  std::array<std::array<std::atomic<std::uint64_t>, outcome_count>, record_type_count> records_{};
  std::atomic<std::uint64_t> points_accepted_{0};
  std::atomic<std::uint64_t> spool_full_{0};
  std::atomic<std::uint64_t> too_many_events_{0};
  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> bytes_received_{0};
  std::atomic<std::uint64_t> flywheel_documents_{0};
  std::atomic<std::uint64_t> flywheel_dropped_{0};
  std::array<std::atomic<std::uint64_t>, flywheel::skip_reason_count> flywheel_skipped_{};
  std::array<std::atomic<std::uint64_t>, flywheel::pii_type_count> flywheel_redactions_{};
  mutable std::mutex responses_mutex_;
  std::vector<response_count> responses_;  // few: paths × codes
};

}  // namespace dial_analytics::server
