// SPDX-License-Identifier: Apache-2.0
// `dial-analytics replay`: turns a DIAL log stream into the line protocol the service writes.
#include <dial_analytics/analytics/point_sink.hpp>
#include <dial_analytics/analytics/response_ids.hpp>
#include <dial_analytics/error.hpp>
#include <dial_analytics/input/batch.hpp>
#include <dial_analytics/log.hpp>
#include <dial_analytics/pipeline.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "analysis_setup.hpp"
#include "args.hpp"
#include "cli.hpp"
#include "gzip.hpp"

namespace dial_analytics::cli {
namespace {

constexpr std::string_view description = R"(Turns a DIAL Core log into InfluxDB line protocol.

Reads a DIAL Core log stream and writes the InfluxDB points the analytics service writes for it,
one line-protocol line per point, to standard output, in input order.

Input (FILE or --input; standard input when it is '-' or absent), gunzipped when it starts
with the gzip magic bytes (every member of a multi-member file), detected from its first
non-space byte:
  '['   a JSON array of Vector events: [{"message": "<DIAL record as a JSON string>", ...}, ...]
  else  NDJSON, one per line: a Vector event with a string "message", or a raw DIAL record
        object (a DIAL Core prompt log file as it is).)";

constexpr std::string_view footer = R"(Errors: one JSON object per failed event goes to stderr, e.g.
  {"index":3,"status":"error","error":"...","reason":"invalid JSON in request message"}
where index is the 0-based position of the event. The reason is absent when the reference
service has none (a missing key: "error":"'chat'").

NDJSON is processed in blocks of whole lines (bounded memory for log files of any size); a JSON
array is read whole. The [i/n] numbers of --log-level count within a block.

Exit status: 0 when the input could be read, even if some events failed; 1 when the input is
unreadable (missing file, not a JSON array, not NDJSON), a model or rate table cannot be loaded,
or the output cannot be written; 2 for a usage error.)";

struct replay_options {
  std::string input;  // --input
  std::string file;   // FILE
  bool deterministic_ids = false;
  std::string topic_model = "none";  // none, echo or a model path
  double topic_min_confidence = apps::analysis_settings{}.topic_min_confidence;
  std::string language = "cld2";
  std::string schema = "reference";
  std::string model_rates;  // a rate table file; empty: Core's prices only
  std::string log_level = "off";
  unsigned threads = 0;  // 0: one per core (at most 8)
};

// Reads the input in blocks (gunzipped when it is gzip), so NDJSON log files of any size
// replay in bounded memory.
using apps::input_file;

constexpr std::size_t block_bytes = 8u << 20;

int fail(std::string_view message) {
  fmt::print(stderr, "dial-analytics: {}\n", message);
  return 1;
}

// Runs the pipeline block by block: points to stdout, failed events to stderr.
class replayer {
 public:
  replayer(const replay_options& o, const apps::analysis_objects& analysis) {
    pipeline_options popts;
    popts.analysis = analysis.analyzer();
    if (o.deterministic_ids) popts.analysis.ids = &ids_;
    if (const auto level = parse_log_level(o.log_level)) {
      popts.analysis.log_threshold = *level;
      popts.analysis.log = [](log_level l, std::string_view message) {
        fmt::print(stderr, "{} {}\n", to_string(l), message);
      };
      if (*level <= log_level::info) {
        for (const std::string& note : analysis.notes)
          fmt::print(stderr, "{} {}\n", to_string(log_level::info), note);
      }
    }
    pipeline_ = std::make_unique<pipeline>(sink_, std::move(popts));
  }

  /// What one body gave: its points, its failed events (indexes within the body), its event
  /// count, and why it was unreadable (empty when it was read).
  struct block_result {
    std::string lines;
    std::vector<event_status> failed;
    std::size_t events = 0;
    std::uint64_t bytes = 0;
    std::string unreadable;
  };

  /// Analyses one body (any thread, one body at a time per replayer).
  void process(std::string_view body, input_format format, block_result& out) {
    const ingest_result result = pipeline_->ingest(body, format, &statuses_);
    out.lines.assign(sink_.lines());
    sink_.clear();
    out.failed.clear();
    for (event_status& st : statuses_) {
      if (!st.ok) out.failed.push_back(std::move(st));
    }
    out.events = result.stats.events;
    out.bytes = body.size();
    out.unreadable = result.ec ? result.message : std::string();
  }

