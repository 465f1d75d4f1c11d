// SPDX-License-Identifier: Apache-2.0
// `dial-analytics rollup`: the raw `analytics` points of aligned windows aggregated into the
// reference's rollup measurements (and monthly ones), written to InfluxDB through the same
// spooled writers as the server, or as line protocol (docs/dashboards.md, "Rollups").
#include <dial_analytics/error.hpp>
#include <dial_analytics/influx/influx_writer.hpp>
#include <dial_analytics/output/spooled_output.hpp>
#include <dial_analytics/report.hpp>
#include <dial_analytics/rollup.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "args.hpp"
#include "cli.hpp"

namespace dial_analytics::cli {
namespace {

using clock_type = std::chrono::steady_clock;

constexpr std::string_view description =
    R"(Rolls the raw `analytics` points up into 6-hour and monthly aggregates, written to InfluxDB
(v1, v2 or v3) through the server's writers, or as line protocol.

Every window is aligned to UTC (00, 06, 12 and 18 h) and aggregated whole, so running a window
twice writes the same points again (InfluxDB keeps one point per series and time). Per window:
default_agg_stats, default_agg_topic_2, default_agg_topic, default_agg_kpi (per user, with a
`user` field for unique users across windows) and default_agg_chatid. For every calendar month
wholly inside the range: default_agg_month and default_agg_user_deciles.

Range: --from/--to (widened to whole windows), or --month, or without them the last --last
complete windows (for cron). Source: --input (line-protocol files or directories of *.lp) or
--influx-url (InfluxDB's 1.x query API; v2 and v3 have one too), read one window at a time.
Destination: --output, or InfluxDB at --write-url (default: --influx-url) with the credentials
of INFLUX_API_TOKEN (v2 token, v3 bearer, v1 password) and INFLUX_USERNAME (v1).)";

struct rollup_options {
  std::vector<std::string> inputs;
  std::string influx_url, database = "dial";
  std::string from, to, month;
  unsigned last = 1;
  bool last_given = false;
  std::string window = "6h";
  std::string output;
  std::string write_url, write_api = "auto", write_database, write_rp = "agg", write_bucket,
                         write_org;
  unsigned timeout_s = 300;
};

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t window_of(const std::string& text) {
  static constexpr std::pair<const char*, int> known[] = {{"1h", 1},   {"2h", 2},   {"3h", 3},
                                                          {"4h", 4},   {"6h", 6},   {"8h", 8},
                                                          {"12h", 12}, {"24h", 24}, {"1d", 24}};
  for (const auto& [name, hours] : known) {
    if (text == name) return hours * rollup::hour_ns;
  }
  throw apps::usage_error(fmt::format(
      "--window takes 1h, 2h, 3h, 4h, 6h, 8h, 12h or 24h (a divisor of a day), not '{}'", text));
}

/// [from, to) of the run, whole windows.
std::pair<std::int64_t, std::int64_t> range_of(const rollup_options& o, std::int64_t window) {
  if (o.last_given && (!o.month.empty() || !o.from.empty()))
    throw apps::usage_error(
        "--last counts windows back from now or from --to; not with --month or --from");
  if (!o.month.empty()) {
    if (!o.from.empty() || !o.to.empty())
      throw apps::usage_error("give --month or --from/--to, not both");
    const auto start = o.month.size() == 7 ? report::parse_time(o.month + "-01") : std::nullopt;
    if (!start) throw apps::usage_error(fmt::format("--month takes YYYY-MM, not '{}'", o.month));
    return {*start, rollup::next_month(*start)};
  }
  const auto from = time_option(o.from, "--from");
  const auto to = time_option(o.to, "--to");
  if (to && *to > std::numeric_limits<std::int64_t>::max() - window)
    throw apps::usage_error("--to is beyond the last time InfluxDB can hold (2262-04-11)");
  const std::int64_t end =
      to ? rollup::window_floor(*to + window - 1, window) : rollup::window_floor(now_ns(), window);
  const std::int64_t start =
      from ? rollup::window_floor(*from, window) : end - static_cast<std::int64_t>(o.last) * window;
  if (end <= start) {
    throw apps::usage_error(to ? "the range is empty: --to must be after --from"
                               : "the range is empty: --from is in the current window, which is "
                                 "not complete yet (give --to to roll it up so far)");
  }
  return {start, end};
}

std::string iso(std::int64_t ns) {
  const std::time_t t = static_cast<std::time_t>(ns / 1000000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

influx::api_version api_of(const std::string& v) {
  if (v == "1") return influx::api_version::v1;
  if (v == "2") return influx::api_version::v2;
  if (v == "3") return influx::api_version::v3;
  return influx::api_version::automatic;
}

/// Where the aggregates go: a file (or stdout), or InfluxDB through a private spool.
class destination {
 public:
  explicit destination(const rollup_options& o) : timeout_(o.timeout_s) {
    if (!o.output.empty()) {
      if (!o.write_url.empty() || !o.write_database.empty() || !o.write_bucket.empty() ||
          !o.write_org.empty() || o.write_api != "auto")
        throw apps::usage_error(
            "--output writes a file: it does not go with the --write-* options");
      if (o.output != "-") {
        file_.open(o.output, std::ios::binary | std::ios::trunc);
        if (!file_) throw config_error(fmt::format("cannot write {}", o.output));
      }
      name_ = o.output == "-" ? "standard output" : o.output;
      to_file_ = true;
      return;
    }
    influx::influx_config c;
    c.url = o.write_url.empty() ? o.influx_url : o.write_url;
    if (c.url.empty())
      throw apps::usage_error("give --output FILE, or --write-url URL to write to InfluxDB");
    c.version = api_of(o.write_api);
    c.token = output::secret_string(env_or("INFLUX_API_TOKEN", ""));
    c.username = env_or("INFLUX_USERNAME", "");
    c.org = o.write_org.empty() ? env_or("INFLUX_ORG", "") : o.write_org;
    c.bucket = o.write_bucket;
    c.database = o.write_database.empty() ? o.database : o.write_database;
    c.retention_policy = o.write_rp;
    const influx::version_probe probe = influx::probe_version(c);
    if (c.version == influx::api_version::automatic) c.version = probe.version;
    if (c.version != influx::api_version::v1) c.retention_policy.clear();
    name_ = influx::describe(c);
    retention_policy_ = c.retention_policy;
    scratch_.emplace("rollup");
    output::spooled_output_options so;
    so.dir = scratch_->path();
    so.lanes = 1;
    so.spool.max_bytes = std::uint64_t(1) << 40;
    so.spool.sync = false;
    so.sender.linger = std::chrono::milliseconds(0);
    so.sender.batch_lines = 5000;
    so.sender.retry_max = std::chrono::seconds(10);
    so.sender.log = [refused = refused_](log_level level, std::string_view m) {
      if (level >= log_level::warning) fmt::print(stderr, "dial-analytics: {}\n", m);
      if (level >= log_level::error) *refused = true;  // a configuration problem: stop waiting
    };
    out_ = std::make_unique<output::spooled_output>(
        so, influx::make_writer_factory(c, probe, so.sender.log));
  }

  [[nodiscard]] const std::string& name() const { return name_; }

  /// Appends whole lines; false (after saying why) when they cannot be kept.
  bool write(const std::string& lines) {
    if (lines.empty()) return true;
    written_ += static_cast<std::uint64_t>(std::count(lines.begin(), lines.end(), '\n'));
    if (to_file_) {
      if (file_.is_open()) {
        file_ << lines;
        if (!file_) return fail(fmt::format("cannot write {}", name_)) == 0;
      } else if (std::fwrite(lines.data(), 1, lines.size(), stdout) != lines.size()) {
        return fail("cannot write to standard output") == 0;
      }
      return true;
    }
    if (const std::error_code ec = out_->append(lines))
      return fail(fmt::format("cannot spool the aggregates: {}", ec.message())) == 0;
    return true;
  }

  /// Waits until InfluxDB has every point; the exit status.
  int finish() {
    if (to_file_) {
      if (file_.is_open()) file_.flush();
      if ((file_.is_open() && !file_) || (!file_.is_open() && std::fflush(stdout) != 0))
        return fail(fmt::format("cannot write {}", name_));
      return 0;
    }
    const auto deadline = clock_type::now() + std::chrono::seconds(timeout_);
    while (out_->pending_bytes() > 0 && clock_type::now() < deadline && !*refused_)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    out_->stop(std::chrono::milliseconds(0));
    const output::output_stats s = out_->stats();
    // The rollup is idempotent: what did not arrive is written again by the same command, so
    // the private spool is not kept.
    if (*refused_ && !retention_policy_.empty()) {
      return fail(fmt::format(
          "InfluxDB refuses the writes (above). If it says \"retention policy not found\": create "
          "it with examples/dashboards/influxdb-v1/rollups.iql, or CREATE RETENTION POLICY "
          "\"{}\" ON <database> DURATION INF REPLICATION 1, or pass --write-retention-policy '' "
          "for the database's default; then run the same command again",
          retention_policy_));
    }
    if (*refused_ || out_->pending_bytes() > 0) {
      return fail(fmt::format(
          "InfluxDB stored {} of {} aggregate point(s){} (see the messages above); run the same "
          "command again once it takes writes: the rollup writes the same points again",
          s.lines_written, written_,
          *refused_ ? "" : fmt::format(" in {} s (--timeout)", timeout_)));
    }
    if (s.lines_rejected > 0) {
      return fail(
          fmt::format("InfluxDB refused {} aggregate point(s) for good (the reasons are "
                      "above)",
                      s.lines_rejected));
    }
    return 0;
  }

  [[nodiscard]] std::uint64_t written() const { return written_; }

 private:
  unsigned timeout_;
  bool to_file_ = false;
  std::ofstream file_;
  std::string name_;
  std::string retention_policy_;
  std::shared_ptr<std::atomic<bool>> refused_ = std::make_shared<std::atomic<bool>>(false);
  std::optional<scratch_dir> scratch_;
  std::unique_ptr<output::spooled_output> out_;
  std::uint64_t written_ = 0;
};

/// A progress line at most every 2 s (and for the last window).
class progress_line {
 public:
  explicit progress_line(std::size_t windows) : windows_(windows) {}
  void window(std::size_t done, std::int64_t start, std::uint64_t points,
              std::uint64_t aggregates) {
    points_ += points;
    if (done < windows_ && clock_type::now() - last_ < std::chrono::seconds(2)) return;
    last_ = clock_type::now();
    fmt::print(stderr,
               "dial-analytics: rollup: window {} of {} ({}): {} point(s), {} aggregate(s); {} "
               "point(s) so far\n",
               done, windows_, iso(start), points, aggregates, points_);
  }

 private:
  std::size_t windows_;
  std::uint64_t points_ = 0;
  clock_type::time_point last_ = clock_type::now();
};

int run_rollup(const rollup_options& o) {
  if (o.inputs.empty() == o.influx_url.empty())
    throw apps::usage_error("give --input FILE|DIR, or --influx-url URL");
  const std::int64_t window = window_of(o.window);
  const auto [from, to] = range_of(o, window);
  std::optional<destination> dest;
  try {
    dest.emplace(o);
  } catch (const config_error& e) {
    return fail(e.what());
  }
  rollup::builder b(from, to, window);
  const std::vector<std::int64_t> windows = b.windows();
  fmt::print(stderr,
             "dial-analytics: rollup of {} to {} ({} window(s) of {}, {} whole month(s)) into {}\n",
             iso(from), iso(to), windows.size(), o.window, b.months().size(), dest->name());
  progress_line progress(windows.size());
  const auto flush_window = [&](std::size_t index) {
    const std::int64_t start = windows[index];
    const std::uint64_t points = b.points_in(start);
    const std::string lines = b.take_window(start);
    const bool ok = dest->write(lines);
    progress.window(index + 1, start, points,
                    static_cast<std::uint64_t>(std::count(lines.begin(), lines.end(), '\n')));
    return ok;
  };
  if (!o.influx_url.empty()) {
    // Read with the credentials the writes use: INFLUX_USERNAME and INFLUX_API_TOKEN (for a v2
    // or v3 query API, the token as the password of any user).
    report::influx_source source{o.influx_url, o.database, env_or("INFLUX_USERNAME", ""),
                                 env_or("INFLUX_API_TOKEN", "")};
    if (source.username.empty() && !source.password.empty()) source.username = "dial-analytics";
    struct write_failed {};
    std::size_t done = 0;
    try {
      rollup::read_influxdb(source, b, [&](std::size_t index) {
        if (!flush_window(index)) throw write_failed{};
        done = index + 1;
      });
    } catch (const write_failed&) {
      return 1;
    } catch (const std::exception& e) {
      // Deliver the windows already read, then say where to go on from.
      const int status = dest->finish();
      return fail(fmt::format("{}; {} of {} window(s) were {}; go on with --from {}{}", e.what(),
                              done, windows.size(), status == 0 ? "written" : "read",
                              iso(done < windows.size() ? windows[done] : to),
                              o.to.empty() && o.month.empty() ? "" : " --to " + iso(to)));
    }
  } else {
    if (const std::string error =
            read_line_protocol(o.inputs, [&b](std::string_view text) { b.add_text(text); });
        !error.empty())
      return fail(error);
    for (std::size_t i = 0; i < windows.size(); ++i) {
      if (!flush_window(i)) return 1;
    }
  }
  for (const std::int64_t month : b.months()) {
    if (!dest->write(b.month_lines(month))) return 1;
  }
  if (const int status = dest->finish(); status != 0) return status;
  fmt::print(stderr, "dial-analytics: {} raw point(s) rolled up into {} aggregate point(s){}{}\n",
             b.points(), dest->written(),
             b.unreadable_lines()
                 ? fmt::format("; {} unreadable line(s) skipped", b.unreadable_lines())
                 : std::string(),
             dest->written() ? " written to " + dest->name() : std::string());
  return 0;
}

class rollup_command final : public command {
 public:
  explicit rollup_command(CLI::App& root)
      : app_(root.add_subcommand("rollup", std::string(description))) {
    apps::configure_app(*app_, version_line());
    app_->add_option("--input", o_.inputs,
                     "raw points: a line-protocol file or a directory of *.lp files; repeatable")
        ->type_name("FILE|DIR|-");
    app_->add_option("--influx-url", o_.influx_url,
                     "raw points from InfluxDB (1.x query API), one window per query; user-info "
                     "in the URL is Basic auth")
        ->type_name("URL");
    app_->add_option("--database", o_.database, "the database of the raw points")
        ->type_name("NAME")
        ->capture_default_str();
    app_->add_option("--from", o_.from, "the first window: the one holding this UTC time")
        ->type_name("TIME");
    app_->add_option("--to", o_.to, "the end: windows up to this UTC time (rounded up to a window)")
        ->type_name("TIME");
    app_->add_option("--month", o_.month, "one calendar month: its windows and its monthly points")
        ->type_name("YYYY-MM");
    app_->add_option("--last", o_.last,
                     "without --from/--to/--month: the last N complete windows before now")
        ->type_name("N")
        ->check(CLI::Range(1u, 100000u))
        ->capture_default_str();
    app_->add_option("--window", o_.window, "the window: 1h 2h 3h 4h 6h 8h 12h or 24h")
        ->capture_default_str();
    app_->add_option("--output", o_.output,
                     "write the aggregates as line protocol to FILE (- for standard output) "
                     "instead of InfluxDB")
        ->type_name("FILE|-");
    app_->add_option("--write-url", o_.write_url,
                     "the InfluxDB to write to (default: --influx-url)")
        ->type_name("URL");
    app_->add_option("--write-api", o_.write_api, "its write API; auto asks GET /ping")
        ->check(apps::one_of({"auto", "1", "2", "3"}))
        ->capture_default_str();
    app_->add_option("--write-database", o_.write_database,
                     "v1/v3 database to write to (default: --database; the reference's v3 layout "
                     "uses analytics_agg)")
        ->type_name("NAME");
    app_->add_option("--write-retention-policy", o_.write_rp,
                     "v1 retention policy (created by rollups.iql; '' for the default one)")
        ->type_name("NAME")
        ->capture_default_str();
    app_->add_option("--write-bucket", o_.write_bucket, "v2 bucket to write to")
        ->type_name("BUCKET");
    app_->add_option("--write-org", o_.write_org, "v2 organisation (default: INFLUX_ORG)")
        ->type_name("ORG");
    app_->add_option("--timeout", o_.timeout_s, "seconds to wait for InfluxDB to take every point")
        ->type_name("SECONDS")
        ->capture_default_str();
  }
  [[nodiscard]] bool selected() const override { return app_->parsed(); }
  int run() override {
    o_.last_given = app_->count("--last") > 0;
    return run_rollup(o_);
  }

 private:
  CLI::App* app_;
  rollup_options o_;
};

}  // namespace

std::unique_ptr<command> add_rollup_command(CLI::App& root) {
  return std::make_unique<rollup_command>(root);
}

}  // namespace dial_analytics::cli
