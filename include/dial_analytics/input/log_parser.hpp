// SPDX-License-Identifier: Apache-2.0
// Decodes one DIAL Core log record (the JSON object inside a Vector event's `message`).
//
// The decoder is as tolerant as the reference's `json.JSONDecoder(strict=False)`: raw control
// characters inside strings are accepted. Failures carry Python's error text
// (`Expecting value: line 1 column 1 (char 0)`), so statuses match the reference.
//
// Thread-safety: a log_parser is used by one thread at a time. A log_record views memory owned
// by the parser that produced it and is valid until that parser's next parse().
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace dial_analytics {

namespace detail {
struct record_access;
}

/// A decoded DIAL record: an opaque view into its parser's document.
class log_record {
 public:
  /// True once a parse succeeded into this record.
  [[nodiscard]] bool valid() const noexcept { return valid_; }

  /// The string at `path` (e.g. {"request", "uri"}), or nullopt if absent or not a string.
  [[nodiscard]] std::optional<std::string_view> string_at(
      std::initializer_list<std::string_view> path) const noexcept;
  /// The number at `path` as a double, or nullopt if absent or not a number.
  [[nodiscard]] std::optional<double> number_at(
      std::initializer_list<std::string_view> path) const noexcept;
  /// The JSON text the record was parsed from, as given to log_parser::parse() (a view: valid
  /// while the caller keeps that text).
  [[nodiscard]] std::string_view text() const noexcept { return text_; }

 private:
  friend struct detail::record_access;
  std::string_view text_;
  alignas(8) unsigned char storage_[16] = {};  // a simdjson::dom::element, kept opaque
  bool valid_ = false;
};

/// Options of a log_parser.
struct parser_options {
  /// Accept raw control characters inside strings (the reference's strict=False). Default on.
  bool allow_control_characters = true;
};

/// Decodes DIAL records; owns the JSON parser and its buffers, reused across calls.
class log_parser {
 public:
  explicit log_parser(parser_options opts = {});
  ~log_parser();
  log_parser(log_parser&&) noexcept;
  log_parser& operator=(log_parser&&) noexcept;

  /// Parses one record. On success `out` views memory owned by *this until the next parse().
  /// @param message if not null, receives the reference's error text on failure.
  /// @return `errc::malformed_json` or `errc::unsupported_json` on failure.
  [[nodiscard]] std::error_code parse(std::string_view json, log_record& out,
                                      std::string* message = nullptr);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace dial_analytics
