// SPDX-License-Identifier: Apache-2.0
// CLD2-based language detection with a fastText second opinion (issue #4). CLD2's public
// header needs <cstdio> first.
#include <dial_analytics/analytics/cld2_language_detector.hpp>
#include <dial_analytics/analytics/fasttext_topic_classifier.hpp>

// clang-format off
#include <cstdio>
#include <cld2/public/compact_lang_det.h>
// clang-format on

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "analytics/language_opinions.hpp"
#include "detail/language_model.hpp"
#include "detail/utf8.hpp"

namespace CLD2 {
const char* LanguageCode(Language lang);  // lang_script.h, not installed as public
}

namespace dial_analytics {
namespace {

using detail::append_utf8;
using detail::for_each_code_point;
using detail::prefix_at_char_boundary;

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
// Lowercase of one code point: ASCII, Latin-1, Latin Extended-A (Č→č, Đ→đ, Š→š) and the
// Cyrillic letters of the alphabets below (А..Я, Ѐ..Џ).
constexpr char32_t fold(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c >= 0x100 && c <= 0x17F && (c % 2 == 0) && c != 0x138) return c + 1;
  return c;
}

// Letters of other Cyrillic alphabets (Kazakh ә, қ, Tatar җ, …: U+0460..U+04FF, U+0500..U+052F
// except ґ) set bit 49, which none of the alphabets below has.
constexpr std::uint64_t cyrillic_bit(char32_t cp) {
  cp = fold(cp);
  if (cp == 0x490 || cp == 0x491) return std::uint64_t{1} << 48;  // Ґ ґ
  if (cp >= 0x430 && cp <= 0x45f) return std::uint64_t{1} << (cp - 0x430);
  return cp >= 0x460 && cp <= 0x52f ? std::uint64_t{1} << 49 : 0;
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

// The alphabet of a Cyrillic language, or null.
const alphabet* cyrillic_alphabet(std::string_view code) {
  for (const auto& a : cyrillic_alphabets)
    if (a.code == code) return &a;
  return nullptr;
}

// The answer, or the one Cyrillic language whose alphabet has all the text's letters, or none.
std::string_view check_cyrillic(std::string_view answer, std::string_view text) {
  const alphabet* chosen = cyrillic_alphabet(answer);
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

// Scripts. The model knows 37 languages and answers one of them for any text; text in another
// script (Arabic, Devanagari, Thai, …) must not get one. Its answer counts only when most of the
// text's letters are in that language's script.
enum class script : std::uint8_t { latin, cyrillic, greek, hebrew, han, kana, hangul, other, none };

constexpr script script_of(char32_t c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
      (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x1E00 && c <= 0x1EFF))
    return script::latin;
  if (c < 0x370) return script::none;  // digits, punctuation, symbols, combining marks
  if (c <= 0x3FF) return script::greek;
  if (c <= 0x52F) return script::cyrillic;
  if (c >= 0x590 && c <= 0x5FF) return script::hebrew;
  if (c >= 0x3040 && c <= 0x30FF) return script::kana;
  if ((c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF)) return script::han;
  if ((c >= 0xAC00 && c <= 0xD7AF) || (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F))
    return script::hangul;
  if (c >= 0x2000 && c <= 0x2BFF) return script::none;  // punctuation, arrows, symbols
  if (c >= 0x3000 && c <= 0x303F) return script::none;  // CJK punctuation
  if (c >= 0xFF00 && c <= 0xFFEF) return script::none;  // full-width forms
  return script::other;
}

// True when the text is written in the script of `code` (one of the model's languages). Latin:
// most letters are Latin. Other scripts: most non-Latin letters are in that script, and they are
// at least a third of all letters (technical text mixes Latin words in). Serbian: either of its
// scripts; Japanese needs kana, Chinese none.
bool script_fits(std::string_view code, std::string_view text) {
  std::size_t count[9] = {};
  for_each_code_point(text, [&](char32_t cp) { ++count[static_cast<int>(script_of(cp))]; });
  const auto n = [&](script s) { return count[static_cast<int>(s)]; };
  const std::size_t latin = n(script::latin);
  const std::size_t letters = latin + n(script::cyrillic) + n(script::greek) + n(script::hebrew) +
                              n(script::han) + n(script::kana) + n(script::hangul) +
                              n(script::other);
  const auto written_in = [&](std::size_t k) {
    return 2 * k > letters - latin && 3 * k >= letters;
  };
  const bool latin_text = 2 * latin > letters;
  if (code == "el") return written_in(n(script::greek));
  if (code == "he") return written_in(n(script::hebrew));
  if (code == "ko") return written_in(n(script::hangul));
  if (code == "ja") return n(script::kana) > 0 && written_in(n(script::kana) + n(script::han));
  if (code == "zh") return n(script::kana) == 0 && written_in(n(script::han));
  if (code == "sr") return written_in(n(script::cyrillic)) || latin_text;
  if (cyrillic_alphabet(code) != nullptr) return written_in(n(script::cyrillic));
  return latin_text;
}

// Close languages CLD2 cannot tell apart in short text: when it answers a member of such a set,
// words that only one member uses decide. Marker words are common function words and UI/chat
// vocabulary whose form differs between the members (ekavian vs ijekavian, Danish vs Bokmål
// spelling, Indonesian vs Malay loans), written from grammars and dictionaries, not from the
// evaluation set.
struct close_language {
  std::string_view code;
  std::initializer_list<std::string_view> markers;
};
struct close_set {
  bool cyrillic;  // the set applies to text in this script ("sr" is written in both)
  std::initializer_list<close_language> members;
};
// clang-format off
const close_set close_sets[] = {
    {false, {{"hr", {"tko", "tisuća", "točka", "točno", "povijest", "glazba", "kruh", "tjedan", "tjedna",
              "računalo", "računala", "računalu", "pogreška", "pogreške", "pogrešku", "izbornik",
              "izbornika", "zadano", "zadana", "zadani", "mapa", "mapi", "mape", "zaporka", "sveučilište",
              "kazalište", "siječanj", "veljača", "ožujak", "travanj", "svibanj", "lipanj", "srpanj",
              "kolovoz", "rujan", "listopad", "studeni", "prosinac", "obitelj", "tvrtka", "uključiti",
              "isključiti", "preuzimanje", "spremi", "spremanje", "postavke", "sučelje", "sučelja",
              "korisničko", "odaberite", "trenutačno", "vrijednost", "vrijednosti", "zbog"}},
      {"bs", {"ko", "šta", "hiljada", "hiljade", "tačka", "tačno", "historija", "muzika", "hljeb",
              "sedmica", "sedmice", "računar", "računara", "računaru", "greška", "greške", "grešku",
              "meni", "menija", "opcija", "opcije", "fascikla", "pozorište", "univerzitet", "januar",
              "februar", "mart", "april", "maj", "juni", "juli", "august", "septembar", "oktobar",
              "novembar", "decembar", "porodica", "firma", "uključite", "podešavanja", "odaberi",
              "trenutno", "lozinka", "lozinku", "uspješno", "vrijednost"}},
      {"sr", {"šta", "hiljada", "tačka", "istorija", "muzika", "hleb", "nedelja", "nedelje", "računar",
              "greška", "greške", "grešku", "vreme", "vremena", "mesto", "mesta", "pre", "posle", "reč",
              "reči", "deo", "dela", "lepo", "levo", "desno", "beli", "ceo", "celu", "menja", "promena",
              "promene", "promenu", "sledeći", "sledeće", "uspešno", "neuspešno", "podešavanja",
              "podrazumevano", "podrazumevani", "fascikla", "vrednost", "vrednosti", "izaberite",
              "uvek", "primer", "svet", "deca", "mleko", "reka", "opet"}}}},
    {true, {{"sr", {"је", "са", "шта", "када", "где", "није", "ће", "бити", "овај", "ово", "које", "који",
              "ова", "свих", "треба", "можете", "изаберите", "подешавања", "грешка", "фасцикла"}},
      {"mk", {"е", "со", "кога", "каде", "ќе", "биде", "сите", "оваа", "овој", "кои", "ова", "не е",
              "треба", "можете", "изберете", "поставки", "грешка", "папка", "ги", "го", "ја"}}}},
    {false, {{"da", {"af", "nu", "efter", "mellem", "bruge", "gøre", "fejl", "vej", "mig", "dig", "sig",
              "noget", "nogle", "hvad", "blive", "bliver", "gem", "gemme", "slet", "slette", "ændre",
              "ændring", "ændringer", "åbn", "åbne", "læse", "læs", "afslut", "afslutte", "fundet",
              "findes", "tilgængelig", "indstilling", "valgt", "køre", "kører", "også", "sprog",
              "spørgsmål", "svar", "meget", "lidt", "hjælp", "tak", "venligst", "dansk"}},
      {"no", {"av", "nå", "etter", "mellom", "bruke", "gjøre", "feil", "vei", "meg", "deg", "seg",
              "noe", "noen", "hva", "bli", "blir", "lagre", "slett", "slette", "endre", "endring",
              "endringer", "åpne", "lese", "les", "avslutt", "avslutte", "funnet", "finnes",
              "tilgjengelig", "innstilling", "valgt", "kjøre", "kjører", "språk", "spørsmål", "svar",
              "mye", "litt", "hjelp", "takk", "vennligst", "norsk", "ikkje", "eg", "kva"}}}},
    {false, {{"id", {"berkas", "pengaturan", "karena", "saja", "baru", "jendela", "kesalahan", "perangkat",
              "tampilkan", "menampilkan", "ditampilkan", "tombol", "unduh", "mengunduh", "silakan",
              "kata sandi", "sandi", "sudah", "bisa", "tidak bisa", "kamu", "gagal membuka", "peladen",
              "dihapus", "menghapus", "mengatur", "sedang", "belum", "dapatkan", "ubah", "mengubah",
              "kosong", "sistem berkas", "direktori", "pilihan", "masukan", "membuka", "terjadi"}},
      {"ms", {"fail", "tetapan", "kerana", "sahaja", "baharu", "tetingkap", "ralat", "peranti",
              "paparkan", "memaparkan", "dipaparkan", "butang", "muat turun", "sila", "kata laluan",
              "laluan", "telah", "boleh", "tidak boleh", "awak", "pelayan", "dipadam", "memadam",
              "menetapkan", "sedang", "belum", "dapatkan", "ubah", "mengubah", "kosong", "sistem fail",
              "direktori", "pilihan", "input", "membuka", "berlaku", "anda"}}}},
    {false, {{"es", {"el", "los", "las", "del", "una", "archivo", "archivos", "carpeta", "nombre", "también",
              "ya", "error", "es", "al", "con", "este", "esta", "puede", "hay", "muy",
              "pero", "cuando", "donde", "desea", "usted", "año", "niño", "mañana", "contraseña"}},
      {"gl", {"o", "os", "as", "da", "do", "das", "dos", "unha", "ficheiro", "ficheiros", "cartafol",
              "nome", "tamén", "xa", "erro", "é", "non", "ao", "coa", "co", "nun", "nunha", "dende",
              "este", "esta", "pode", "hai", "moi", "pero", "cando", "onde", "desexa", "vostede", "ano",
              "neno", "mañá", "contrasinal"}},
      {"pt", {"o", "os", "as", "da", "do", "das", "dos", "uma", "um", "arquivo", "ficheiro", "pasta",
              "nome", "também", "já", "erro", "é", "não", "ao", "com", "em", "num", "numa",
              "este", "esta", "pode", "há", "muito", "mas", "quando", "onde", "deseja", "você", "ano",
              "menino", "amanhã", "senha", "ção", "ções"}}}},
};
// clang-format on

bool has_member(const close_set& set, std::string_view code) {
  for (const close_language& l : set.members)
    if (l.code == code) return true;
  return false;
}

bool close_relatives(std::string_view a, std::string_view b) {
  for (const close_set& set : close_sets)
    if (has_member(set, a) && has_member(set, b)) return true;
  return false;
}

bool is_word_char(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0xC0;
}

// " word word … " in lowercase: words separated by single spaces, with a space at both ends, so
// a marker (one word or two) matches as " marker ".
std::string word_text(std::string_view text) {
  std::string out = " ";
  for_each_code_point(text, [&](char32_t cp) {
    const char32_t c = fold(cp);
    if (is_word_char(c)) {
      append_utf8(out, c);
    } else if (out.back() != ' ') {
      out.push_back(' ');
    }
  });
  if (out.back() != ' ') out.push_back(' ');
  return out;
}

std::size_t marker_hits(const std::string& words, const close_language& l) {
  std::size_t hits = 0;
  std::string needle;
  for (std::string_view m : l.markers) {
    needle.assign(" ").append(m).push_back(' ');
    for (std::size_t at = words.find(needle); at != std::string::npos;
         at = words.find(needle, at + needle.size() - 1))
      ++hits;
  }
  return hits;
}

// CLD2's answer, or the member of its close set whose marker words the text uses most; none
// when the markers are tied (CLD2 alone cannot be trusted between these languages).
std::string_view check_close_languages(std::string_view answer, std::string_view text) {
  std::optional<bool> cyrillic;  // scanned only for an answer in a close set
  for (const close_set& set : close_sets) {
    if (!has_member(set, answer)) continue;
    if (!cyrillic) {
      cyrillic = false;
      for_each_code_point(
          text, [&](char32_t cp) { *cyrillic = *cyrillic || (cp >= 0x400 && cp <= 0x4FF); });
    }
    if (set.cyrillic != *cyrillic) continue;  // "sr": the set of the text's script
    const std::string words = word_text(text);
    std::string_view best;
    std::size_t best_hits = 0;
    bool tie = false;
    for (const close_language& l : set.members) {
      const std::size_t hits = marker_hits(words, l);
      if (hits > best_hits) {
        best = l.code;
        best_hits = hits;
        tie = false;
      } else if (hits == best_hits) {
        tie = true;
      }
    }
    return tie || best_hits == 0 ? std::string_view() : best;
  }
  return answer;
}

}  // namespace

cld2_language_detector::cld2_language_detector(cld2_options opts) : options_(std::move(opts)) {
  if (!options_.use_model) return;
  model_ = options_.model_path.empty() ? builtin_language_model()
                                       : detail::load_language_model(options_.model_path);
}

cld2_language_detector::~cld2_language_detector() = default;

std::string_view cld2_language_detector::detect(std::string_view text) {
  const std::string_view input = prefix_at_char_boundary(text, options_.max_bytes);
  const std::size_t letters = letter_bytes(input);
  const bool ask_model = model_ && letters >= options_.model_min_letter_bytes;
  if (letters < options_.min_letter_bytes && !ask_model) return {};
  CLD2::Language language3[3];
  int percent3[3];
  int text_bytes = 0;
  bool is_reliable = false;
  const CLD2::Language top =
      CLD2::DetectLanguageSummary(input.data(), static_cast<int>(input.size()), true, language3,
                                  percent3, &text_bytes, &is_reliable);
  const std::string_view guess = iso_code(CLD2::LanguageCode(top));
  std::string_view cld2;  // CLD2's answer when it is sure by its own rule
  if (letters >= options_.min_letter_bytes && is_reliable && percent3[0] >= options_.min_percent)
    cld2 = check_close_languages(check_cyrillic(guess, input), input);
  if (!ask_model) return cld2;
  std::string_view model;
  const auto best = model_->predict(prefix_at_char_boundary(input, options_.model_max_bytes), 2);
  if (!best.empty() && best.front().confidence >= options_.model_min_probability &&
      script_fits(best.front().label, input)) {
    model = check_cyrillic(best.front().label, input);
    // Torn between close relatives (its runner-up is one): the model must be very sure.
    if (best.size() > 1 && close_relatives(best[0].label, best[1].label) &&
        best.front().confidence < options_.model_close_probability)
      model = {};
  }
  const auto& labels = model_->labels();
  return detail::combine_language_opinions(cld2, model, guess, [&](std::string_view code) {
    return std::find(labels.begin(), labels.end(), code) != labels.end();
  });
}

}  // namespace dial_analytics
