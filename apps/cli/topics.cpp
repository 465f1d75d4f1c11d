// SPDX-License-Identifier: Apache-2.0
// `dial-analytics topics`: build and check fastText topic models (docs/topics.md).
#include <dial_analytics/analytics/fasttext_topic_classifier.hpp>

#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "cli.hpp"

namespace dial_analytics::cli {
namespace {

constexpr std::string_view topics_usage = R"(Usage:
  dial-analytics topics train --input LABELLED.txt --output MODEL.bin [options]
  dial-analytics topics predict --model MODEL [--input PATH|-] [--k N]
  dial-analytics topics test --model MODEL --input LABELLED.txt

train: builds a fastText supervised topic model. LABELLED.txt has one example per line,
  `__label__<topic> <text>` (fastText's format; blank lines and lines starting with '#' are
  skipped). Text is normalised as the server does before it classifies (docs/topics.md).
  --epoch N (50)  --lr X (0.5)  --word-ngrams N (1)  --dim N (20)  --min-count N (1)
  --minn N (3)  --maxn N (4)  --bucket N (20000)  --threads N (1: reproducible)  --seed N (0)
  --quantize      write a compressed model (use the .ftz extension)

predict: reads text lines and prints, per line, `<topic>\t<probability>` for the N most
  probable topics (tab-separated; default N 1).

test: reads a labelled file and prints the share of lines whose best topic is the label,
  overall and per topic.
)";

[[noreturn]] void print_usage() {
  fmt::print("{}", topics_usage);
  std::exit(0);
}

struct arg_reader {
  const std::vector<std::string_view>& args;
  std::size_t i = 0;
  std::string_view value(std::string_view option) {
    if (i + 1 >= args.size()) usage_error(fmt::format("option {} needs a value", option));
    return args[++i];
  }
};

int train(const std::vector<std::string_view>& args) {
  topic_training_options o;
  for (arg_reader r{args}; r.i < args.size(); ++r.i) {
    const std::string_view a = args[r.i];
    if (a == "--help" || a == "-h") print_usage();
    if (a == "--input")
      o.input = std::string(r.value(a));
    else if (a == "--output")
      o.output = std::string(r.value(a));
    else if (a == "--epoch")
      o.epoch = parse_int(a, r.value(a), 1);
    else if (a == "--lr")
      o.learning_rate = parse_positive(a, r.value(a));
    else if (a == "--word-ngrams")
      o.word_ngrams = parse_int(a, r.value(a), 1);
    else if (a == "--dim")
      o.dim = parse_int(a, r.value(a), 1);
    else if (a == "--min-count")
      o.min_count = parse_int(a, r.value(a), 1);
    else if (a == "--minn")
      o.minn = parse_int(a, r.value(a), 0);
    else if (a == "--maxn")
      o.maxn = parse_int(a, r.value(a), 0);
    else if (a == "--bucket")
      o.bucket = parse_int(a, r.value(a), 1);
    else if (a == "--threads")
      o.threads = parse_int(a, r.value(a), 1);
    else if (a == "--seed")
      o.seed = parse_int(a, r.value(a), 0);
    else if (a == "--quantize")
      o.quantize = true;
    else
      usage_error(fmt::format("unknown option '{}' for topics train", a));
  }
  if (o.input.empty() || o.output.empty()) usage_error("topics train needs --input and --output");
  if (o.maxn < o.minn) usage_error("--maxn must not be smaller than --minn");
  try {
    const topic_training_result r = train_topic_model(o);
    fmt::print(stderr, "trained {} on {} lines: {} topics, {} words\n", o.output, r.lines, r.labels,
               r.words);
    return 0;
  } catch (const topic_model_error& e) {
    fmt::print(stderr, "dial-analytics: {}\n", e.what());
    return 1;
  }
}

// Opens --input (or standard input) for predict/test.
std::istream* open_input(const std::string& path, std::ifstream& file) {
  if (path == "-") return &std::cin;
  file.open(path);
  if (!file) {
    fmt::print(stderr, "dial-analytics: cannot open '{}'\n", path);
    return nullptr;
  }
  return &file;
}

int predict_or_test(const std::vector<std::string_view>& args, bool test) {
  std::string model_path, input = "-";
  int k = 1;
  for (arg_reader r{args}; r.i < args.size(); ++r.i) {
    const std::string_view a = args[r.i];
    if (a == "--help" || a == "-h") print_usage();
    if (a == "--model")
      model_path = std::string(r.value(a));
    else if (a == "--input")
      input = std::string(r.value(a));
    else if (a == "--k" && !test)
      k = parse_int(a, r.value(a), 1);
    else
      usage_error(fmt::format("unknown option '{}' for topics {}", a, test ? "test" : "predict"));
  }
  if (model_path.empty()) usage_error("--model is required");
  std::unique_ptr<fasttext_topic_classifier> model;
  try {
    model = std::make_unique<fasttext_topic_classifier>(model_path);
  } catch (const topic_model_error& e) {
    fmt::print(stderr, "dial-analytics: {}\n", e.what());
    return 1;
  }
  std::ifstream file;
  std::istream* in = open_input(input, file);
  if (!in) return 1;

  std::map<std::string, std::pair<long, long>, std::less<>> per_topic;  // correct, total
  long correct = 0, total = 0;
  std::string line, out;
  while (std::getline(*in, line)) {
    if (!test) {
      out.clear();
      for (const auto& p : model->predict(line, k))
        out += fmt::format("{}{}\t{:.4f}", out.empty() ? "" : "\t", p.label, p.confidence);
      fmt::print("{}\n", out);
      continue;
    }
    std::string_view text = line;
    if (text.empty() || text.front() == '#') continue;
    if (!text.starts_with("__label__")) {
      fmt::print(stderr, "dial-analytics: {}: a line without __label__: {}\n", input, line);
      return 1;
    }
    const auto space = text.find(' ');
    const std::string_view label =
        text.substr(9, space == std::string_view::npos ? text.npos : space - 9);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    const auto best = model->predict(text, 1);
    const bool ok = !best.empty() && best.front().label == label;
    auto& [topic_correct, topic_total] = per_topic[std::string(label)];
    topic_correct += ok;
    ++topic_total;
    correct += ok;
    ++total;
  }
  if (test) {
    auto pct = [](long part, long whole) {
      return whole ? 100.0 * double(part) / double(whole) : 0.0;
    };
    fmt::print("lines\t{}\naccuracy\t{:.1f}%\n", total, pct(correct, total));
    for (const auto& [label, counts] : per_topic)
      fmt::print("{}\t{:.1f}%\t({}/{})\n", label, pct(counts.first, counts.second), counts.first,
                 counts.second);
  }
  return 0;
}

}  // namespace

