// SPDX-License-Identifier: Apache-2.0
// A validating scanner that mirrors CPython 3.11's C json scanner (Modules/_json.c) closely
// enough to reproduce its error messages and positions. It runs only after simdjson rejected a
// document, so it favours clarity over speed.
#include "detail/py_json.hpp"

#include "detail/utf8.hpp"

#include <cstddef>

namespace dial_analytics::detail {
namespace {

struct json_error {
  const char* message;
  std::size_t pos;  // byte offset
};

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

class scanner {
 public:
  scanner(std::string_view s, bool strict) : s_(s), strict_(strict) {}

  // Returns true and sets `error` on failure; `next` receives the end of the value.
  bool scan_once(std::size_t idx, std::size_t& next, json_error& error, int depth = 0) {
    const std::size_t len = s_.size();
    if (idx >= len) return stop(idx, error);
    if (depth > 1000) {
      error = {
          "maximum recursion depth exceeded while decoding a JSON object from a unicode string",
          idx};
      return true;
    }
    switch (s_[idx]) {
      case '"':
        return scan_string(idx + 1, next, error);
      case '{':
        return scan_object(idx + 1, next, error, depth + 1);
      case '[':
        return scan_array(idx + 1, next, error, depth + 1);
      case 'n':
        if (literal(idx, "null", next)) return false;
        break;
      case 't':
        if (literal(idx, "true", next)) return false;
        break;
      case 'f':
        if (literal(idx, "false", next)) return false;
        break;
      case 'N':
        if (literal(idx, "NaN", next)) return false;
        break;
      case 'I':
        if (literal(idx, "Infinity", next)) return false;
        break;
      case '-':
        if (literal(idx, "-Infinity", next)) return false;
        break;
      default:
        break;
    }
    return scan_number(idx, next, error);
  }

 private:
  static bool stop(std::size_t idx, json_error& error) {
    error = {"Expecting value", idx};
    return true;
  }

  bool literal(std::size_t idx, std::string_view word, std::size_t& next) const {
    if (s_.substr(idx, word.size()) != word) return false;
    next = idx + word.size();
    return true;
  }

  bool scan_number(std::size_t start, std::size_t& next, json_error& error) const {
    const std::size_t len = s_.size();
    std::size_t idx = start;
    if (s_[idx] == '-') {
      ++idx;
      if (idx >= len) return stop(start, error);
    }
    if (s_[idx] >= '1' && s_[idx] <= '9') {
      ++idx;
      while (idx < len && is_digit(s_[idx])) ++idx;
    } else if (s_[idx] == '0') {
      ++idx;
    } else {
      return stop(start, error);
    }
    if (idx + 1 < len && s_[idx] == '.' && is_digit(s_[idx + 1])) {
      idx += 2;
      while (idx < len && is_digit(s_[idx])) ++idx;
    }
    if (idx + 1 < len && (s_[idx] == 'e' || s_[idx] == 'E')) {
      const std::size_t e_start = idx;
      ++idx;
      if (idx + 1 < len && (s_[idx] == '-' || s_[idx] == '+')) ++idx;
      while (idx < len && is_digit(s_[idx])) ++idx;
      if (!is_digit(s_[idx - 1])) idx = e_start;
    }
    next = idx;
    return false;
  }

  bool scan_string(std::size_t end, std::size_t& next_out, json_error& error) const {
    const std::size_t len = s_.size();
    const std::size_t begin = end - 1;
    while (true) {
      std::size_t next = end;
      char c = 0;
      for (; next < len; ++next) {
        c = s_[next];
        if (c == '"' || c == '\\') break;
        if (static_cast<unsigned char>(c) <= 0x1f && strict_) {
          error = {"Invalid control character at", next};
          return true;
        }
      }
      if (next >= len) {
        error = {"Unterminated string starting at", begin};
        return true;
      }
      ++next;
      if (c == '"') {
        next_out = next;
        return false;
      }
      if (next == len) {
        error = {"Unterminated string starting at", begin};
        return true;
      }
      c = s_[next];
      if (c != 'u') {
        end = next + 1;
        if (std::string_view("\"\\/bfnrt").find(c) == std::string_view::npos) {
          error = {"Invalid \\escape", end - 2};
          return true;
        }
        continue;
      }
      ++next;
      end = next + 4;
      if (end >= len) {
        error = {"Invalid \\uXXXX escape", next - 1};
        return true;
      }
      unsigned value = 0;
      for (; next < end; ++next) {
        if (!is_hex(s_[next])) {
          error = {"Invalid \\uXXXX escape", end - 5};
          return true;
        }
        value =
            value * 16 + static_cast<unsigned>(is_digit(s_[next]) ? s_[next] - '0'
                                                                  : (s_[next] | 0x20) - 'a' + 10);
      }
      if (value >= 0xd800 && value <= 0xdbff && end + 6 < len && s_[next] == '\\' &&
          s_[next + 1] == 'u') {
        next += 2;
        const std::size_t end2 = next + 4;
        for (; next < end2; ++next) {
          if (!is_hex(s_[next])) {
            error = {"Invalid \\uXXXX escape", end2 - 5};
            return true;
          }
        }
        end = end2;
      }
    }
  }

