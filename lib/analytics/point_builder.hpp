// SPDX-License-Identifier: Apache-2.0
// Writes Python values into a point the way the reference service's Point.tag / Point.field
// calls do: None is dropped, tags are str()-ed, fields keep their JSON type, and where the
// reference wraps a value in to_string() a falsy value is written as "undefined"
// (docs/line-protocol.md).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include <dial_analytics/analytics/point.hpp>

#include "detail/py_value.hpp"

namespace dial_analytics::detail {

/// What the reference writes for a missing or falsy value it passes through to_string().
inline constexpr std::string_view undefined = "undefined";

/// Where a value goes: the reference writes some values (trace ids, the response id) as tags in
/// one measurement and as fields in another.
enum class written_as : std::uint8_t { tag, field };

/// The point being built for one record. Views it writes (str() of non-strings, repr() of lists
/// and dicts, stored ids) live in the point's own storage, so they stay valid with the point.
class point_builder {
 public:
  explicit point_builder(point& p) noexcept : point_(p) {}

  void set_measurement(std::string_view name) noexcept { point_.measurement = name; }
  void add_tag(std::string_view key, std::string_view value) { point_.add_tag(key, value); }
  void add_field(std::string_view key, field_value value) { point_.add_field(key, value); }
  /// A copy of `text` owned by the point.
  [[nodiscard]] std::string_view store(std::string_view text) { return point_.store(text); }
  /// A reusable string owned by the point, to build a value into.
  [[nodiscard]] std::string& scratch() { return point_.scratch(); }

  /// Point.tag(key, v): None is dropped, anything else is str()-ed.
  void tag(std::string_view key, const py_value& v) {
    if (!v.is_none()) point_.add_tag(key, py_str(v));
  }
  /// Point.tag(key, to_string(v)): a falsy value becomes "undefined".
  void tag_or_undefined(std::string_view key, const py_value& v) {
    point_.add_tag(key, v.truthy() ? py_str(v) : undefined);
  }
  // A field's type must never depend on the input: InfluxDB fixes the type of a field per shard
  // from the first point, and refuses every later point of the other type. So text fields are
  // always strings (str() of what the record holds) and counts always integers; the reference
  // writes the JSON type as it comes (docs/conformance.md lists the difference).

  /// Point.field(key, str(v)): None is dropped.
  void field(std::string_view key, const py_value& v) {
    if (!v.is_none()) point_.add_field(key, field_value::string(py_str(v)));
  }
  /// Point.field(key, to_string(v)): a falsy value becomes "undefined".
  void field_or_undefined(std::string_view key, const py_value& v) {
    point_.add_field(key, field_value::string(v.truthy() ? py_str(v) : undefined));
  }
  /// Point.field(key, v or 0) for a count: an integer, 0 when falsy.
  /// @throws py_exception (the record's error) when `v` is not a whole number in int64's range.
  void integer_field_or_zero(std::string_view key, const py_value& v) {
    point_.add_field(key, field_value::integer(v.truthy() ? to_integer(key, v) : 0));
  }

  /// tag() or field().
  void add(written_as as, std::string_view key, const py_value& v) {
    if (as == written_as::tag) {
      tag(key, v);
    } else {
      field(key, v);
    }
  }
  /// tag_or_undefined() or field_or_undefined().
  void add_or_undefined(written_as as, std::string_view key, const py_value& v) {
    if (as == written_as::tag) {
      tag_or_undefined(key, v);
    } else {
      field_or_undefined(key, v);
    }
  }
  /// A text as a tag or as a string field.
  void add_text(written_as as, std::string_view key, std::string_view text) {
    if (as == written_as::tag) {
      point_.add_tag(key, text);
    } else {
      point_.add_field(key, field_value::string(text));
    }
  }

 private:
  // str(v), as a view valid for the point's lifetime.
  [[nodiscard]] std::string_view py_str(const py_value& v) {
    if (v.is_str()) return v.str();
    std::string& s = point_.scratch();
    append_py_str(s, v);
    return s;
  }
  // A count as an int64: integers as they are, floats only when whole and in range (24.0 → 24).
  [[nodiscard]] static std::int64_t to_integer(std::string_view key, const py_value& v) {
    using simdjson::dom::element_type;
    const auto e = v.element();
    if (e.type() == element_type::INT64) return e.get_int64().value_unsafe();
    if (e.type() == element_type::DOUBLE) {
      const double d = e.get_double().value_unsafe();
      // 2^63 is exact as a double; every whole double in [-2^63, 2^63) converts exactly.
      if (d == std::trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
        return static_cast<std::int64_t>(d);
      }
    }
    std::string text(key);
    text += " must be a whole number of at most 19 digits, not ";
    append_py_repr(text, v);
    throw py_exception{std::move(text)};
  }

  point& point_;
};

}  // namespace dial_analytics::detail
