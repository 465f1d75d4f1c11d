// SPDX-License-Identifier: Apache-2.0
// Language detection with CLD2 (Compact Language Detector 2, Debian's libcld2) and a second
// opinion from a small fastText model, behind the `language_detector` interface.
//
// CLD2 is accurate on long text but unsure of short text, and short text (a chat turn, a
// question) is common. The built-in fastText model (37 languages, trained on the translated
// messages of Debian's catalogues; docs/language.md) is accurate on short text but knows only
// its languages. An answer needs one of them sure and the other not contradicting it; the rule
// prefers no language to a wrong one (docs/language.md has it in full and the measured accuracy).
//
// Thread-safety: detect() is safe to call from several threads (CLD2 keeps no state; the model
// is read-only and shared by all detectors of the process; returned codes are static strings or
// live as long as the model, i.e. the process). Cost: bounded by `max_bytes` of input per call.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <dial_analytics/analytics/classifiers.hpp>

namespace dial_analytics {

class fasttext_topic_classifier;

/// Options of the detector (docs/language.md explains the defaults).
struct cld2_options {
  std::size_t max_bytes = 128;        ///< detect on this prefix (cut at a UTF-8 boundary)
  std::size_t min_letter_bytes = 40;  ///< CLD2 alone answers from this many UTF-8 letter bytes
  int min_percent = 70;               ///< … when its top language has this share of the text

  bool use_model = true;                    ///< false: CLD2 alone (`LANGUAGE_DETECTION=cld2-only`)
  std::string model_path;                   ///< a fastText language model; empty: the built-in one
  std::size_t model_max_bytes = 128;        ///< the model reads this prefix of the text
  std::size_t model_min_letter_bytes = 20;  ///< fewer letter bytes → the model is not asked
  double model_min_probability = 0.8;       ///< the model is sure from this probability
  double model_close_probability = 0.85;    ///< … when its runner-up is a close relative
};

/// ISO 639-1 codes as langid.py writes them (`en`, `fr`, `zh`, `he`), or empty for none.
class cld2_language_detector final : public language_detector {
 public:
  /// Loads the model when `use_model` (the built-in one once per process, ~50 ms). Throws
  /// topic_model_error when `model_path` is not a fastText supervised model.
  explicit cld2_language_detector(cld2_options opts = {});
  ~cld2_language_detector() override;
  std::string_view detect(std::string_view text) override;
  [[nodiscard]] std::size_t max_text_bytes() const noexcept override { return options_.max_bytes; }

 private:
  cld2_options options_;
  std::shared_ptr<const fasttext_topic_classifier> model_;
};

/// The built-in language model (linked into the library), loaded on first use and shared.
std::shared_ptr<const fasttext_topic_classifier> builtin_language_model();

}  // namespace dial_analytics
