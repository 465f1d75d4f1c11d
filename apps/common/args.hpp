// SPDX-License-Identifier: Apache-2.0
// Command line reading shared by the command line tool and the server, on CLI11: number parsers,
// validators, the help layout, and one way to report a wrong command line.
//
// Every usage error is one line on stderr that names the flag and the help to read, and exits
// with status 2:
//   dial-analytics replay: --topic-min-confidence: must be a number from 0 to 1, not 'x' (see
//   dial-analytics replay --help)
//
// Typical use:
//   CLI::App root{"what the program does", "dial-analytics"};
//   apps::configure_app(root, "dial-analytics 0.1.0");
//   root.add_option("--k", k, "how many")->check(apps::whole_number(1));
//   if (const auto status = apps::parse_command_line(root, argc, argv)) return *status;
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace dial_analytics::apps {

/// A command line that cannot run, found after CLI11 has read it (two flags that exclude each
/// other, an unknown command name). The message names the flag and not the program, e.g.
/// "give the input as FILE or as --input, not both"; parse_command_line() and
/// report_usage_error() add the command and the --help to read.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// @name Number parsers
/// The whole of `value` as a number, or usage_error("<option> takes <what>, not '<value>'"), for
/// values read outside CLI11 (environment variables, configuration).
///@{
/// A number from 0 to 1.
/// A comma-separated list: "a, b,,c" → {"a", "b", "c"} (items trimmed, empty ones dropped).
[[nodiscard]] std::vector<std::string> split_list(std::string_view list);

[[nodiscard]] double parse_probability(std::string_view option, std::string_view value);
/// A number above 0.
[[nodiscard]] double parse_positive(std::string_view option, std::string_view value);
/// A whole number of at least `min`.
[[nodiscard]] int parse_int(std::string_view option, std::string_view value, int min);
/// A whole number of at least `min`, up to 2^64 - 1.
[[nodiscard]] std::uint64_t parse_uint64(std::string_view option, std::string_view value,
                                         std::uint64_t min = 0);
///@}

/// @name CLI11 validators
/// For `option->check(...)`; the error reads "<flag>: must be <what>, not '<value>'". Check
/// numbers before CLI11 converts them: a failed conversion has CLI11's own wording.
///@{
/// A number from 0 to 1.
[[nodiscard]] CLI::Validator probability();
/// A number above 0.
[[nodiscard]] CLI::Validator positive();
/// A whole number of at least `min` that fits an int.
[[nodiscard]] CLI::Validator whole_number(int min);
/// A whole number of at least `min` that fits a std::uint64_t.
[[nodiscard]] CLI::Validator whole_number_u64(std::uint64_t min = 0);
/// One of `choices`, exactly: "must be cld2, cld2-only or none, not 'x'".
[[nodiscard]] CLI::Validator one_of(std::vector<std::string> choices);
/// Anything but the empty text; `what` says what is expected: "must be <what>, not ''".
[[nodiscard]] CLI::Validator non_empty(std::string what);
///@}

/// The help layout of every command: usage line, description, arguments, options with their
/// value name ("--input PATH|-") and their default, descriptions wrapped at `width` columns,
/// commands, footer. The description and the footer are printed as written.
[[nodiscard]] std::shared_ptr<CLI::Formatter> help_formatter(std::size_t width = 100);

/// Sets `app` up like every command: help_formatter(), "-h, --help", "--version" printing
/// `version_line`, a repeated option keeps its last value, and subcommands are listed under
/// "Commands". Call it on the root before adding subcommands (they inherit most of it), and on
/// each subcommand for its --version flag and group.
void configure_app(CLI::App& app, const std::string& version_line);

/// The full name of a command: "dial-analytics topics train".
[[nodiscard]] std::string command_path(const CLI::App& app);

/// The deepest command named on the command line that was parsed (the root when none was): the
/// one whose --help a user needs after an error.
[[nodiscard]] const CLI::App& selected_command(const CLI::App& root);

/// The help of `app` itself (CLI::App::help() would show a parsed subcommand's help instead).
[[nodiscard]] std::string help_text(const CLI::App& app);

/// "<command path>: <message> (see <command path> --help)", without a newline.
[[nodiscard]] std::string usage_message(const CLI::App& command, std::string_view message);

/// A CLI11 parse error (not help or version) as usage_message() of selected_command(root), in
/// words that name the flag: "unknown option '--bogus'", "--input needs a value",
/// "--model is required", "--k: must be a whole number of at least 1, not '0'".
[[nodiscard]] std::string describe_parse_error(const CLI::App& root, const CLI::ParseError& e);

/// Prints usage_message(command, message) to stderr. @return 2, the exit status of usage errors.
int report_usage_error(const CLI::App& command, std::string_view message);

/// Parses the command line; nothing escapes. Help goes to stdout (status 0), the version line
/// too (status 0), a CLI11 parse error or a usage_error thrown by a callback goes to stderr
/// (status 2). @return the exit status to stop with, or nothing when the program goes on.
[[nodiscard]] std::optional<int> parse_command_line(CLI::App& root, int argc,
                                                    const char* const* argv);

}  // namespace dial_analytics::apps
