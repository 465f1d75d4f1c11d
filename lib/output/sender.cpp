// SPDX-License-Identifier: Apache-2.0
// The spool → backend drain (see sender.hpp; the retry policy is in docs/outputs.md). Nothing is
// ever given up: the spool is durable, so retries go on (capped backoff) and the data stays until
// the backend answers for it.
#include <dial_analytics/output/sender.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <string>

namespace dial_analytics::output {
namespace {
using steady = std::chrono::steady_clock;

// How long the idle sender sleeps between looks at an empty spool (append() wakes it earlier).
constexpr std::chrono::milliseconds idle_wait{200};
// Backoff doubles at most this many times before `retry_max` caps it anyway.
constexpr int max_doublings = 20;
}  // namespace

sender::sender(spool& source, std::unique_ptr<batch_writer> writer, sender_options opts)
    : spool_(source),
      writer_(std::move(writer)),
      options_(std::move(opts)),
      rng_(std::random_device{}()) {
  thread_ = std::thread([this] { run(); });
}

sender::~sender() { stop(std::chrono::milliseconds(0)); }

void sender::stop(std::chrono::milliseconds drain) {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    drain_deadline_ = steady::now() + drain;
    draining_ = true;
    if (drain.count() == 0) stopping_ = true;
  }
  wake_.notify_all();
  spool_.notify();
  thread_.join();
}

bool sender::must_stop() const {
  return stopping_ || (draining_ && steady::now() >= drain_deadline_);
}

// Waits `d`, woken at once by stop(). @return false when the sender must stop (stop without a
// drain, or the drain deadline passed first); true when `d` passed or, with `end_when_draining`,
// a drain began.
bool sender::pause(std::chrono::milliseconds d, bool end_when_draining) {
  const auto until = steady::now() + d;
  std::unique_lock lock(mutex_);
  while (true) {
    if (must_stop()) return false;
    if (end_when_draining && draining_) return true;
    if (steady::now() >= until) return true;
    wake_.wait_until(lock, draining_ ? std::min(until, drain_deadline_) : until);
  }
}

void sender::log(log_level level, const std::string& message) const {
  if (options_.log) options_.log(level, message);
}

void sender::run() {
  std::string batch;
  bool lingered = false;
  while (!must_stop()) {
    if (!spool_.read(batch, options_.batch_bytes, options_.batch_lines)) {
      if (draining_) break;  // drained
      spool_.wait(idle_wait);
      continue;
    }
    if (!lingered && should_linger(batch)) {
      lingered = true;  // once: then send what there is
      if (!pause(options_.linger, true)) break;
      continue;
    }
    lingered = false;
    if (!send(batch)) break;  // stop requested while retrying: the batch stays in the spool
    spool_.consume(batch.size());
  }
}

bool sender::should_linger(std::string_view batch) const {
  return !draining_ && options_.linger.count() > 0 && count_lines(batch) < options_.batch_lines &&
         batch.size() < options_.batch_bytes / 2;
}

// Sends `lines` until the backend has answered for every line: written, rejected, or (one line
// alone too large) dropped. @return false when asked to stop first.
bool sender::send(std::string_view lines) {
  const std::size_t count = count_lines(lines);
  for (int attempt = 0;; ++attempt) {
    const write_result r = timed_write(lines);
    switch (r.outcome) {
      case write_outcome::written:
      case write_outcome::rejected:
        count_written(r, lines, count);
        return true;
      case write_outcome::too_large:
        return send_halves(lines);
      case write_outcome::retry:
      case write_outcome::unavailable:
        if (!back_off(r, count, attempt)) return false;
        break;
    }
  }
}

write_result sender::timed_write(std::string_view lines) {
  const auto start = steady::now();
  write_result r = writer_->write(lines);
  const double seconds = std::chrono::duration<double>(steady::now() - start).count();
  ++stats_.requests;
  stats_.latency_sum_us += static_cast<std::uint64_t>(seconds * 1e6);
  std::size_t bucket = 0;
  while (bucket < latency_buckets.size() && seconds > latency_buckets[bucket]) ++bucket;
  ++stats_.latency_count[bucket];
  return r;
}

// The backend answered for every line: stored, or (some) refused for good and never resent.
void sender::count_written(const write_result& r, std::string_view lines, std::size_t count) {
  stats_.healthy = true;
  if (r.outcome == write_outcome::written) {
    stats_.lines_written += count;
    stats_.bytes_written += lines.size();
    return;
  }
  // Lines the backend did accept in a partial write count as written.
  stats_.lines_rejected += r.rejected_lines;
  stats_.lines_written += count - std::min(count, r.rejected_lines);
  log(log_level::error,
      fmt::format("{} rejected {} of {} {} (HTTP {}): {}", writer_->name(), r.rejected_lines, count,
                  writer_->noun().plural, r.http_status, r.message));
}

// A 413: resend the halves, split at the last line end before the middle (or the first one
// after it); a single line is dropped.
bool sender::send_halves(std::string_view lines) {
  if (count_lines(lines) <= 1) {
    ++stats_.lines_dropped;
    log(log_level::error, fmt::format("{} refuses a single {} as too large (413); dropped {} bytes",
                                      writer_->name(), writer_->noun().singular, lines.size()));
    return true;
  }
  std::size_t mid = lines.rfind('\n', lines.size() / 2 - 1);
  if (mid == std::string_view::npos) mid = lines.find('\n');
  const std::size_t cut = mid + 1;
  return send(lines.substr(0, cut)) && send(lines.substr(cut));
}

// A failed attempt: count it, log the first failure (and every configuration problem), and wait.
bool sender::back_off(const write_result& r, std::size_t count, int attempt) {
  ++stats_.failed_requests;
  stats_.lines_retried += count;
  stats_.healthy = false;
  const std::chrono::milliseconds delay = backoff_delay(r, attempt);
  const bool config_problem = r.outcome == write_outcome::unavailable;
  if (attempt == 0 || config_problem) {
    log(config_problem ? log_level::error : log_level::warning,
        fmt::format("{} {} (HTTP {}): {}; keeping {} {}, retrying in {} ms", writer_->name(),
                    config_problem ? "refuses the writes" : "write failed", r.http_status,
                    r.message, count, writer_->noun().plural, delay.count()));
  }
  return pause(delay, false);
}

// Exponential from retry_initial, capped at retry_max, with jitter in [base/2, base]; a longer
// Retry-After from the backend wins, itself capped at retry_after_cap.
std::chrono::milliseconds sender::backoff_delay(const write_result& r, int attempt) {
  const auto base = std::min<std::chrono::milliseconds>(
      options_.retry_max, options_.retry_initial * (1LL << std::min(attempt, max_doublings)));
  std::uniform_int_distribution<long long> jitter(base.count() / 2, base.count());
  const auto delay = std::chrono::milliseconds(jitter(rng_));
  return std::max(delay, std::min(r.retry_after, options_.retry_after_cap));
}

}  // namespace dial_analytics::output
