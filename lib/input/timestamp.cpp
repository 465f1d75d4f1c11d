// SPDX-License-Identifier: Apache-2.0
// ISO-8601 parsing with the grammar and quirks of dateutil.parser.isoparse:
// the date part is tried as a "common" date, then as an "uncommon" (week or ordinal) date; any
// single character separates date and time; Python's int() rules read each number.
#include <dial_analytics/input/timestamp.hpp>

#include <cstdint>
#include <optional>

#include <dial_analytics/error.hpp>

#include "detail/ascii.hpp"

namespace dial_analytics {
namespace {

struct parse_failure {
  std::string message;
};

// Python's repr() of a bytes object, for the "invalid literal" message.
std::string bytes_repr(std::string_view s) {
  const bool use_double =
      s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos;
  const char quote = use_double ? '"' : '\'';
  std::string out = "b";
  out.push_back(quote);
  static constexpr char hex[] = "0123456789abcdef";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\\' || c == static_cast<unsigned char>(quote)) {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back(quote);
  return out;
}

// int(bytes) in base 10: surrounding whitespace, a sign, digits with single underscores.
long long py_int(std::string_view s) {
  std::string_view t = detail::trim(s, detail::python_whitespace);
  const bool negative = detail::take_sign(t);
  bool ok = !t.empty() && t.front() != '_' && t.back() != '_';
  long long value = 0;
  char prev = 0;
  for (char c : t) {
    if (!ok) break;
    if (c == '_') {
      ok = prev != '_';
    } else if (c >= '0' && c <= '9') {
      if (value < 1000000000000000LL) value = value * 10 + (c - '0');
    } else {
      ok = false;
    }
    prev = c;
  }
  if (!ok) throw parse_failure{"invalid literal for int() with base 10: " + bytes_repr(s)};
  return negative ? -value : value;
}

std::string_view slice(std::string_view s, std::size_t from, std::size_t to) {
  if (from >= s.size()) return {};
  return s.substr(from, to - from);
}

bool is_leap(long long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(long long y, long long m) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
long long days_from_civil(long long y, long long m, long long d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const long long yoe = y - era * 400;
  const long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// The range a Python date may have: 0001-01-01 .. 9999-12-31.
constexpr long long min_days = -719162;  // days_from_civil(1, 1, 1)
constexpr long long max_days = 2932896;  // days_from_civil(9999, 12, 31)

void check_year(long long y) {
  if (y < 1 || y > 9999) throw parse_failure{"year " + std::to_string(y) + " is out of range"};
}

struct date_parts {
  long long days = 0;  // since 1970-01-01
  std::size_t pos = 0;
};

date_parts make_date(long long y, long long m, long long d, std::size_t pos) {
  check_year(y);
  if (m < 1 || m > 12) throw parse_failure{"month must be in 1..12"};
  if (d < 1 || d > days_in_month(y, m)) throw parse_failure{"day is out of range for month"};
  return {days_from_civil(y, m, d), pos};
}

struct common_date {
  long long y = 1, m = 1, d = 1;
  std::size_t pos = 0;
};

common_date parse_date_common(std::string_view s) {
  if (s.size() < 4) throw parse_failure{"ISO string too short"};
  common_date out;
  out.y = py_int(s.substr(0, 4));
  std::size_t pos = 4;
  if (pos >= s.size()) return out.pos = pos, out;
  const bool has_sep = s[pos] == '-';
  if (has_sep) ++pos;
  if (s.size() - pos < 2) throw parse_failure{"Invalid common month"};
  out.m = py_int(s.substr(pos, 2));
  pos += 2;
  if (pos >= s.size()) {
    if (has_sep) return out.pos = pos, out;
    throw parse_failure{"Invalid ISO format"};
  }
  if (has_sep) {
    if (s[pos] != '-') throw parse_failure{"Invalid separator in ISO string"};
    ++pos;
  }
  if (s.size() - pos < 2) throw parse_failure{"Invalid common day"};
  out.d = py_int(s.substr(pos, 2));
  out.pos = pos + 2;
  return out;
}

date_parts parse_date_uncommon(std::string_view s) {
  if (s.size() < 4) throw parse_failure{"ISO string too short"};
  const long long year = py_int(s.substr(0, 4));
  const bool has_sep = slice(s, 4, 5) == "-";
  std::size_t pos = 4 + (has_sep ? 1 : 0);
  if (slice(s, pos, pos + 1) == "W") {
    ++pos;
    const long long week = py_int(slice(s, pos, pos + 2));
    pos += 2;
    long long day = 1;
    if (s.size() > pos) {
      if ((slice(s, pos, pos + 1) == "-") != has_sep) {
        throw parse_failure{"Inconsistent use of dash separator"};
      }
      pos += has_sep ? 1 : 0;
      day = py_int(slice(s, pos, pos + 1));
      ++pos;
    }
    if (!(0 < week && week < 54)) throw parse_failure{"Invalid week: " + std::to_string(week)};
    if (!(0 < day && day < 8)) throw parse_failure{"Invalid weekday: " + std::to_string(day)};
    check_year(year);
    const long long jan4 = days_from_civil(year, 1, 4);
    const long long jan4_isoweekday = ((jan4 % 7 + 7 + 3) % 7) + 1;  // 1970-01-01 was a Thursday
    const long long days = jan4 - (jan4_isoweekday - 1) + (week - 1) * 7 + (day - 1);
    if (days < min_days || days > max_days) throw parse_failure{"date value out of range"};
    return {days, pos};
  }
  if (s.size() < pos + 3) throw parse_failure{"Invalid ordinal day"};
  const long long ordinal = py_int(s.substr(pos, 3));
  pos += 3;
  if (ordinal < 1 || ordinal > 365 + (is_leap(year) ? 1 : 0)) {
    throw parse_failure{"Invalid ordinal day " + std::to_string(ordinal) + " for year " +
                        std::to_string(year)};
  }
  check_year(year);
  const long long days = days_from_civil(year, 1, 1) + ordinal - 1;
  if (days > max_days) throw parse_failure{"date value out of range"};
  return {days, pos};
}

struct time_parts {
  long long h = 0, m = 0, s = 0, us = 0;
  bool has_tz = false;
  long long tz_offset_s = 0;
};

long long parse_tz(std::string_view tz) {
  if (tz == "Z" || tz == "z") return 0;
  if (tz.size() != 3 && tz.size() != 5 && tz.size() != 6) {
    throw parse_failure{"Time zone offset must be 1, 3, 5 or 6 characters"};
  }
  long long sign;
  if (tz[0] == '-') {
    sign = -1;
  } else if (tz[0] == '+') {
    sign = 1;
  } else {
    throw parse_failure{"Time zone offset requires sign"};
  }
  const long long hours = py_int(tz.substr(1, 2));
  long long minutes = 0;
  if (tz.size() != 3) minutes = py_int(tz.substr(tz[3] == ':' ? 4 : 3));
  if (hours == 0 && minutes == 0) return 0;
  if (minutes > 59) throw parse_failure{"Invalid minutes in time zone offset"};
  if (hours > 23) throw parse_failure{"Invalid hours in time zone offset"};
  return sign * (hours * 60 + minutes) * 60;
}

time_parts parse_time(std::string_view t) {
  time_parts out;
  long long* components[] = {&out.h, &out.m, &out.s};
  std::size_t pos = 0;
  int comp = -1;
  if (t.size() < 2) throw parse_failure{"ISO time too short"};
  bool has_sep = false;
  while (pos < t.size() && comp < 5) {
    ++comp;
    const char c = t[pos];
    if (c == '-' || c == '+' || c == 'Z' || c == 'z') {
      out.tz_offset_s = parse_tz(t.substr(pos));
      out.has_tz = true;
      pos = t.size();
      break;
    }
    if (comp == 1 && c == ':') {
      has_sep = true;
      ++pos;
    } else if (comp == 2 && has_sep) {
      if (c != ':') throw parse_failure{"Inconsistent use of colon separator"};
      ++pos;
    }
    if (comp < 3) {
      *components[comp] = py_int(slice(t, pos, pos + 2));
      pos += 2;
    }
    if (comp == 3) {
      // [\.,]([0-9]+), truncated to microseconds
      if (pos < t.size() && (t[pos] == '.' || t[pos] == ',') && pos + 1 < t.size() &&
          t[pos + 1] >= '0' && t[pos + 1] <= '9') {
        std::size_t end = pos + 1;
        while (end < t.size() && t[end] >= '0' && t[end] <= '9') ++end;
        long long us = 0;
        std::size_t n = 0;
        for (std::size_t i = pos + 1; i < end && n < 6; ++i, ++n) us = us * 10 + (t[i] - '0');
        for (; n < 6; ++n) us *= 10;
        out.us = us;
        pos = end;
      }
    }
  }
  if (pos < t.size()) throw parse_failure{"Unused components in ISO string"};
  if (out.h == 24 && (out.m != 0 || out.s != 0 || out.us != 0)) {
    throw parse_failure{"Hour may only be 24 at 24:00:00.000"};
  }
  return out;
}

}  // namespace

std::error_code parse_timestamp(std::string_view text, std::int64_t& ns, std::string* message) {
  try {
    for (char c : text) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        throw parse_failure{"ISO-8601 strings should contain only ASCII characters"};
      }
    }
    // Date: a common date is validated when the datetime is built; an uncommon one already was.
    common_date common;
    bool is_common = true;
    date_parts date;
    try {
      common = parse_date_common(text);
      date.pos = common.pos;
    } catch (const parse_failure&) {
      is_common = false;
      date = parse_date_uncommon(text);
    }
    time_parts time;
    if (text.size() > date.pos) time = parse_time(text.substr(date.pos + 1));
    bool next_day = false;
    if (time.h == 24) {
      time.h = 0;
      next_day = true;
    }
    if (is_common) date = make_date(common.y, common.m, common.d, date.pos);
    if (time.h < 0 || time.h > 23) throw parse_failure{"hour must be in 0..23"};
    if (time.m < 0 || time.m > 59) throw parse_failure{"minute must be in 0..59"};
    if (time.s < 0 || time.s > 59) throw parse_failure{"second must be in 0..59"};
    long long days = date.days;
    if (next_day) {
      ++days;
      if (days > max_days) throw parse_failure{"date value out of range"};
    }
    const long long seconds =
        days * 86400 + time.h * 3600 + time.m * 60 + time.s - time.tz_offset_s;
    // int64 nanoseconds span 1677-09-21T00:12:43.145224192Z .. 2262-04-11T23:47:16.854775807Z.
    std::int64_t whole = 0;
    if (__builtin_mul_overflow(seconds, 1000000000LL, &whole) ||
        __builtin_add_overflow(whole, time.us * 1000LL, &ns)) {
      if (message) *message = "timestamp outside the int64 nanosecond range";
      return errc::timestamp_out_of_range;
    }
    return {};
  } catch (const parse_failure& failure) {
    if (message) *message = failure.message;
    return errc::invalid_timestamp;
  }
}

}  // namespace dial_analytics
