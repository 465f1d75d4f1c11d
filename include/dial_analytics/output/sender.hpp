// SPDX-License-Identifier: Apache-2.0
// Drains a spool into one backend (a batch_writer) on a background thread: batches of whole
// lines, in order; "too large" splits, rejections are counted and never resent, everything else
// is retried with exponential backoff and jitter (honouring Retry-After, capped) until it is
// written. A backend that answers line by line (write_result::refused / retry_lines) has exactly
// its refused lines dead-lettered and only the lines it asks for resent. Nothing leaves the spool
// before the backend has answered for it. The sender knows no backend: log lines name it with
// batch_writer::name().
//
// Thread-safety: stats() from any thread; stop() from one thread. The sender owns its writer and
// its thread; the spool must outlive it.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
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
  /// Where refused lines go (appended, each refused part after a `# <UTC time> <backend> HTTP
  /// <status>: <reason>` line; with a per-line answer each refused line after its own such line,
  /// with the line's status and reason); empty: refused lines are counted and logged only.
  std::filesystem::path dead_letter_file;
  /// With a dead-letter file, a partly refused batch is bisected to find the refused lines (the
  /// backend does not say which): at most this many extra requests per line of the batch; then
  /// the rest of a refused part is dead-lettered whole (it may include stored lines).
  std::size_t bisect_requests_per_line = 2;
};

/// Upper bounds (seconds) of the request latency histogram buckets; the last is +Inf.
inline constexpr std::array<double, 11> latency_buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                           0.5,   1,    2.5,   5,    10};

/// Counters, readable while the sender runs.
struct sender_stats {
  std::atomic<std::uint64_t> lines_written{0};
  std::atomic<std::uint64_t> lines_rejected{0};  ///< refused by the backend for good, not resent
  /// Lines in requests that had to be retried, and lines a per-line answer asked to resend.
  std::atomic<std::uint64_t> lines_retried{0};
  std::atomic<std::uint64_t> lines_dropped{0};        ///< a single line too large even alone (413)
  std::atomic<std::uint64_t> lines_dead_lettered{0};  ///< saved to the dead-letter file
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
  // The refusals met while one batch from the spool was sent (its halves included).
  struct refusal_tally {
    std::size_t parts = 0;    // refused parts (each dead-lettered whole)
    std::size_t refused = 0;  // lines the backend said it refused
    std::size_t saved = 0;    // lines written to the dead-letter file
    std::size_t lost = 0;     // lines that could not be saved there
    std::size_t budget = 0;   // extra requests left for the bisection
    bool bound_hit = false;   // a part was dead-lettered whole for want of budget
    write_result first;       // the first refusal, for the log line
  };

  void run();
  bool deliver(std::string_view batch);
  bool refused(const write_result& r, std::string_view lines, std::size_t count);
  bool save_dead_letters(const write_result& r, std::string_view lines, bool cut_short);
  bool append_dead_letters(const std::string& text, std::size_t count);
  std::string settle_lines(const write_result& r, std::string_view lines, std::size_t count);
  void refuse_lines(const line_refusal& first, int http_status, std::size_t count,
                    const std::string& dead_letters);
  bool back_off_lines(const write_result& r, std::size_t count, int attempt, bool first);
  void report_refusals(std::size_t count);
  [[nodiscard]] bool should_linger(std::string_view batch) const;
  bool send(std::string_view lines);  // false: stop requested while retrying
  bool send_halves(std::string_view lines);
  write_result timed_write(std::string_view lines);
  void count_written(std::string_view lines, std::size_t count);
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
  refusal_tally tally_;  // used by the sender's thread only
  std::mutex mutex_;     // with wake_: stop() interrupts pause()
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> draining_{false};
  std::chrono::steady_clock::time_point drain_deadline_{};  // set before draining_
  std::thread thread_;
};

}  // namespace dial_analytics::output
