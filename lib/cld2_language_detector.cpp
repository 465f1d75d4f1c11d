// SPDX-License-Identifier: Apache-2.0
// CLD2-based language detection (issue #4). CLD2's public header needs <cstdio> first.
#include <dial_analytics/cld2_language_detector.hpp>

// clang-format off
#include <cstdio>
#include <cld2/public/compact_lang_det.h>
// clang-format on

#include <cstdint>
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

// Cyrillic orthography. CLD2 confuses Bulgarian with Serbian and Macedonian in short text, though
// their alphabets differ: a language whose alphabet lacks a letter of the text is not the answer.
// Letters are bits of a mask: lowercase U+0430..U+045F at bit (cp - 0x430), ґ at bit 48.
constexpr std::uint64_t cyrillic_bit(char32_t cp) {
  if (cp >= 0x410 && cp <= 0x42f) cp += 0x20;                     // А..Я → а..я
  if (cp >= 0x400 && cp <= 0x40f) cp += 0x50;                     // Ѐ..Џ → ѐ..џ
  if (cp == 0x490 || cp == 0x491) return std::uint64_t{1} << 48;  // Ґ ґ
  return cp >= 0x430 && cp <= 0x45f ? std::uint64_t{1} << (cp - 0x430) : 0;
}

// Calls `f(code point)` for each character of valid UTF-8 (invalid bytes are skipped).
template <typename F>
constexpr void for_each_code_point(std::string_view s, F f) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80         ? 1
                          : (c >> 5) == 6  ? 2
                          : (c >> 4) == 14 ? 3
                          : (c >> 3) == 30 ? 4
                                           : 0;
    if (n == 0 || i + n > s.size()) {
      ++i;
      continue;
    }
    char32_t cp = n == 1 ? c : c & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    f(cp);
    i += n;
  }
}

constexpr std::uint64_t cyrillic_mask(std::string_view letters) {
  std::uint64_t m = 0;
  for_each_code_point(letters, [&](char32_t cp) { m |= cyrillic_bit(cp); });
  return m;
}

struct alphabet {
  std::string_view code;
  std::uint64_t letters;
};
constexpr alphabet cyrillic_alphabets[] = {
    {"ru", cyrillic_mask("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")},
    {"uk", cyrillic_mask("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя")},
    {"be", cyrillic_mask("абвгдеёжзійклмнопрстуўфхцчшыьэюя")},
    {"bg", cyrillic_mask("абвгдежзийклмнопрстуфхцчшщъьюяѝ")},
    {"sr", cyrillic_mask("абвгдђежзијклљмнњопрстћуфхцчџш")},
    {"mk", cyrillic_mask("абвгдѓежзѕијклљмнњопрстќуфхцчџшѐѝ")},
};

// The answer, or the one Cyrillic language whose alphabet has all the text's letters, or none.
std::string_view check_cyrillic(std::string_view answer, std::string_view text) {
  const alphabet* chosen = nullptr;
  for (const auto& a : cyrillic_alphabets)
    if (a.code == answer) chosen = &a;
  if (chosen == nullptr) return answer;
  std::uint64_t seen = 0;
  for_each_code_point(text, [&](char32_t cp) { seen |= cyrillic_bit(cp); });
  if ((seen & ~chosen->letters) == 0) return answer;
  std::string_view fit;
  for (const auto& a : cyrillic_alphabets) {
    if ((seen & ~a.letters) != 0) continue;
    if (!fit.empty()) return {};  // several fit: ambiguous
    fit = a.code;
  }
  return fit;
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
  return check_cyrillic(iso_code(CLD2::LanguageCode(top)), input);
}

}  // namespace dial_analytics
