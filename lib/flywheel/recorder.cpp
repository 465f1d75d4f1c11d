// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/flywheel/recorder.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <dial_analytics/analytics/response_ids.hpp>
#include <dial_analytics/elasticsearch/es_writer.hpp>
#include <dial_analytics/error.hpp>
#include <dial_analytics/flywheel/document.hpp>

namespace dial_analytics::flywheel {
namespace {

struct queued_call {
  std::string request, response, workload_id, client_id;
  std::int64_t timestamp = 0;
};

output::spooled_output_options output_options(const recorder_options& o) {
  output::spooled_output_options out;
  out.dir = o.data_dir;
  out.spool.max_bytes = o.max_spool_bytes;
  out.spool.sync = o.sync;
  out.spool.segment_prefix = flywheel::spool_segment_prefix;
  out.spool.segment_extension = flywheel::spool_segment_extension;
  out.sender.log = o.log;
  out.lanes = o.lanes == 0 ? 1 : o.lanes;
  out.when_full = output::overflow_policy::refuse;  // the recorder drops and counts itself
  if (o.elasticsearch) out.dead_letter_dir = o.data_dir / "dead-letter";
  return out;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct recorder::impl {
  explicit impl(recorder_options o)
      : options(std::move(o)),
        map(options.mapping),
        output(output_options(options),
               options.elasticsearch
                   ? elasticsearch::make_writer_factory(*options.elasticsearch, options.log)
                   : output::spooled_output::writer_factory{}),
        worker([this] { run(); }) {}

  ~impl() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    worker.join();
    output.stop(options.drain_on_close);
  }

  // Appends whole lines in pieces well under the cap, so that a large queue is not dropped whole.
  void append_chunk(std::string& lines, std::uint64_t& documents) {
    if (!lines.empty() && output.append(lines)) dropped += documents;
    lines.clear();
    documents = 0;
  }

  // The background thread: takes everything queued, maps it, appends it in chunks.
  void run() {
    std::vector<queued_call> batch;
    std::string lines;
    std::uint64_t chunk_documents = 0;
    mapped_document doc;
    for (;;) {
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping, and nothing left
        batch.assign(std::make_move_iterator(queue.begin()), std::make_move_iterator(queue.end()));
        queue.clear();
      }
      lines.clear();
      mapping_stats counts;
      for (const queued_call& c : batch) {
        if (const auto skip = map.map(
                chat_call{c.request, c.response, c.timestamp, c.client_id, c.workload_id}, doc)) {
          ++counts.skipped[static_cast<std::size_t>(*skip)];
          continue;
        }
        ++counts.documents;
        counts.redactions += doc.redactions;
        // Two calls with the same content are two records: the id is unique per call (the
        // spool line keeps it, so a resend after a crash is still stored once).
        const std::string_view id =
            options.elasticsearch
                ? ids.next_for(fmt::format("{}\n{:016x}-{}", doc.document, session, ++sequence))
                : std::string_view();
        append_spool_line(lines, id, doc.document);
        ++chunk_documents;
        if (lines.size() >= chunk_bytes) append_chunk(lines, chunk_documents);
      }
      append_chunk(lines, chunk_documents);
      std::lock_guard lock(mutex);
      stats.mapping += counts;
      stats.dropped_spool += dropped;
      dropped = 0;
      done += batch.size();
      idle.notify_all();
    }
  }

  recorder_options options;
  mapper map;  // used by the worker thread only
  output::spooled_output output;
  mutable std::mutex mutex;
  std::condition_variable wake, idle;
  std::deque<queued_call> queue;
  std::uint64_t done = 0;     // calls taken from the queue and mapped (stats.queued: accepted)
  std::uint64_t dropped = 0;  // worker thread only, until added to stats
  content_id_generator ids;   // worker thread only
  const std::uint64_t session =
      std::random_device{}() * 0x9e3779b97f4a7c15ULL ^ std::random_device{}();
  std::uint64_t sequence = 0;  // worker thread only
  // Appends of at most this many bytes (the spool refuses a batch larger than its cap).
  const std::size_t chunk_bytes = static_cast<std::size_t>(
      std::clamp<std::uint64_t>(options.max_spool_bytes / 8, 4096, 1u << 20));
  recorder_stats stats;
  bool stopping = false;
  std::thread worker;  // last: starts once everything above exists
};

recorder::recorder(recorder_options options) {
  if (options.max_queued == 0) throw config_error("recorder: max_queued must be at least 1");
  impl_ = std::make_unique<impl>(std::move(options));
}

recorder::~recorder() = default;

bool recorder::log_chat(std::string_view request_json, std::string_view response_json,
                        std::string_view workload_id, std::string_view client_id,
                        std::optional<std::int64_t> timestamp) {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->queue.size() >= impl_->options.max_queued) {
      ++impl_->stats.dropped_queue;
      return false;
    }
    impl_->queue.push_back(queued_call{std::string(request_json), std::string(response_json),
                                       std::string(workload_id), std::string(client_id),
                                       timestamp ? *timestamp : now_seconds()});
    ++impl_->stats.queued;
  }
  impl_->wake.notify_one();
  return true;
}

void recorder::flush() {
  std::unique_lock lock(impl_->mutex);
  const std::uint64_t target = impl_->stats.queued;
  impl_->idle.wait(lock, [&] { return impl_->done >= target; });
}

recorder_stats recorder::stats() const {
  recorder_stats s;
  {
    std::lock_guard lock(impl_->mutex);
    s = impl_->stats;
  }
  s.output = impl_->output.stats();
  return s;
}

}  // namespace dial_analytics::flywheel
