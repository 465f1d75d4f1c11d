// SPDX-License-Identifier: Apache-2.0
// Lanes of spool + sender behind one append() (see spooled_output.hpp and docs/outputs.md).
#include <dial_analytics/output/spooled_output.hpp>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace dial_analytics::output {
namespace fs = std::filesystem;

namespace {

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
  std::size_t active_lanes = 1;
  std::atomic<std::size_t> next_lane{0};
  std::atomic<std::uint64_t> batches_dropped{0};
  std::atomic<std::uint64_t> batch_lines_dropped{0};
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
    for (std::size_t i = 0; i < lanes; ++i) {
      spool_options o = options.spool;
      o.dir = lane_dir(options.dir, i);
      o.files_are_output = false;
      spools.push_back(std::make_unique<spool>(std::move(o)));
      senders.push_back(std::make_unique<sender>(*spools.back(), make_writer(), options.sender));
    }
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
  if (m.fits(lines.size())) ec = m.spools[m.next_lane++ % m.active_lanes]->append(lines);
  if (ec == std::errc::no_space_on_device && m.options.when_full == overflow_policy::drop) {
    ++m.batches_dropped;
    m.batch_lines_dropped += count_lines(lines);
    return {};
  }
  return ec;
}

void spooled_output::stop(std::chrono::milliseconds drain) { impl_->stop_all(drain); }

bool spooled_output::has_writer() const noexcept { return !impl_->senders.empty(); }

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
