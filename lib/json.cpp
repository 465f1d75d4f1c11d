// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/json.hpp>

namespace dial_analytics {

void append_json_string(std::string& out, std::string_view s, bool ascii_only) {
  static constexpr char hex[] = "0123456789abcdef";
  auto escape_unit = [&](unsigned unit) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out.push_back(hex[(unit >> shift) & 15]);
  };
  out.push_back('"');
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
          escape_unit(c);
        } else if (c < 0x80 || !ascii_only) {
          out.push_back(s[i]);
        } else {
          // UTF-8 → \uXXXX, with a surrogate pair above U+FFFF (json.dumps' ensure_ascii).
          const int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
          unsigned cp = c & (0x3fu >> extra);
          for (int k = 0; k < extra && i + 1 < s.size(); ++k) {
            cp = (cp << 6) | (static_cast<unsigned char>(s[++i]) & 0x3fu);
          }
          if (cp >= 0x10000) {
            cp -= 0x10000;
            escape_unit(0xd800 + (cp >> 10));
            escape_unit(0xdc00 + (cp & 0x3ff));
          } else {
            escape_unit(cp);
          }
        }
    }
  }
  out.push_back('"');
}

}  // namespace dial_analytics
