// SPDX-License-Identifier: Apache-2.0
// PII redaction with RE2 (docs/pii-redaction.md).
//
// How a text is scanned:
//  1. One RE2::Set pass over the text says which rules have a candidate anywhere. Text without
//     PII (the common case) costs this one DFA pass and a copy.
//  2. Each rule that matched is run on its own (RE2 DFA from the last position) and every
//     candidate is validated in C++: Luhn, IBAN mod-97 and per-country length, IP octets and
//     IPv6 grammar, SSN ranges, token entropy, and the characters around the candidate (RE2 has
//     no look-around). A rejected candidate resumes the search one byte later, so a number that
//     starts inside a rejected candidate can still be found.
//  3. Overlaps are settled by rule order (`rules` below: credentials first, IP addresses last);
//     the winners are replaced by their placeholders.
//
// The patterns are ASCII and compiled as Latin-1: every byte is one symbol, so invalid UTF-8
// needs no validation and cannot fail a match, and no match starts or ends inside a multi-byte
// UTF-8 sequence (every pattern begins and ends with an ASCII character).
#include <dial_analytics/error.hpp>
#include <dial_analytics/flywheel/redactor.hpp>

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <map>
#include <utility>
#include <vector>

namespace dial_analytics::flywheel {

namespace {

constexpr std::array<std::string_view, pii_type_count> type_names{
    "email", "phone", "credit_card", "iban", "ip_address", "credential", "us_ssn"};
constexpr std::array<std::string_view, pii_type_count> placeholders{
    "<EMAIL>", "<PHONE>", "<CREDIT_CARD>", "<IBAN>", "<IP_ADDRESS>", "<CREDENTIAL>", "<US_SSN>"};

/// A half-open byte range of the text.
struct span {
  std::size_t begin = 0, end = 0;
};

/// A candidate is accepted as `span` (possibly narrower than the match) or rejected (nullopt).
using verdict = std::optional<span>;
using validator = verdict (*)(std::string_view text, span match);

// ---- character helpers (ASCII only, deliberately: bytes >= 0x80 are never word characters) ----

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_alnum(char c) { return is_digit(c) || is_upper(c) || is_lower(c); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_token_char(char c) { return is_word(c) || c == '-'; }

char at(std::string_view text, std::size_t i) { return i < text.size() ? text[i] : '\0'; }
char before(std::string_view text, std::size_t i, std::size_t back = 1) {
  return i >= back ? text[i - back] : '\0';
}

/// The number continues before `s.begin`: "7-" or "7." or "7 " or "7" right in front of it.
bool number_continues_before(std::string_view text, span s, std::string_view separators) {
  const char c = before(text, s.begin);
  if (is_digit(c)) return true;
  return separators.find(c) != std::string_view::npos && c != '\0' &&
         is_digit(before(text, s.begin, 2));
}

/// The number continues after `s.end`: a digit, or a separator and a digit.
bool number_continues_after(std::string_view text, span s, std::string_view separators) {
  const char c = at(text, s.end);
  if (is_digit(c)) return true;
  return c != '\0' && separators.find(c) != std::string_view::npos && is_digit(at(text, s.end + 1));
}

std::size_t count_digits(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), is_digit));
}

/// Shannon entropy in bits per character: placeholders ("ghp_xxxx…", "AKIAXXXX…") score low.
double entropy(std::string_view s) {
  std::array<unsigned, 256> freq{};
  for (char c : s) ++freq[static_cast<unsigned char>(c)];
  double bits = 0;
  const double n = static_cast<double>(s.size());
  for (unsigned f : freq) {
    if (f == 0) continue;
    const double p = static_cast<double>(f) / n;
    bits -= p * std::log2(p);
  }
  return bits;
}

// ---- e-mail ----

bool is_file_extension(std::string_view tld) {
  // "icon@2x.png" and "logo@3x.webp" are asset names, not addresses (none is a real TLD).
  static constexpr std::array<std::string_view, 10> exts{"png",  "jpg", "jpeg", "gif", "svg",
                                                         "webp", "bmp", "css",  "js",  "ts"};
  return std::find(exts.begin(), exts.end(), tld) != exts.end();
}

