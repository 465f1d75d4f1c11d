// SPDX-License-Identifier: Apache-2.0
// A reusable InfluxDB point: measurement, tags, typed fields and a nanosecond timestamp.
//
// Thread-safety: a point is a plain value; use one per thread.
// Lifetime: keys and values are views. Views made with `store()` point into the point itself and
// stay valid until the next `clear()`; other views must outlive every use of the point (the
// analyzer's points view the record and bodies being analysed, valid until the next parse).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace dial_analytics {

/// A field value with the type it is written with (line-protocol `i`, float, `true`, `"..."`).
struct field_value {
  enum class kind : std::uint8_t {
    integer,           ///< signed 64-bit integer, written `<n>i`
    unsigned_integer,  ///< a JSON integer above INT64_MAX, still written `<n>i` as Python does
    floating,          ///< IEEE double, written as Python's repr without a trailing `.0`
    boolean,           ///< written `true` / `false`
    string,            ///< written quoted, with `"` and `\` escaped
    raw,  ///< written verbatim (Python `str()` of a list or dict: the reference does it)
  };
  kind type = kind::integer;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0;
  bool b = false;
  std::string_view text;

  static field_value integer(std::int64_t v) noexcept {
    return {kind::integer, v, 0, 0, false, {}};
  }
  static field_value unsigned_integer(std::uint64_t v) noexcept {
    return {kind::unsigned_integer, 0, v, 0, false, {}};
  }
  static field_value floating(double v) noexcept { return {kind::floating, 0, 0, v, false, {}}; }
  static field_value boolean(bool v) noexcept { return {kind::boolean, 0, 0, 0, v, {}}; }
  static field_value string(std::string_view v) noexcept {
    return {kind::string, 0, 0, 0, false, v};
  }
  static field_value raw(std::string_view v) noexcept { return {kind::raw, 0, 0, 0, false, v}; }
};

/// One tag. An empty value is dropped when the point is encoded (InfluxDB rejects empty tags).
struct tag {
  std::string_view key;
  std::string_view value;
};

/// One field.
struct field {
  std::string_view key;
  field_value value;
};

/// An InfluxDB point, built by the analyzer and consumed by a `point_sink`.
/// `clear()` keeps every buffer's capacity, so a point reused per record does not allocate.
class point {
 public:
  std::string_view measurement;
  std::vector<tag> tags;
  std::vector<field> fields;
  std::int64_t timestamp_ns = 0;  ///< nanoseconds since 1970-01-01T00:00:00Z

  /// Empties the point, keeping capacity. Invalidates views returned by `store()`.
  void clear() noexcept {
    measurement = {};
    tags.clear();
    fields.clear();
    timestamp_ns = 0;
    stored_ = 0;
  }
  void add_tag(std::string_view key, std::string_view value) { tags.push_back({key, value}); }
  void add_field(std::string_view key, field_value value) { fields.push_back({key, value}); }

  /// Copies `text` into storage owned by the point and returns a view of the copy, valid until
  /// the next `clear()`. Storage is reused across records.
  std::string_view store(std::string_view text) {
    if (stored_ == arena_.size()) arena_.emplace_back();
    std::string& slot = arena_[stored_++];
    slot.assign(text.data(), text.size());
    return slot;
  }
  /// Returns a reusable owned string to build into; the caller takes a view of it afterwards.
  std::string& scratch() {
    if (stored_ == arena_.size()) arena_.emplace_back();
    std::string& slot = arena_[stored_++];
    slot.clear();
    return slot;
  }

 private:
  std::deque<std::string> arena_;  // deque: references stay valid as it grows
  std::size_t stored_ = 0;
};

}  // namespace dial_analytics
