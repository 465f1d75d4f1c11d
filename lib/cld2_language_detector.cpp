// SPDX-License-Identifier: Apache-2.0
// CLD2-based language detection (issue #4). CLD2's public header needs <cstdio> first.
#include <dial_analytics/cld2_language_detector.hpp>

// clang-format off
#include <cstdio>
#include <cld2/public/compact_lang_det.h>
// clang-format on

#include <cstring>

namespace CLD2 {
const char* LanguageCode(Language lang);  // lang_script.h, not installed as public
}

namespace dial_analytics {
namespace {

// Letters, counted in UTF-8 bytes: ASCII letters, and every byte of a multi-byte character
// (non-ASCII text is overwhelmingly letters; punctuation and digits are ASCII).
std::size_t letter_bytes(std::string_view s) {
  std::size_t n = 0;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    n += (c >= 0x80) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
  return n;
}

std::string_view prefix_at_char_boundary(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xc0) == 0x80) --end;
  return s.substr(0, end);
}

// CLD2 codes → the ISO 639-1 codes langid.py uses.
std::string_view iso_code(const char* code) {
  std::string_view c = code ? code : "";
  if (c == "un" || c.empty()) return {};
  if (c == "iw") return "he";
  if (c == "jw") return "jv";
  if (c == "zh-Hant") return "zh";
  const auto dash = c.find('-');
  if (dash != std::string_view::npos) c = c.substr(0, dash);
  return c.size() == 2 ? c : std::string_view();  // no 3-letter or script codes
}

}  // namespace

std::string_view cld2_language_detector::detect(std::string_view text) {
  const std::string_view input = prefix_at_char_boundary(text, options_.max_bytes);
  if (letter_bytes(input) < options_.min_letter_bytes) return {};
  CLD2::Language language3[3];
  int percent3[3];
  int text_bytes = 0;
  bool is_reliable = false;
  const CLD2::Language top =
      CLD2::DetectLanguageSummary(input.data(), static_cast<int>(input.size()), true, language3,
                                  percent3, &text_bytes, &is_reliable);
  if (!is_reliable || percent3[0] < options_.min_percent) return {};
  return iso_code(CLD2::LanguageCode(top));
}

}  // namespace dial_analytics
