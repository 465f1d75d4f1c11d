// SPDX-License-Identifier: Apache-2.0
// Python semantics over simdjson DOM values: the reference service is Python, and its output
// (and its error texts) follow from `x or y`, `d["k"]`, `d.get("k")`, `len(x)`, `str(x)`.
// A failed operation throws `py_exception` with CPython's message; the analyzer catches it at
// its boundary and turns it into the record's error status.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace dial_analytics::detail {

/// A Python exception raised while analysing a record (KeyError, TypeError, …).
struct py_exception {
  std::string text;  ///< str(exc), e.g. "'chat'" for KeyError('chat')
};

/// A Python value: a JSON element, or None when absent (`.get` of a missing key).
class py_value {
 public:
  py_value() = default;
  explicit py_value(simdjson::dom::element e) : e_(e), present_(!e.is_null()) {}

  [[nodiscard]] bool is_none() const noexcept { return !present_; }
  [[nodiscard]] bool is_str() const noexcept { return present_ && e_.is_string(); }
  [[nodiscard]] bool is_dict() const noexcept { return present_ && e_.is_object(); }
  [[nodiscard]] bool is_list() const noexcept { return present_ && e_.is_array(); }
  [[nodiscard]] simdjson::dom::element element() const noexcept { return e_; }

  /// The string's UTF-8 bytes (precondition: is_str()).
  [[nodiscard]] std::string_view str() const noexcept;
  /// Python's type name: dict, list, str, int, float, bool, NoneType.
  [[nodiscard]] std::string_view type_name() const noexcept;
  /// bool(x)
  [[nodiscard]] bool truthy() const noexcept;
  /// x[key]: KeyError / TypeError as CPython words them.
  [[nodiscard]] py_value operator[](std::string_view key) const;
  /// x.get(key): None when missing; AttributeError unless x is a dict.
  [[nodiscard]] py_value get(std::string_view key) const;
  /// key in x (dict keys, substring of a str, element of a list).
  [[nodiscard]] bool contains(std::string_view key) const;
  /// len(x)
  [[nodiscard]] std::size_t len() const;
  /// x == "text"
  [[nodiscard]] bool equals(std::string_view text) const noexcept;

 private:
  simdjson::dom::element e_;
  bool present_ = false;
};

/// `x or y`
inline py_value py_or(py_value x, py_value y) { return x.truthy() ? x : y; }

/// Python str.strip() (Unicode whitespace) of UTF-8 text.
std::string_view py_strip(std::string_view text) noexcept;

/// float(x) for a JSON value (numbers, bools, numeric strings); throws like CPython.
double py_float(const py_value& v);

/// Appends repr(x) (`{'a': 1}`, `'s'`, `True`, `None`, `1.0`).
void append_py_repr(std::string& out, const py_value& v);

/// Appends str(x): the string itself for str, else repr(x).
void append_py_str(std::string& out, const py_value& v);

/// Throws AttributeError "'<type>' object has no attribute '<name>'".
[[noreturn]] void throw_no_attribute(const py_value& v, std::string_view name);

}  // namespace dial_analytics::detail
