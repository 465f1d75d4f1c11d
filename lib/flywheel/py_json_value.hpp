// SPDX-License-Identifier: Apache-2.0
// A JSON document as Python holds it after `json.loads`, and written back as `json.dumps` writes
// it: the blueprint's datasets are Python objects serialised by Python, so byte-identical files
// need Python's reading (duplicate keys: the last value wins at the first key's place; big
// integers exact; NaN/Infinity accepted; lone surrogate escapes kept) and Python's writing
// (ensure_ascii \uXXXX escapes, ", " and ": ", float repr). Private to the library.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dial_analytics::flywheel::pyjson {

enum class kind : std::uint8_t { null, boolean, integer, real, string, array, object };

/// One value. Strings (and keys) hold WTF-8: UTF-8 in which a lone surrogate escape is kept as
/// its 3-byte form, so every Python str round-trips. Integers hold their decimal digits.
class value {
 public:
  kind type = kind::null;
  bool boolean = false;
  double real = 0;
  std::string text;               ///< string contents, or the integer's digits ("-12")
  std::vector<value> items;       ///< array elements, or object values
  std::vector<std::string> keys;  ///< object keys, parallel to items

  static value make_string(std::string s);
  static value make_object() {
    value v;
    v.type = kind::object;
    return v;
  }

  [[nodiscard]] bool is_dict() const noexcept { return type == kind::object; }
  [[nodiscard]] bool is_list() const noexcept { return type == kind::array; }
  [[nodiscard]] bool is_str() const noexcept { return type == kind::string; }
  [[nodiscard]] bool is_null() const noexcept { return type == kind::null; }
  /// bool(x)
  [[nodiscard]] bool truthy() const noexcept;
  /// x == "s" (false for non-strings)
  [[nodiscard]] bool equals(std::string_view s) const noexcept {
    return type == kind::string && text == s;
  }
  /// `key in x` for a dict; null when absent or when this is not a dict.
  [[nodiscard]] const value* find(std::string_view key) const noexcept;
  [[nodiscard]] value* find(std::string_view key) noexcept;
  /// x[key] = v: replaces in place, or appends (Python dict assignment order).
  void set(std::string_view key, value v);
  /// len() of a list, dict or str (in code points); 0 for others.
  [[nodiscard]] std::size_t size() const noexcept {
    return type == kind::string ? text.size() : items.size();
  }
};

/// `json.loads(text)`; on failure returns false and sets `error` (CPython's message where known).
/// Input must be UTF-8 (as Python's decoding of the line requires).
[[nodiscard]] bool parse(std::string_view text, value& out, std::string& error);

/// `json.loads(s)` of a Python str held as WTF-8 (a value's `text`: lone surrogates allowed),
/// with at most `max_depth` levels of nesting (Python would hit its recursion limit).
[[nodiscard]] bool parse_str(std::string_view text, value& out, std::string& error, int max_depth);

/// Appends `json.dumps(s)` of a str (WTF-8 text), and the same as a new string.
void dump_string(std::string& out, std::string_view s);
[[nodiscard]] std::string quote(std::string_view s);

/// Appends `json.dumps(v)` (default arguments).
void dump(std::string& out, const value& v);
[[nodiscard]] std::string dumps(const value& v);

}  // namespace dial_analytics::flywheel::pyjson
