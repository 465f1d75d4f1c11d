// SPDX-License-Identifier: Apache-2.0
#include "args.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <limits>
#include <system_error>

namespace dial_analytics::apps {
namespace {

// The whole of `text` as a T, or nothing.
template <typename T>
std::optional<T> to_number(std::string_view text) {
  T v{};
  const char* end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || stop != end) return std::nullopt;
  return v;
}

// What each kind of value must be, in the words of both the parsers and the validators.
constexpr std::string_view probability_words = "a number from 0 to 1";
constexpr std::string_view positive_words = "a number above 0";
template <typename T>
std::string whole_number_words(T min) {
  return fmt::format("a whole number of at least {}", min);
}

bool is_probability(std::string_view text) {
  const auto v = to_number<double>(text);
  return v && *v >= 0 && *v <= 1;
}
bool is_positive(std::string_view text) {
  const auto v = to_number<double>(text);
  return v && *v > 0;
}
template <typename T>
bool is_whole_number(std::string_view text, T min) {
  const auto v = to_number<T>(text);
  return v && *v >= min;
}

[[noreturn]] void throw_takes(std::string_view option, std::string_view words,
                              std::string_view value) {
  throw usage_error(fmt::format("{} takes {}, not '{}'", option, words, value));
}

// A validator whose error reads "must be <words>, not '<value>'" (no description: CLI11 would
// append it to the value name in the help).
template <typename Ok>
CLI::Validator must_be(std::string words, Ok ok) {
  return CLI::Validator(
      [words = std::move(words), ok](std::string& value) -> std::string {
        if (ok(value)) return {};
        return fmt::format("must be {}, not '{}'", words, value);
      },
      std::string());
}

// "a", "a or b", "a, b or c".
std::string either(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += words[i];
  }
  return out;
}

// `text` re-flowed into lines of at most `width` columns; its own line breaks are kept.
std::string wrap(std::string_view text, std::size_t width) {
  std::string out;
  std::size_t column = 0;
  for (std::size_t pos = 0; pos <= text.size();) {
    std::size_t end = text.find_first_of(" \n", pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(pos, end - pos);
    if (!word.empty()) {
      if (column > 0 && column + 1 + word.size() > width) {
        out += '\n';
        column = 0;
      } else if (column > 0) {
        out += ' ';
        ++column;
      }
      out += word;
      column += word.size();
    }
    if (end < text.size() && text[end] == '\n') {
      out += '\n';
      column = 0;
    }
    pos = end + 1;
  }
  return out;
}

class formatter final : public CLI::Formatter {
 public:
  explicit formatter(std::size_t width) : width_(width) {
    column_width(30);
    label("Positionals", "Arguments");
    label("SUBCOMMAND", "COMMAND");
    label("SUBCOMMANDS", "COMMANDS");
  }

  std::string make_help(const CLI::App* app, std::string name,
                        CLI::AppFormatMode mode) const override {
    if (mode == CLI::AppFormatMode::Sub) return make_expanded(app);
    std::string out = make_usage(app, std::move(name));
    if (!app->get_description().empty()) out += "\n" + app->get_description() + "\n";
    out += make_positionals(app);
    out += make_groups(app, mode);
    out += make_subcommands(app, mode);
    if (const std::string footer = make_footer(app); !footer.empty()) out += "\n" + footer;
    return out;
  }

  std::string make_option_name(const CLI::Option* opt, bool positional) const override {
    if (positional) return opt->get_name(true, false);
    std::string names = opt->get_name(false, true);  // "-h,--help"
    for (std::size_t i = 0; (i = names.find(',', i)) != std::string::npos; i += 2)
      names.replace(i, 1, ", ");
    return names;
  }

  std::string make_option_opts(const CLI::Option* opt) const override {
    if (opt->get_positional() || opt->get_type_size() == 0 || opt->get_type_name().empty())
      return {};
    return " " + opt->get_type_name();
  }

  std::string make_option_desc(const CLI::Option* opt) const override {
    std::string text = opt->get_description();
    if (opt->get_required()) text += " (required)";
    if (!opt->get_default_str().empty())
      text += fmt::format(" (default: {})", opt->get_default_str());
    return wrap(text, width_ > column_width_ + 20 ? width_ - column_width_ : 20);
  }

  // The first line of a command's description is its summary in its parent's list.
  std::string make_subcommand(const CLI::App* sub) const override {
    const std::string& description = sub->get_description();
    std::string out;
    out += fmt::format("  {:<{}}", sub->get_name(), column_width_ - 2);
    out += description.substr(0, description.find('\n'));
    return out + "\n";
  }

 private:
  std::size_t width_;
};

// The first argument nobody took, along the commands given (skipping "--").
std::optional<std::string> first_extra(const CLI::App& root) {
  for (const std::string& arg : root.remaining(true)) {
    if (arg != "--") return arg;
  }
  return std::nullopt;
}

std::string extra_words(const CLI::App& command, const std::string& arg) {
  if (arg.size() > 1 && arg.front() == '-')
    return fmt::format("unknown option '{}'", arg.substr(0, arg.find('=')));
  const auto subcommands = command.get_subcommands(
      [](const CLI::App* sub) { return !sub->get_name().empty() && !sub->get_disabled(); });
  if (!subcommands.empty() && command.get_subcommands().empty())
    return fmt::format("unknown command '{}'", arg);
  return fmt::format("unexpected argument '{}'", arg);
}

std::string command_names(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::App* sub : command.get_subcommands(
           [](const CLI::App* s) { return !s->get_name().empty() && !s->get_disabled(); }))
    names.push_back(sub->get_name());
  return either(names);
}