verdict validate_email(std::string_view text, span m) {
  while (m.begin < m.end && text[m.begin] == '.') ++m.begin;  // "…sentence.john@x.org"
  const std::string_view s = text.substr(m.begin, m.end - m.begin);
  const std::size_t at_sign = s.find('@');
  if (at_sign == 0 || at_sign == std::string_view::npos) return std::nullopt;
  const std::string_view local = s.substr(0, at_sign);
  if (local.back() == '.' || local.find("..") != std::string_view::npos) return std::nullopt;
  if (is_file_extension(s.substr(s.rfind('.') + 1))) return std::nullopt;
  if (local == "git" && at(text, m.end) == ':') return std::nullopt;  // git@github.com:org/repo
  // The user of a URL ("https://build@ci.example.com") is a login, kept like the URL's user when
  // it has a password.
  if (m.begin >= 3 && text.substr(m.begin - 3, 3) == "://") return std::nullopt;
  return m;
}

// ---- phone numbers ----

/// +CC followed by groups: 8 to 15 digits (E.164), not glued to a word or another number.
verdict validate_phone_international(std::string_view text, span m) {
  const std::string_view s = text.substr(m.begin, m.end - m.begin);
  const std::size_t digits = count_digits(s);
  if (digits < 8 || digits > 15 || s[1] == '0') return std::nullopt;
  if (is_alnum(before(text, m.begin)) || number_continues_after(text, m, "-.")) return std::nullopt;
  return m;
}

/// NANP: (NXX) NXX-XXXX, NXX-NXX-XXXX, NXX.NXX.XXXX with an optional leading "1 ": the area code
/// and the exchange start with 2-9, the two separators of the dashed/dotted forms agree.
verdict validate_phone_nanp(std::string_view text, span m) {
  std::string_view s = text.substr(m.begin, m.end - m.begin);
  if (s[0] == '1' && s.size() > 12 && !is_digit(s[1])) s.remove_prefix(2);
  std::string digits;
  for (char c : s)
    if (is_digit(c)) digits += c;
  if (digits.size() != 10 || digits[0] < '2' || digits[3] < '2') return std::nullopt;
  if (s[0] != '(' && s[3] != s[7]) return std::nullopt;
  if (number_continues_before(text, m, "-.") || before(text, m.begin) == '+') return std::nullopt;
  if (number_continues_after(text, m, "-.")) return std::nullopt;
  return m;
}

// ---- payment cards ----

bool luhn_ok(std::string_view digits) {
  unsigned sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    unsigned d = static_cast<unsigned>(*it - '0');
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

/// 13-19 digits starting 2-6 (or a 15-digit UATP number starting 1), Luhn-valid, not one repeated
/// digit; when grouped, one kind of separator and a first group of four.
bool card_ok(const std::vector<std::string_view>& groups, std::size_t n, bool separated) {
  std::string digits;
  for (std::size_t i = 0; i < n; ++i) digits.append(groups[i]);
  if (digits.size() < 13 || digits.size() > 19) return false;
  const char first = digits[0];
  if (first == '0' || first > '6' || (first == '1' && digits.size() != 15)) return false;
  if (separated && n > 1) {
    if (groups[0].size() != 4) return false;
    for (std::size_t i = 1; i < n; ++i)
      if (groups[i].size() < 3 || groups[i].size() > 6) return false;
  }
  if (digits.find_first_not_of(first) == std::string::npos) return false;
  return luhn_ok(digits);
}

/// Tries the whole candidate, then without its trailing groups ("4111 1111 1111 1111 20" is a
/// card and an expiry year). Leading groups are dropped by the caller's resumed search.
verdict validate_credit_card(std::string_view text, span m) {
  const std::string_view s = text.substr(m.begin, m.end - m.begin);
  std::vector<std::string_view> groups;
  std::vector<std::size_t> ends;  // end offset (in s) of each group
  char separator = '\0';
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && is_digit(s[i])) continue;
    if (i < s.size()) {
      if (separator != '\0' && s[i] != separator) return std::nullopt;  // mixed separators
      separator = s[i];
    }
    groups.push_back(s.substr(start, i - start));
    ends.push_back(i);
    start = i + 1;
  }
  for (std::size_t n = groups.size(); n > 0; --n) {
    if (card_ok(groups, n, separator != '\0')) return span{m.begin, m.begin + ends[n - 1]};
    if (separator == '\0') break;
  }
  return std::nullopt;
}

