// SPDX-License-Identifier: Apache-2.0
// PII redaction of Data Flywheel records: e-mail addresses, phone numbers, payment card numbers,
// IBANs, IP addresses, credentials and US SSNs are replaced by typed placeholders before anything
// is stored. Rules, validations, precedence and measured precision/recall: docs/pii-redaction.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace dial_analytics::flywheel {

/// The kinds of personal or secret data the redactor finds.
enum class pii_type : unsigned char {
  email,
  phone,
  credit_card,
  iban,
  ip_address,
  credential,
  us_ssn
};
inline constexpr std::size_t pii_type_count = 7;

/// "email", "phone", "credit_card", "iban", "ip_address", "credential", "us_ssn".
[[nodiscard]] std::string_view to_string(pii_type t) noexcept;
/// "<EMAIL>", "<PHONE>", "<CREDIT_CARD>", "<IBAN>", "<IP_ADDRESS>", "<CREDENTIAL>", "<US_SSN>".
[[nodiscard]] std::string_view placeholder(pii_type t) noexcept;
/// The inverse of to_string(); nullopt for any other name.
[[nodiscard]] std::optional<pii_type> parse_pii_type(std::string_view name) noexcept;

/// How many spans of each type were replaced (for metrics).
struct redaction_counts {
  std::array<std::uint64_t, pii_type_count> by_type{};

  [[nodiscard]] std::uint64_t total() const noexcept;
  std::uint64_t& operator[](pii_type t) noexcept { return by_type[static_cast<std::size_t>(t)]; }
  const std::uint64_t& operator[](pii_type t) const noexcept {
    return by_type[static_cast<std::size_t>(t)];
  }
  redaction_counts& operator+=(const redaction_counts& other) noexcept;
};

struct redactor_options {
  /// Indexed by pii_type; a disabled type is left in the text as it is.
  std::array<bool, pii_type_count> enabled{true, true, true, true, true, true, true};
};

/// Compiled once, then used from any number of threads (const, thread-safe).
class redactor {
 public:
  /// @throws config_error (dial_analytics/error.hpp) if a pattern fails to compile.
  explicit redactor(redactor_options options = {});
  ~redactor();
  redactor(redactor&&) noexcept;
  redactor& operator=(redactor&&) noexcept;

  /// Appends `text` (decoded UTF-8, not JSON-escaped; invalid UTF-8 is tolerated) to `out` with
  /// every match replaced by its placeholder; adds the matches to `counts`; returns how many were
  /// replaced. Never throws for input (only std::bad_alloc). A moved-from redactor appends `text`
  /// unchanged and returns 0.
  std::size_t redact(std::string_view text, std::string& out, redaction_counts& counts) const;

  [[nodiscard]] const redactor_options& options() const noexcept { return options_; }

 private:
  struct impl;
  redactor_options options_;
  std::unique_ptr<const impl> impl_;
};

}  // namespace dial_analytics::flywheel