// The words of a CLI11 error, naming the flag.
std::string parse_error_words(const CLI::App& root, const CLI::App& command,
                              const CLI::ParseError& e) {
  // An unknown flag is usually why the rest went wrong (a typo of a required flag): first.
  if (const auto extra = first_extra(root)) return extra_words(command, *extra);
  const std::string what = e.what();
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e)) {
    // "--input: 1 required PATH missing"
    const std::size_t colon = what.find(": ");
    if (colon != std::string::npos && what.find(" required ", colon) != std::string::npos &&
        what.ends_with(" missing"))
      return fmt::format("{} needs a value", what.substr(0, colon));
  }
  if (dynamic_cast<const CLI::RequiredError*>(&e) && what.starts_with("A subcommand"))
    return fmt::format("a command is required: {}", command_names(command));
  if (dynamic_cast<const CLI::ConversionError*>(&e) && what.starts_with("Could not convert: ")) {
    // "Could not convert: --deterministic-ids = maybe"
    const std::string rest = what.substr(std::string_view("Could not convert: ").size());
    const std::size_t eq = rest.find(" = ");
    if (eq != std::string::npos)
      return fmt::format("{}: cannot take '{}'", rest.substr(0, eq), rest.substr(eq + 3));
  }
  return what;
}

}  // namespace

std::vector<std::string> split_list(std::string_view v) {
  std::vector<std::string> out;
  while (!v.empty()) {
    const std::size_t comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return out;
}

double parse_probability(std::string_view option, std::string_view value) {
  if (!is_probability(value)) throw_takes(option, probability_words, value);
  return *to_number<double>(value);
}

double parse_positive(std::string_view option, std::string_view value) {
  if (!is_positive(value)) throw_takes(option, positive_words, value);
  return *to_number<double>(value);
}

int parse_int(std::string_view option, std::string_view value, int min) {
  if (!is_whole_number(value, min)) throw_takes(option, whole_number_words(min), value);
  return *to_number<int>(value);
}

std::uint64_t parse_uint64(std::string_view option, std::string_view value, std::uint64_t min) {
  if (!is_whole_number(value, min)) throw_takes(option, whole_number_words(min), value);
  return *to_number<std::uint64_t>(value);
}

CLI::Validator probability() { return must_be(std::string(probability_words), is_probability); }

CLI::Validator positive() { return must_be(std::string(positive_words), is_positive); }

CLI::Validator whole_number(int min) {
  return must_be(whole_number_words(min),
                 [min](std::string_view v) { return is_whole_number(v, min); });
}

CLI::Validator whole_number_u64(std::uint64_t min) {
  return must_be(whole_number_words(min),
                 [min](std::string_view v) { return is_whole_number(v, min); });
}

CLI::Validator one_of(std::vector<std::string> choices) {
  std::string words = either(choices);  // before `choices` moves into the check
  return must_be(std::move(words), [choices = std::move(choices)](std::string_view v) {
    for (const std::string& c : choices) {
      if (c == v) return true;
    }
    return false;
  });
}

CLI::Validator non_empty(std::string what) {
  return must_be(std::move(what), [](std::string_view v) { return !v.empty(); });
}
std::shared_ptr<CLI::Formatter> help_formatter(std::size_t width) {
  return std::make_shared<formatter>(width);
}

void configure_app(CLI::App& app, const std::string& version_line) {
  app.formatter(help_formatter());
  app.set_help_flag("-h,--help", "print this help and exit");
  app.set_version_flag("--version", version_line, "print the version and exit");
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  if (app.get_parent() != nullptr) app.group("Commands");
}

std::string command_path(const CLI::App& app) {
  std::string path = app.get_name();
  for (const CLI::App* p = app.get_parent(); p != nullptr; p = p->get_parent())
    path = p->get_name() + " " + path;
  return path;
}

const CLI::App& selected_command(const CLI::App& root) {
  const CLI::App* app = &root;
  while (!app->get_subcommands().empty()) app = app->get_subcommands().front();
  return *app;
}

std::string help_text(const CLI::App& app) {
  return app.get_formatter()->make_help(&app, command_path(app), CLI::AppFormatMode::Normal);
}

std::string usage_message(const CLI::App& command, std::string_view message) {
  const std::string path = command_path(command);
  return fmt::format("{}: {} (see {} --help)", path, message, path);
}

std::string describe_parse_error(const CLI::App& root, const CLI::ParseError& e) {
  const CLI::App& command = selected_command(root);
  return usage_message(command, parse_error_words(root, command, e));
}

int report_usage_error(const CLI::App& command, std::string_view message) {
  fmt::print(stderr, "{}\n", usage_message(command, message));
  return 2;
}

std::optional<int> parse_command_line(CLI::App& root, int argc, const char* const* argv) {
  try {
    root.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::CallForHelp&) {
    fmt::print("{}", help_text(selected_command(root)));
  } catch (const CLI::CallForAllHelp&) {
    fmt::print("{}", help_text(selected_command(root)));
  } catch (const CLI::CallForVersion& e) {
    fmt::print("{}\n", e.what());
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "{}\n", describe_parse_error(root, e));
    return 2;
  } catch (const usage_error& e) {
    return report_usage_error(selected_command(root), e.what());
  }
  return 0;
}

}  // namespace dial_analytics::apps
