// SPDX-License-Identifier: Apache-2.0
// Lanes of spool + sender behind one append() (see spooled_output.hpp and docs/outputs.md).
#include <dial_analytics/output/spooled_output.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <dial_analytics/error.hpp>

namespace dial_analytics::output {
namespace fs = std::filesystem;

namespace {

// A file-system error of the spool is logged at most this often (every append fails alike).
constexpr std::chrono::seconds storage_log_interval{30};
// Dead letters are resent in appends of about this size.
constexpr std::size_t resend_chunk_bytes = 1u << 20;

// `<dir>/lock`, flock'ed for the life of the output: a second process on the same directory
// would append to the same segments.
class dir_lock {
 public:
  explicit dir_lock(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
      throw config_error("cannot create the data directory " + dir.string() + ": " + ec.message());
    const fs::path file = dir / "lock";
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw config_error("cannot open the lock file " + file.string() + ": " +
                         std::error_code(errno, std::system_category()).message());
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      char pid[32] = {};
      const auto n = ::pread(fd_, pid, sizeof pid - 1, 0);
      std::string holder(pid, n > 0 ? static_cast<std::size_t>(n) : 0);
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      ::close(fd_);
      throw config_error(fmt::format(
          "{} is in use by another process (pid {}; lock file {}): one server per DATA_DIR",
          dir.string(), holder.empty() ? "unknown" : holder, file.string()));
    }
    const std::string me = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) == 0) {
      [[maybe_unused]] const auto written = ::pwrite(fd_, me.data(), me.size(), 0);
    }
  }
  ~dir_lock() { ::close(fd_); }
  dir_lock(const dir_lock&) = delete;
  dir_lock& operator=(const dir_lock&) = delete;

 private:
  int fd_ = -1;
};

std::string errno_name(int error) {
  switch (error) {
    case ENOSPC:
      return "ENOSPC";
    case EDQUOT:
      return "EDQUOT";
    case EIO:
      return "EIO";
    case EFBIG:
      return "EFBIG";
    case EROFS:
      return "EROFS";
    case EACCES:
      return "EACCES";
    default:
      return "errno " + std::to_string(error);
  }
}

fs::path lane_dir(const fs::path& dir, std::size_t lane) {
  return dir / ("lane-" + std::to_string(lane));
}

// The active lanes, plus the lanes an earlier run with more lanes left behind (lane-<n>,
// lane-<n+1>, … as long as they exist): those are drained but get no new data.
std::size_t lanes_on_disk(const fs::path& dir, std::size_t active) {
  std::size_t lanes = active;
  std::error_code ec;
  while (fs::exists(lane_dir(dir, lanes), ec)) ++lanes;
  return lanes;
}

}  // namespace

struct spooled_output::impl {
  spooled_output_options options;
  std::unique_ptr<dir_lock> dir_locked;  // first: released last
  std::size_t active_lanes = 1;
  std::atomic<std::size_t> next_lane{0};
  std::atomic<std::uint64_t> batches_dropped{0};
  std::atomic<std::uint64_t> batch_lines_dropped{0};
  std::uint64_t resent = 0;
  std::mutex storage_mutex;  // with the two below: the file-system error log
  std::atomic<bool> storage_failing{false};
  std::chrono::steady_clock::time_point storage_logged{};
  std::vector<std::unique_ptr<spool>> spools;
  std::vector<std::unique_ptr<sender>> senders;  // after spools: destroyed (stopped) first

  void open_files_only() {
    spool_options o = options.spool;
    o.dir = options.dir;
    o.files_are_output = true;
    spools.push_back(std::make_unique<spool>(std::move(o)));
  }

  void open_lanes(const writer_factory& make_writer) {
    active_lanes = std::max<std::size_t>(options.lanes, 1);
    const std::size_t lanes = lanes_on_disk(options.dir, active_lanes);
    std::vector<std::unique_ptr<batch_writer>> writers;
    for (std::size_t i = 0; i < lanes; ++i) {
      spool_options o = options.spool;
      o.dir = lane_dir(options.dir, i);
      o.files_are_output = false;
      spools.push_back(std::make_unique<spool>(std::move(o)));
      writers.push_back(make_writer());
    }
    if (options.resend_dead_letters && !options.dead_letter_dir.empty())
      resend(writers.front()->noun());
    for (std::size_t i = 0; i < lanes; ++i) {
      sender_options o = options.sender;
      if (!options.dead_letter_dir.empty()) {
        o.dead_letter_file =
            options.dead_letter_dir / (options.spool.segment_prefix + "lane-" + std::to_string(i) +
                                       options.spool.segment_extension);
      }
      senders.push_back(std::make_unique<sender>(*spools[i], std::move(writers[i]), o));
    }
  }

  void log(log_level level, const std::string& message) const {
    if (options.sender.log) options.sender.log(level, message);
  }

  // Appends `chunk` to the next active lane; @throws config_error when it cannot.
  void resend_chunk(std::string& chunk, const fs::path& file) {
    if (chunk.empty()) return;
    if (const std::error_code ec = spools[next_lane++ % active_lanes]->append(chunk)) {
      throw config_error(
          fmt::format("cannot resend the dead letters of {}: {} (raise the spool "
                      "cap or free space, then start again; the file is kept)",
                      file.string(), ec.message()));
    }
    chunk.clear();
  }

