// SPDX-License-Identifier: Apache-2.0
// dial-analytics: the command line tool (docs/cli.md). Reads the command line and runs the
// command it names.
#include <dial_analytics/version.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "args.hpp"
#include "cli.hpp"

namespace da = dial_analytics;
namespace apps = dial_analytics::apps;

namespace {

constexpr const char* description =
    R"(Turns DIAL Core logs into InfluxDB line protocol and Data Flywheel records.

Run 'dial-analytics help COMMAND' or 'dial-analytics COMMAND --help' for the flags of a command;
docs/cli.md has them all.)";

constexpr const char* footer =
    "Exit status: 0 on success; 1 when an input, a model or the output cannot be used; 2 for a\n"
    "usage error.";

// `dial-analytics help [COMMAND...]`: the help of the tool or of a command.
class help_command final : public da::cli::command {
 public:
  explicit help_command(CLI::App& root)
      : root_(root),
        app_(root.add_subcommand("help", "Prints the help of the tool or of a command.")) {
    apps::configure_app(*app_, da::cli::version_line());
    app_->add_option("COMMAND", names_, "a command, e.g. replay or topics train");
  }

  [[nodiscard]] bool selected() const override { return app_->parsed(); }

  int run() override {
    const CLI::App* app = &root_;
    for (const std::string& name : names_) {
      const auto subs =
          app->get_subcommands([&name](const CLI::App* sub) { return sub->get_name() == name; });
      if (subs.empty()) throw apps::usage_error(fmt::format("unknown command '{}'", name));
      app = subs.front();
    }
    fmt::print("{}", apps::help_text(*app));
    return 0;
  }

 private:
  const CLI::App& root_;
  CLI::App* app_;
  std::vector<std::string> names_;
};

// Exit status 1 when standard output could not take everything (a full disk, a closed pipe).
int finish_output(int status) {
  errno = 0;
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return status;
  if (status != 0) return status;  // already reported
  fmt::print(stderr, "dial-analytics: cannot write the output: {}\n",
             errno != 0 ? std::strerror(errno) : "write error");
  return 1;
}

}  // namespace

std::string da::cli::version_line() { return fmt::format("dial-analytics {}", version_string); }

int main(int argc, char** argv) {
  CLI::App root(description, "dial-analytics");
  apps::configure_app(root, da::cli::version_line());
  root.footer(footer);
  root.require_subcommand(1);
  std::vector<std::unique_ptr<da::cli::command>> commands;
  commands.push_back(da::cli::add_replay_command(root));
  commands.push_back(da::cli::add_topics_command(root));
  commands.push_back(da::cli::add_flywheel_command(root));
  commands.push_back(da::cli::add_report_command(root));
  commands.push_back(da::cli::add_rollup_command(root));
  commands.push_back(std::make_unique<help_command>(root));
  if (const auto status = apps::parse_command_line(root, argc, argv)) return finish_output(*status);
  for (const auto& command : commands) {
    if (!command->selected()) continue;
    try {
      return finish_output(command->run());
    } catch (const apps::usage_error& e) {
      return apps::report_usage_error(apps::selected_command(root), e.what());
    }
  }
  return apps::report_usage_error(root, "a command is required");  // not reached
}
