// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/analytics/line_protocol.hpp>

#include "detail/py_format.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include <dial_analytics/error.hpp>

namespace da = dial_analytics;

namespace {
std::string repr(double v) {
  std::string s;
  da::detail::append_python_float_repr(s, v);
  return s;
}
std::string field_float(double v) {
  std::string s;
  da::append_field_float(s, v);
  return s;
}
}  // namespace

TEST_CASE("floats are written as Python's repr without a trailing .0", "[line_protocol]") {
  struct row {
    double value;
    const char* repr;
    const char* field;
  };
  const row rows[] = {
      {0.0, "0.0", "0"},
      {-0.0, "-0.0", "-0"},
      {42.0, "42.0", "42"},
      {0.001, "0.001", "0.001"},
      {0.0001, "0.0001", "0.0001"},
      {1e-05, "1e-05", "1e-05"},
      {1.5e-07, "1.5e-07", "1.5e-07"},
      {123456789012345.0, "123456789012345.0", "123456789012345"},
      {1e15, "1000000000000000.0", "1000000000000000"},
      {1e16, "1e+16", "1e+16"},
      {1.5e16, "1.5e+16", "1.5e+16"},
      {0.1 + 0.2, "0.30000000000000004", "0.30000000000000004"},
      {-2.5, "-2.5", "-2.5"},
      {1e100, "1e+100", "1e+100"},
      {5e-324, "5e-324", "5e-324"},
      {189.0, "189.0", "189"},
      {0.456, "0.456", "0.456"},
      {123.456, "123.456", "123.456"},
  };
  for (const row& r : rows) {
    CAPTURE(r.repr);
    CHECK(repr(r.value) == r.repr);
    CHECK(field_float(r.value) == r.field);
  }
  CHECK(repr(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(repr(std::nan("")) == "nan");
}

TEST_CASE("tags and fields are sorted and empty tags are dropped", "[line_protocol]") {
  da::point p;
  p.measurement = "m";
  p.add_tag("zeta", "z");
  p.add_tag("alpha", "a");
  p.add_tag("empty", "");
  p.add_field("b", da::field_value::integer(-5));
  p.add_field("a", da::field_value::string("x"));
  p.add_field("c", da::field_value::boolean(true));
  p.add_field("d", da::field_value::unsigned_integer(18446744073709551615ULL));
  p.timestamp_ns = 978310861001000000;
  std::string out;
  REQUIRE_FALSE(da::append_line(out, p));
  CHECK(out ==
        "m,alpha=a,zeta=z a=\"x\",b=-5i,c=true,d=18446744073709551615i 978310861001000000\n");
}

TEST_CASE("escapes comma, equals, space and control characters in tags", "[line_protocol]") {
  std::string out;
  da::append_escaped_tag(out, "a,b=c d\ne\tf\rg\\h");
  CHECK(out == "a\\,b\\=c\\ d\\ne\\tf\\rg\\h");
  da::point p;
  p.measurement = "m";
  p.add_tag("t", "ends\\");
  p.add_field("f", da::field_value::integer(1));
  out.clear();
  REQUIRE_FALSE(da::append_line(out, p));
  CHECK(out == "m,t=ends\\  f=1i 0\n");
}

TEST_CASE("string fields escape only quotes and backslashes", "[line_protocol]") {
  da::point p;
  p.measurement = "m";
  p.add_field("s", da::field_value::string("say \"hi\"\\ now\nraw"));
  std::string out;
  REQUIRE_FALSE(da::append_line(out, p));
  CHECK(out == "m s=\"say \\\"hi\\\"\\\\ now\nraw\" 0\n");
}

TEST_CASE("non-finite floats are dropped and a point without fields is rejected",
          "[line_protocol]") {
  da::point p;
  p.measurement = "m";
  p.add_field("nan", da::field_value::floating(std::nan("")));
  p.add_field("ok", da::field_value::floating(1.5));
  std::string out = "prefix\n";
  REQUIRE_FALSE(da::append_line(out, p));
  CHECK(out == "prefix\nm ok=1.5 0\n");
  p.fields.pop_back();
  CHECK(da::append_line(out, p) == da::errc::no_fields);
  CHECK(out == "prefix\nm ok=1.5 0\n");
}

TEST_CASE("measurement names escape comma and space but not equals", "[line_protocol]") {
  da::point p;
  p.measurement = "a b,c=d";
  p.add_field("f", da::field_value::integer(1));
  std::string out;
  REQUIRE_FALSE(da::append_line(out, p));
  CHECK(out == "a\\ b\\,c=d f=1i 0\n");
}
