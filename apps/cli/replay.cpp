// SPDX-License-Identifier: Apache-2.0
// `dial-analytics replay`: turns a DIAL log stream into the line protocol the service writes.
#include <dial_analytics/analytics/point_sink.hpp>
#include <dial_analytics/analytics/response_ids.hpp>
#include <dial_analytics/error.hpp>
#include <dial_analytics/input/batch.hpp>
#include <dial_analytics/log.hpp>
#include <dial_analytics/pipeline.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
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

  /// Processes one body; false (after saying why) when it or the output is unusable.
  bool ingest(std::string_view body, input_format format) {
    const ingest_result result = pipeline_->ingest(body, format, &statuses_);
    if (!write_points()) return false;
    if (result.ec) {
      fail(fmt::format("unreadable input: {}", result.message));
      return false;
    }
    errors_.clear();
    for (const event_status& s : statuses_) {
      if (s.ok) continue;
      append_indexed_status_json(errors_, s, events_);
      errors_ += '\n';
    }
    std::fputs(errors_.c_str(), stderr);
    events_ += result.stats.events;
    return true;
  }

  /// The points that had no finite field.
  [[nodiscard]] std::size_t rejected() const { return sink_.rejected(); }

 private:
  bool write_points() {
    const std::string& lines = sink_.lines();
    const bool ok = std::fwrite(lines.data(), 1, lines.size(), stdout) == lines.size() &&
                    std::fflush(stdout) == 0;
    if (!ok) fail(fmt::format("cannot write the output: {}", std::strerror(errno)));
    sink_.clear();
    return ok;
  }

  line_buffer_sink sink_;
  sequential_id_generator ids_;
  std::unique_ptr<pipeline> pipeline_;
  std::vector<event_status> statuses_;
  std::size_t events_ = 0;
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
  replayer r(o, analysis);
  if (format == input_format::json_array) {
    while (in.read(buffer, block_bytes)) {  // one JSON array: it has to be read whole
    }
    if (!in.error().empty()) return fail(in.error());
    if (!r.ingest(buffer, format)) return 1;
  } else {
    // NDJSON: whole lines, block by block; a line longer than a block waits for more.
    for (bool more = true; more;) {
      more = in.read(buffer, block_bytes);
      const std::size_t take = more ? complete_lines_size(buffer) : buffer.size();
      if (take == 0) continue;
      if (!r.ingest(std::string_view(buffer).substr(0, take), format)) return 1;
      buffer.erase(0, take);
    }
    if (!in.error().empty()) return fail(in.error());
  }
  if (analysis.prices) print_price_stats(*analysis.prices);
  if (r.rejected())
    fmt::print(stderr, "dial-analytics: {} point(s) had no finite field and were not written\n",
               r.rejected());
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
