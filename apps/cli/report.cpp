// SPDX-License-Identifier: Apache-2.0
// `dial-analytics report`: usage and cost from line-protocol files (docs/dashboards.md).
#include <dial_analytics/report.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "args.hpp"
#include "cli.hpp"
#include "gzip.hpp"

namespace dial_analytics::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view description =
    R"(Writes a usage and cost report from InfluxDB line-protocol points: the totals, usage and
cost over time, cost and tokens by model, deployment and project, the costliest users (their
hashes), languages, topics, MCP calls and routes. Requests, users, tokens and cost are counted
over the `analytics` measurement; cost is the sum of `price`.

Input: line-protocol files (gzip read) or directories (every *.lp file in them, e.g. a
server's DATA_DIR without a database, or files written by `replay`), or - for standard
input. Points are streamed: memory does not grow with their number.)";

struct report_options {
  std::vector<std::string> inputs;
  std::string influx_url, database = "dial";
  std::string from, to;
  std::string format = "text";
  std::string output;
};

int run_report(const report_options& o) {
  if (o.inputs.empty() == o.influx_url.empty())
    throw apps::usage_error("give --input FILE|DIR, or --influx-url URL");
  auto from = time_option(o.from, "--from");
  auto to = time_option(o.to, "--to");
  if (!o.influx_url.empty()) {
    // A database has no end: the last 30 days unless told otherwise.
    if (!to) {
      to = std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
    }
    if (!from) from = *to - 30LL * 86400 * 1000000000;
  }
  report::aggregator totals(from, to);
  if (!o.influx_url.empty()) {
    try {
      report::read_influxdb({o.influx_url, o.database, "", ""}, *from, *to, totals,
                            [](std::size_t done, std::size_t all) {
                              if (done % 30 == 0 && done < all)
                                fmt::print(stderr, "dial-analytics: read {} of {} day(s)\n", done,
                                           all);
                            });
    } catch (const std::exception& e) {
      return fail(e.what());
    }
  }
  if (const std::string error =
          read_line_protocol(o.inputs, [&totals](std::string_view text) { totals.add_text(text); });
      !error.empty())
    return fail(error);
  const report::summary s = totals.finish();
  const std::string text = o.format == "json"   ? report::to_json(s)
                           : o.format == "html" ? report::to_html(s)
                                                : report::to_text(s);
  if (o.output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (std::fflush(stdout) != 0) {
      return fail("cannot write the report to standard output");
    }
  } else {
    std::ofstream out(o.output, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      return fail(fmt::format("cannot write the report to {}", o.output));
    }
  }
  fmt::print(stderr, "dial-analytics: {} point(s) read; {} request(s), cost {:.4f}{}{}\n", s.points,
             s.requests, s.cost,
             s.unreadable_lines ? fmt::format("; {} unreadable line(s) skipped", s.unreadable_lines)
                                : std::string(),
             o.output.empty() ? std::string() : "; report written to " + o.output);
  return 0;
}

class report_command final : public command {
 public:
  explicit report_command(CLI::App& root)
      : app_(root.add_subcommand("report", std::string(description))) {
    apps::configure_app(*app_, version_line());
    app_->add_option("--input", o_.inputs,
                     "a line-protocol file or a directory of *.lp files; repeatable")
        ->type_name("FILE|DIR|-");
    app_->add_option("--influx-url", o_.influx_url,
                     "read the points from InfluxDB (1.x query API) instead; user-info in the URL "
                     "is Basic auth")
        ->type_name("URL");
    app_->add_option("--database", o_.database, "the InfluxDB database (with --influx-url)")
        ->type_name("NAME")
        ->capture_default_str();
    app_->add_option("--from", o_.from,
                     "count points at or after this UTC time (2024-11-22, 2024-11-22T09:00:00Z)")
        ->type_name("TIME");
    app_->add_option("--to", o_.to, "count points before this UTC time")->type_name("TIME");
    app_->add_option("--format", o_.format,
                     "text (a terminal summary), json or html (one self-contained page)")
        ->check(apps::one_of({"text", "json", "html"}))
        ->capture_default_str();
    app_->add_option("--output", o_.output, "write the report to FILE instead of standard output")
        ->type_name("FILE");
  }
  [[nodiscard]] bool selected() const override { return app_->parsed(); }
  int run() override { return run_report(o_); }

 private:
  CLI::App* app_;
  report_options o_;
};

}  // namespace

std::unique_ptr<command> add_report_command(CLI::App& root) {
  return std::make_unique<report_command>(root);
}

std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (in != "-" && fs::is_directory(in, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(in, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".lp")
          found.push_back(it->path().string());
      }
      if (ec)
        throw apps::usage_error(fmt::format("cannot read the directory {}: {}", in, ec.message()));
      std::sort(found.begin(), found.end());
      if (found.empty()) throw apps::usage_error(fmt::format("no *.lp files in {}", in));
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(in);
    }
  }
  return files;
}

std::optional<std::int64_t> time_option(const std::string& value, std::string_view flag) {
  if (value.empty()) return std::nullopt;
  const auto t = report::parse_time(value);
  if (!t) {
    throw apps::usage_error(fmt::format(
        "{} takes a UTC time such as 2024-11-22 or 2024-11-22T09:00:00Z, not '{}'", flag, value));
  }
  return t;
}

std::string read_line_protocol(const std::vector<std::string>& inputs,
                               const std::function<void(std::string_view)>& text) {
  std::string block;
  for (const std::string& path : expand_inputs(inputs)) {
    apps::input_file in(path);
    block.clear();
    while (in.read(block, 8u << 20)) {
      const std::size_t last = block.rfind('\n');
      if (last == std::string::npos) continue;  // a line longer than the block: read on
      text(std::string_view(block).substr(0, last));
      block.erase(0, last + 1);
    }
    if (!in.error().empty()) return in.error();
    text(block);
  }
  return {};
}

}  // namespace dial_analytics::cli
