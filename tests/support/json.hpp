// SPDX-License-Identifier: Apache-2.0
// A tiny JSON value for building test records, serialised like Python's json.dumps (", " and
// ": " separators, ASCII output), which is how the reference tests build their inputs.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace test_support {

class json {
 public:
  using object = std::vector<std::pair<std::string, json>>;
  using array = std::vector<json>;

  json() : v_(nullptr) {}
  json(std::nullptr_t) : v_(nullptr) {}
  json(bool b) : v_(b) {}
  json(int i) : v_(static_cast<std::int64_t>(i)) {}
  json(std::int64_t i) : v_(i) {}
  json(double d) : v_(d) {}
  json(const char* s) : v_(std::string(s)) {}
  json(std::string s) : v_(std::move(s)) {}

  static json obj(std::initializer_list<std::pair<std::string, json>> items = {}) {
    json j;
    j.v_ = object(items);
    return j;
  }
  static json arr(std::initializer_list<json> items = {}) {
    json j;
    j.v_ = array(items);
    return j;
  }

  /// Member access that inserts a null member when absent (objects only).
  json& operator[](const std::string& key);
  /// Removes a member (objects only).
  void erase(const std::string& key);
  /// Appends to an array.
  void push(json value) { std::get<array>(v_).push_back(std::move(value)); }

  /// json.dumps(self)
  [[nodiscard]] std::string dump() const;

 private:
  void dump_to(std::string& out) const;
  std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, array, object> v_;
};

/// The Python json.dumps of a string (quoted, escaped, ASCII).
std::string dump_string(const std::string& s);

}  // namespace test_support
