// SPDX-License-Identifier: Apache-2.0
// The durable spool (see spool.hpp). POSIX files: append + fdatasync before acknowledging,
// pread for the consumer, an atomically replaced cursor file.
#include <dial_analytics/output/spool.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>

#include <dial_analytics/error.hpp>

#include "detail/posix_io.hpp"

namespace dial_analytics::output {
namespace fs = std::filesystem;
using clock_type = std::chrono::system_clock;

namespace {

// Sequence numbers in segment names are zero-padded to this width, so names sort by age.
constexpr std::size_t min_seq_digits = 6;

// Errors of the file system are system_category codes; the spool's own refusals (the cap, a batch
// larger than the cap) are generic_category codes (see classify_append_error).
std::error_code last_error() { return {errno, std::system_category()}; }

// A fully sent last segment at least this large (or segment_bytes) is deleted at once, so that a
// drained spool gives its disk space back (a smaller one is kept and appended to).
constexpr std::uint64_t reclaim_bytes = 1ull << 20;

// A cursor sequence beyond this is corrupt: it is ignored (sequences count segments).
constexpr std::uint64_t max_sane_seq = 1ull << 48;

void remove_file(const fs::path& p) {
  std::error_code ec;
  fs::remove(p, ec);
}

void sync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// The sequence number of a segment file named `<prefix><digits><extension>`; nothing for any
// other file (the cursor, other outputs' segments in the same directory).
std::optional<std::uint64_t> segment_seq(std::string_view name, std::string_view prefix,
                                         std::string_view extension) {
  if (name.size() <= prefix.size() + extension.size() || !name.starts_with(prefix) ||
      !name.ends_with(extension)) {
    return std::nullopt;
  }
  const std::string_view digits =
      name.substr(prefix.size(), name.size() - prefix.size() - extension.size());
  std::uint64_t seq = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return seq;
}

}  // namespace

struct spool::impl {
  struct segment {
    std::uint64_t seq;
    fs::path path;
    std::uint64_t size;
    clock_type::time_point started;
  };

  spool_options options;
  mutable std::mutex mutex;
  std::condition_variable cv;
  std::deque<segment> segments;
  std::uint64_t cursor_seq = 0;
  std::uint64_t cursor_offset = 0;
  int write_fd = -1;
  int read_fd = -1;
  std::uint64_t read_seq = 0;

  ~impl() {
    if (write_fd >= 0) ::close(write_fd);
    if (read_fd >= 0) ::close(read_fd);
  }

  // `<prefix><seq, at least 6 digits><extension>`, e.g. points-000001.lp.
  fs::path segment_path(std::uint64_t seq) const {
    std::string digits = std::to_string(seq);
    if (digits.size() < min_seq_digits) digits.insert(0, min_seq_digits - digits.size(), '0');
    return options.dir / (options.segment_prefix + digits + options.segment_extension);
  }

  std::uint64_t pending() const {
    std::uint64_t total = 0;
    for (const segment& s : segments) total += s.size;
    if (!options.files_are_output && !segments.empty()) total -= cursor_offset;
    return total;
  }

  void recover() {
    const auto plain = [](const std::string& part) { return part.find('/') == std::string::npos; };
    if (!plain(options.segment_prefix) || !plain(options.segment_extension)) {
      throw config_error("the spool's segment prefix and extension must not contain '/' (got '" +
                         options.segment_prefix + "' and '" + options.segment_extension + "')");
    }
    std::error_code ec;
    fs::create_directories(options.dir, ec);
    if (ec)
      throw config_error("cannot create the data directory " + options.dir.string() + ": " +
                         ec.message());
    if (::access(options.dir.c_str(), W_OK) != 0) {
      throw config_error("the data directory " + options.dir.string() + " is not writable");
    }
    std::vector<segment> found;
    for (const auto& entry : fs::directory_iterator(options.dir)) {
      if (!entry.is_regular_file()) continue;
      const std::string name = entry.path().filename().string();
      if (auto seq = segment_seq(name, options.segment_prefix, options.segment_extension)) {
        const auto mtime = fs::last_write_time(entry.path());
        const auto started = std::chrono::time_point_cast<clock_type::duration>(
            mtime - fs::file_time_type::clock::now() + clock_type::now());
        found.push_back(
            {*seq, entry.path(), static_cast<std::uint64_t>(entry.file_size()), started});
      }
    }
    std::sort(found.begin(), found.end(),
              [](const segment& a, const segment& b) { return a.seq < b.seq; });
    segments.assign(found.begin(), found.end());
    if (!options.files_are_output) read_cursor();
    if (!segments.empty()) cut_torn_tail(segments.back());
    // The cut may leave the cursor beyond the end of the (first) segment: clamp it, or pending()
    // would underflow and the cap refuse every append.
    if (!segments.empty()) cursor_offset = std::min(cursor_offset, segments.front().size);
    if (!options.files_are_output) reclaim_if_drained();
  }

