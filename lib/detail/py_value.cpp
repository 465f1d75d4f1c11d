// SPDX-License-Identifier: Apache-2.0
// Python value semantics (see py_value.hpp).
#include "detail/py_value.hpp"

#include "detail/ascii.hpp"
#include "detail/utf8.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "detail/py_format.hpp"

namespace dial_analytics::detail {

using simdjson::dom::element_type;

std::string_view py_value::str() const noexcept {
  std::string_view s;
  s = e_.get_string().value_unsafe();
  return s;
}

std::string_view py_value::type_name() const noexcept {
  if (!present_) return "NoneType";
  switch (e_.type()) {
    case element_type::OBJECT:
      return "dict";
    case element_type::ARRAY:
      return "list";
    case element_type::STRING:
      return "str";
    case element_type::INT64:
    case element_type::UINT64:
      return "int";
    case element_type::DOUBLE:
      return "float";
    case element_type::BOOL:
      return "bool";
    case element_type::NULL_VALUE:
      return "NoneType";
  }
  return "object";
}

bool py_value::truthy() const noexcept {
  if (!present_) return false;
  switch (e_.type()) {
    case element_type::OBJECT: {
      simdjson::dom::object o = e_.get_object().value_unsafe();
      return o.begin() != o.end();
    }
    case element_type::ARRAY: {
      simdjson::dom::array a = e_.get_array().value_unsafe();
      return a.begin() != a.end();
    }
    case element_type::STRING:
      return !str().empty();
    case element_type::INT64:
      return e_.get_int64().value_unsafe() != 0;
    case element_type::UINT64:
      return e_.get_uint64().value_unsafe() != 0;
    case element_type::DOUBLE:
      return e_.get_double().value_unsafe() != 0;
    case element_type::BOOL:
      return e_.get_bool().value_unsafe();
    case element_type::NULL_VALUE:
      return false;
  }
  return false;
}

namespace {

std::string quoted_key(std::string_view key) {
  std::string out;
  out.push_back('\'');
  out.append(key);
  out.push_back('\'');
  return out;
}

}  // namespace

py_value py_value::operator[](std::string_view key) const {
  if (is_dict()) {
    // Python dicts keep the last of duplicate keys; simdjson's lookup finds the first, so scan.
    simdjson::dom::object o = e_.get_object().value_unsafe();
    simdjson::dom::element found;
    bool has = false;
    for (auto kv : o) {
      if (kv.key == key) {
        found = kv.value;
        has = true;
      }
    }
    if (has) {
      py_value v;
      v.e_ = found;
      v.present_ = !found.is_null();
      return v;
    }
    throw py_exception{quoted_key(key)};
  }
  const std::string_view type = type_name();
  if (type == "str") throw py_exception{"string indices must be integers, not 'str'"};
  if (type == "list") throw py_exception{"list indices must be integers or slices, not str"};
  throw py_exception{"'" + std::string(type) + "' object is not subscriptable"};
}

py_value py_value::get(std::string_view key) const {
  if (!is_dict()) throw_no_attribute(*this, "get");
  if (contains(key)) return (*this)[key];
  return {};
}

bool py_value::contains(std::string_view key) const {
  if (is_dict()) {
    simdjson::dom::object o = e_.get_object().value_unsafe();
    for (auto kv : o) {
      if (kv.key == key) return true;
    }
    return false;
  }
  if (is_str()) return str().find(key) != std::string_view::npos;
  if (is_list()) {
    simdjson::dom::array a = e_.get_array().value_unsafe();
    for (auto item : a) {
      if (py_value(item).equals(key)) return true;
    }
    return false;
  }
  throw py_exception{"argument of type '" + std::string(type_name()) + "' is not iterable"};
}

std::size_t py_value::len() const {
  if (is_str()) return count_code_points(str());
  if (is_list()) {
    simdjson::dom::array a = e_.get_array().value_unsafe();
    return a.size();
  }
  if (is_dict()) {
    simdjson::dom::object o = e_.get_object().value_unsafe();
    return o.size();
  }
  throw py_exception{"object of type '" + std::string(type_name()) + "' has no len()"};
}

bool py_value::equals(std::string_view text) const noexcept { return is_str() && str() == text; }

void throw_no_attribute(const py_value& v, std::string_view name) {
  throw py_exception{"'" + std::string(v.type_name()) + "' object has no attribute '" +
                     std::string(name) + "'"};
}

std::string_view py_strip(std::string_view s) noexcept {
  // Whitespace per str.isspace(): ASCII \t\n\v\f\r, \x1c-\x1f, space, and Unicode spaces.
  auto space_len_front = [](std::string_view t) -> std::size_t {
    const auto c = static_cast<unsigned char>(t[0]);
    if (c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f)) return 1;
    if (c == 0xc2 && t.size() >= 2) {
      const auto d = static_cast<unsigned char>(t[1]);
      return d == 0x85 || d == 0xa0 ? 2 : 0;
    }
    if (c == 0xe1 && t.size() >= 3 && static_cast<unsigned char>(t[1]) == 0x9a &&
        static_cast<unsigned char>(t[2]) == 0x80) {
      return 3;  // U+1680
    }
    if (c == 0xe2 && t.size() >= 3) {
      const auto d = static_cast<unsigned char>(t[1]);
      const auto e = static_cast<unsigned char>(t[2]);
      if (d == 0x80 && (e <= 0x8a || e == 0xa8 || e == 0xa9 || e == 0xaf)) return 3;
      if (d == 0x81 && e == 0x9f) return 3;  // U+205F
    }
    if (c == 0xe3 && t.size() >= 3 && static_cast<unsigned char>(t[1]) == 0x80 &&
        static_cast<unsigned char>(t[2]) == 0x80) {
      return 3;  // U+3000
    }
    return 0;
  };
  while (!s.empty()) {
    const std::size_t n = space_len_front(s);
    if (n == 0) break;
    s.remove_prefix(n);
  }
  while (!s.empty()) {
    // Find the start of the last code point and test it.
    std::size_t start = s.size() - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xc0) == 0x80) --start;
    const std::string_view last = s.substr(start);
    if (space_len_front(last) != last.size()) break;
    s.remove_suffix(last.size());
  }
  return s;
}

