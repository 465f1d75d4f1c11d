// SPDX-License-Identifier: Apache-2.0
// The two pluggable text analyses of chat records (language and topic), each behind a small
// interface so hosts and tests can inject their own.
//
// The analyzer gives each interface exactly the text the reference service would (see
// docs/line-protocol.md, "language" and "topic"). An empty result means "no answer" and is
// written as `undefined`. Returned views must stay valid until the next call on the same object.
//
// Thread-safety: the implementations here are stateless.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dial_analytics {

/// Detects the language of a text: an ISO 639-1 code, or empty for "not reliable".
class language_detector {
 public:
  virtual ~language_detector() = default;
  virtual std::string_view detect(std::string_view text) = 0;
  /// The detector reads at most this prefix: the analyzer may pass a text cut a little after it.
  [[nodiscard]] virtual std::size_t max_text_bytes() const noexcept { return SIZE_MAX; }
};

/// Classifies the topic of a text: a label, or empty for "no topic".
class topic_classifier {
 public:
  virtual ~topic_classifier() = default;
  virtual std::string_view classify(std::string_view text) = 0;
  /// The classifier reads at most this prefix: the analyzer may pass a text cut a little after it.
  [[nodiscard]] virtual std::size_t max_text_bytes() const noexcept { return SIZE_MAX; }
};

/// Never detects a language (every chat gets `language=undefined`).
class no_language_detector final : public language_detector {
 public:
  std::string_view detect(std::string_view) override { return {}; }
};

/// Never finds a topic (`topic=undefined` when the record has a chat id).
class no_topic_classifier final : public topic_classifier {
 public:
  std::string_view classify(std::string_view) override { return {}; }
};

/// Returns the text it is given: shows exactly what a real classifier would see.
class echo_topic_classifier final : public topic_classifier {
 public:
  std::string_view classify(std::string_view text) override { return text; }
};

}  // namespace dial_analytics