// ---- IBAN ----

/// Lengths of the IBAN registry (SWIFT, release 2023/2024) by country code.
std::size_t iban_length(std::string_view country) {
  static const std::map<std::string_view, std::size_t> lengths{
      {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16},
      {"BG", 22}, {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22},
      {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20},
      {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22},
      {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HN", 28}, {"HR", 21},
      {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30},
      {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
      {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20},
      {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23},
      {"PK", 24}, {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22},
      {"RU", 33}, {"SA", 24}, {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24},
      {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26},
      {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30}};
  const auto it = lengths.find(country);
  return it == lengths.end() ? 0 : it->second;
}

/// ISO 13616 check: the first four characters moved to the end, letters as 10..35, mod 97 == 1.
bool iban_checksum_ok(std::string_view iban) {
  unsigned remainder = 0;
  auto feed = [&remainder](char c) {
    if (is_digit(c)) {
      remainder = (remainder * 10 + static_cast<unsigned>(c - '0')) % 97;
    } else {
      remainder = (remainder * 100 + static_cast<unsigned>(c - 'A' + 10)) % 97;
    }
  };
  for (char c : iban.substr(4)) feed(c);
  for (char c : iban.substr(0, 4)) feed(c);
  return remainder == 1;
}

/// The country's length must be reached; a longer candidate is cut there when the cut falls
/// between two groups ("VG96 VPVG 0000 0123 4567 8901 X" is an IBAN and a word).
verdict validate_iban(std::string_view text, span m) {
  const std::size_t length = iban_length(text.substr(m.begin, 2));
  if (length == 0) return std::nullopt;
  std::string compact;
  std::size_t end = m.begin;
  for (std::size_t i = m.begin; i < m.end && compact.size() < length; ++i) {
    if (text[i] != ' ') compact += text[i];
    end = i + 1;
  }
  if (compact.size() != length || is_alnum(at(text, end))) return std::nullopt;
  if (!iban_checksum_ok(compact)) return std::nullopt;
  return span{m.begin, end};
}

// ---- IP addresses ----

/// "0".."255" without leading zeros (so "01.02.03.04" is not an address).
bool octet_ok(std::string_view s) {
  if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return false;
  int v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  return v <= 255;
}

bool ipv4_ok(std::string_view s) {
  int parts = 0;
  while (true) {
    const std::size_t dot = s.find('.');
    if (!octet_ok(s.substr(0, dot))) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return parts == 4;
}

/// Drops a "/N" suffix larger than `max_prefix` ("10.0.0.0/123" keeps "10.0.0.0").
std::string_view cut_prefix_length(std::string_view s, int max_prefix) {
  const std::size_t slash = s.find('/');
  if (slash == std::string_view::npos) return s;
  const std::string_view n = s.substr(slash + 1);
  int value = 0;
  for (char c : n) value = value * 10 + (c - '0');  // the patterns allow 1-3 digits only
  return !n.empty() && value <= max_prefix ? s : s.substr(0, slash);
}

/// Four octets, not part of a longer dotted number (OIDs, 5-part versions) or a word.
verdict validate_ipv4(std::string_view text, span m) {
  const std::string_view s = cut_prefix_length(text.substr(m.begin, m.end - m.begin), 32);
  const span found{m.begin, m.begin + s.size()};
  if (!ipv4_ok(s.substr(0, s.find('/')))) return std::nullopt;
  if (number_continues_before(text, found, ".") || number_continues_after(text, found, "."))
    return std::nullopt;
  return found;
}

struct ipv6_shape {
  int groups = 0;  // explicit 16-bit groups (an embedded IPv4 address counts two)
  bool compressed = false;
  bool long_group = false;  // a group of two or more hex digits
};

/// RFC 4291 text forms: 1-4 hex digits per group, at most one "::", an optional IPv4 tail.
std::optional<ipv6_shape> parse_ipv6(std::string_view s) {
  ipv6_shape shape;
  const std::size_t gap = s.find("::");
  if (gap != std::string_view::npos) {
    if (s.find("::", gap + 1) != std::string_view::npos) return std::nullopt;
    shape.compressed = true;
  }
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == ':') {
      const bool lone_at_start = i == 0 && at(s, 1) != ':';
      const bool lone_at_end = i + 1 == s.size() && before(s, i) != ':';
      if (lone_at_start || lone_at_end) return std::nullopt;
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && s[j] != ':') ++j;
    const std::string_view group = s.substr(i, j - i);
    if (j == s.size() && group.find('.') != std::string_view::npos) {
      if (!ipv4_ok(group)) return std::nullopt;
      shape.groups += 2;
      shape.long_group = true;
    } else {
      if (group.size() > 4 || !std::all_of(group.begin(), group.end(), is_hex)) return std::nullopt;
      ++shape.groups;
      shape.long_group = shape.long_group || group.size() > 1;
    }
    i = j;
  }
  if (shape.compressed ? shape.groups > 7 : shape.groups != 8) return std::nullopt;
  return shape;
}

/// A full address, or a compressed one that looks like one ("fe80::1", "2001:db8::1", "::1"):
/// C++/Rust paths ("A::B", "u8::MAX") and Python slices ("[1::2]") are not addresses, and "::"
/// alone identifies nobody.
verdict validate_ipv6(std::string_view text, span m) {
  std::string_view s = cut_prefix_length(text.substr(m.begin, m.end - m.begin), 128);
  if (s.size() >= 2 && s.back() == ':' && s[s.size() - 2] != ':') s.remove_suffix(1);
  const span found{m.begin, m.begin + s.size()};
  std::string_view address = s.substr(0, std::min(s.find('%'), s.find('/')));
  const auto shape = parse_ipv6(address);
  if (!shape) return std::nullopt;
  const bool plausible = !shape->compressed || shape->groups >= 3 || address == "::1" ||
                         (shape->groups >= 1 && shape->long_group);
  if (!plausible) return std::nullopt;
  const char prev = before(text, found.begin), next = at(text, found.end);
  if (is_word(prev) || prev == ':' || prev == '.') return std::nullopt;
  if (is_word(next) || next == ':' || (next == '.' && is_hex(at(text, found.end + 1))))
    return std::nullopt;
  return found;
}

// ---- US social security numbers ----

/// AAA-GG-SSSS (one kind of separator: '-', '.' or ' '): area not 000, 666 or 9xx, group not 00,
/// serial not 0000, not a number published as an example (078-05-1120, 219-09-9999, 123-45-6789,
/// the 987-65-432x advertising block), not one repeated digit.
verdict validate_us_ssn(std::string_view text, span m) {
  const std::string_view s = text.substr(m.begin, m.end - m.begin);
  if (s[3] != s[6]) return std::nullopt;
  const std::string digits =
      std::string(s.substr(0, 3)) + std::string(s.substr(4, 2)) + std::string(s.substr(7, 4));
  const std::string_view area = std::string_view(digits).substr(0, 3);
  if (area == "000" || area == "666" || area[0] == '9') return std::nullopt;
  if (digits.compare(3, 2, "00") == 0 || digits.compare(5, 4, "0000") == 0) return std::nullopt;
  if (digits == "078051120" || digits == "219099999" || digits == "123456789") return std::nullopt;
  if (digits.compare(0, 8, "98765432") == 0) return std::nullopt;
  if (digits.find_first_not_of(digits[0]) == std::string::npos) return std::nullopt;
  // Part of a longer number written with the same separator ("12-536-90-4399-1")?
  const std::string_view separator = s.substr(3, 1);
  if (number_continues_before(text, m, separator) || number_continues_after(text, m, separator))
    return std::nullopt;
  return m;
}

// ---- credentials ----

/// Provider tokens: a placeholder ("ghp_xxxx…", "AKIAXXXX…") has too little entropy; the AWS
/// documentation key ends in EXAMPLE (gitleaks allows both the same way).
verdict validate_token(std::string_view text, span m) {
  const std::string_view s = text.substr(m.begin, m.end - m.begin);
  if (entropy(s) < 3.0) return std::nullopt;
  if (s.size() == 20 && s.ends_with("EXAMPLE")) return std::nullopt;
  return m;
}

/// Google API keys: AIza and exactly 35 more token characters.
verdict validate_google_key(std::string_view text, span m) {
  if (is_token_char(at(text, m.end))) return std::nullopt;
  return validate_token(text, m);
}

bool anthropic_key_ok(std::string_view s) {
  // sk-ant-api03-… / sk-ant-admin01-…: 93 token characters and "AA".
  const std::size_t dash = s.find('-', 7);
  if (dash == std::string_view::npos) return false;
  const std::string_view kind = s.substr(7, dash - 7);
  if (kind != "api03" && kind != "admin01") return false;
  return s.size() - dash - 1 == 95 && s.ends_with("AA");
}

/// "sk-…": Anthropic keys by their exact shape, OpenAI keys (sk-…, sk-proj-…, sk-svcacct-…) by a
/// long random body: 32+ characters with digits, upper and lower case ("sk-learn-…" is not a key).
verdict validate_sk_key(std::string_view text, span m) {
  const std::string_view s = text.substr(m.begin, m.end - m.begin);
  if (s.starts_with("sk-ant-")) return anthropic_key_ok(s) ? verdict{m} : std::nullopt;
  const std::string_view body = s.substr(3);
  if (body.size() < 32) return std::nullopt;
  const bool digit = std::any_of(body.begin(), body.end(), is_digit);
  const bool upper = std::any_of(body.begin(), body.end(), is_upper);
  const bool lower = std::any_of(body.begin(), body.end(), is_lower);
  if (!digit || !upper || !lower || entropy(body) < 3.5) return std::nullopt;
  return m;
}

verdict accept(std::string_view, span m) { return m; }

/// scheme://user:password@host: only the password is replaced; the scheme, user and host stay
/// (they are needed to read the text, and the user is usually a service account). Template
/// variables ("${DB_PASSWORD}", "{{ pass }}", "<password>") are not secrets.
verdict validate_url_password(std::string_view text, span m) {
  const std::string_view s = text.substr(m.begin, m.end - m.begin);
  const std::size_t colon = s.find(':', s.find("://") + 3);
  const std::size_t begin = colon + 1, end = s.size() - 1;  // the match ends with '@'
  if (begin >= end) return std::nullopt;
  const std::string_view password = s.substr(begin, end - begin);
  if (password[0] == '$' || password[0] == '{' || password[0] == '<' || password.starts_with("%("))
    return std::nullopt;
  if (password.find_first_not_of('*') == std::string_view::npos) return std::nullopt;
  return span{m.begin + begin, m.begin + end};
}

// ---- the rules, in precedence order ----

struct rule {
  std::string_view name;
  pii_type type;
  const char* pattern;
  validator validate;
  /// After a rejected candidate, search again one byte later (a number can start inside a
  /// rejected one) or after the whole candidate (a rejected address or token stays rejected).
  bool retry_inside;
};

// Precedence: a rule earlier in this list wins an overlap with a later one:
// credential > email > iban > credit_card > us_ssn > phone > ip_address. An IBAN beats a card
// because its check (mod 97 and the country's length) is far stronger than Luhn's one in ten;
// IPv6 comes before IPv4 so that "::ffff:192.0.2.1" is one address.
const std::array<rule, 17> rules{{
    {"private_key", pii_type::credential,
     // Through the END line; a truncated block (pasted in part) through its last base64 or
     // "Header: value" line.
     R"(-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END[A-Z0-9 ]{0,40})"
     R"(PRIVATE KEY(?: BLOCK)?-----|(?:\s{1,2}(?:[A-Za-z0-9+/=]{16,}|[A-Za-z\-]+: [^\r\n]*))*))",
     accept, false},
    {"url_password", pii_type::credential,
     R"(\b[A-Za-z][A-Za-z0-9+.\-]{1,15}://[^\s:/?#@]{1,128}:[^\s/?#]{1,256}@)",
     validate_url_password, false},
    {"jwt", pii_type::credential,
     R"(\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*={0,2})", accept, false},
    {"aws_access_key_id", pii_type::credential, R"(\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b)",
     validate_token, false},
    {"github_token", pii_type::credential,
     R"(\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})\b)", validate_token, false},
    {"slack_token", pii_type::credential,
     R"(\bxox[abeoprs]-(?:\d-)?\d{8,13}-[A-Za-z0-9\-]*[A-Za-z0-9]\b)", validate_token, false},
    {"sk_key", pii_type::credential, R"(\bsk-[A-Za-z0-9_\-]{20,}[A-Za-z0-9])", validate_sk_key,
     false},
    {"stripe_key", pii_type::credential, R"(\b[rs]k_(?:live|test)_[A-Za-z0-9]{10,99}\b)",
     validate_token, false},
    {"google_api_key", pii_type::credential, R"(\bAIza[A-Za-z0-9_\-]{35})", validate_google_key,
     false},
    {"email", pii_type::email,
     R"([A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b)",
     validate_email, false},
    {"iban", pii_type::iban, R"(\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b)",
     validate_iban, true},
    {"credit_card", pii_type::credit_card, R"(\b\d(?:[ \-]?\d){12,18}\b)", validate_credit_card,
     true},
    {"us_ssn", pii_type::us_ssn, R"(\b\d{3}[\-. ]\d{2}[\-. ]\d{4}\b)", validate_us_ssn, true},
    {"phone_international", pii_type::phone,
     R"(\+\d{1,3}(?:[ .\-]?(?:\(\d{1,5}\)|\d{2,5})){2,6}\b)", validate_phone_international, true},
    {"phone_nanp", pii_type::phone,
     R"((?:\b1[\-. ])?(?:\(\d{3}\) ?|\b\d{3}[\-.])\d{3}[\-.]\d{4}\b)", validate_phone_nanp, true},
    {"ipv6", pii_type::ip_address,
     R"((?:[0-9A-Fa-f:]*:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:]+))"
     R"((?:%[0-9A-Za-z]{1,16})?(?:/\d{1,3})?)",
     validate_ipv6, true},
    {"ipv4", pii_type::ip_address, R"(\b(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,3})?\b)", validate_ipv4,
     true},
}};

RE2::Options pattern_options() {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);
  o.set_log_errors(false);
  o.set_max_mem(int64_t{64} << 20);  // room for the DFA of the set on long, candidate-rich texts
  return o;
}

