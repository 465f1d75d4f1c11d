// SPDX-License-Identifier: Apache-2.0
// ASCII-only text helpers (HTTP header values, option names, level names): no locale involved.
#pragma once

#include <string>
#include <string_view>

namespace dial_analytics::detail {

constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? char(c + 32) : c; }

/// Whether `a` and `b` are equal ignoring ASCII case.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

/// `s` in ASCII lower case.
inline std::string ascii_lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

/// The ASCII whitespace Python's str.strip() and int()/float() skip: space, \t \n \v \f \r.
inline constexpr std::string_view python_whitespace = " \t\n\v\f\r";

/// Removes a leading '+' or '-' from `s`; @return true for '-'.
constexpr bool take_sign(std::string_view& s) noexcept {
  if (s.empty() || (s.front() != '+' && s.front() != '-')) return false;
  const bool negative = s.front() == '-';
  s.remove_prefix(1);
  return negative;
}

/// `s` without leading and trailing `chars` (by default spaces and tabs).
constexpr std::string_view trim(std::string_view s, std::string_view chars = " \t") noexcept {
  const std::size_t first = s.find_first_not_of(chars);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(chars) - first + 1);
}

}  // namespace dial_analytics::detail
