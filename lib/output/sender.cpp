// SPDX-License-Identifier: Apache-2.0
// The spool → backend drain (see sender.hpp; the retry policy is in docs/outputs.md). Nothing is
// ever given up: the spool is durable, so retries go on (capped backoff) and the data stays until
// the backend answers for it.
#include <dial_analytics/output/sender.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>
#include <system_error>
#include <vector>

#include "detail/posix_io.hpp"

namespace dial_analytics::output {
namespace {
using steady = std::chrono::steady_clock;

// How long the idle sender sleeps between looks at an empty spool (append() wakes it earlier).
constexpr std::chrono::milliseconds idle_wait{200};
// Backoff doubles at most this many times before `retry_max` caps it anyway.
constexpr int max_doublings = 20;
// A backend's reason in a dead-letter comment line is cut to this many bytes.
constexpr std::size_t max_reason_bytes = 500;

// `2024-05-01T12:00:00Z`
std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char text[32];
  return std::string(text, std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm));
}

// The reason on one comment line.
std::string one_line(std::string_view message) {
  std::string out(message.substr(0, max_reason_bytes));
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return out;
}

// Where to halve `lines` (more than one line): after the last line end before the middle, or
// after the first one.
std::size_t split_point(std::string_view lines) {
  std::size_t mid = lines.rfind('\n', lines.size() / 2 - 1);
  if (mid == std::string_view::npos) mid = lines.find('\n');
  return mid + 1;
}
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
    if (!deliver(batch)) break;  // stop requested while retrying: the batch stays in the spool
    spool_.consume(batch.size());
  }
}

// Sends one batch read from the spool and reports what the backend refused of it, in one line.
bool sender::deliver(std::string_view batch) {
  const std::size_t count = count_lines(batch);
  tally_ = {};
  tally_.budget = options_.bisect_requests_per_line * count;
  const bool answered = send(batch);
  if (answered && tally_.parts > 0) report_refusals(count);
  return answered;
}

bool sender::should_linger(std::string_view batch) const {
  return !draining_ && options_.linger.count() > 0 && count_lines(batch) < options_.batch_lines &&
         batch.size() < options_.batch_bytes / 2;
}

