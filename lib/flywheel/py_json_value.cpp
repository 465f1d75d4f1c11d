// SPDX-License-Identifier: Apache-2.0
// Python's json reader and writer, as CPython 3.11's C scanner and encoder behave.
#include "flywheel/py_json_value.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

#include "detail/py_format.hpp"
#include "detail/py_json.hpp"
#include "detail/utf8.hpp"

namespace dial_analytics::flywheel::pyjson {
namespace {

// CPython refuses int() of more digits than this (sys.get_int_max_str_digits()).
constexpr std::size_t max_int_digits = 4300;
// Python's json.loads hits the recursion limit at about this depth.
constexpr int default_max_depth = 1000;

/// Decodes one WTF-8 sequence at `s[i]` (input already validated), advancing `i`.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  const auto cont = [&](std::size_t k) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(s[i + k]) & 0x3F);
  };
  if (b0 < 0xE0) {
    const std::uint32_t cp = ((b0 & 0x1Fu) << 6) | cont(1);
    i += 2;
    return cp;
  }
  if (b0 < 0xF0) {
    const std::uint32_t cp = ((b0 & 0x0Fu) << 12) | (cont(1) << 6) | cont(2);
    i += 3;
    return cp;
  }
  const std::uint32_t cp = ((b0 & 0x07u) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3);
  i += 4;
  return cp;
}

