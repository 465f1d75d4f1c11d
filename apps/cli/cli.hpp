// SPDX-License-Identifier: Apache-2.0
// The commands of the dial-analytics command line tool (docs/cli.md). Each one adds its CLI11
// subcommand to the root and runs once the command line was read.
#pragma once

#include <memory>
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