re2::StringPiece piece(std::string_view s) { return {s.data(), s.size()}; }

/// An accepted candidate: where, and the precedence of its rule.
struct found_span {
  span where;
  std::size_t rule_index;
};

}  // namespace

std::string_view to_string(pii_type t) noexcept { return type_names[static_cast<std::size_t>(t)]; }

std::string_view placeholder(pii_type t) noexcept {
  return placeholders[static_cast<std::size_t>(t)];
}

std::optional<pii_type> parse_pii_type(std::string_view name) noexcept {
  for (std::size_t i = 0; i < pii_type_count; ++i)
    if (type_names[i] == name) return static_cast<pii_type>(i);
  return std::nullopt;
}

std::uint64_t redaction_counts::total() const noexcept {
  std::uint64_t sum = 0;
  for (std::uint64_t n : by_type) sum += n;
  return sum;
}

redaction_counts& redaction_counts::operator+=(const redaction_counts& other) noexcept {
  for (std::size_t i = 0; i < pii_type_count; ++i) by_type[i] += other.by_type[i];
  return *this;
}

struct redactor::impl {
  std::vector<std::size_t> active;             // indexes into `rules` of the enabled rules
  std::vector<std::unique_ptr<RE2>> compiled;  // parallel to `active`
  std::unique_ptr<RE2::Set> any;               // all active rules: does anything match at all?