namespace {

bool parse_py_float_text(std::string_view text, double& out) {
  std::string_view t = trim(text, python_whitespace);
  const bool negative = take_sign(t);
  const std::string lowered = ascii_lowercase(t);
  if (lowered == "inf" || lowered == "infinity") {
    out = negative ? -HUGE_VAL : HUGE_VAL;
    return true;
  }
  if (lowered == "nan") {
    out = std::nan("");
    return true;
  }
  // Underscores are allowed only between digits.
  std::string digits;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '_') {
      if (i == 0 || i + 1 == t.size() || !std::isdigit(static_cast<unsigned char>(t[i - 1])) ||
          !std::isdigit(static_cast<unsigned char>(t[i + 1]))) {
        return false;
      }
      continue;
    }
    digits.push_back(t[i]);
  }
  if (digits.empty() || digits.front() == '+' || digits.front() == '-') return false;
  double value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (end != digits.data() + digits.size()) return false;
  if (ec == std::errc::result_out_of_range) {
    value = std::strtod(digits.c_str(), nullptr);
  } else if (ec != std::errc()) {
    return false;
  }
  out = negative ? -value : value;
  return true;
}

void append_str_repr(std::string& out, std::string_view s) {
  const bool use_double =
      s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos;
  const char quote = use_double ? '"' : '\'';
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back(quote);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\' || c == static_cast<unsigned char>(quote)) {
      out.push_back('\\');
      out.push_back(s[i]);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else if (c == 0xc2 && i + 1 < s.size() &&
               (static_cast<unsigned char>(s[i + 1]) <= 0xa0 ||
                static_cast<unsigned char>(s[i + 1]) == 0xad)) {
      // U+0080..U+00A0 and U+00AD are not printable: \x80 … \xa0, \xad
      const auto d = static_cast<unsigned char>(s[i + 1]);
      out += "\\x";
      out.push_back(hex[d >> 4]);
      out.push_back(hex[d & 15]);
      ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  out.push_back(quote);
}

template <typename Integer>
void append_int(std::string& out, Integer v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, end);
}

}  // namespace

double py_float(const py_value& v) {
  if (!v.is_none()) {
    const auto e = v.element();
    switch (e.type()) {
      case element_type::INT64:
        return static_cast<double>(e.get_int64().value_unsafe());
      case element_type::UINT64:
        return static_cast<double>(e.get_uint64().value_unsafe());
      case element_type::DOUBLE:
        return e.get_double().value_unsafe();
      case element_type::BOOL:
        return e.get_bool().value_unsafe() ? 1.0 : 0.0;
      case element_type::STRING: {
        double out = 0;
        if (parse_py_float_text(v.str(), out)) return out;
        std::string text = "could not convert string to float: ";
        append_str_repr(text, v.str());
        throw py_exception{text};
      }
      default:
        break;
    }
  }
  throw py_exception{"float() argument must be a string or a real number, not '" +
                     std::string(v.type_name()) + "'"};
}

void append_py_repr(std::string& out, const py_value& v) {
  if (v.is_none()) {
    out += "None";
    return;
  }
  const auto e = v.element();
  switch (e.type()) {
    case element_type::OBJECT: {
      out.push_back('{');
      bool first = true;
      simdjson::dom::object o = e.get_object().value_unsafe();
      for (auto kv : o) {
        if (!first) out += ", ";
        first = false;
        append_str_repr(out, kv.key);
        out += ": ";
        append_py_repr(out, py_value(kv.value));
      }
      out.push_back('}');
      return;
    }
    case element_type::ARRAY: {
      out.push_back('[');
      bool first = true;
      simdjson::dom::array a = e.get_array().value_unsafe();
      for (auto item : a) {
        if (!first) out += ", ";
        first = false;
        append_py_repr(out, py_value(item));
      }
      out.push_back(']');
      return;
    }
    case element_type::STRING:
      append_str_repr(out, v.str());
      return;
    case element_type::INT64:
      append_int(out, e.get_int64().value_unsafe());
      return;
    case element_type::UINT64:
      append_int(out, e.get_uint64().value_unsafe());
      return;
    case element_type::DOUBLE:
      detail::append_python_float_repr(out, e.get_double().value_unsafe());
      return;
    case element_type::BOOL:
      out += e.get_bool().value_unsafe() ? "True" : "False";
      return;
    case element_type::NULL_VALUE:
      out += "None";
      return;
  }
}

void append_py_str(std::string& out, const py_value& v) {
  if (v.is_str()) {
    out.append(v.str());
  } else {
    append_py_repr(out, v);
  }
}

}  // namespace dial_analytics::detail
