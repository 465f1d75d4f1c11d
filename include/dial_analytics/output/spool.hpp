// SPDX-License-Identifier: Apache-2.0
// A durable on-disk queue of '\n'-terminated records (line protocol, JSON documents): accepted
// lines are appended (and fsync'ed) before a batch is acknowledged, and a single consumer drains
// them in order (docs/outputs.md).
//
// Files: segments named `<segment_prefix><seq><segment_extension>` (e.g. `points-000001.lp`,
// rotated at `segment_bytes`) and, when there is a consumer, a `cursor` file (`<seq> <offset>`).
// Other files in the directory are left alone, so outputs with different prefixes may share a
// directory as long as at most one of them has a consumer (the cursor file has a fixed name).
// After a crash, the pending lines are exactly those after the cursor; a torn last line (a batch
// never acknowledged) is cut off. With `files_are_output` there is no consumer: the segments are
// the output (for InfluxDB points, loadable with `influx -import`, `influx write` or `curl`).
//
// Thread-safety: append() and the getters from any thread; read()/consume() from one consumer
// thread.
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

namespace dial_analytics::output {

/// Options of a spool.
struct spool_options {
  std::filesystem::path dir = "data";         ///< created if missing
  std::uint64_t max_bytes = 1ull << 30;       ///< cap on pending (without consumer: stored) bytes
  std::uint64_t segment_bytes = 64ull << 20;  ///< rotate segments at this size
  bool sync = true;                           ///< fdatasync each append before returning
  bool files_are_output = false;              ///< no consumer and no cursor: the segments are kept
  std::string segment_header;                 ///< written at the top of each new segment (comments)
  std::string segment_prefix = "points-";     ///< segment file names: prefix, 6+ digit sequence,
  std::string segment_extension = ".lp";      ///< and extension (e.g. `flywheel-` and `.jsonl`)
};

/// What an append() error means for the caller.
enum class append_error {
  none,
  full,       ///< the cap is reached (generic no_space_on_device): retry later (HTTP 503)
  too_large,  ///< the batch alone is larger than the cap (generic value_too_large): HTTP 413
  storage,    ///< the file system failed (system_category: ENOSPC, EIO, EDQUOT, …): HTTP 503
};
/// Sorts an error code returned by spool::append or spooled_output::append.
[[nodiscard]] append_error classify_append_error(std::error_code ec) noexcept;

/// The durable queue.
class spool {
 public:
  /// Opens or creates the spool in `opts.dir` and recovers its state.
  /// @throws config_error when the directory cannot be used.
  explicit spool(spool_options opts);
  ~spool();
  spool(const spool&) = delete;
  spool& operator=(const spool&) = delete;

  /// Appends whole lines ('\n'-terminated), durably before returning when `sync` is set.
  /// @return (see classify_append_error) `std::errc::no_space_on_device` when the cap would be
  ///         exceeded (nothing written; without a consumer, segments the operator moved away free
  ///         their bytes again), `std::errc::value_too_large` when `lines` alone is larger than
  ///         the cap, or the file system's error as a system_category code (ENOSPC, EIO, …;
  ///         nothing of the batch kept: a partial write is cut off again).
  [[nodiscard]] std::error_code append(std::string_view lines);

  /// Copies pending whole lines from the cursor into `out` (replacing it): at most `max_bytes`
  /// and `max_lines`, but at least one line. @return false when nothing is pending.
  bool read(std::string& out, std::size_t max_bytes, std::size_t max_lines);
  /// Marks the first `bytes` pending bytes as done; finished segments are deleted, and so is the
  /// last one once everything is sent if it holds at least 1 MiB (or `segment_bytes`).
  void consume(std::size_t bytes);
  /// Waits until something is pending or `timeout` passes; @return true if something is pending.
  bool wait(std::chrono::milliseconds timeout);
  /// Wakes a waiting consumer (for shutdown).
  void notify();

  [[nodiscard]] std::uint64_t pending_bytes() const;
  /// When the oldest pending line was appended (approximate: its segment's start), if any.
  [[nodiscard]] std::optional<std::chrono::system_clock::time_point> oldest_pending() const;
  /// The segment files, oldest first.
  [[nodiscard]] std::vector<std::filesystem::path> segments() const;
  [[nodiscard]] const spool_options& options() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace dial_analytics::output