[[noreturn]] void usage_error(const std::string& message) {
  fmt::print(stderr, "dial-analytics: {}\nTry 'dial-analytics --help'.\n", message);
  std::exit(2);
}

namespace {

// The whole of `value` as a T that `ok` accepts, or a usage error saying it takes `expected`.
template <typename T, typename Ok>
T parse_number(std::string_view option, std::string_view value, Ok ok,
               const std::string& expected) {
  T v{};
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || !ok(v))
    usage_error(fmt::format("{} takes {}, not '{}'", option, expected, value));
  return v;
}

}  // namespace

double parse_probability(std::string_view option, std::string_view value) {
  return parse_number<double>(
      option, value, [](double v) { return v >= 0 && v <= 1; }, "a number from 0 to 1");
}

double parse_positive(std::string_view option, std::string_view value) {
  return parse_number<double>(
      option, value, [](double v) { return v > 0; }, "a number above 0");
}

int parse_int(std::string_view option, std::string_view value, int min) {
  return parse_number<int>(
      option, value, [min](int v) { return v >= min; },
      fmt::format("a whole number of at least {}", min));
}

int topics_main(const std::vector<std::string_view>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") print_usage();
  const std::vector<std::string_view> rest(args.begin() + 1, args.end());
  if (args[0] == "train") return train(rest);
  if (args[0] == "predict") return predict_or_test(rest, false);
  if (args[0] == "test") return predict_or_test(rest, true);
  usage_error(fmt::format("unknown topics command '{}'", args[0]));
}

}  // namespace dial_analytics::cli