  /// The points that had no finite field.
  [[nodiscard]] std::size_t rejected() const { return sink_.rejected(); }

  line_buffer_sink sink_;
  sequential_id_generator ids_;
  std::unique_ptr<pipeline> pipeline_;
  std::vector<event_status> statuses_;
};

/// Writes the blocks' results in input order: points to stdout, failed events to stderr with
/// their index in the whole input.
class ordered_output {
 public:
  /// false (after saying why) when the block was unreadable or the output cannot be written.
  bool write(replayer::block_result& r) {
    const bool ok = std::fwrite(r.lines.data(), 1, r.lines.size(), stdout) == r.lines.size() &&
                    std::fflush(stdout) == 0;
    if (!ok) {
      fail(fmt::format("cannot write the output: {}", std::strerror(errno)));
      return false;
    }
    if (!r.unreadable.empty()) {
      fail(fmt::format("unreadable input: {}", r.unreadable));
      return false;
    }
    errors_.clear();
    for (const event_status& st : r.failed) {
      append_indexed_status_json(errors_, st, events_);
      errors_ += '\n';
    }
    std::fputs(errors_.c_str(), stderr);
    events_ += r.events;
    bytes_ += r.bytes;
    return true;
  }
  [[nodiscard]] std::size_t events() const { return events_; }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

 private:
  std::size_t events_ = 0;
  std::uint64_t bytes_ = 0;
  std::string errors_;
};

void print_price_stats(const price_calculator& prices) {
  const price_stats ps = prices.stats();
  fmt::print(stderr,
             "dial-analytics: priced {} record(s) from the rate table; {} include child "
             "spans' prices\n",
             ps.computed, ps.rolled_up);
  for (const auto& [deployment, n] : ps.unpriced)
    fmt::print(stderr,
               "dial-analytics: {} record(s) of deployment '{}' have tokens but no price "
               "and no rate\n",
               n, deployment);
}

/// Blocks waiting for a worker and results waiting to be written, by sequence number.
class block_queue {
 public:
  explicit block_queue(std::size_t capacity) : capacity_(capacity) {}

  [[nodiscard]] bool has_room() {
    const std::lock_guard lock(mutex_);
    return pending_.size() + results_.size() + busy_ < capacity_;
  }
  void push(std::uint64_t seq, std::string block) {
    {
      const std::lock_guard lock(mutex_);
      pending_.emplace_back(seq, std::move(block));
    }
    work_ready_.notify_one();
  }
  /// The result of block `seq` once it is there (waiting for it when `wait`).
  std::optional<replayer::block_result> take_result(std::uint64_t seq, bool wait) {
    std::unique_lock lock(mutex_);
    if (wait) result_ready_.wait(lock, [&] { return results_.count(seq) != 0; });
    const auto it = results_.find(seq);
    if (it == results_.end()) return std::nullopt;
    replayer::block_result r = std::move(it->second);
    results_.erase(it);
    return r;
  }
  void close() {
    {
      const std::lock_guard lock(mutex_);
      closed_ = true;
    }
    work_ready_.notify_all();
  }
  /// A worker's loop: analyse the next block queued until the queue is closed and empty.
  void work(replayer& w, input_format format) {
    for (;;) {
      std::pair<std::uint64_t, std::string> job;
      {
        std::unique_lock lock(mutex_);
        work_ready_.wait(lock, [&] { return closed_ || !pending_.empty(); });
        if (pending_.empty()) return;
        job = std::move(pending_.front());
        pending_.pop_front();
        ++busy_;
      }
      replayer::block_result r;
      w.process(job.second, format, r);
      {
        const std::lock_guard lock(mutex_);
        --busy_;
        results_.emplace(job.first, std::move(r));
      }
      result_ready_.notify_all();
    }
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable work_ready_, result_ready_;
  std::deque<std::pair<std::uint64_t, std::string>> pending_;
  std::map<std::uint64_t, replayer::block_result> results_;
  std::size_t busy_ = 0;
  bool closed_ = false;
};

/// On a terminal, a progress line on stderr at most once a second (overwritten in place).
class progress_line {
 public:
  progress_line() : on_(::isatty(STDERR_FILENO) == 1) {}
  void update(std::uint64_t bytes, std::size_t events) {
    if (!on_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::seconds(1)) return;
    last_ = now;
    print(bytes, events, '\r');
    shown_ = true;
  }
  void done(std::uint64_t bytes, std::size_t events) {
    if (on_ && shown_) print(bytes, events, '\n');
  }

