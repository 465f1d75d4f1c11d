// SPDX-License-Identifier: Apache-2.0
// dial-analytics: command line tool. `replay` turns a DIAL log stream into line protocol.
#include <dial_analytics/dial_analytics.hpp>

#include "cli.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace da = dial_analytics;
using da::cli::parse_probability;
using da::cli::topics_main;
using da::cli::usage_error;

namespace {

constexpr std::string_view usage_text = R"(Usage:
  dial-analytics replay [--input PATH|-] [--deterministic-ids] [--language cld2|cld2-only|none]
                        [--topic-model PATH|echo|none] [--topic-min-confidence P]
                        [--model-rates FILE] [--log-level debug|info|warning|error|off]
  dial-analytics topics train|predict|test ...   (dial-analytics topics --help)
  dial-analytics --help | --version

replay: reads a DIAL Core log stream and writes the InfluxDB points the analytics service writes
for it, one line-protocol line per point, to stdout, in input order.

Input (PATH, or standard input when PATH is '-' or --input is absent), detected from its first
non-space byte:
  '['   a JSON array of Vector events: [{"message": "<DIAL record as a JSON string>", ...}, ...]
  else  NDJSON, one per line: a Vector event with a string "message", or a raw DIAL record
        object (a DIAL Core prompt log file as it is).

Options:
  --input PATH|-        where to read from (default: standard input)
  --deterministic-ids   generated response ids are pseudo-uuid-1, pseudo-uuid-2, ... (default:
                        random UUID v4, as the reference service)
  --language DETECTOR   cld2 (default): detect the language of chats with CLD2 and the
                        built-in fastText model (docs/language.md); cld2-only: CLD2 alone;
                        none: language=undefined
  --topic-model MODEL   PATH: a fastText supervised model (.bin/.ftz, docs/topics.md);
                        echo: the topic is the exact text a topic model would see;
                        none (default): no topic model (topic=undefined on chats)
  --topic-min-confidence P
                        with a model: a lower probability gives topic=undefined
                        (default 0.5)
  --model-rates FILE    price records DIAL Core logged without prices from this
                        MODEL_RATES table and roll child spans up (docs/pricing.md);
                        records with Core prices are unchanged
  --log-level LEVEL     write the service's diagnostics (unsupported URIs, invalid bodies, ...)
                        to stderr as plain text; default: off
  -h, --help            this text
  --version             the version

Errors: one JSON object per failed event goes to stderr, e.g.
  {"index":3,"status":"error","reason":"invalid JSON in request message","error":"..."}
where index is the 0-based position of the event. The reason is absent when the reference
service has none (a missing key: "error":"'chat'").

NDJSON is processed in blocks of whole lines (bounded memory for log files of any size); a JSON
array is read whole. The [i/n] numbers of --log-level count within a block.

Exit status: 0 when the input could be read, even if some events failed; 1 when the input is
unreadable (missing file, not a JSON array, not NDJSON); 2 for a usage error.
)";

struct options {
  std::string input = "-";
  bool deterministic_ids = false;
  std::string topic_model = "none";  // none, echo or a model path
  double topic_min_confidence = da::fasttext_topic_options{}.min_confidence;
  bool detect_language = true;
  bool language_model = true;  // cld2: with the built-in model's second opinion
  std::string model_rates;     // a rate table file; empty: Core's prices only
  std::optional<da::log_level> log_level;
};

options parse_replay_args(const std::vector<std::string_view>& args) {
  options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= args.size()) usage_error(fmt::format("option {} needs a value", a));
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      fmt::print("{}", usage_text);
      std::exit(0);
    } else if (a == "--input") {
      o.input = std::string(value());
    } else if (a == "--deterministic-ids") {
      o.deterministic_ids = true;
    } else if (a == "--topic-model") {
      o.topic_model = std::string(value());
      if (o.topic_model.empty()) usage_error("--topic-model takes a path, echo or none");
    } else if (a == "--topic-min-confidence") {
      o.topic_min_confidence = parse_probability(a, value());
    } else if (a == "--model-rates") {
      o.model_rates = std::string(value());
    } else if (a == "--language") {
      const std::string_view v = value();
      if (v != "cld2" && v != "cld2-only" && v != "none")
        usage_error(fmt::format("--language takes cld2, cld2-only or none, not '{}'", v));
      o.detect_language = v != "none";
      o.language_model = v == "cld2";
    } else if (a == "--log-level") {
      const std::string_view v = value();
      if (v == "debug")
        o.log_level = da::log_level::debug;
      else if (v == "info")
        o.log_level = da::log_level::info;
      else if (v == "warning")
        o.log_level = da::log_level::warning;
      else if (v == "error")
        o.log_level = da::log_level::error;
      else if (v != "off")
        usage_error(fmt::format("unknown log level '{}'", v));
    } else {
      usage_error(fmt::format("unknown option '{}'", a));
    }
  }
  return o;
}

