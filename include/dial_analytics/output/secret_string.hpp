// SPDX-License-Identifier: Apache-2.0
// A secret (token, password, API key) that never prints its value.
#pragma once

#include <ostream>
#include <string>
#include <utility>

namespace dial_analytics::output {

/// A secret that prints as `***` (empty when unset); reveal() is for building a request only.
class secret_string {
 public:
  secret_string() = default;
  explicit secret_string(std::string value) : value_(std::move(value)) {}
  [[nodiscard]] const std::string& reveal() const noexcept { return value_; }
  [[nodiscard]] bool empty() const noexcept { return value_.empty(); }
  friend std::ostream& operator<<(std::ostream& os, const secret_string& s) {
    return os << (s.value_.empty() ? "" : "***");
  }

 private:
  std::string value_;
};

}  // namespace dial_analytics::output
