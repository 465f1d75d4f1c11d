// SPDX-License-Identifier: Apache-2.0
#include "topic_model.hpp"

#include <dial_analytics/analytics/fasttext_topic_classifier.hpp>

#include <fstream>
#include <memory>
#include <stdexcept>

#include "temp_dir.hpp"

namespace test_support {

const topic_split& shipped_topic_split() {
  static const topic_split split = [] {
    std::ifstream in(DIAL_ANALYTICS_TOPIC_SET);
    if (!in) throw std::runtime_error("cannot read " DIAL_ANALYTICS_TOPIC_SET);
    topic_split s;
    bool vocabulary = false;
    std::size_t example = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("# seed vocabulary")) vocabulary = true;
      if (!line.starts_with("__label__")) continue;
      if (vocabulary || example++ % 5 != 4) {
        s.training.push_back(line);
        continue;
      }
      const auto space = line.find(' ');
      s.held_out.emplace_back(line.substr(9, space - 9), line.substr(space + 1));
    }
    return s;
  }();
  return split;
}

const std::string& trained_topic_model() {
  static const auto dir = std::make_unique<temp_dir>();
  static const std::string path = [] {
    const std::string training = (dir->path() / "training.txt").string();
    std::ofstream out(training);
    for (const auto& line : shipped_topic_split().training) out << line << '\n';
    out.close();
    dial_analytics::topic_training_options o;
    o.input = training;
    o.output = (dir->path() / "topics.bin").string();
    dial_analytics::train_topic_model(o);
    return o.output;
  }();
  return path;
}

}  // namespace test_support
