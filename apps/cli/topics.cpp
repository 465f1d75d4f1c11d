// SPDX-License-Identifier: Apache-2.0
// `dial-analytics topics`: build and check fastText topic models (docs/topics.md).
#include <dial_analytics/analytics/fasttext_topic_classifier.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "args.hpp"
#include "cli.hpp"
#include "gzip.hpp"

namespace dial_analytics::cli {
namespace {

constexpr std::string_view topics_description =
    R"(Builds and checks fastText topic models (docs/topics.md).)";

constexpr std::string_view train_description = R"(Builds a fastText supervised topic model.

LABELLED.txt has one example per line, `__label__<topic> <text>` (fastText's format; blank lines
and lines starting with '#' are skipped). Text is normalised as the server does before it
classifies (docs/topics.md).)";

constexpr std::string_view predict_description = R"(Prints the most probable topics of text lines.

Reads text lines (gzip input is gunzipped) and prints, per line, `<topic>\t<probability>` for the K most probable topics
(tab-separated).)";

constexpr std::string_view test_description = R"(Measures how often a model finds the label.

Reads a labelled file (gzip input is gunzipped) and prints the share of lines whose best topic is the label, overall and
per topic.)";

// Standard output, checked: every write and the final flush (a full disk is an error, never a
// truncated output with exit status 0).
int fail(std::string_view message) {
  fmt::print(stderr, "dial-analytics: {}\n", message);
  return 1;
}

class checked_stdout {
 public:
  /// Buffers `text`, writing out every 64 KiB; false once a write failed.
  bool write(std::string_view text) {
    buffer_ += text;
    return buffer_.size() < (1u << 16) || flush();
  }
  /// Writes and flushes what is buffered; false (after saying why) when that fails.
  bool flush() {
    if (failed_) return false;
    const bool ok = std::fwrite(buffer_.data(), 1, buffer_.size(), stdout) == buffer_.size() &&
                    std::fflush(stdout) == 0;
    buffer_.clear();
    if (!ok) {
      failed_ = true;
      fmt::print(stderr, "dial-analytics: cannot write the output: {}\n", std::strerror(errno));
    }
    return ok;
  }

 private:
  std::string buffer_;
  bool failed_ = false;
};

class topics_command final : public command {
 public:
  explicit topics_command(CLI::App& root)
      : topics_(root.add_subcommand("topics", std::string(topics_description))) {
    apps::configure_app(*topics_, version_line());
    topics_->require_subcommand(1);
    add_train();
    predict_ = add_model_reader("predict", predict_description);
    predict_->add_option("--k", k_, "how many topics to print per line")
        ->type_name("N")
        ->check(apps::whole_number(1))
        ->capture_default_str();
    test_ = add_model_reader("test", test_description);
  }

  [[nodiscard]] bool selected() const override { return topics_->parsed(); }

  int run() override {
    if (train_->parsed()) return train();
    return predict_or_test(test_->parsed());
  }

 private:
  void add_train() {
    train_ = topics_->add_subcommand("train", std::string(train_description));
    apps::configure_app(*train_, version_line());
    topic_training_options& o = training_;
    train_->add_option("--input", o.input, "the labelled examples")
        ->type_name("LABELLED.txt")
        ->required();
    train_->add_option("--output", o.output, "the model file to write")
        ->type_name("MODEL.bin")
        ->required();
    auto number = [&](const char* name, int& value, int min, const char* what) {
      train_->add_option(name, value, what)
          ->type_name("N")
          ->check(apps::whole_number(min))
          ->capture_default_str();
    };
    number("--epoch", o.epoch, 1, "training passes over the examples");
    train_->add_option("--lr", o.learning_rate, "learning rate")
        ->type_name("X")
        ->check(apps::positive())
        ->capture_default_str();
    number("--word-ngrams", o.word_ngrams, 1, "longest word n-gram");
    number("--dim", o.dim, 1, "size of the word vectors");
    number("--min-count", o.min_count, 1, "words seen fewer times are dropped");
    number("--minn", o.minn, 0, "shortest character n-gram (0: none)");
    number("--maxn", o.maxn, 0, "longest character n-gram (0: none)");
    number("--bucket", o.bucket, 1, "hash buckets for word and character n-grams");
    number("--threads", o.threads, 1, "training threads; 1 gives a reproducible model");
    number("--seed", o.seed, 0, "random seed");
    train_->add_flag("--quantize", o.quantize, "write a compressed model (use the .ftz extension)");
  }

  CLI::App* add_model_reader(const char* name, std::string_view description) {
    CLI::App* app = topics_->add_subcommand(name, std::string(description));
    apps::configure_app(*app, version_line());
    app->add_option("--model", model_, "a fastText model (.bin/.ftz)")
        ->type_name("MODEL")
        ->required();
    app->add_option("--input", input_,
                    "where to read from: a file, or '-' for standard input (default: standard "
                    "input)")
        ->type_name("PATH|-");
    return app;
  }

  int train() const {
    const topic_training_options& o = training_;
    if (o.maxn < o.minn) throw apps::usage_error("--maxn must not be smaller than --minn");
    try {
      const topic_training_result r = train_topic_model(o);
      fmt::print(stderr, "trained {} on {} lines: {} topics, {} words\n", o.output, r.lines,
                 r.labels, r.words);
      return 0;
    } catch (const topic_model_error& e) {
      fmt::print(stderr, "dial-analytics: {}\n", e.what());
      return 1;
    }
  }

  int predict_or_test(bool test) const;

  CLI::App* topics_;
  CLI::App* train_ = nullptr;
  CLI::App* predict_ = nullptr;
  CLI::App* test_ = nullptr;
  topic_training_options training_;
  std::string model_;
  std::string input_ = "-";
  int k_ = 1;
};

int topics_command::predict_or_test(bool test) const {
  std::unique_ptr<fasttext_topic_classifier> model;
  try {
    model = std::make_unique<fasttext_topic_classifier>(model_);
  } catch (const topic_model_error& e) {
    fmt::print(stderr, "dial-analytics: {}\n", e.what());
    return 1;
  }
  apps::input_file in(input_);
  if (!in.error().empty()) return fail(in.error());
  checked_stdout out;
  std::map<std::string, std::pair<long, long>, std::less<>> per_topic;  // correct, total
  long correct = 0, total = 0;
  std::string line, text_out;
  while (in.read_line(line)) {
    if (!test) {
      text_out.clear();
      for (const auto& p : model->predict(line, k_))
        text_out +=
            fmt::format("{}{}\t{:.4f}", text_out.empty() ? "" : "\t", p.label, p.confidence);
      text_out += '\n';
      if (!out.write(text_out)) return 1;
      continue;
    }
    std::string_view text = line;
    if (text.empty() || text.front() == '#') continue;
    if (!text.starts_with("__label__"))
      return fail(fmt::format("{}: a line without __label__: {}", input_, line));
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
  if (!in.error().empty()) return fail(in.error());
  if (test) {
    auto pct = [](long part, long whole) {
      return whole ? 100.0 * double(part) / double(whole) : 0.0;
    };
    out.write(fmt::format("lines\t{}\naccuracy\t{:.1f}%\n", total, pct(correct, total)));
    for (const auto& [label, counts] : per_topic)
      out.write(fmt::format("{}\t{:.1f}%\t({}/{})\n", label, pct(counts.first, counts.second),
                            counts.first, counts.second));
  }
  return out.flush() ? 0 : 1;
}

}  // namespace

std::unique_ptr<command> add_topics_command(CLI::App& root) {
  return std::make_unique<topics_command>(root);
}

}  // namespace dial_analytics::cli
