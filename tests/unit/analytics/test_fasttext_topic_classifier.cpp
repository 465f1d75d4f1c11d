// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/analytics/cld2_language_detector.hpp>
#include <dial_analytics/analytics/fasttext_topic_classifier.hpp>

#include <fasttext/fasttext.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/records.hpp"
#include "support/temp_dir.hpp"
#include "support/topic_model.hpp"

namespace da = dial_analytics;
using test_support::json;

namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE(
    "a model trained from the shipped topic set predicts held-out lines with at least "
    "80% accuracy",
    "[topic]") {
  da::fasttext_topic_classifier model(test_support::trained_topic_model());
  const auto& held_out = test_support::shipped_topic_split().held_out;
  REQUIRE(held_out.size() >= 100);
  CHECK(model.labels().size() >= 10);
  std::size_t correct = 0;
  for (const auto& [topic, text] : held_out) {
    const auto best = model.predict(text, 1);
    correct += !best.empty() && best.front().label == topic;
  }
  const double accuracy = static_cast<double>(correct) / static_cast<double>(held_out.size());
  CAPTURE(correct, held_out.size());
  CHECK(accuracy >= 0.80);
}

TEST_CASE("predictions are ordered probabilities and the threshold gives no topic below it",
          "[topic]") {
  const std::string text = "How long should I bake banana bread in the oven?";
  da::fasttext_topic_classifier model(test_support::trained_topic_model());
  const auto top = model.predict(text, 3);
  REQUIRE(top.size() == 3);
  CHECK(top[0].label == "cooking");
  CHECK(top[0].confidence >= top[1].confidence);
  CHECK(top[1].confidence >= top[2].confidence);
  CHECK(top[0].confidence <= 1.0);
  CHECK(model.classify(text) == "cooking");
  CHECK(model.predict("", 1).empty());
  CHECK(model.classify("").empty());

  da::fasttext_topic_classifier strict(test_support::trained_topic_model(),
                                       {.min_confidence = 1.01});
  CHECK(strict.classify(text).empty());
}

TEST_CASE("one model can be shared by several threads", "[topic]") {
  da::fasttext_topic_classifier model(test_support::trained_topic_model());
  const auto& held_out = test_support::shipped_topic_split().held_out;
  std::vector<std::string> expected;
  for (const auto& item : held_out) expected.emplace_back(model.classify(item.second));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < mismatches.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round)
        for (std::size_t i = 0; i < held_out.size(); ++i)
          mismatches[t] += model.classify(held_out[i].second) != expected[i];
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) CHECK(m == 0);
}

TEST_CASE("a topic model that cannot be loaded says what is expected", "[topic]") {
  test_support::temp_dir dir;
  write_file(dir.path() / "labels.txt", "__label__a some text\n");
  const std::string bad[] = {"", "davanstrien/chat_topics", dir.path().string(),
                             (dir.path() / "labels.txt").string()};
  for (const std::string& path : bad) {
    CAPTURE(path);
    CHECK_THROWS_MATCHES(da::fasttext_topic_classifier(path), da::topic_model_error,
                         Catch::Matchers::Predicate<da::topic_model_error>([](const auto& e) {
                           const std::string m = e.what();
                           return m.find("fastText supervised model") != std::string::npos &&
                                  m.find("docs/topics.md") != std::string::npos;
                         }));
  }
}

TEST_CASE("training refuses unlabelled lines, a single topic and unreadable input", "[topic]") {
  test_support::temp_dir dir;
  da::topic_training_options o;
  o.output = (dir.path() / "m.bin").string();
  o.input = (dir.path() / "missing.txt").string();
  CHECK_THROWS_WITH(da::train_topic_model(o), Catch::Contains("cannot read training file"));

  o.input = (dir.path() / "unlabelled.txt").string();
  write_file(o.input, "# a comment\n__label__a first line\nsecond line without a label\n");
  CHECK_THROWS_WITH(da::train_topic_model(o), Catch::Contains("unlabelled.txt:3:"));

  o.input = (dir.path() / "one.txt").string();
  write_file(o.input, "__label__a one\n__label__a two\n");
  CHECK_THROWS_WITH(da::train_topic_model(o), Catch::Contains("at least two different labels"));
  CHECK_FALSE(std::filesystem::exists(o.output));
}