  void skip_ws(std::size_t& idx) const {
    while (idx < s_.size() && is_ws(s_[idx])) ++idx;
  }

  bool scan_object(std::size_t idx, std::size_t& next, json_error& error, int depth) {
    const std::size_t len = s_.size();
    skip_ws(idx);
    if (idx >= len || s_[idx] != '}') {
      while (true) {
        if (idx >= len || s_[idx] != '"') {
          error = {"Expecting property name enclosed in double quotes", idx};
          return true;
        }
        std::size_t after = 0;
        if (scan_string(idx + 1, after, error)) return true;
        idx = after;
        skip_ws(idx);
        if (idx >= len || s_[idx] != ':') {
          error = {"Expecting ':' delimiter", idx};
          return true;
        }
        ++idx;
        skip_ws(idx);
        if (scan_once(idx, after, error, depth)) return true;
        idx = after;
        skip_ws(idx);
        if (idx < len && s_[idx] == '}') break;
        if (idx >= len || s_[idx] != ',') {
          error = {"Expecting ',' delimiter", idx};
          return true;
        }
        ++idx;
        skip_ws(idx);
      }
    }
    next = idx + 1;
    return false;
  }

  bool scan_array(std::size_t idx, std::size_t& next, json_error& error, int depth) {
    const std::size_t len = s_.size();
    skip_ws(idx);
    if (idx >= len || s_[idx] != ']') {
      while (idx < len) {
        std::size_t after = 0;
        if (scan_once(idx, after, error, depth)) return true;
        idx = after;
        skip_ws(idx);
        if (idx < len && s_[idx] == ']') break;
        if (idx >= len || s_[idx] != ',') {
          error = {"Expecting ',' delimiter", idx};
          return true;
        }
        ++idx;
        skip_ws(idx);
      }
    }
    if (idx >= len || s_[idx] != ']') return stop(idx, error);
    next = idx + 1;
    return false;
  }

  std::string_view s_;
  bool strict_;
};

// Python counts positions in code points, not bytes.
constexpr auto code_points = count_code_points;

std::string format_error(std::string_view doc, const json_error& e) {
  const std::string_view before = doc.substr(0, e.pos);
  std::size_t line = 1;
  for (char c : before) line += c == '\n';
  const std::size_t pos = code_points(before);
  const std::size_t last_nl = before.rfind('\n');
  const std::size_t col =
      last_nl == std::string_view::npos ? pos + 1 : pos - code_points(before.substr(0, last_nl));
  return std::string(e.message) + ": line " + std::to_string(line) + " column " +
         std::to_string(col) + " (char " + std::to_string(pos) + ")";
}

}  // namespace

std::string python_json_error(std::string_view doc, bool strict) {
  scanner sc(doc, strict);
  std::size_t idx = 0;
  while (idx < doc.size() && is_ws(doc[idx])) ++idx;
  std::size_t end = 0;
  json_error error{};
  if (sc.scan_once(idx, end, error)) return format_error(doc, error);
  while (end < doc.size() && is_ws(doc[end])) ++end;
  if (end != doc.size()) return format_error(doc, {"Extra data", end});
  return {};
}

bool escape_control_characters(std::string_view in, std::string& out) {
  std::size_t i = 0;
  bool in_string = false;
  bool found = false;
  for (; i < in.size(); ++i) {
    const char c = in[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        found = true;
        break;
      }
    } else if (c == '"') {
      in_string = true;
    }
  }
  if (!found) return false;
  out.assign(in.data(), i);
  static constexpr char hex[] = "0123456789abcdef";
  for (; i < in.size(); ++i) {
    const char c = in[i];
    if (in_string) {
      if (c == '\\') {
        out.push_back(c);
        if (i + 1 < in.size()) out.push_back(in[++i]);
        continue;
      }
      if (c == '"') in_string = false;
      if (static_cast<unsigned char>(c) < 0x20) {
        out += "\\u00";
        out.push_back(hex[(c >> 4) & 1]);
        out.push_back(hex[c & 15]);
        continue;
      }
    } else if (c == '"') {
      in_string = true;
    }
    out.push_back(c);
  }
  return true;
}

}  // namespace dial_analytics::detail