// Reads the input in blocks, so NDJSON log files of any size replay in bounded memory.
class input_file {
 public:
  explicit input_file(const std::string& path) : path_(path) {
    file_ = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (!file_) error_ = fmt::format("cannot open '{}': {}", path, std::strerror(errno));
  }
  ~input_file() {
    if (file_ && file_ != stdin) std::fclose(file_);
  }
  input_file(const input_file&) = delete;
  input_file& operator=(const input_file&) = delete;

  /// Appends up to `bytes` to `out`; false at the end of the input or on an error.
  bool read(std::string& out, std::size_t bytes) {
    if (!file_ || eof_) return false;
    const std::size_t old = out.size();
    out.resize(old + bytes);
    const std::size_t n = std::fread(out.data() + old, 1, bytes, file_);
    out.resize(old + n);
    if (n < bytes) {
      eof_ = true;
      if (std::ferror(file_)) error_ = fmt::format("cannot read '{}'", path_);
    }
    return n > 0;
  }
  [[nodiscard]] bool eof() const { return eof_; }
  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  bool eof_ = false;
  std::string error_;
};

constexpr std::size_t block_bytes = 8u << 20;

// Writes line protocol to stdout in large blocks.
class stdout_sink final : public da::point_sink {
 public:
  void write(const da::point& p) override {
    if (da::append_line(buffer_, p)) ++rejected_;
    if (buffer_.size() >= (1u << 20)) flush();
  }
  void flush() override {
    std::fwrite(buffer_.data(), 1, buffer_.size(), stdout);
    buffer_.clear();
  }
  std::size_t rejected() const { return rejected_; }

 private:
  std::string buffer_;
  std::size_t rejected_ = 0;
};

std::string_view level_name(da::log_level level) {
  switch (level) {
    case da::log_level::debug:
      return "DEBUG";
    case da::log_level::info:
      return "INFO";
    case da::log_level::warning:
      return "WARNING";
    case da::log_level::error:
      return "ERROR";
  }
  return "INFO";
}

void print_failures(const std::vector<da::event_status>& statuses, std::size_t index_offset) {
  std::string line;
  for (const da::event_status& s : statuses) {
    if (s.ok) continue;
    line = fmt::format("{{\"index\":{},\"status\":\"error\"", s.index + index_offset);
    if (!s.reason.empty()) {
      line += ",\"reason\":";
      da::append_json_string(line, s.reason);
    }
    if (!s.error.empty()) {
      line += ",\"error\":";
      da::append_json_string(line, s.error);
    }
    line += "}\n";
    std::fputs(line.c_str(), stderr);
  }
}