  // Every dead-letter file's lines (not its comments) go to the lanes, then the file goes.
  void resend(line_noun noun) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(options.dead_letter_dir, ec)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      std::ifstream in(file, std::ios::binary);
      std::string line, chunk;
      while (std::getline(in, line)) {
        if (line.empty() || line.front() == '#') continue;
        chunk += line;
        chunk += '\n';
        ++resent;
        if (chunk.size() >= resend_chunk_bytes) resend_chunk(chunk, file);
      }
      resend_chunk(chunk, file);
      fs::remove(file, ec);
    }
    log(log_level::info, fmt::format("resent {} dead-lettered {} from {} file(s) in {}", resent,
                                     noun.plural, files.size(), options.dead_letter_dir.string()));
  }

  // A file-system error (not the cap): logged with the errno and the directory, at most every
  // storage_log_interval; its end is logged once.
  void note_append(std::error_code ec) {
    const bool storage = classify_append_error(ec) == append_error::storage;
    std::lock_guard guard(storage_mutex);
    const auto now = std::chrono::steady_clock::now();
    if (storage && (!storage_failing || now - storage_logged >= storage_log_interval)) {
      storage_logged = now;
      log(log_level::error,
          fmt::format("cannot write the spool in {}: {} ({}); answering 503 until it can: free "
                      "space on its file system (DATA_DIR)",
                      options.dir.string(), ec.message(), errno_name(ec.value())));
    } else if (!ec && storage_failing) {
      log(log_level::info, fmt::format("the spool in {} is writable again", options.dir.string()));
    }
    if (storage || !ec) storage_failing = storage;
  }

  std::uint64_t pending() const {
    std::uint64_t total = 0;
    for (const auto& s : spools) total += s->pending_bytes();
    return total;
  }

  // Whether `bytes` more fit under the cap shared by all lanes. One lane: its own cap decides.
  bool fits(std::size_t bytes) const {
    return spools.size() == 1 || pending() + bytes <= options.spool.max_bytes;
  }

  void stop_all(std::chrono::milliseconds drain) {
    std::vector<std::thread> stoppers;
    stoppers.reserve(senders.size());
    for (auto& s : senders) stoppers.emplace_back([&s, drain] { s->stop(drain); });
    for (auto& t : stoppers) t.join();
  }
};

spooled_output::spooled_output(spooled_output_options opts, writer_factory make_writer)
    : impl_(std::make_unique<impl>()) {
  impl_->options = std::move(opts);
  impl_->dir_locked = std::make_unique<dir_lock>(impl_->options.dir);
  if (make_writer) {
    impl_->open_lanes(make_writer);
  } else {
    impl_->open_files_only();
  }
}

spooled_output::~spooled_output() { impl_->stop_all(std::chrono::milliseconds(0)); }

std::error_code spooled_output::append(std::string_view lines) {
  impl& m = *impl_;
  std::error_code ec = std::make_error_code(std::errc::no_space_on_device);
  if (lines.size() > m.options.spool.max_bytes) {
    ec = std::make_error_code(std::errc::value_too_large);  // can never fit: 413, not 503
  } else if (m.fits(lines.size())) {
    ec = m.spools[m.next_lane++ % m.active_lanes]->append(lines);
  }
  const append_error kind = classify_append_error(ec);
  if ((kind == append_error::full || kind == append_error::too_large) &&
      m.options.when_full == overflow_policy::drop) {
    ++m.batches_dropped;
    m.batch_lines_dropped += count_lines(lines);
    return {};
  }
  if (kind == append_error::storage || m.storage_failing.load(std::memory_order_relaxed))
    m.note_append(ec);
  return ec;
}

void spooled_output::stop(std::chrono::milliseconds drain) { impl_->stop_all(drain); }

bool spooled_output::has_writer() const noexcept { return !impl_->senders.empty(); }

std::uint64_t spooled_output::resent_dead_letters() const noexcept { return impl_->resent; }

std::size_t spooled_output::lane_count() const noexcept { return impl_->spools.size(); }

std::uint64_t spooled_output::pending_bytes() const { return impl_->pending(); }

std::optional<std::chrono::system_clock::time_point> spooled_output::oldest_pending() const {
  std::optional<std::chrono::system_clock::time_point> oldest;
  for (const auto& s : impl_->spools) {
    if (auto o = s->oldest_pending(); o && (!oldest || *o < *oldest)) oldest = o;
  }
  return oldest;
}

output_stats spooled_output::stats() const {
  output_stats sum;
  sum.batches_dropped = impl_->batches_dropped;
  sum.batch_lines_dropped = impl_->batch_lines_dropped;
  for (const auto& s : impl_->senders) {
    const sender_stats& lane = s->stats();
    sum.lines_written += lane.lines_written;
    sum.lines_rejected += lane.lines_rejected;
    sum.lines_retried += lane.lines_retried;
    sum.lines_dropped += lane.lines_dropped;
    sum.lines_dead_lettered += lane.lines_dead_lettered;
    sum.bytes_written += lane.bytes_written;
    sum.requests += lane.requests;
    sum.failed_requests += lane.failed_requests;
    for (std::size_t b = 0; b < sum.latency_count.size(); ++b)
      sum.latency_count[b] += lane.latency_count[b];
    sum.latency_sum_us += lane.latency_sum_us;
    sum.healthy = sum.healthy && lane.healthy;
  }
  return sum;
}

bool spooled_output::healthy() const {
  return std::all_of(impl_->senders.begin(), impl_->senders.end(),
                     [](const auto& s) { return s->stats().healthy.load(); });
}

const spooled_output_options& spooled_output::options() const noexcept { return impl_->options; }

}  // namespace dial_analytics::output
