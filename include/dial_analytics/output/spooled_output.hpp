// SPDX-License-Identifier: Apache-2.0
// One durable output: N lanes, each a spool drained by its own sender into its own connection of
// one backend, with one byte cap over all lanes and an overflow policy. Every output of the
// server (InfluxDB points today, Data Flywheel documents next) is one spooled_output; a backend
// contributes only its batch_writer. Without a writer the spool's segment files are the output.
// docs/outputs.md describes the whole path.
//
// Layout on disk: with a writer, `<dir>/lane-<i>/` per lane (lanes left by an earlier run with
// more lanes are drained too, but get no new data); without one, the segments in `<dir>` itself.
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
};

/// Counters summed over the lanes (see sender_stats for their meaning).
struct output_stats {
  std::uint64_t lines_written = 0, lines_rejected = 0, lines_retried = 0, lines_dropped = 0,
                bytes_written = 0, requests = 0, failed_requests = 0;
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

  /// Opens or recovers the lanes and starts one sender each. An empty `make_writer` means no
  /// backend: one spool in `dir` whose segments are the output (no lanes, no senders).
  /// @throws config_error when a directory cannot be used, or what `make_writer` throws.
  spooled_output(spooled_output_options opts, writer_factory make_writer);
  ~spooled_output();  ///< stops without draining; pending lines stay on disk
  spooled_output(const spooled_output&) = delete;
  spooled_output& operator=(const spooled_output&) = delete;

  /// Appends whole lines to the next active lane (round robin), durably (per spool_options::sync)
  /// before returning. Concurrent appends may overshoot the shared cap by a batch each.
  /// @return no_space_on_device when full under `refuse` (nothing kept), or the I/O error.
  [[nodiscard]] std::error_code append(std::string_view lines);
  /// Stops every sender in parallel, each first trying to send what is pending until one shared
  /// deadline `drain` from now. Appends still succeed afterwards: they wait for the next start.
  void stop(std::chrono::milliseconds drain);

  [[nodiscard]] bool has_writer() const noexcept;
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