 private:
  void print(std::uint64_t bytes, std::size_t events, char end) const {
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    fmt::print(stderr, "dial-analytics: replay: {:.0f} MB, {} event(s), {:.0f} MB/s{}",
               static_cast<double>(bytes) / 1e6, events,
               s > 0 ? static_cast<double>(bytes) / 1e6 / s : 0.0, end);
  }
  bool on_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_ = start_;
};

apps::analysis_settings settings_of(const replay_options& o) {
  apps::analysis_settings s;
  s.language = apps::parse_language_mode(o.language).value_or(apps::language_mode::cld2);
  s.topic_model = o.topic_model;
  s.topic_min_confidence = o.topic_min_confidence;
  s.model_rates_file = o.model_rates;
  s.schema = parse_point_schema(o.schema).value_or(point_schema::reference);
  return s;
}

int replay(const replay_options& o, const std::string& path) {
  input_file in(path);
  std::string buffer;
  // The format comes from the first non-space byte.
  std::size_t first = std::string::npos;
  while (first == std::string::npos && in.read(buffer, 1u << 16))
    first = buffer.find_first_not_of(" \t\r\n");
  if (!in.error().empty()) return fail(in.error());
  if (first == std::string::npos) return 0;  // empty input: nothing to replay
  const input_format format = detect_format(buffer);
  if (format == input_format::ndjson && buffer[first] != '{')
    return fail(fmt::format(
        "unreadable input: neither a JSON array ('[') nor NDJSON ('{{'), it starts with '{}'",
        buffer[first]));

  apps::analysis_objects analysis;
  try {
    analysis = apps::make_analysis(
        settings_of(o),
        {.language = "--language", .topic_model = "--topic-model", .model_rates = "--model-rates"});
  } catch (const config_error& e) {
    return fail(e.what());
  }
  // NDJSON blocks are analysed on several threads and written in input order. One thread
  // where order matters beyond a block: sequential ids, the compact schema's timestamps (the
  // same on every replay), and rate-table prices (children wait for their parents).
  const unsigned threads =
      format == input_format::json_array || o.deterministic_ids || o.schema == "compact" ||
              !o.model_rates.empty()
          ? 1
          : (o.threads != 0 ? o.threads : std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
  std::vector<std::unique_ptr<replayer>> workers;
  for (unsigned i = 0; i < threads; ++i) workers.push_back(std::make_unique<replayer>(o, analysis));
  ordered_output out;
  progress_line progress;
  if (format == input_format::json_array) {
    while (in.read(buffer, block_bytes)) {  // one JSON array: it has to be read whole
    }
    if (!in.error().empty()) return fail(in.error());
    replayer::block_result r;
    workers[0]->process(buffer, format, r);
    if (!out.write(r)) return 1;
  } else {
    // NDJSON: whole lines, block by block; a line longer than a block waits for more. The
    // reader (this thread) queues blocks, each worker analyses the next one queued, and results
    // are written in input order as soon as they are ready, with at most 2 × threads blocks in
    // memory.
    block_queue q(threads * 2);
    std::vector<std::thread> running;
    if (threads > 1) {
      for (unsigned i = 0; i < threads; ++i)
        running.emplace_back([&q, &w = *workers[i], format] { q.work(w, format); });
    }
    bool ok = true;
    replayer::block_result one;  // reused on one thread
    std::uint64_t next_to_write = 0, next_to_read = 0;
    const auto write_ready = [&](bool wait_for_one) {
      while (ok) {
        std::optional<replayer::block_result> r = q.take_result(next_to_write, wait_for_one);
        if (!r) return;
        wait_for_one = false;
        ++next_to_write;
        ok = out.write(*r);
        progress.update(out.bytes(), out.events());
      }
    };
    for (bool more = true; more && ok;) {
      more = in.read(buffer, block_bytes);
      const std::size_t take = more ? complete_lines_size(buffer) : buffer.size();
      if (take == 0) continue;
      if (threads == 1) {
        workers[0]->process(std::string_view(buffer).substr(0, take), format, one);
        buffer.erase(0, take);
        ok = out.write(one);
        progress.update(out.bytes(), out.events());
        continue;
      }
      std::string block(buffer, 0, take);
      buffer.erase(0, take);
      while (ok && !q.has_room()) write_ready(true);
      q.push(next_to_read++, std::move(block));
      write_ready(false);
    }
    while (ok && next_to_write < next_to_read) write_ready(true);
    q.close();
    for (std::thread& t : running) t.join();
    if (!ok) return 1;
    progress.done(out.bytes(), out.events());
    if (!in.error().empty()) return fail(in.error());
  }
  if (analysis.prices) print_price_stats(*analysis.prices);
  std::size_t rejected = 0;
  for (const auto& w : workers) rejected += w->rejected();
  if (rejected)
    fmt::print(stderr, "dial-analytics: {} point(s) had no finite field and were not written\n",
               rejected);
  return 0;
}

class replay_command final : public command {
 public:
  explicit replay_command(CLI::App& root)
      : app_(root.add_subcommand("replay", std::string(description))) {
    apps::configure_app(*app_, version_line());
    app_->footer(std::string(footer));
    replay_options& o = o_;
    app_->add_option("FILE", o.file, "where to read from, as --input");
    app_->add_option("--input", o.input,
                     "where to read from: a file, or '-' for standard input (default: standard "
                     "input)")
        ->type_name("PATH|-");
    app_->add_flag("--deterministic-ids", o.deterministic_ids,
                   "generated response ids are pseudo-uuid-1, pseudo-uuid-2, ... (default: "
                   "random UUID v4, as the reference service)");
    app_->add_option("--topic-model", o.topic_model,
                     "PATH: a fastText supervised model (.bin/.ftz, docs/topics.md)\n"
                     "echo: the topic is the exact text a topic model would see\n"
                     "none: no topic model (topic=undefined on chats)")
        ->type_name("MODEL")
        ->check(apps::non_empty("a path, echo or none"))
        ->capture_default_str();
    app_->add_option("--topic-min-confidence", o.topic_min_confidence,
                     "with a model: a lower probability gives topic=undefined")
        ->type_name("P")
        ->check(apps::probability())
        ->capture_default_str();
    app_->add_option("--language", o.language,
                     "cld2: detect the language of chats with CLD2 and the built-in fastText "
                     "model (docs/language.md)\ncld2-only: CLD2 alone\nnone: language=undefined")
        ->type_name("DETECTOR")
        ->check(apps::one_of({"cld2", "cld2-only", "none"}))
        ->capture_default_str();
    app_->add_option("--schema", o.schema,
                     "reference: points as ai-dial-analytics-realtime writes them; compact: the "
                     "request ids (response_id, trace_id, core_span_id, core_parent_span_id) are "
                     "fields, for far fewer series (docs/line-protocol.md)")
        ->check(apps::one_of({"reference", "compact"}))
        ->capture_default_str();
    app_->add_option("--threads", o.threads,
                     "NDJSON blocks analysed at once, output still in input order (default: one "
                     "per core, at most 8); one with --deterministic-ids, --schema compact or "
                     "--model-rates, where order matters across blocks")
        ->type_name("N")
        ->check(CLI::Range(0u, 64u));
    app_->add_option("--model-rates", o.model_rates,
                     "price records DIAL Core logged without prices from this MODEL_RATES table "
                     "and roll child spans up (docs/pricing.md); records with Core prices are "
                     "unchanged")
        ->type_name("FILE");
    app_->add_option("--log-level", o.log_level,
                     "write the service's diagnostics (unsupported URIs, invalid bodies, ...) to "
                     "stderr as plain text: debug, info, warning, error or off")
        ->type_name("LEVEL")
        ->check(apps::one_of({"debug", "info", "warning", "error", "off"}))
        ->capture_default_str();
  }

  [[nodiscard]] bool selected() const override { return app_->parsed(); }

  int run() override {
    if (!o_.file.empty() && !o_.input.empty())
      throw apps::usage_error(fmt::format(
          "give the input as FILE or as --input, not both ('{}', '{}')", o_.file, o_.input));
    std::string path = "-";
    if (!o_.file.empty()) path = o_.file;
    if (!o_.input.empty()) path = o_.input;
    return replay(o_, path);
  }

 private:
  CLI::App* app_;
  replay_options o_;
};

}  // namespace

std::unique_ptr<command> add_replay_command(CLI::App& root) {
  return std::make_unique<replay_command>(root);
}

}  // namespace dial_analytics::cli