int replay(const options& o) {
  input_file in(o.input);
  std::string buffer;
  // Detect the format from the first non-space byte.
  std::size_t first = std::string::npos;
  while (first == std::string::npos && in.read(buffer, 1u << 16)) {
    first = buffer.find_first_not_of(" \t\r\n");
  }
  if (!in.error().empty()) {
    fmt::print(stderr, "dial-analytics: {}\n", in.error());
    return 1;
  }
  if (first == std::string::npos) return 0;  // empty input: nothing to replay
  const char lead = buffer[first];
  if (lead != '[' && lead != '{') {
    fmt::print(stderr,
               "dial-analytics: unreadable input: neither a JSON array ('[') nor NDJSON ('{{'), "
               "it starts with '{}'\n",
               lead);
    return 1;
  }

  da::echo_topic_classifier echo;
  std::unique_ptr<da::cld2_language_detector> language;
  if (o.detect_language) {
    da::cld2_options language_options;
    language_options.use_model = o.language_model;
    language = std::make_unique<da::cld2_language_detector>(language_options);
  }
  std::unique_ptr<da::fasttext_topic_classifier> model;
  if (o.topic_model != "none" && o.topic_model != "echo") {
    try {
      model = std::make_unique<da::fasttext_topic_classifier>(
          o.topic_model, da::fasttext_topic_options{.min_confidence = o.topic_min_confidence});
    } catch (const da::topic_model_error& e) {
      fmt::print(stderr, "dial-analytics: {}\n", e.what());
      return 1;
    }
  }
  std::unique_ptr<da::price_calculator> prices;
  if (!o.model_rates.empty()) {
    std::string table;
    input_file rates_file(o.model_rates);
    while (rates_file.read(table, 1u << 16)) {
    }
    if (!rates_file.error().empty()) {
      fmt::print(stderr, "dial-analytics: {}\n", rates_file.error());
      return 1;
    }
    try {
      prices = std::make_unique<da::price_calculator>(da::rate_table::parse(table));
    } catch (const da::rate_table_error& e) {
      fmt::print(stderr, "dial-analytics: {}: {}\n", o.model_rates, e.what());
      return 1;
    }
  }
  da::sequential_id_generator sequential;
  da::pipeline_options popts;
  popts.analysis.prices = prices.get();
  popts.format = lead == '[' ? da::input_format::json_array : da::input_format::ndjson;
  if (o.topic_model == "echo") popts.analysis.topic = &echo;
  if (model) popts.analysis.topic = model.get();
  popts.analysis.language = language.get();
  if (o.deterministic_ids) popts.analysis.ids = &sequential;
  if (o.log_level) {
    const da::log_level min = *o.log_level;
    popts.analysis.log_threshold = min;
    popts.analysis.log = [](da::log_level level, std::string_view message) {
      fmt::print(stderr, "{} {}\n", level_name(level), message);
    };
  }
  stdout_sink sink;
  da::pipeline pipeline(sink, std::move(popts));
  std::vector<da::event_status> statuses;
  std::size_t events = 0;
  auto ingest = [&](std::string_view body) {
    const da::ingest_result result = pipeline.ingest(body, &statuses);
    std::fflush(stdout);
    if (result.ec) {
      fmt::print(stderr, "dial-analytics: unreadable input: {}\n", result.message);
      return false;
    }
    print_failures(statuses, events);
    events += result.stats.events;
    return true;
  };

  if (lead == '[') {
    // One JSON array: it has to be read whole.
    while (in.read(buffer, block_bytes)) {
    }
    if (!in.error().empty()) {
      fmt::print(stderr, "dial-analytics: {}\n", in.error());
      return 1;
    }
    if (!ingest(buffer)) return 1;
  } else {
    // NDJSON: hand over whole lines, block by block; a line longer than a block waits for more.
    for (bool more = true; more;) {
      more = in.read(buffer, block_bytes);
      const std::size_t cut = more ? buffer.rfind('\n') : buffer.size();
      if (cut == std::string::npos) continue;
      const std::size_t take = more ? cut + 1 : cut;
      if (!ingest(std::string_view(buffer).substr(0, take))) return 1;
      buffer.erase(0, take);
    }
    if (!in.error().empty()) {
      fmt::print(stderr, "dial-analytics: {}\n", in.error());
      return 1;
    }
  }
  if (prices) {
    const da::price_stats ps = prices->stats();
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
  if (sink.rejected()) {
    fmt::print(stderr, "dial-analytics: {} point(s) had no finite field and were not written\n",
               sink.rejected());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) usage_error("missing command");
  if (args[0] == "--help" || args[0] == "-h") {
    fmt::print("{}", usage_text);
    return 0;
  }
  if (args[0] == "--version") {
    fmt::print("dial-analytics {}\n", da::version_string);
    return 0;
  }
  if (args[0] == "topics") return topics_main({args.begin() + 1, args.end()});
  if (args[0] != "replay") usage_error(fmt::format("unknown command '{}'", args[0]));
  return replay(parse_replay_args({args.begin() + 1, args.end()}));
}