// Sends `lines` until the backend has answered for every line: written, rejected, or (one line
// alone too large) dropped. A per-line answer settles the lines it names and leaves the ones to
// resend, which are sent again after a backoff. @return false when asked to stop first.
bool sender::send(std::string_view lines) {
  std::size_t count = count_lines(lines);
  std::string resend;  // owns the lines a per-line answer asked for; `lines` then views it
  bool resent = false;
  for (int attempt = 0;; ++attempt) {
    const write_result r = timed_write(lines);
    switch (r.outcome) {
      case write_outcome::written: {
        if (!r.per_line()) {
          count_written(lines, count);
          return true;
        }
        std::string rest = settle_lines(r, lines, count);
        if (rest.empty()) return true;
        resend = std::move(rest);
        lines = resend;
        count = count_lines(lines);
        if (!back_off_lines(r, count, attempt, !resent)) return false;
        resent = true;
        break;
      }
      case write_outcome::rejected:
        return refused(r, lines, count);
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

// The backend stored every line.
void sender::count_written(std::string_view lines, std::size_t count) {
  stats_.healthy = true;
  stats_.lines_written += count;
  stats_.bytes_written += lines.size();
}

// Some or all of `lines` were refused for good. With a dead-letter file, a partial refusal is
// halved and the halves resent (the backend does not say which lines it refused; resending
// stored lines is harmless), down to single lines, within the request budget; a part refused
// whole, a single line, or a part left when the budget is spent goes to the dead-letter file.
bool sender::refused(const write_result& r, std::string_view lines, std::size_t count) {
  stats_.healthy = true;
  const bool dead_letters = !options_.dead_letter_file.empty();
  const std::size_t refused = count == 1 ? 1 : std::min(r.rejected_lines, count);
  bool cut_short = false;
  if (dead_letters && count > 1 && refused < count) {
    if (tally_.budget >= 2) {
      tally_.budget -= 2;
      const std::size_t cut = split_point(lines);
      return send(lines.substr(0, cut)) && send(lines.substr(cut));
    }
    cut_short = tally_.bound_hit = true;
  }
  // Lines the backend did accept in a partial write count as written.
  stats_.lines_rejected += refused;
  stats_.lines_written += count - refused;
  if (tally_.parts++ == 0) tally_.first = r;
  tally_.refused += refused;
  if (dead_letters) {
    if (save_dead_letters(r, lines, cut_short)) {
      stats_.lines_dead_lettered += count;
      tally_.saved += count;
    } else {
      tally_.lost += count;
    }
  }
  return true;
}

// Appends one refused part, after its comment line, to the dead-letter file (durably).
bool sender::save_dead_letters(const write_result& r, std::string_view lines, bool cut_short) {
  std::string text = fmt::format("# {} {} HTTP {}: {}\n", utc_now(), writer_->name(), r.http_status,
                                 one_line(r.message));
  if (cut_short)
    text += fmt::format("# (bisection bound reached: may include {} {} stored)\n",
                        writer_->noun().plural, writer_->name());
  text += lines;
  if (!lines.empty() && lines.back() != '\n') text += '\n';
  return append_dead_letters(text, count_lines(lines));
}

// Appends `text` (comment lines and `count` refused lines) to the dead-letter file, durably.
bool sender::append_dead_letters(const std::string& text, std::size_t count) {
  const std::filesystem::path& file = options_.dead_letter_file;
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && detail::write_all(fd, text) && ::fdatasync(fd) == 0;
  const int error = errno;
  if (fd >= 0) ok = ::close(fd) == 0 && ok;
  if (!ok) {
    log(log_level::error, fmt::format("cannot save {} refused {} to {}: {}; they are lost", count,
                                      writer_->noun().plural, file.string(), std::strerror(error)));
  }
  return ok;
}

// A per-line answer to `lines`: the lines it does not list are stored, the refused ones are
// counted and dead-lettered exactly (each after a comment line with its own status and reason).
// @return the lines to resend, in their order (empty: every line is answered for).
std::string sender::settle_lines(const write_result& r, std::string_view lines, std::size_t count) {
  enum class fate : unsigned char { stored, refused, resend };
  std::vector<fate> fates(count, fate::stored);
  std::vector<const line_refusal*> why(count, nullptr);
  for (const std::size_t i : r.retry_lines) {
    if (i < count) fates[i] = fate::resend;
  }
  for (const line_refusal& x : r.refused) {  // a refusal wins over a resend of the same line
    if (x.line < count) {
      fates[x.line] = fate::refused;
      why[x.line] = &x;
    }
  }
  std::string resend, dead_letters;
  const line_refusal* first = nullptr;
  std::size_t refused = 0, stored = 0, stored_bytes = 0, pos = 0;
  for (std::size_t i = 0; i < count && pos < lines.size(); ++i) {
    const std::size_t end = std::min(lines.find('\n', pos), lines.size() - 1) + 1;
    const std::string_view line = lines.substr(pos, end - pos);
    pos = end;
    if (fates[i] == fate::stored) {
      ++stored;
      stored_bytes += line.size();
    } else if (fates[i] == fate::resend) {
      resend += line;
    } else {
      const int status = why[i]->http_status != 0 ? why[i]->http_status : r.http_status;
      if (!first) first = why[i];
      ++refused;
      dead_letters += fmt::format("# {} {} HTTP {}: {}\n", utc_now(), writer_->name(), status,
                                  one_line(why[i]->reason));
      dead_letters += line;
      if (line.back() != '\n') dead_letters += '\n';
    }
  }
  stats_.lines_written += stored;
  stats_.bytes_written += stored_bytes;
  // The backend answered: it is reachable and takes writes unless it took none of these lines.
  stats_.healthy = resend.size() < lines.size();
  if (first) refuse_lines(*first, r.http_status, refused, dead_letters);
  return resend;
}

// Counts `count` lines refused by a per-line answer and saves them (`dead_letters`, with their
// comment lines); the batch's one ERROR line reports the first refusal.
void sender::refuse_lines(const line_refusal& first, int http_status, std::size_t count,
                          const std::string& dead_letters) {
  stats_.lines_rejected += count;
  if (tally_.parts++ == 0) {
    tally_.first = write_result(write_outcome::rejected,
                                first.http_status != 0 ? first.http_status : http_status, count,
                                std::chrono::milliseconds(0), first.reason);
  }
  tally_.refused += count;
  if (options_.dead_letter_file.empty()) return;
  if (append_dead_letters(dead_letters, count)) {
    stats_.lines_dead_lettered += count;
    tally_.saved += count;
  } else {
    tally_.lost += count;
  }
}

// Waits before resending the `count` lines a per-line answer asked for (the usual backoff,
// Retry-After honoured); the first such wait of a batch is logged as a warning.
bool sender::back_off_lines(const write_result& r, std::size_t count, int attempt, bool first) {
  stats_.lines_retried += count;
  const std::chrono::milliseconds delay = backoff_delay(r, attempt);
  if (first) {
    log(log_level::warning,
        fmt::format("{} asks to resend {} {} later: {}; retrying in {} ms", writer_->name(), count,
                    writer_->noun().plural, r.message, delay.count()));
  }
  return pause(delay, false);
}

// One ERROR line per batch: what was refused, why and what to do, where the lines are.
void sender::report_refusals(std::size_t count) {
  const write_result& r = tally_.first;
  std::string line =
      fmt::format("{} rejected {} of {} {} (HTTP {}): {}", writer_->name(), tally_.refused, count,
                  writer_->noun().plural, r.http_status, r.message);
  if (const std::string remedy = writer_->remedy(r.message); !remedy.empty()) line += "; " + remedy;
  if (tally_.saved > 0) {
    line += fmt::format("; dead-lettered {} {} to {}", tally_.saved, writer_->noun().plural,
                        options_.dead_letter_file.string());
    if (tally_.bound_hit)
      line +=
          fmt::format(" (bisection bound reached: may include stored {})", writer_->noun().plural);
  }
  log(log_level::error, line);
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
  const std::size_t cut = split_point(lines);
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
