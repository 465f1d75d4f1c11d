// SPDX-License-Identifier: Apache-2.0
// Topic classification with fastText (Debian's libfasttext), behind the `topic_classifier`
// interface, plus training of such a model from a labelled text file.
//
// A model is a fastText *supervised* model (`.bin`, or quantised `.ftz`); its labels, without
// the `__label__` prefix, are the topics. Text is normalised the same way for training and for
// prediction (normalize_topic_text): ASCII letters lowercased, ASCII punctuation and all
// whitespace turned into single spaces, other characters kept.
//
// Thread-safety: one loaded classifier may be shared by any number of threads. Prediction is
// const and keeps its scratch state in per-thread buffers (fastText's own `FastText::predict`,
// used for quantised models, on the caller's stack); the model is never modified after loading.
// Returned labels live as long as the classifier.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <dial_analytics/analytics/classifiers.hpp>

namespace dial_analytics {

/// A model that cannot be loaded or trained; what() says what was expected.
class topic_model_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One predicted topic and fastText's probability for it (0..1).
struct topic_prediction {
  std::string_view label;
  double confidence = 0;
};

struct fasttext_topic_options {
  double min_confidence = 0.5;  ///< a lower best probability gives no topic (`undefined`)
  std::size_t max_bytes = 256;  ///< classify this prefix of the text (cut at a UTF-8 boundary)
};

class fasttext_topic_classifier final : public topic_classifier {
 public:
  /// Loads a supervised fastText model. Throws topic_model_error when `path` is not a readable
  /// fastText supervised model (e.g. a Hugging Face model name, a directory, another format).
  explicit fasttext_topic_classifier(const std::string& path, fasttext_topic_options opts = {});
  ~fasttext_topic_classifier() override;
  fasttext_topic_classifier(const fasttext_topic_classifier&) = delete;
  fasttext_topic_classifier& operator=(const fasttext_topic_classifier&) = delete;

  /// The best topic if its probability reaches `min_confidence`, else empty.
  std::string_view classify(std::string_view text) override;
  [[nodiscard]] std::size_t max_text_bytes() const noexcept override { return options_.max_bytes; }

  /// The `k` most probable topics, best first (fewer if the model has fewer labels; none for
  /// text without words).
  std::vector<topic_prediction> predict(std::string_view text, int k = 1) const;

  /// The model's topics, in the model's order.
  const std::vector<std::string>& labels() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  fasttext_topic_options options_;
};

/// Lowercases ASCII letters, turns ASCII punctuation and whitespace into single spaces and keeps
/// everything else; writes the result to `out` (cleared first).
void normalize_topic_text(std::string_view text, std::string& out);

/// Hyper-parameters of `train_topic_model`; the defaults suit a few hundred to a few hundred
/// thousand short chat lines.
struct topic_training_options {
  std::string input;   ///< `__label__topic text…` per line; blank and `#` lines are skipped
  std::string output;  ///< model file to write
  int epoch = 50;
  double learning_rate = 0.5;
  int word_ngrams = 1;
  int dim = 20;
  int min_count = 1;
  int minn = 3;  ///< character n-grams (sub-words) from minn to maxn; 0 disables them
  int maxn = 4;
  int bucket = 20000;  ///< hash buckets for word and character n-grams
  int threads = 1;     ///< 1 gives a reproducible model for a given seed
  int seed = 0;
  bool quantize = false;  ///< write a compressed `.ftz`-style model
};

struct topic_training_result {
  std::size_t lines = 0;   ///< labelled lines read
  std::size_t labels = 0;  ///< distinct topics
  std::size_t words = 0;   ///< distinct words
};

/// Trains a supervised fastText model from a labelled file and saves it. Input text is normalised
/// with normalize_topic_text. Throws topic_model_error on unreadable input, a line without a
/// `__label__`, fewer than two topics, or an unwritable output.
topic_training_result train_topic_model(const topic_training_options& options);

}  // namespace dial_analytics