  explicit impl(const redactor_options& options);
  void find(std::string_view text, std::size_t slot, std::vector<found_span>& into) const;
  std::vector<std::size_t> matching_slots(std::string_view text) const;
};

redactor::impl::impl(const redactor_options& options)
    : any(std::make_unique<RE2::Set>(pattern_options(), RE2::UNANCHORED)) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (!options.enabled[static_cast<std::size_t>(rules[i].type)]) continue;
    auto re = std::make_unique<RE2>(rules[i].pattern, pattern_options());
    std::string error;
    if (!re->ok() || any->Add(rules[i].pattern, &error) < 0) {
      throw config_error("PII redaction rule " + std::string(rules[i].name) +
                         " does not compile: " + (re->ok() ? error : re->error()));
    }
    active.push_back(i);
    compiled.push_back(std::move(re));
  }
  if (!active.empty() && !any->Compile()) throw config_error("PII redaction rules do not compile");
}

/// The slots (indexes into `active`) whose rule matches somewhere in `text`.
std::vector<std::size_t> redactor::impl::matching_slots(std::string_view text) const {
  std::vector<std::size_t> slots;
  std::vector<int> hits;
  RE2::Set::ErrorInfo error{};
  if (any->Match(piece(text), &hits, &error)) {
    for (int h : hits) slots.push_back(static_cast<std::size_t>(h));
    std::sort(slots.begin(), slots.end());
  } else if (error.kind != RE2::Set::kNoError) {
    for (std::size_t i = 0; i < active.size(); ++i) slots.push_back(i);  // DFA out of memory
  }
  return slots;
}

