// SPDX-License-Identifier: Apache-2.0
#include "json.hpp"

#include <dial_analytics/pipeline.hpp>
#include "detail/py_format.hpp"

namespace test_support {

json& json::operator[](const std::string& key) {
  auto& o = std::get<object>(v_);
  for (auto& kv : o) {
    if (kv.first == key) return kv.second;
  }
  o.emplace_back(key, json());
  return o.back().second;
}

void json::erase(const std::string& key) {
  auto& o = std::get<object>(v_);
  for (auto it = o.begin(); it != o.end(); ++it) {
    if (it->first == key) {
      o.erase(it);
      return;
    }
  }
}

std::string dump_string(const std::string& s) {
  std::string out;
  dial_analytics::append_json_string(out, s, true);
  return out;
}

void json::dump_to(std::string& out) const {
  switch (v_.index()) {
    case 0:
      out += "null";
      break;
    case 1:
      out += std::get<bool>(v_) ? "true" : "false";
      break;
    case 2:
      out += std::to_string(std::get<std::int64_t>(v_));
      break;
    case 3:
      dial_analytics::detail::append_python_float_repr(out, std::get<double>(v_));
      break;
    case 4:
      out += dump_string(std::get<std::string>(v_));
      break;
    case 5: {
      out += "[";
      bool first = true;
      for (const auto& item : std::get<array>(v_)) {
        if (!first) out += ", ";
        first = false;
        item.dump_to(out);
      }
      out += "]";
      break;
    }
    case 6: {
      out += "{";
      bool first = true;
      for (const auto& [k, v] : std::get<object>(v_)) {
        if (!first) out += ", ";
        first = false;
        out += dump_string(k);
        out += ": ";
        v.dump_to(out);
      }
      out += "}";
      break;
    }
  }
}

std::string json::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

}  // namespace test_support