/// Length of a valid UTF-8 sequence starting at s[i] (no overlongs; surrogates only when `wtf8`),
/// or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i, bool wtf8) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  const auto at = [&](std::size_t k) -> int {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : -1;
  };
  const auto is_cont = [](int b) { return b >= 0x80 && b <= 0xBF; };
  if (b0 >= 0xC2 && b0 <= 0xDF) return is_cont(at(1)) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const int b1 = at(1);
    const int lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const int hi = b0 == 0xED && !wtf8 ? 0x9F : 0xBF;
    return b1 >= lo && b1 <= hi && is_cont(at(2)) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const int b1 = at(1);
    const int lo = b0 == 0xF0 ? 0x90 : 0x80;
    const int hi = b0 == 0xF4 ? 0x8F : 0xBF;
    return b1 >= lo && b1 <= hi && is_cont(at(2)) && is_cont(at(3)) ? 4 : 0;
  }
  return 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class parser {
 public:
  parser(std::string_view s, bool wtf8, int max_depth)
      : s_(s), wtf8_(wtf8), max_depth_(max_depth) {}

  bool run(value& out) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") {
      bom = true;
      return fail("Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)");
    }
    skip_ws();
    if (!parse_value(out, 0)) return false;
    skip_ws();
    if (pos_ != s_.size()) return fail("Extra data");
    return true;
  }

  std::string error;
  bool not_utf8 = false;
  bool bom = false;

 private:
  bool fail(std::string message) {
    if (error.empty()) error = std::move(message);
    return false;
  }
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool starts(std::string_view word) const { return s_.substr(pos_, word.size()) == word; }

  bool parse_value(value& out, int depth) {
    if (depth > max_depth_) return fail("maximum recursion depth exceeded");
    if (pos_ >= s_.size()) return fail("Expecting value");
    const char c = s_[pos_];
    switch (c) {
      case '"':
        out.type = kind::string;
        return parse_string(out.text);
      case '{':
        return parse_object(out, depth);
      case '[':
        return parse_array(out, depth);
      case 'n':
        if (starts("null")) {
          pos_ += 4;
          out.type = kind::null;
          return true;
        }
        break;
      case 't':
        if (starts("true")) {
          pos_ += 4;
          out.type = kind::boolean;
          out.boolean = true;
          return true;
        }
        break;
      case 'f':
        if (starts("false")) {
          pos_ += 5;
          out.type = kind::boolean;
          out.boolean = false;
          return true;
        }
        break;
      case 'N':
        if (starts("NaN")) {
          pos_ += 3;
          out.type = kind::real;
          out.real = std::nan("");
          return true;
        }
        break;
      case 'I':
        if (starts("Infinity")) {
          pos_ += 8;
          out.type = kind::real;
          out.real = HUGE_VAL;
          return true;
        }
        break;
      case '-':
        if (starts("-Infinity")) {
          pos_ += 9;
          out.type = kind::real;
          out.real = -HUGE_VAL;
          return true;
        }
        break;
      default:
        break;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(out);
    return fail("Expecting value");
  }

  bool parse_number(value& out) {
    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?  — a part that does not match is left
    // for the caller (as CPython's scanner does), which then reports what follows.
    const std::size_t start = pos_;
    std::size_t i = pos_;
    if (s_[i] == '-') ++i;
    if (i >= s_.size() || s_[i] < '0' || s_[i] > '9') return fail("Expecting value");
    if (s_[i] == '0') {
      ++i;
    } else {
      while (i < s_.size() && s_[i] >= '0' && s_[i] <= '9') ++i;
    }
    bool is_float = false;
    if (i + 1 < s_.size() && s_[i] == '.' && s_[i + 1] >= '0' && s_[i + 1] <= '9') {
      i += 2;
      while (i < s_.size() && s_[i] >= '0' && s_[i] <= '9') ++i;
      is_float = true;
    }
    if (i < s_.size() && (s_[i] == 'e' || s_[i] == 'E')) {
      std::size_t j = i + 1;
      if (j < s_.size() && (s_[j] == '+' || s_[j] == '-')) ++j;
      if (j < s_.size() && s_[j] >= '0' && s_[j] <= '9') {
        while (j < s_.size() && s_[j] >= '0' && s_[j] <= '9') ++j;
        i = j;
        is_float = true;
      }
    }
    const std::string_view text = s_.substr(start, i - start);
    pos_ = i;
    if (is_float) {
      const std::string copy(text);
      errno = 0;
      out.type = kind::real;
      out.real = std::strtod(copy.c_str(), nullptr);  // correctly rounded; overflow gives ±inf
      return true;
    }
    std::string_view digits = text;
    const bool negative = digits.front() == '-';
    if (negative) digits.remove_prefix(1);
    if (digits.size() > max_int_digits) {
      return fail("Exceeds the limit (4300 digits) for integer string conversion");
    }
    out.type = kind::integer;
    out.text.clear();
    if (negative && digits != "0") out.text.push_back('-');
    out.text.append(digits);
    return true;
  }

  bool parse_string(std::string& out) {
    ++pos_;  // opening quote
    out.clear();
    while (true) {
      if (pos_ >= s_.size()) return fail("Unterminated string starting at");
      const char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20) return fail("Invalid control character at");
      if (c == '\\') {
        if (!parse_escape(out)) return false;
        continue;
      }
      if (u < 0x80) {
        // Copy a run of plain ASCII at once.
        std::size_t end = pos_ + 1;
        while (end < s_.size()) {
          const auto b = static_cast<unsigned char>(s_[end]);
          if (b < 0x20 || b >= 0x80 || b == '"' || b == '\\') break;
          ++end;
        }
        out.append(s_.substr(pos_, end - pos_));
        pos_ = end;
        continue;
      }
      const std::size_t n = utf8_sequence(s_, pos_, wtf8_);
      if (n == 0) {
        not_utf8 = true;
        return fail("invalid UTF-8");
      }
      out.append(s_.substr(pos_, n));
      pos_ += n;
    }
  }

  bool read_hex4(std::size_t at, std::uint32_t& cp) const {
    if (at + 4 > s_.size()) return false;
    cp = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const int h = hex_value(s_[at + k]);
      if (h < 0) return false;
      cp = cp * 16 + static_cast<std::uint32_t>(h);
    }
    return true;
  }

  bool parse_escape(std::string& out) {
    if (pos_ + 1 >= s_.size()) return fail("Unterminated string starting at");
    const char e = s_[pos_ + 1];
    switch (e) {
      case '"':
        out.push_back('"');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '/':
        out.push_back('/');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        std::uint32_t cp = 0;
        if (!read_hex4(pos_ + 2, cp)) return fail("Invalid \\uXXXX escape");
        pos_ += 6;
        // A high surrogate followed by an escaped low surrogate is one code point; otherwise
        // the surrogate stays alone (Python keeps it in the str).
        if (cp >= 0xD800 && cp <= 0xDBFF && pos_ + 1 < s_.size() && s_[pos_] == '\\' &&
            s_[pos_ + 1] == 'u') {
          std::uint32_t low = 0;
          if (!read_hex4(pos_ + 2, low)) return fail("Invalid \\uXXXX escape");
          if (low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            pos_ += 6;
          }
        }
        detail::append_utf8(out, cp);
        return true;
      }
      default:
        return fail("Invalid \\escape");
    }
    pos_ += 2;
    return true;
  }

  bool parse_array(value& out, int depth) {
    ++pos_;
    out.type = kind::array;
    out.items.clear();
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      skip_ws();
      out.items.emplace_back();
      if (!parse_value(out.items.back(), depth + 1)) return false;
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return fail("Expecting ',' delimiter");
    }
  }

  bool parse_object(value& out, int depth) {
    ++pos_;
    out.type = kind::object;
    out.items.clear();
    out.keys.clear();
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    std::unordered_map<std::string, std::size_t> index;  // only for large objects
    std::string key;
    while (true) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"')
        return fail("Expecting property name enclosed in double quotes");
      if (!parse_string(key)) return false;
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') return fail("Expecting ':' delimiter");
      ++pos_;
      skip_ws();
      value v;
      if (!parse_value(v, depth + 1)) return false;
      // A repeated key keeps its first place and takes the last value (dict assignment).
      std::size_t found = out.keys.size();
      if (out.keys.size() < 16) {
        for (std::size_t k = 0; k < out.keys.size(); ++k) {
          if (out.keys[k] == key) {
            found = k;
            break;
          }
        }
      } else {
        if (index.empty()) {
          for (std::size_t k = 0; k < out.keys.size(); ++k) index.emplace(out.keys[k], k);
        }
        if (auto it = index.find(key); it != index.end()) found = it->second;
      }
      if (found < out.keys.size()) {
        out.items[found] = std::move(v);
      } else {
        out.keys.push_back(key);
        out.items.push_back(std::move(v));
        if (!index.empty()) index.emplace(key, out.keys.size() - 1);
      }
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return fail("Expecting ',' delimiter");
    }
  }

  std::string_view s_;
  bool wtf8_;
  int max_depth_;
  std::size_t pos_ = 0;
};

