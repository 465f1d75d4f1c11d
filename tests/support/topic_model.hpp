// SPDX-License-Identifier: Apache-2.0
// A fastText topic model trained once per test process from the shipped chat-topic set
// (examples/data/topics/chat-topics.txt), holding out every fifth example line.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace test_support {

struct topic_split {
  std::vector<std::string> training;                          ///< labelled lines
  std::vector<std::pair<std::string, std::string>> held_out;  ///< (topic, text)
};

/// The shipped set split: example lines with index % 5 == 4 are held out; the seed
/// vocabulary (after the "# seed vocabulary" comment) is always trained on.
const topic_split& shipped_topic_split();

/// Path of a model trained with default options on shipped_topic_split().training.
const std::string& trained_topic_model();

}  // namespace test_support
