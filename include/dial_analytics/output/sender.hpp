// SPDX-License-Identifier: Apache-2.0
// Drains a spool into one backend (a batch_writer) on a background thread: batches of whole
// lines, in order; "too large" splits, rejections are counted and never resent, everything else
// is retried with exponential backoff and jitter (honouring Retry-After, capped) until it is
// written. Nothing leaves the spool before the backend has answered for it. The sender knows no
// backend: log lines name it with batch_writer::name().
//
// Thread-safety: stats() from any thread; stop() from one thread. The sender owns its writer and
// its thread; the spool must outlive it.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>

#include <dial_analytics/log.hpp>
#include <dial_analytics/output/batch_writer.hpp>
#include <dial_analytics/output/spool.hpp>

namespace dial_analytics::output {

/// Options of a sender.
struct sender_options {
  std::size_t batch_lines = 5000;      ///< lines per request at most
  std::size_t batch_bytes = 4u << 20;  ///< bytes per request at most
  /// When a batch would be small (under `batch_lines` lines and half of `batch_bytes`), wait
  /// this long once for more (backends ingest bigger batches faster); 0 sends at once. A drain
  /// (stop) ends the wait.
  std::chrono::milliseconds linger{1000};
  std::chrono::milliseconds retry_initial{1000};      ///< first retry delay (then ×2, jittered)
  std::chrono::milliseconds retry_max{60000};         ///< backoff cap
  std::chrono::milliseconds retry_after_cap{600000};  ///< cap on a server's Retry-After
  log_callback log;                                   ///< problems, one line each
};

/// Upper bounds (seconds) of the request latency histogram buckets; the last is +Inf.
inline constexpr std::array<double, 11> latency_buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                           0.5,   1,    2.5,   5,    10};

/// Counters, readable while the sender runs.
struct sender_stats {
  std::atomic<std::uint64_t> lines_written{0};
  std::atomic<std::uint64_t> lines_rejected{0};  ///< refused by the backend for good, not resent
  std::atomic<std::uint64_t> lines_retried{0};   ///< lines in requests that had to be retried
  std::atomic<std::uint64_t> lines_dropped{0};   ///< a single line too large even alone (413)
  std::atomic<std::uint64_t> bytes_written{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> failed_requests{0};
  std::array<std::atomic<std::uint64_t>, latency_buckets.size() + 1> latency_count{};
  std::atomic<std::uint64_t> latency_sum_us{0};
  std::atomic<bool> healthy{true};  ///< false while the backend refuses or cannot be reached
};

/// The background drain of one spool into one backend.
class sender {
 public:
  /// Starts the thread. `source` must outlive the sender.
  sender(spool& source, std::unique_ptr<batch_writer> writer, sender_options opts = {});
  ~sender();  ///< stops without draining (pending lines stay in the spool)
  sender(const sender&) = delete;
  sender& operator=(const sender&) = delete;

  /// Stops the thread after trying to send what is pending for up to `drain` (0: stop now; a
  /// request in flight is still answered or timed out). Wakes a backoff or linger wait at once.
  /// Call from one thread; later calls return at once.
  void stop(std::chrono::milliseconds drain);
  [[nodiscard]] const sender_stats& stats() const noexcept { return stats_; }

 private:
  void run();
  [[nodiscard]] bool should_linger(std::string_view batch) const;
  bool send(std::string_view lines);  // false: stop requested while retrying
  bool send_halves(std::string_view lines);
  write_result timed_write(std::string_view lines);
  void count_written(const write_result& r, std::string_view lines, std::size_t count);
  bool back_off(const write_result& r, std::size_t count, int attempt);
  [[nodiscard]] std::chrono::milliseconds backoff_delay(const write_result& r, int attempt);
  bool pause(std::chrono::milliseconds d, bool end_when_draining);
  [[nodiscard]] bool must_stop() const;
  void log(log_level level, const std::string& message) const;

  spool& spool_;
  std::unique_ptr<batch_writer> writer_;
  sender_options options_;
  sender_stats stats_;
  std::mt19937_64 rng_;  // backoff jitter; used by the sender's thread only
  std::mutex mutex_;     // with wake_: stop() interrupts pause()
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> draining_{false};
  std::chrono::steady_clock::time_point drain_deadline_{};  // set before draining_
  std::thread thread_;
};

}  // namespace dial_analytics::output