TEST_CASE("a quantised model loads and predicts like the full one", "[topic]") {
  test_support::temp_dir dir;
  da::topic_training_options o;
  o.input = (dir.path() / "train.txt").string();
  {
    std::ofstream out(o.input);
    for (const auto& line : test_support::shipped_topic_split().training) out << line << '\n';
  }
  o.output = (dir.path() / "m.ftz").string();
  o.quantize = true;
  o.bucket = 2000;  // quantising costs time in proportion to the rows (words + buckets)
  const auto r = da::train_topic_model(o);
  CHECK(r.labels == 10);
  da::fasttext_topic_classifier model(o.output);
  CHECK(model.classify("Which telescope shows the rings of Saturn and the moons of Jupiter?") ==
        "astronomy");
}

TEST_CASE("predictions are exactly fastText's own for the same normalised text", "[topic]") {
  test_support::temp_dir dir;
  std::vector<std::string> texts = {"Wie backe ich Brot ohne Hefe? Ünïcödé wörds, 日本語のテキスト",
                                    "a", "__label__cooking is not a label here", "I I I I I"};
  for (const auto& item : test_support::shipped_topic_split().held_out)
    texts.push_back(item.second);
  // The default model (word unigrams with sub-words) and one with word bigrams and no sub-words.
  da::topic_training_options bigrams;
  bigrams.input = (dir.path() / "train.txt").string();
  {
    std::ofstream out(bigrams.input);
    for (const auto& line : test_support::shipped_topic_split().training) out << line << '\n';
  }
  bigrams.output = (dir.path() / "bigrams.bin").string();
  bigrams.word_ngrams = 2;
  bigrams.minn = bigrams.maxn = 0;
  da::train_topic_model(bigrams);
  for (const std::string& path : {test_support::trained_topic_model(), bigrams.output}) {
    da::fasttext_topic_classifier ours(path);
    fasttext::FastText theirs;
    theirs.loadModel(path);
    std::string normalized;
    for (const std::string& text : texts) {
      CAPTURE(path, text);
      da::normalize_topic_text(text, normalized);
      std::istringstream in(normalized + "\n");
      std::vector<std::pair<fasttext::real, std::string>> expected;
      theirs.predictLine(in, expected, 3, 0.0F);
      const auto got = ours.predict(text, 3);
      REQUIRE(got.size() == expected.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        CHECK("__label__" + std::string(got[i].label) == expected[i].second);
        CHECK(std::abs(got[i].confidence - double{expected[i].first}) < 1e-6);
      }
    }
  }
}

TEST_CASE("topic text is normalised: ASCII lowercased, punctuation and whitespace to one space",
          "[topic]") {
  std::string out;
  da::normalize_topic_text("  Hello, World!\n\nHOW's it\tgoing?  Äpfel ", out);
  CHECK(out == "hello world how s it going Äpfel");
  da::normalize_topic_text("", out);
  CHECK(out.empty());
}

TEST_CASE("chats get the model's topic and language, gated as in the reference",
          "[topic][language]") {
  da::fasttext_topic_classifier model(test_support::trained_topic_model());
  da::cld2_language_detector language;
  json chat = test_support::chat_record_with(
      "How do I repot a root bound houseplant without hurting it?",
      "Water it a day before, loosen the roots and use fresh potting soil.");
  json no_chat_id = chat;
  no_chat_id["chat"]["id"] = "";
  json responses = test_support::responses_record();
  responses["chat"]["id"] = "";
  json anthropic = test_support::anthropic_record();
  anthropic["chat"]["id"] = "";

  const auto r =
      test_support::run_with({chat, no_chat_id, responses, anthropic}, &model, &language);
  REQUIRE(r.lines.size() == 4);
  int with_topic = 0, analytics_without_topic = 0, undefined_both = 0;
  for (const std::string& line : r.lines) {
    CAPTURE(line);
    if (line.find("topic=gardening") != std::string::npos) {
      ++with_topic;
      CHECK(line.find("language=en") != std::string::npos);
    } else if (line.starts_with("analytics,")) {
      ++analytics_without_topic;
      CHECK(line.find("topic=") == std::string::npos);
      CHECK(line.find("language=undefined") != std::string::npos);
    } else {
      ++undefined_both;
      CHECK(line.find("topic=undefined") != std::string::npos);
      CHECK(line.find("language=undefined") != std::string::npos);
    }
  }
  CHECK(with_topic == 1);
  CHECK(analytics_without_topic == 1);
  CHECK(undefined_both == 2);
}
