// SPDX-License-Identifier: Apache-2.0
// The `language` and `topic` labels of a record: which text pieces each model reads and how they
// are joined (docs/language.md, docs/topics.md).
#pragma once

#include <string>
#include <string_view>

#include <dial_analytics/analytics/classifiers.hpp>
#include <dial_analytics/input/router.hpp>

#include "analytics/point_builder.hpp"
#include "analytics/text_extraction.hpp"
#include "detail/py_value.hpp"

namespace dial_analytics::detail {

/// The text pieces of a record's request and response, by API; embeddings have no response text.
void extract_texts(record_type type, const py_value& request_body, const py_value& response_body,
                   pieces& request, pieces& response, const extraction_log& log);

/// A record's language and topic; "undefined" where a model gives no answer.
struct text_labels {
  std::string_view language = undefined;
  std::string_view topic = undefined;
};

/// Computes text labels with the configured models. Holds the buffers the texts are built in, so
/// labelling a record allocates nothing once they have grown. One thread at a time.
class text_features {
 public:
  /// Null models select the no-op defaults, which skip text extraction entirely.
  text_features(language_detector* language, topic_classifier* topic, extraction_log log);
  text_features(const text_features&) = delete;
  text_features& operator=(const text_features&) = delete;

  /// The labels of a record that has a chat id. Text extraction logs through the log given at
  /// construction. The language is "undefined" unless both bodies are present. Returned views
  /// are valid until the next call.
  [[nodiscard]] text_labels label(record_type type, const py_value& request_body,
                                  const py_value& response_body);

 private:
  [[nodiscard]] bool needs_language() const { return language_ != &no_language_; }
  [[nodiscard]] bool needs_topic() const { return topic_ != &no_topic_; }
  [[nodiscard]] std::string_view language_of(std::size_t first_request_piece);
  [[nodiscard]] std::string_view topic_of_all();

  no_language_detector no_language_;
  no_topic_classifier no_topic_;
  language_detector* language_;
  topic_classifier* topic_;
  extraction_log log_;
  pieces request_pieces_;
  pieces response_pieces_;
  std::string language_text_;
  std::string topic_text_;
};

}  // namespace dial_analytics::detail
