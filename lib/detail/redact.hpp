// SPDX-License-Identifier: Apache-2.0
// Keeps credentials out of log lines: URLs the user configured and error texts a backend sent.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "detail/ascii.hpp"

namespace dial_analytics::detail {

namespace redact_rules {

inline constexpr std::string_view mask = "***";

// Keys whose value is a credential (`key=value`, `key: value`, `"key":"value"`); case-insensitive.
inline constexpr std::array<std::string_view, 12> secret_keys = {
    "authorization", "password", "passwd", "pwd",  "token",         "access_token",
    "api_key",       "apikey",   "secret", "auth", "client_secret", "refresh_token"};

// Authentication schemes whose next word is the credential.
inline constexpr std::array<std::string_view, 3> schemes = {"bearer ", "basic ", "token "};

constexpr bool word_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

constexpr bool starts_with_ci(std::string_view s, std::size_t at, std::string_view word) noexcept {
  return s.size() - at >= word.size() && iequals(s.substr(at, word.size()), word);
}

// The end of a value starting at `at`: its closing quote when quoted; the end of the line for
// an Authorization header (scheme and credentials); else the first separator.
inline std::size_t value_end(std::string_view s, std::size_t at, bool whole_line) {
  if (at < s.size() && (s[at] == '"' || s[at] == '\'')) {
    const std::size_t close = s.find(s[at], at + 1);
    return close == std::string_view::npos ? s.size() : close + 1;
  }
  const std::string_view stop = whole_line ? "\r\n" : "&\"' \t\r\n,;)}]";
  const std::size_t end = s.find_first_of(stop, at);
  return end == std::string_view::npos ? s.size() : end;
}

// At `at`, `key` then (a closing quote,) spaces, '=' or ':', spaces: where its value starts.
inline std::size_t value_start(std::string_view s, std::size_t at, std::size_t key_size) {
  std::size_t i = at + key_size;
  if (i < s.size() && (s[i] == '"' || s[i] == '\'')) ++i;
  while (i < s.size() && s[i] == ' ') ++i;
  if (i >= s.size() || (s[i] != '=' && s[i] != ':')) return std::string_view::npos;
  ++i;
  while (i < s.size() && s[i] == ' ') ++i;
  return i;
}

// A URL's user-info at `at` (just after "://"): its length, 0 when there is none.
inline std::size_t user_info_size(std::string_view s, std::size_t at) {
  const std::size_t end = s.find_first_of("/?#@ \t\r\n\"'<>", at);
  return end != std::string_view::npos && s[end] == '@' ? end - at : 0;
}

// The credential after a scheme word at `at`: its length when it looks like one (8+ chars).
inline std::size_t scheme_credential_size(std::string_view s, std::size_t at) {
  std::size_t n = 0;
  while (at + n < s.size() && (word_char(s[at + n]) || std::string_view("+/=.-:").find(s[at + n]) !=
                                                           std::string_view::npos))
    ++n;
  return n >= 8 ? n : 0;
}

}  // namespace redact_rules

/// `text` with what looks like a credential replaced by "***": URL user-info
/// (`http://user:pw@host` → `http://***@host`), the values of keys such as token, password,
/// secret, api_key and the `p` query parameter (`?p=…`, `&p=…`), an `Authorization: …` header
/// to the end of its line, and the word after `Bearer`, `Basic` or `Token`. Thread-safety: pure.
inline std::string redact(std::string_view text) {
  using namespace redact_rules;
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const bool boundary = i == 0 || !word_char(text[i - 1]);
    if (text.substr(i, 3) == "://") {
      out += "://";
      i += 3;
      if (const std::size_t n = user_info_size(text, i)) {
        out += mask;
        i += n;
      }
      continue;
    }
    std::size_t value = std::string_view::npos;
    bool whole_line = false;
    if (boundary) {
      for (std::string_view key : secret_keys) {
        if (!starts_with_ci(text, i, key)) continue;
        value = value_start(text, i, key.size());
        whole_line = key == "authorization" && (value == std::string_view::npos ||
                                                (text[value] != '"' && text[value] != '\''));
        if (value != std::string_view::npos) break;
      }
      const bool query = i > 0 && (text[i - 1] == '?' || text[i - 1] == '&');
      if (value == std::string_view::npos && query && text.substr(i, 2) == "p=") value = i + 2;
    }
    if (value != std::string_view::npos) {
      const std::size_t end = value_end(text, value, whole_line);
      const bool quoted = value < text.size() && (text[value] == '"' || text[value] == '\'');
      out.append(text.substr(i, value - i));
      if (quoted) out += text[value];
      out += mask;
      if (quoted && end > value + 1 && text[end - 1] == text[value]) out += text[value];
      i = end;
      continue;
    }
    if (boundary) {
      for (std::string_view scheme : schemes) {
        if (!starts_with_ci(text, i, scheme)) continue;
        if (const std::size_t n = scheme_credential_size(text, i + scheme.size())) {
          out.append(text.substr(i, scheme.size()));
          out += mask;
          i += scheme.size() + n;
          value = i;
        }
        break;
      }
      if (value != std::string_view::npos) continue;
    }
    out += text[i++];
  }
  return out;
}

}  // namespace dial_analytics::detail
