// SPDX-License-Identifier: Apache-2.0
// The spool → backend drain (see sender.hpp; the policy is in docs/outputs.md). Nothing is ever
// given up: the spool is durable, so retries go on (capped backoff) and the data stays until the
// backend answers for it.
#include <dial_analytics/output/sender.hpp>

#include <algorithm>
#include <random>
#include <string>

namespace dial_analytics::output {
sender::sender(spool& source, std::unique_ptr<batch_writer> writer, sender_options opts)
    : spool_(source), writer_(std::move(writer)), options_(std::move(opts)) {
  thread_ = std::thread([this] { run(); });
}

sender::~sender() { stop(std::chrono::milliseconds(0)); }

void sender::stop(std::chrono::milliseconds drain) {
  if (!thread_.joinable()) return;
  drain_deadline_ = std::chrono::steady_clock::now() + drain;
  draining_ = true;
  if (drain.count() == 0) stopping_ = true;
  spool_.notify();
  thread_.join();
}

bool sender::sleep_for(std::chrono::milliseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    if (stopping_ || (draining_ && std::chrono::steady_clock::now() >= drain_deadline_)) {
      return false;
    }
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        until - std::chrono::steady_clock::now(), std::chrono::milliseconds(20)));
  }
  return true;
}

void sender::run() {
  std::string batch;
  bool lingered = false;
  while (!stopping_) {
    if (draining_ && std::chrono::steady_clock::now() >= drain_deadline_) break;
    if (!spool_.read(batch, options_.batch_bytes, options_.batch_lines)) {
      if (draining_) break;  // drained
      spool_.wait(std::chrono::milliseconds(200));
      continue;
    }
    if (!lingered && !draining_ && options_.linger.count() > 0 &&
        count_lines(batch) < options_.batch_lines && batch.size() < options_.batch_bytes / 2) {
      lingered = true;  // once: then send what there is
      if (!sleep_for(options_.linger)) break;
      continue;
    }
    lingered = false;
    if (!send(batch)) break;  // stop requested while retrying: the batch stays in the spool
    spool_.consume(batch.size());
  }
}

// Sends `lines` until InfluxDB has answered for every line: written, rejected, or (one line
// alone too large) dropped. Returns false when asked to stop first.
bool sender::send(std::string_view lines) {
  std::mt19937_64 rng(std::random_device{}());
  int attempt = 0;
  while (true) {
    const auto start = std::chrono::steady_clock::now();
    const write_result r = writer_->write(lines);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++stats_.requests;
    stats_.latency_sum_us += static_cast<std::uint64_t>(seconds * 1e6);
    std::size_t bucket = 0;
    while (bucket < latency_buckets.size() && seconds > latency_buckets[bucket]) ++bucket;
    ++stats_.latency_count[bucket];

    const std::size_t n = count_lines(lines);
    switch (r.outcome) {
      case write_outcome::written:
        stats_.lines_written += n;
        stats_.bytes_written += lines.size();
        stats_.healthy = true;
        return true;
      case write_outcome::rejected:
        // Never resent. Points InfluxDB did accept in a partial write count as written.
        stats_.lines_rejected += r.rejected_lines;
        stats_.lines_written += n - std::min(n, r.rejected_lines);
        stats_.healthy = true;
        if (options_.log) {
          options_.log(log_level::error, "InfluxDB rejected " + std::to_string(r.rejected_lines) +
                                             " of " + std::to_string(n) + " points (HTTP " +
                                             std::to_string(r.http_status) + "): " + r.message);
        }
        return true;
      case write_outcome::too_large: {
        if (n <= 1) {
          ++stats_.lines_dropped;
          if (options_.log) {
            options_.log(log_level::error,
                         "InfluxDB refuses a single point as too large (413); "
                         "dropped " +
                             std::to_string(lines.size()) + " bytes");
          }
          return true;
        }
        // Split at the last line end before the middle (or the first one after it).
        std::size_t mid = lines.rfind('\n', lines.size() / 2 - 1);
        if (mid == std::string_view::npos) mid = lines.find('\n');
        const std::size_t cut = mid + 1;
        return send(lines.substr(0, cut)) && send(lines.substr(cut));
      }
      case write_outcome::retry:
      case write_outcome::unavailable: {
        ++stats_.failed_requests;
        stats_.lines_retried += n;
        stats_.healthy = false;
        const auto base = std::min<std::chrono::milliseconds>(
            options_.retry_max, options_.retry_initial * (1LL << std::min(attempt, 20)));
        // Full jitter in [base/2, base], or the server's Retry-After (capped) when longer.
        std::uniform_int_distribution<long long> jitter(base.count() / 2, base.count());
        auto delay = std::chrono::milliseconds(jitter(rng));
        delay = std::max(delay, std::min(r.retry_after, options_.retry_after_cap));
        if (options_.log && (attempt == 0 || r.outcome == write_outcome::unavailable)) {
          const bool config_problem = r.outcome == write_outcome::unavailable;
          options_.log(config_problem ? log_level::error : log_level::warning,
                       std::string(config_problem ? "InfluxDB refuses the writes"
                                                  : "InfluxDB write failed") +
                           " (HTTP " + std::to_string(r.http_status) + "): " + r.message +
                           "; keeping " + std::to_string(n) + " points, retrying in " +
                           std::to_string(delay.count()) + " ms");
        }
        ++attempt;
        if (!sleep_for(delay)) return false;
        break;
      }
    }
  }
}

}  // namespace dial_analytics::output
