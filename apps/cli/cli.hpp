// SPDX-License-Identifier: Apache-2.0
// The commands of the dial-analytics command line tool (docs/cli.md). Each one adds its CLI11
// subcommand to the root and runs once the command line was read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dial_analytics/elasticsearch/es_config.hpp>

#include <CLI/CLI.hpp>

namespace dial_analytics::cli {

/// The line `--version` prints: "dial-analytics <version>".
[[nodiscard]] std::string version_line();

/// One command of the tool.
class command {
 public:
  virtual ~command() = default;
  /// True when the command line named this command.
  [[nodiscard]] virtual bool selected() const = 0;
  /// Does the work. @return the exit status. @throws apps::usage_error for flags that do not go
  /// together (the caller reports it like a parse error).
  virtual int run() = 0;
};

/// `dial-analytics replay`: a DIAL log stream → InfluxDB line protocol.
[[nodiscard]] std::unique_ptr<command> add_replay_command(CLI::App& root);

/// `dial-analytics topics train|predict|test`: build and check fastText topic models.
[[nodiscard]] std::unique_ptr<command> add_topics_command(CLI::App& root);

/// `dial-analytics flywheel records|load|export|validate|datasets`: Data Flywheel records from
/// DIAL logs; the loader; the blueprint's exporter, validator and dataset creator.
[[nodiscard]] std::unique_ptr<command> add_flywheel_command(CLI::App& root);

/// `dial-analytics report`: usage and cost from line-protocol points (text, JSON, HTML).
[[nodiscard]] std::unique_ptr<command> add_report_command(CLI::App& root);

/// `flywheel export|validate|datasets`, added to the `flywheel` command.
[[nodiscard]] std::vector<std::unique_ptr<command>> add_flywheel_dataset_commands(
    CLI::App& flywheel);

/// `dial-analytics rollup`: 6-hour and monthly aggregates of the raw points, written to InfluxDB.
[[nodiscard]] std::unique_ptr<command> add_rollup_command(CLI::App& root);

/// Line-protocol inputs: files as given (`-` is standard input), directories as their *.lp files
/// (recursively, sorted). @throws apps::usage_error for an unreadable or empty directory.
[[nodiscard]] std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs);

/// Streams the line-protocol inputs (expand_inputs(), gzip read) to `text` in blocks of whole
/// lines (8 MB), so memory does not grow with the files. @return the first read error, or empty.
[[nodiscard]] std::string read_line_protocol(const std::vector<std::string>& inputs,
                                             const std::function<void(std::string_view)>& text);

/// A --from/--to value as epoch nanoseconds; nullopt when empty.
/// @throws apps::usage_error when it is not a time.
[[nodiscard]] std::optional<std::int64_t> time_option(const std::string& value,
                                                      std::string_view flag);

/// A private spool directory for one run of a command that writes through the spooled outputs
/// (`flywheel load`, `rollup`): removed at the end unless keep() was called (refused lines).
class scratch_dir {
 public:
  /// Creates $TMPDIR/dial-analytics-<purpose>-XXXXXX. @throws config_error when it cannot.
  explicit scratch_dir(std::string_view purpose);
  ~scratch_dir();
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  void keep() { keep_ = true; }

 private:
  std::filesystem::path path_;
  bool keep_ = false;
};

/// Prints "dial-analytics: <message>" on stderr; returns 1 (the exit status of a failed run).
int fail(std::string_view message);

/// The environment variable `name`, or `fallback` when it is unset or empty.
[[nodiscard]] const char* env_or(const char* name, const char* fallback);

/// An Elasticsearch connection from a URL and index, with the credentials and CA bundle of the
/// ELASTICSEARCH_* environment variables (docs/configuration.md).
[[nodiscard]] elasticsearch::es_config flywheel_es_config(const std::string& url,
                                                          const std::string& index,
                                                          bool nat_compat);

}  // namespace dial_analytics::cli
