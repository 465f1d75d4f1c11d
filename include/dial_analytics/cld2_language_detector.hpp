// SPDX-License-Identifier: Apache-2.0
// Language detection with CLD2 (Compact Language Detector 2, Debian's libcld2), behind the
// `language_detector` interface. The acceptance rule prefers no language to a wrong one:
// CLD2 must call the result reliable, give it most of the text, and have seen enough letters.
//
// Thread-safety: detect() is safe to call from several threads (CLD2 keeps no state; the
// returned codes are static strings). Cost: bounded by `max_bytes` of input per call.
#pragma once

#include <cstddef>
#include <string_view>

#include <dial_analytics/classifiers.hpp>

namespace dial_analytics {

/// Options of the CLD2 detector (docs/language.md explains the defaults).
struct cld2_options {
  std::size_t max_bytes = 256;        ///< detect on this prefix (cut at a UTF-8 boundary)
  std::size_t min_letter_bytes = 40;  ///< fewer UTF-8 bytes of letters → no language
  int min_percent = 70;               ///< the top language's share of the text, in percent
};

/// ISO 639-1 codes as langid.py writes them (`en`, `fr`, `zh`, `he`), or empty for none.
class cld2_language_detector final : public language_detector {
 public:
  explicit cld2_language_detector(cld2_options opts = {}) : options_(opts) {}
  std::string_view detect(std::string_view text) override;
  [[nodiscard]] std::size_t max_text_bytes() const noexcept override { return options_.max_bytes; }

 private:
  cld2_options options_;
};

}  // namespace dial_analytics
