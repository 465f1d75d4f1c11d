// SPDX-License-Identifier: Apache-2.0
// dial-analytics: command line tool. `replay` turns a DIAL log stream into line protocol.
#include <dial_analytics/dial_analytics.hpp>

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

namespace {

constexpr std::string_view usage_text = R"(Usage:
  dial-analytics replay [--input PATH|-] [--deterministic-ids] [--topic-model echo|none]
                        [--language none] [--log-level debug|info|warning|error|off]
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
  --topic-model MODEL   echo: the topic is the exact text a topic model would see;
                        none (default): no topic model (topic=undefined on chats)
  --language none       no language detection (language=undefined); the only choice for now
  --log-level LEVEL     write the service's diagnostics (unsupported URIs, invalid bodies, ...)
                        to stderr as plain text; default: off
  -h, --help            this text
  --version             the version

Errors: one JSON object per failed event goes to stderr, e.g.
  {"index":3,"status":"error","reason":"invalid JSON in request message","error":"..."}
where index is the 0-based position of the event. The reason is absent when the reference
service has none (a missing key: "error":"'chat'").

Exit status: 0 when the input could be read, even if some events failed; 1 when the input is
unreadable (missing file, not a JSON array, not NDJSON); 2 for a usage error.
)";

struct options {
  std::string input = "-";
  bool deterministic_ids = false;
  bool echo_topics = false;
  std::optional<da::log_level> log_level;
};

[[noreturn]] void usage_error(const std::string& message) {
  fmt::print(stderr, "dial-analytics: {}\nTry 'dial-analytics --help'.\n", message);
  std::exit(2);
}

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
      const std::string_view v = value();
      if (v == "echo") {
        o.echo_topics = true;
      } else if (v == "none") {
        o.echo_topics = false;
      } else {
        usage_error(fmt::format("--topic-model takes echo or none, not '{}'", v));
      }
    } else if (a == "--language") {
      const std::string_view v = value();
      if (v != "none") usage_error(fmt::format("--language takes none, not '{}'", v));
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

bool read_all(const std::string& path, std::string& out, std::string& error) {
  std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) {
    error = fmt::format("cannot open '{}': {}", path, std::strerror(errno));
    return false;
  }
  char buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  if (f != stdin) std::fclose(f);
  if (failed) {
    error = fmt::format("cannot read '{}'", path);
    return false;
  }
  return true;
}

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

int replay(const options& o) {
  std::string input, error;
  if (!read_all(o.input, input, error)) {
    fmt::print(stderr, "dial-analytics: {}\n", error);
    return 1;
  }
  da::echo_topic_classifier echo;
  da::sequential_id_generator sequential;
  da::pipeline_options popts;
  if (o.echo_topics) popts.analysis.topic = &echo;
  if (o.deterministic_ids) popts.analysis.ids = &sequential;
  if (o.log_level) {
    const da::log_level min = *o.log_level;
    popts.analysis.log = [min](da::log_level level, std::string_view message) {
      if (level >= min) fmt::print(stderr, "{} {}\n", level_name(level), message);
    };
  }
  stdout_sink sink;
  da::pipeline pipeline(sink, std::move(popts));
  std::vector<da::event_status> statuses;
  const da::ingest_result result = pipeline.ingest(input, &statuses);
  std::fflush(stdout);
  if (result.ec) {
    fmt::print(stderr, "dial-analytics: unreadable input: {}\n", result.message);
    return 1;
  }
  std::string line;
  for (const da::event_status& s : statuses) {
    if (s.ok) continue;
    line = fmt::format("{{\"index\":{},\"status\":\"error\"", s.index);
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
  if (args[0] != "replay") usage_error(fmt::format("unknown command '{}'", args[0]));
  return replay(parse_replay_args({args.begin() + 1, args.end()}));
}
