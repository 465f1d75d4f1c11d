// SPDX-License-Identifier: Apache-2.0
// A durable on-disk queue of line protocol: accepted points are appended (and fsync'ed) before
// a batch is acknowledged, and a single consumer drains them in order.
//
// Files: `points-<seq>.lp` segments (plain line protocol, rotated at `segment_bytes`) and, when
// there is a consumer, a `cursor` file (`<seq> <offset>`). After a crash, the pending lines are
// exactly those after the cursor; a torn last line (a batch never acknowledged) is cut off.
// Without a consumer the segments are the output (loadable with `influx write` or `curl`).
//
// Thread-safety: append() from any thread; read()/consume() from one consumer thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace dial_analytics {

/// Options of a spool.
struct spool_options {
  std::filesystem::path dir = "data";         ///< created if missing
  std::uint64_t max_bytes = 1ull << 30;       ///< pending (or, without consumer, stored) bytes cap
  std::uint64_t segment_bytes = 64ull << 20;  ///< rotate segments at this size
  bool sync = true;                           ///< fdatasync each append before returning
  bool has_consumer = true;                   ///< false: the segments are the output, no cursor
  std::string segment_header;                 ///< written at the top of each new segment (comments)
};

/// The durable queue.
class spool {
 public:
  /// Opens or creates the spool in `opts.dir` and recovers its state.
  /// @throws config_error when the directory cannot be used.
  explicit spool(spool_options opts);
  ~spool();
  spool(const spool&) = delete;
  spool& operator=(const spool&) = delete;

  /// Appends whole lines ('\n'-terminated) durably.
  /// @return `std::errc::no_space_on_device` when the cap would be exceeded (nothing written),
  ///         or the I/O error.
  [[nodiscard]] std::error_code append(std::string_view lines);

  /// Copies pending whole lines from the cursor into `out` (replacing it): at most `max_bytes`
  /// and `max_lines`, but at least one line. @return false when nothing is pending.
  bool read(std::string& out, std::size_t max_bytes, std::size_t max_lines);
  /// Marks the first `bytes` pending bytes as done; finished segments are deleted.
  void consume(std::size_t bytes);
  /// Waits until something is pending or `timeout` passes; @return true if something is pending.
  bool wait(std::chrono::milliseconds timeout);
  /// Wakes a waiting consumer (for shutdown).
  void notify();

  [[nodiscard]] std::uint64_t pending_bytes() const;
  /// When the oldest pending point was appended (approximate: its segment's start), if any.
  [[nodiscard]] std::optional<std::chrono::system_clock::time_point> oldest_pending() const;
  /// The segment files, oldest first.
  [[nodiscard]] std::vector<std::filesystem::path> segments() const;
  [[nodiscard]] const spool_options& options() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace dial_analytics