  void read_cursor() {
    std::ifstream in(options.dir / "cursor");
    std::uint64_t seq = 0, offset = 0;
    const bool parsed = static_cast<bool>(in >> seq >> offset) && seq < max_sane_seq;
    if (!parsed || segments.empty()) {
      // Without segments, new ones continue after the cursor's (an older number would be skipped
      // as consumed at the next start).
      cursor_seq = segments.empty() ? (parsed ? seq : 0) : segments.front().seq;
      cursor_offset = 0;
      if (parsed && segments.empty()) persist_cursor();  // no stale offset into a new segment
      return;
    }
    while (!segments.empty() && segments.front().seq < seq) {
      remove_file(segments.front().path);
      segments.pop_front();
    }
    if (!segments.empty() && segments.front().seq == seq) {
      cursor_seq = seq;
      cursor_offset = std::min(offset, segments.front().size);
    } else {
      cursor_seq = segments.empty() ? 0 : segments.front().seq;
      cursor_offset = 0;
    }
  }

  // A crash in the middle of an append leaves a partial last line of a batch that was never
  // acknowledged: cut the file back to its last newline.
  void cut_torn_tail(segment& s) {
    const int fd = ::open(s.path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return;
    std::uint64_t end = s.size;
    char buf[4096];
    while (end > 0) {
      const std::uint64_t from = end > sizeof buf ? end - sizeof buf : 0;
      const auto n = ::pread(fd, buf, end - from, static_cast<off_t>(from));
      if (n <= 0) break;
      const std::string_view chunk(buf, static_cast<std::size_t>(n));
      const auto nl = chunk.rfind('\n');
      if (nl != std::string_view::npos) {
        end = from + nl + 1;
        break;
      }
      end = from;
    }
    if (end != s.size) {
      if (::ftruncate(fd, static_cast<off_t>(end)) == 0) s.size = end;
    }
    ::close(fd);
  }

  std::error_code open_new_segment() {
    if (write_fd >= 0) ::close(write_fd);
    const std::uint64_t seq =
        segments.empty() ? std::max<std::uint64_t>(cursor_seq, 1) : segments.back().seq + 1;
    const fs::path path = segment_path(seq);
    write_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (write_fd < 0) return last_error();
    std::uint64_t size = 0;
    if (!options.segment_header.empty()) {
      if (!detail::write_all(write_fd, options.segment_header)) {
        const std::error_code ec = last_error();
        ::close(write_fd);  // no half-made segment: the next append starts it again
        write_fd = -1;
        remove_file(path);
        return ec;
      }
      size = options.segment_header.size();
    }
    segments.push_back({seq, path, size, clock_type::now()});
    if (segments.size() == 1) {
      cursor_seq = seq;
      cursor_offset = 0;
    }
    if (options.sync) sync_dir(options.dir);
    return {};
  }

  // Re-reads the segments' sizes and forgets segments the operator moved away (only without a
  // consumer); @return the bytes still stored.
  std::uint64_t refresh_sizes_from_disk() {
    std::uint64_t total = 0;
    std::deque<segment> kept;
    for (segment& s : segments) {
      std::error_code ec;
      const auto size = fs::file_size(s.path, ec);
      if (ec) continue;  // moved away by the operator
      s.size = size;
      total += size;
      kept.push_back(s);
    }
    segments.swap(kept);
    return total;
  }

  // Moves the cursor past fully consumed segments, deleting them (the last one stays: appends
  // continue there).
  void drop_finished_segments() {
    while (segments.size() > 1 && cursor_offset >= segments.front().size) {
      remove_file(segments.front().path);
      segments.pop_front();
      cursor_seq = segments.front().seq;
      cursor_offset = 0;
    }
  }

  // A fully sent last segment of some size is deleted too (a full disk gets its space back); the
  // cursor moves to the next sequence first, so a crash in between only leaves a sent file.
  void reclaim_if_drained() {
    if (segments.size() != 1) return;
    const segment& last = segments.front();
    if (cursor_offset < last.size ||
        last.size < std::min(reclaim_bytes, std::max<std::uint64_t>(options.segment_bytes, 1)))
      return;
    cursor_seq = last.seq + 1;
    cursor_offset = 0;
    persist_cursor();
    if (write_fd >= 0) ::close(write_fd);
    if (read_fd >= 0) ::close(read_fd);
    write_fd = read_fd = -1;
    remove_file(last.path);
    segments.clear();
  }

  // Cuts a failed append off the current segment: nothing of a batch that was not acknowledged
  // stays. If even that fails, the segment is closed and the next append starts a new one (reads
  // stop at the recorded size; a restart cuts the torn tail).
  void undo_append(const segment& seg) {
    if (::ftruncate(write_fd, static_cast<off_t>(seg.size)) != 0) {
      ::close(write_fd);
      write_fd = -1;
    }
  }

  void persist_cursor() {
    const fs::path tmp = options.dir / "cursor.tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return;
    const std::string text =
        std::to_string(cursor_seq) + " " + std::to_string(cursor_offset) + "\n";
    const bool ok = detail::write_all(fd, text);
    if (options.sync) ::fdatasync(fd);
    ::close(fd);
    // A lost rename only means an older cursor: some lines are sent twice. Delivery is
    // at-least-once; backends absorb repeats (InfluxDB overwrites the same series and time).
    if (ok) ::rename(tmp.c_str(), (options.dir / "cursor").c_str());
  }
};

spool::spool(spool_options opts) : impl_(std::make_unique<impl>()) {
  impl_->options = std::move(opts);
  impl_->recover();
}
spool::~spool() = default;

std::error_code spool::append(std::string_view lines) {
  if (lines.empty()) return {};
  impl& m = *impl_;
  std::lock_guard lock(m.mutex);
  if (lines.size() > m.options.max_bytes) return std::make_error_code(std::errc::value_too_large);
  if (m.pending() + lines.size() > m.options.max_bytes) {
    // Without a consumer, files the operator moved away free space again.
    if (!m.options.files_are_output ||
        m.refresh_sizes_from_disk() + lines.size() > m.options.max_bytes) {
      return std::make_error_code(std::errc::no_space_on_device);
    }
  }
  const bool need_new = m.write_fd < 0 || m.segments.empty() ||
                        (m.segments.back().size > m.options.segment_header.size() &&
                         m.segments.back().size + lines.size() > m.options.segment_bytes);
  if (need_new) {
    if (auto ec = m.open_new_segment()) return ec;
  }
  impl::segment& seg = m.segments.back();
  // Leave no partial batch behind: it was not acknowledged.
  if (!detail::write_all(m.write_fd, lines) || (m.options.sync && ::fdatasync(m.write_fd) != 0)) {
    const std::error_code ec = last_error();
    m.undo_append(seg);
    return ec;
  }
  seg.size += lines.size();
  m.cv.notify_all();
  return {};
}

bool spool::read(std::string& out, std::size_t max_bytes, std::size_t max_lines) {
  impl& m = *impl_;
  std::lock_guard lock(m.mutex);
  out.clear();
  m.drop_finished_segments();  // the cursor may sit at the end of a segment that was rotated
  if (m.segments.empty() || m.cursor_offset >= m.segments.front().size) return false;
  const impl::segment& seg = m.segments.front();
  if (m.read_fd < 0 || m.read_seq != seg.seq) {
    if (m.read_fd >= 0) ::close(m.read_fd);
    m.read_fd = ::open(seg.path.c_str(), O_RDONLY | O_CLOEXEC);
    m.read_seq = seg.seq;
    if (m.read_fd < 0) return false;
  }
  std::uint64_t offset = m.cursor_offset;
  const std::uint64_t available = seg.size - offset;
  std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(available, max_bytes));
  std::size_t lines = 0;
  std::size_t cut = 0;
  while (true) {
    const std::size_t have = out.size();
    out.resize(want);
    const auto n =
        ::pread(m.read_fd, out.data() + have, want - have, static_cast<off_t>(offset + have));
    if (n < 0) {
      out.clear();
      return false;
    }
    out.resize(have + static_cast<std::size_t>(n));
    for (std::size_t i = cut; i < out.size(); ++i) {
      if (out[i] == '\n') {
        cut = i + 1;
        if (++lines == max_lines) break;
      }
    }
    if (lines > 0 || out.size() >= available) break;
    want = static_cast<std::size_t>(std::min<std::uint64_t>(available, out.size() * 2 + 4096));
  }
  out.resize(cut);
  return !out.empty();
}

void spool::consume(std::size_t bytes) {
  impl& m = *impl_;
  std::lock_guard lock(m.mutex);
  m.cursor_offset += bytes;
  m.drop_finished_segments();
  m.persist_cursor();
  m.reclaim_if_drained();
}

bool spool::wait(std::chrono::milliseconds timeout) {
  impl& m = *impl_;
  std::unique_lock lock(m.mutex);
  return m.cv.wait_for(lock, timeout, [&] { return m.pending() > 0; });
}

void spool::notify() { impl_->cv.notify_all(); }

std::uint64_t spool::pending_bytes() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->pending();
}

std::optional<std::chrono::system_clock::time_point> spool::oldest_pending() const {
  std::lock_guard lock(impl_->mutex);
  if (impl_->pending() == 0 || impl_->segments.empty()) return std::nullopt;
  return impl_->segments.front().started;
}

std::vector<std::filesystem::path> spool::segments() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<fs::path> out;
  for (const auto& s : impl_->segments) out.push_back(s.path);
  return out;
}

const spool_options& spool::options() const noexcept { return impl_->options; }

append_error classify_append_error(std::error_code ec) noexcept {
  if (!ec) return append_error::none;
  if (ec.category() == std::generic_category()) {
    if (ec.value() == static_cast<int>(std::errc::no_space_on_device)) return append_error::full;
    if (ec.value() == static_cast<int>(std::errc::value_too_large)) return append_error::too_large;
  }
  return append_error::storage;
}

}  // namespace dial_analytics::output
