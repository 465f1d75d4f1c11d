// SPDX-License-Identifier: Apache-2.0
// One durable output: N lanes, each a spool drained by its own sender into its own connection of
// one backend, with one byte cap over all lanes and an overflow policy. Every output of the
// server (InfluxDB points today, Data Flywheel documents next) is one spooled_output; a backend
// contributes only its batch_writer. Without a writer the spool's segment files are the output.
// docs/outputs.md describes the whole path.
//
// Layout on disk: with a writer, `<dir>/lane-<i>/` per lane (lanes left by an earlier run with
// more lanes are drained too, but get no new data); without one, the segments in `<dir>` itself.
// `<dir>/lock` is locked (flock) while the output lives: one process per directory. Refused lines
// go to `<dead_letter_dir>/<segment_prefix>lane-<i><segment_extension>` when that is set.
//
// Thread-safety: append(), the getters and stats() from any thread, also during and after
// stop(); stop() from one thread at a time.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>

#include <dial_analytics/output/batch_writer.hpp>
#include <dial_analytics/output/sender.hpp>
#include <dial_analytics/output/spool.hpp>

namespace dial_analytics::output {

/// What append() does when the lanes together would hold more than `spool.max_bytes`.
enum class overflow_policy {
  refuse,  ///< append() returns std::errc::no_space_on_device (the server answers 503)
  drop,    ///< the batch is dropped and counted (for optional outputs); append() succeeds
};

/// Options of a spooled output.
struct spooled_output_options {
  std::filesystem::path dir = "data";  ///< the lanes' parent, or the output files' folder
  /// Per lane: `dir` is replaced by the lane's folder, `files_are_output` is set by the output
  /// (true exactly without a writer); `max_bytes` caps all lanes together.
  spool_options spool;
  sender_options sender;  ///< per lane (the log callback is shared)
  std::size_t lanes = 2;  ///< parallel connections to the backend, at least 1 (no writer: 1)
  overflow_policy when_full = overflow_policy::refuse;
  /// Where lines the backend refuses for good are kept, one file per lane (empty: nowhere; they
  /// are only counted and logged). Not used without a writer.
  std::filesystem::path dead_letter_dir;
  /// At start-up, before the senders start: append the lines of every file in `dead_letter_dir`
  /// (comment lines skipped) to the lanes, durably, and remove the files; logged once (info).
  bool resend_dead_letters = false;
};

/// Counters summed over the lanes (see sender_stats for their meaning).
struct output_stats {
  std::uint64_t lines_written = 0, lines_rejected = 0, lines_retried = 0, lines_dropped = 0,
                lines_dead_lettered = 0, bytes_written = 0, requests = 0, failed_requests = 0;
  std::uint64_t batches_dropped = 0;      ///< appends dropped by overflow_policy::drop
  std::uint64_t batch_lines_dropped = 0;  ///< the lines in those appends
  std::array<std::uint64_t, latency_buckets.size() + 1> latency_count{};  ///< per bucket
  std::uint64_t latency_sum_us = 0;
  bool healthy = true;  ///< every lane's backend accepts writes
};

/// N lanes of spool + sender for one backend.
class spooled_output {
 public:
  /// Makes one writer per lane; called once per lane (leftover lanes included) at start-up.
  using writer_factory = std::function<std::unique_ptr<batch_writer>()>;

  /// Locks `dir`, opens or recovers the lanes, resends the dead letters (when asked) and starts
  /// one sender each. An empty `make_writer` means no backend: one spool in `dir` whose segments
  /// are the output (no lanes, no senders).
  /// @throws config_error when a directory cannot be used, another process uses `dir`, the dead
  ///         letters cannot be resent, or what `make_writer` throws.
  spooled_output(spooled_output_options opts, writer_factory make_writer);
  ~spooled_output();  ///< stops without draining; pending lines stay on disk
  spooled_output(const spooled_output&) = delete;
  spooled_output& operator=(const spooled_output&) = delete;

  /// Appends whole lines to the next active lane (round robin), durably (per spool_options::sync)
  /// before returning. Concurrent appends may overshoot the shared cap by a batch each.
  /// @return (see classify_append_error) no_space_on_device when full under `refuse`,
  ///         value_too_large when `lines` alone is larger than the cap under `refuse`, or the
  ///         file system's error (logged with the directory, at most every 30 s); nothing kept.
  [[nodiscard]] std::error_code append(std::string_view lines);
  /// Stops every sender in parallel, each first trying to send what is pending until one shared
  /// deadline `drain` from now. Appends still succeed afterwards: they wait for the next start.
  void stop(std::chrono::milliseconds drain);

  [[nodiscard]] bool has_writer() const noexcept;
  /// The lines resent from the dead-letter files at start-up (resend_dead_letters).
  [[nodiscard]] std::uint64_t resent_dead_letters() const noexcept;
  /// Lanes drained, leftover lanes included (1 without a writer).
  [[nodiscard]] std::size_t lane_count() const noexcept;
  /// Bytes appended and not yet answered for (without a writer: bytes stored in the files).
  [[nodiscard]] std::uint64_t pending_bytes() const;
  /// When the oldest pending line of any lane was appended (approximately), if any.
  [[nodiscard]] std::optional<std::chrono::system_clock::time_point> oldest_pending() const;
  [[nodiscard]] output_stats stats() const;
  /// Every lane's backend accepts writes (true without a writer).
  [[nodiscard]] bool healthy() const;
  [[nodiscard]] const spooled_output_options& options() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace dial_analytics::output
