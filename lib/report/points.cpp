// SPDX-License-Identifier: Apache-2.0
// Reading line-protocol points back: a small parser of the lines the service writes.
#include "report/points.hpp"

#include <charconv>
#include <cmath>

namespace dial_analytics::report::lp {
namespace {

/// Splits at the first unescaped `stop` character outside double quotes (when `quotes`).
std::size_t find_unescaped(std::string_view s, std::size_t from, std::string_view stops,
                           bool quotes) {
  bool in_quotes = false;
  for (std::size_t i = from; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (quotes && c == '"') {
      in_quotes = !in_quotes;
      continue;
    }
    if (!in_quotes && stops.find(c) != std::string_view::npos) return i;
  }
  return std::string_view::npos;
}

/// Removes the backslash before the characters InfluxDB unescapes (tags: `,` `=` space; string
/// fields: `"` and `\`); other backslashes are the value's own, as InfluxDB keeps them.
std::string unescape(std::string_view s, std::string_view specials) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && specials.find(s[i + 1]) != std::string_view::npos) ++i;
    out.push_back(s[i]);
  }
  return out;
}

bool parse_pairs(std::string_view s, pairs& out, bool quotes) {
  out.clear();
  std::size_t at = 0;
  while (at < s.size()) {
    std::size_t end = find_unescaped(s, at, ",", quotes);
    if (end == std::string_view::npos) end = s.size();
    const std::string_view pair = s.substr(at, end - at);
    const std::size_t eq = find_unescaped(pair, 0, "=", false);
    if (eq == std::string_view::npos || eq == 0) return false;
    out.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
    at = end + 1;
  }
  return true;
}

}  // namespace

void for_each_line(std::string_view text, const std::function<void(std::string_view)>& line) {
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    line(text.substr(at, end - at));
    at = end + 1;
  }
}

std::string_view content_of(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::size_t first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos || line[first] == '#') return {};
  return line.substr(first);
}

bool parse_line(std::string_view line, point& p) {
  const std::size_t head_end = find_unescaped(line, 0, " ", false);
  if (head_end == std::string_view::npos) return false;
  const std::string_view head = line.substr(0, head_end);
  const std::size_t comma = find_unescaped(head, 0, ",", false);
  p.measurement = head.substr(0, comma);
  if (p.measurement.empty()) return false;
  if (!parse_pairs(comma == std::string_view::npos ? std::string_view() : head.substr(comma + 1),
                   p.tags, false))
    return false;
  const std::size_t fields_end = find_unescaped(line, head_end + 1, " ", true);
  const std::string_view fields =
      line.substr(head_end + 1, fields_end == std::string_view::npos ? std::string_view::npos
                                                                     : fields_end - head_end - 1);
  if (fields.empty() || !parse_pairs(fields, p.fields, true)) return false;
  if (fields_end == std::string_view::npos) return false;  // no timestamp: cannot place the point
  const std::string_view ts = line.substr(fields_end + 1);
  const auto [ptr, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), p.time);
  return ec == std::errc() && ptr == ts.data() + ts.size();
}

std::string_view lookup(const pairs& list, std::string_view key) {
  for (const auto& [k, v] : list) {
    if (k == key) return v;
  }
  return {};
}

/// A field's numeric value (`12i`, `0.5`, `1e-05`); 0 for strings and absent fields.
double number_of(std::string_view raw) {
  if (raw.empty() || raw.front() == '"') return 0;
  if (raw.back() == 'i' || raw.back() == 'u') raw.remove_suffix(1);
  double v = 0;
  const auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  return ec == std::errc() ? v : 0;
}

/// A string field's text (quotes and escapes removed), or a tag's.
std::string text_of(std::string_view raw) {
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"')
    return unescape(raw.substr(1, raw.size() - 2), "\"\\");
  return unescape(raw, ", =");
}

std::int64_t integer_of(std::string_view raw) {
  if (raw.empty() || raw.front() == '"') return 0;
  if (raw.back() == 'i' || raw.back() == 'u') raw.remove_suffix(1);
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (ec == std::errc() && ptr == raw.data() + raw.size()) return v;
  const double d = number_of(raw);
  return std::isfinite(d) && std::fabs(d) < 9.2e18 ? static_cast<std::int64_t>(d) : 0;
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const auto continuation = [&](std::size_t i) {
    return i < text.size() && (byte(i) & 0xC0) == 0x80;
  };
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = byte(i);
    std::size_t n = 0;
    if (c < 0x80) {
      n = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = continuation(i + 1) ? 2 : 0;
    } else if (c >= 0xE0 && c <= 0xEF) {
      // No overlong forms (E0 needs A0..BF) and no surrogates (ED needs 80..9F).
      const bool second = i + 1 < text.size() && (c == 0xE0   ? byte(i + 1) >= 0xA0
                                                  : c == 0xED ? byte(i + 1) <= 0x9F
                                                              : true);
      n = continuation(i + 1) && second && continuation(i + 2) ? 3 : 0;
    } else if (c >= 0xF0 && c <= 0xF4) {
      // No overlong forms (F0 needs 90..BF) and nothing above U+10FFFF (F4 needs 80..8F).
      const bool second = i + 1 < text.size() && (c == 0xF0   ? byte(i + 1) >= 0x90
                                                  : c == 0xF4 ? byte(i + 1) <= 0x8F
                                                              : true);
      n = continuation(i + 1) && second && continuation(i + 2) && continuation(i + 3) ? 4 : 0;
    }
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string_view point::tag_or_field(std::string_view key) const {
  const std::string_view raw = lookup(tags, key);
  return raw.empty() ? lookup(fields, key) : raw;
}

}  // namespace dial_analytics::report::lp
