// SPDX-License-Identifier: Apache-2.0
#include "json.hpp"

#include <dial_analytics/line_protocol.hpp>

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
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 15]);
        } else if (c < 0x80) {
          out.push_back(static_cast<char>(c));
        } else {
          // UTF-8 → \uXXXX (with surrogate pairs), as ensure_ascii does.
          unsigned cp = 0;
          int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
          cp = c & (0x3f >> extra);
          for (int k = 0; k < extra && i + 1 < s.size(); ++k) {
            cp = (cp << 6) | (static_cast<unsigned char>(s[++i]) & 0x3f);
          }
          auto emit = [&](unsigned u) {
            out += "\\u";
            for (int shift = 12; shift >= 0; shift -= 4) out.push_back(hex[(u >> shift) & 15]);
          };
          if (cp >= 0x10000) {
            cp -= 0x10000;
            emit(0xd800 + (cp >> 10));
            emit(0xdc00 + (cp & 0x3ff));
          } else {
            emit(cp);
          }
        }
    }
  }
  out += "\"";
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
      dial_analytics::append_python_float_repr(out, std::get<double>(v_));
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