constexpr char hex_digits[] = "0123456789abcdef";

void append_u_escape(std::string& out, std::uint32_t unit) {
  out.append("\\u");
  out.push_back(hex_digits[(unit >> 12) & 0xF]);
  out.push_back(hex_digits[(unit >> 8) & 0xF]);
  out.push_back(hex_digits[(unit >> 4) & 0xF]);
  out.push_back(hex_digits[unit & 0xF]);
}

void append_quoted(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\') {
      std::size_t end = i + 1;
      while (end < s.size()) {
        const auto c = static_cast<unsigned char>(s[end]);
        if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') break;
        ++end;
      }
      out.append(s.substr(i, end - i));
      i = end;
      continue;
    }
    if (b >= 0x80 && utf8_sequence(s, i, true) == 0) {  // not from a parse (e.g. a command-line id)
      append_u_escape(out, 0xFFFD);
      ++i;
      continue;
    }
    const std::uint32_t cp = next_code_point(s, i);
    switch (cp) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        if (cp >= 0x10000) {
          const std::uint32_t v = cp - 0x10000;
          append_u_escape(out, 0xD800 | (v >> 10));
          append_u_escape(out, 0xDC00 | (v & 0x3FF));
        } else {
          append_u_escape(out, cp);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

value value::make_string(std::string s) {
  value v;
  v.type = kind::string;
  v.text = std::move(s);
  return v;
}

bool value::truthy() const noexcept {
  switch (type) {
    case kind::null:
      return false;
    case kind::boolean:
      return boolean;
    case kind::integer:
      return text != "0";
    case kind::real:
      return real != 0.0;  // NaN is truthy
    case kind::string:
      return !text.empty();
    case kind::array:
    case kind::object:
      return !items.empty();
  }
  return false;
}

const value* value::find(std::string_view key) const noexcept {
  if (type != kind::object) return nullptr;
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (keys[k] == key) return &items[k];
  }
  return nullptr;
}

value* value::find(std::string_view key) noexcept {
  return const_cast<value*>(static_cast<const value&>(*this).find(key));
}

void value::set(std::string_view key, value v) {
  if (value* existing = find(key)) {
    *existing = std::move(v);
    return;
  }
  keys.emplace_back(key);
  items.push_back(std::move(v));
}

namespace {
bool parse_text(std::string_view text, value& out, std::string& error, bool wtf8, int max_depth);
}  // namespace

bool parse(std::string_view text, value& out, std::string& error) {
  return parse_text(text, out, error, false, default_max_depth);
}

bool parse_str(std::string_view text, value& out, std::string& error, int max_depth) {
  return parse_text(text, out, error, true, max_depth);
}

namespace {

bool parse_text(std::string_view text, value& out, std::string& error, bool wtf8, int max_depth) {
  parser p(text, wtf8, max_depth);
  out = value();
  if (p.run(out)) return true;
  if (p.not_utf8 || p.bom) {
    error = p.not_utf8 ? "not UTF-8 text" : p.error;
    return false;
  }
  // CPython's exact wording with line and column, where the shared helper knows it.
  std::string exact = detail::python_json_error(text, true);
  error = exact.empty() ? p.error : std::move(exact);
  return false;
}

}  // namespace

void dump(std::string& out, const value& v) {
  switch (v.type) {
    case kind::null:
      out.append("null");
      return;
    case kind::boolean:
      out.append(v.boolean ? "true" : "false");
      return;
    case kind::integer:
      out.append(v.text);
      return;
    case kind::real:
      if (std::isnan(v.real)) {
        out.append("NaN");
      } else if (std::isinf(v.real)) {
        out.append(v.real > 0 ? "Infinity" : "-Infinity");
      } else {
        detail::append_python_float_repr(out, v.real);
      }
      return;
    case kind::string:
      dump_string(out, v.text);
      return;
    case kind::array:
      out.push_back('[');
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i) out.append(", ");
        dump(out, v.items[i]);
      }
      out.push_back(']');
      return;
    case kind::object:
      out.push_back('{');
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i) out.append(", ");
        dump_string(out, v.keys[i]);
        out.append(": ");
        dump(out, v.items[i]);
      }
      out.push_back('}');
      return;
  }
}

void dump_string(std::string& out, std::string_view s) { append_quoted(out, s); }

std::string quote(std::string_view s) {
  std::string out;
  append_quoted(out, s);
  return out;
}

std::string dumps(const value& v) {
  std::string out;
  dump(out, v);
  return out;
}

}  // namespace dial_analytics::flywheel::pyjson