/// Every validated candidate of one rule, left to right.
void redactor::impl::find(std::string_view text, std::size_t slot,
                          std::vector<found_span>& into) const {
  const rule& r = rules[active[slot]];
  const RE2& re = *compiled[slot];
  re2::StringPiece match;
  std::size_t pos = 0;
  while (pos < text.size() && re.Match(piece(text), pos, text.size(), RE2::UNANCHORED, &match, 1)) {
    const auto begin = static_cast<std::size_t>(match.data() - text.data());
    const span m{begin, begin + match.size()};
    const verdict v = m.end > m.begin ? r.validate(text, m) : std::nullopt;
    if (v) into.push_back({*v, active[slot]});
    pos = v ? std::max(v->end, m.begin + 1) : r.retry_inside ? m.begin + 1 : m.end;
  }
}

redactor::redactor(redactor_options options)
    : options_(options), impl_(std::make_unique<const impl>(options_)) {}
redactor::~redactor() = default;
redactor::redactor(redactor&&) noexcept = default;
redactor& redactor::operator=(redactor&&) noexcept = default;

namespace {

/// Keeps the candidates that win their overlaps (earlier rule first), ordered by position.
std::vector<found_span> settle_overlaps(std::vector<found_span> all) {
  std::stable_sort(all.begin(), all.end(), [](const found_span& a, const found_span& b) {
    return a.rule_index < b.rule_index;
  });
  std::map<std::size_t, found_span> kept;  // by begin
  for (const found_span& f : all) {
    auto next = kept.lower_bound(f.where.begin);
    if (next != kept.end() && next->second.where.begin < f.where.end) continue;
    if (next != kept.begin() && std::prev(next)->second.where.end > f.where.begin) continue;
    kept.emplace(f.where.begin, f);
  }
  std::vector<found_span> ordered;
  ordered.reserve(kept.size());
  for (const auto& [begin, f] : kept) ordered.push_back(f);
  return ordered;
}

}  // namespace

std::size_t redactor::redact(std::string_view text, std::string& out,
                             redaction_counts& counts) const {
  if (!impl_ || impl_->active.empty() || text.empty()) {
    out.append(text);
    return 0;
  }
  // One DFA pass of the set says which rules have a candidate; text without any (the common case)
  // is copied as it is.
  const std::vector<std::size_t> slots = impl_->matching_slots(text);
  if (slots.empty()) {
    out.append(text);
    return 0;
  }
  std::vector<found_span> found;
  for (std::size_t slot : slots) impl_->find(text, slot, found);
  const std::vector<found_span> kept = settle_overlaps(std::move(found));
  out.reserve(out.size() + text.size());
  std::size_t pos = 0;
  for (const found_span& f : kept) {
    const pii_type type = rules[f.rule_index].type;
    out.append(text.substr(pos, f.where.begin - pos));
    out.append(placeholder(type));
    ++counts[type];
    pos = f.where.end;
  }
  out.append(text.substr(pos));
  return kept.size();
}

}  // namespace dial_analytics::flywheel
