// SPDX-License-Identifier: Apache-2.0
#include "detail/py_format.hpp"

#include <charconv>
#include <cmath>
#include <string_view>

namespace dial_analytics::detail {
namespace {

void append_integer(std::string& out, int value) {
  char buf[16];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;
  out.append(buf, end);
}

}  // namespace

void append_python_float_repr(std::string& out, double value) {
  if (std::isnan(value)) {
    out.append("nan");
    return;
  }
  if (std::isinf(value)) {
    out.append(value < 0 ? "-inf" : "inf");
    return;
  }
  // Shortest round-trip digits in scientific form, e.g. "-1.2345e+02", then laid out the way
  // CPython's float_repr_style 'short' does: fixed for exponents -4..15, else d.ddde±XX.
  char buf[40];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  (void)ec;
  std::string_view sci(buf, static_cast<std::size_t>(end - buf));
  bool negative = false;
  if (sci.front() == '-') {
    negative = true;
    sci.remove_prefix(1);
  }
  const std::size_t epos = sci.find('e');
  char digits[20];
  std::size_t ndigits = 0;
  for (std::size_t i = 0; i < epos; ++i) {
    if (sci[i] != '.') digits[ndigits++] = sci[i];
  }
  int exponent = 0;
  std::from_chars(sci.data() + epos + (sci[epos + 1] == '+' ? 2 : 1), sci.data() + sci.size(),
                  exponent);
  if (negative) out.push_back('-');
  if (exponent < -4 || exponent >= 16) {
    out.push_back(digits[0]);
    if (ndigits > 1) {
      out.push_back('.');
      out.append(digits + 1, ndigits - 1);
    }
    out.push_back('e');
    out.push_back(exponent < 0 ? '-' : '+');
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) out.push_back('0');
    append_integer(out, magnitude);
    return;
  }
  if (exponent < 0) {
    out.append("0.");
    out.append(static_cast<std::size_t>(-exponent - 1), '0');
    out.append(digits, ndigits);
    return;
  }
  const auto int_digits = static_cast<std::size_t>(exponent) + 1;
  if (ndigits <= int_digits) {
    out.append(digits, ndigits);
    out.append(int_digits - ndigits, '0');
    out.append(".0");
  } else {
    out.append(digits, int_digits);
    out.push_back('.');
    out.append(digits + int_digits, ndigits - int_digits);
  }
}

}  // namespace dial_analytics::detail
