// SPDX-License-Identifier: Apache-2.0
#include "detail/iso8601.hpp"

namespace dial_analytics::detail {
namespace {

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

}  // namespace

bool parse_iso8601(std::string_view s, double& out) {
  const auto num = [&](std::size_t at, std::size_t len, int& v) {
    if (at + len > s.size()) return false;
    v = 0;
    for (std::size_t i = at; i < at + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!num(0, 4, y) || s.size() < 10 || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' ||
      !num(8, 2, d))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  double frac = 0;
  int offset = 0;
  std::size_t i = 10;
  if (i < s.size() && (s[i] == 'T' || s[i] == ' ')) {
    if (!num(i + 1, 2, h) || s.size() < i + 6 || s[i + 3] != ':' || !num(i + 4, 2, mi))
      return false;
    i += 6;
    if (i < s.size() && s[i] == ':') {
      if (!num(i + 1, 2, sec)) return false;
      i += 3;
    }
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      double scale = 0.1;
      ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        frac += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
      }
    }
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
      ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      int oh = 0, om = 0;
      if (!num(i + 1, 2, oh)) return false;
      std::size_t j = i + 3;
      if (j < s.size() && s[j] == ':') ++j;
      if (j < s.size() && !num(j, 2, om)) return false;
      if (j < s.size()) j += 2;
      offset = (s[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
      i = j;
    }
  }
  if (i != s.size()) return false;
  out = static_cast<double>(
            days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
            h * 3600 + mi * 60 + sec - offset) +
        frac;
  return true;
}

}  // namespace dial_analytics::detail
