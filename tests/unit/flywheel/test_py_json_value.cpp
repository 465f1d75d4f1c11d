// SPDX-License-Identifier: Apache-2.0
// Python's json.loads → json.dumps, byte for byte. The expected texts were printed by CPython 3.11.
#include <catch2/catch.hpp>

#include <string>

#include "flywheel/py_json_value.hpp"

namespace pyjson = dial_analytics::flywheel::pyjson;

namespace {

std::string round_trip(std::string_view text) {
  pyjson::value v;
  std::string error;
  REQUIRE(pyjson::parse(text, v, error));
  return pyjson::dumps(v);
}

std::string error_of(std::string_view text) {
  pyjson::value v;
  std::string error;
  REQUIRE_FALSE(pyjson::parse(text, v, error));
  return error;
}

}  // namespace

TEST_CASE("a document read and written again is what Python's json.loads and json.dumps give",
          "[flywheel][pyjson]") {
  struct example {
    const char* in;
    const char* out;
  };
  const example examples[] = {
      {"{\"a\": 1, \"b\": [true, false, null]}", "{\"a\": 1, \"b\": [true, false, null]}"},
      {"{\"a\":1,\"a\":2,\"b\":3}", "{\"a\": 2, \"b\": 3}"},
      {"{\"b\":1,\"a\":2,\"b\":3}", "{\"b\": 3, \"a\": 2}"},
      {"123456789012345678901234567890", "123456789012345678901234567890"},
      {"-0", "0"},
      {"-0.0", "-0.0"},
      {"0.1", "0.1"},
      {"1e16", "1e+16"},
      {"1E-7", "1e-07"},
      {"1.5e300", "1.5e+300"},
      {"1e400", "Infinity"},
      {"-1e400", "-Infinity"},
      {"1.0", "1.0"},
      {"100", "100"},
      {"2.5E+3", "2500.0"},
      {"1e-400", "0.0"},
      {"NaN", "NaN"},
      {"[Infinity, -Infinity]", "[Infinity, -Infinity]"},
      {"\"\\u00e9\\ud83c\\udf0d\\ud800x\\udc00\"", "\"\\u00e9\\ud83c\\udf0d\\ud800x\\udc00\""},
      {"\"\xc3"
       "\xa9"
       " \xe4"
       "\xbd"
       "\xa0"
       "\xe5"
       "\xa5"
       "\xbd"
       " \xf0"
       "\x9f"
       "\x8c"
       "\x8d"
       "\"",
       "\"\\u00e9 \\u4f60\\u597d \\ud83c\\udf0d\""},
      {"\"\\u2028\\u007f\\u0000\\b\\f\\n\\r\\t\\\"\\\\\\/\"",
       "\"\\u2028\\u007f\\u0000\\b\\f\\n\\r\\t\\\"\\\\/\""},
      {"  {\"x\" : [ 1 , 2 ] }  ", "{\"x\": [1, 2]}"},
      {"[]", "[]"},
      {"{}", "{}"},
      {"[[]]", "[[]]"},
      {"{\"\":{}}", "{\"\": {}}"},
      {"\"\\uD83C\\uDF0D\"", "\"\\ud83c\\udf0d\""},
      {"\"\\ud83c\\u0041\"", "\"\\ud83cA\""},
      {"{\"k1\": 1}", "{\"k1\": 1}"},
      {"{\"k0\": 0, \"k1\": 1, \"k2\": 2, \"k3\": 3, \"k4\": 4, \"k5\": 5, \"k6\": 6, \"k7\": 7, "
       "\"k8\": 8, \"k9\": 9, \"k10\": 10, \"k11\": 11, \"k12\": 12, \"k13\": 13, \"k14\": 14, "
       "\"k15\": 15, \"k16\": 16, \"k17\": 17, \"k18\": 18, \"k19\": 19, \"k20\": 20, \"k21\": 21, "
       "\"k22\": 22, \"k23\": 23, \"k24\": 24, \"k25\": 25, \"k26\": 26, \"k27\": 27, \"k28\": 28, "
       "\"k29\": 29, \"k30\": 30, \"k31\": 31, \"k32\": 32, \"k33\": 33, \"k34\": 34, \"k35\": 35, "
       "\"k36\": 36, \"k37\": 37, \"k38\": 38, \"k39\": 39, \"k0\": 40, \"k1\": 41, \"k2\": 42, "
       "\"k3\": 43, \"k4\": 44, \"k5\": 45, \"k6\": 46, \"k7\": 47, \"k8\": 48, \"k9\": 49, "
       "\"k10\": 50, \"k11\": 51, \"k12\": 52, \"k13\": 53, \"k14\": 54, \"k15\": 55, \"k16\": 56, "
       "\"k17\": 57, \"k18\": 58, \"k19\": 59, \"k20\": 60, \"k21\": 61, \"k22\": 62, \"k23\": 63, "
       "\"k24\": 64, \"k25\": 65, \"k26\": 66, \"k27\": 67, \"k28\": 68, \"k29\": 69, \"k30\": 70, "
       "\"k31\": 71, \"k32\": 72, \"k33\": 73, \"k34\": 74, \"k35\": 75, \"k36\": 76, \"k37\": 77, "
       "\"k38\": 78, \"k39\": 79, \"k0\": 80, \"k1\": 81, \"k2\": 82, \"k3\": 83, \"k4\": 84, "
       "\"k5\": 85, \"k6\": 86, \"k7\": 87, \"k8\": 88, \"k9\": 89, \"k10\": 90, \"k11\": 91, "
       "\"k12\": 92, \"k13\": 93, \"k14\": 94, \"k15\": 95, \"k16\": 96, \"k17\": 97, \"k18\": 98, "
       "\"k19\": 99}",
       "{\"k0\": 80, \"k1\": 81, \"k2\": 82, \"k3\": 83, \"k4\": 84, \"k5\": 85, \"k6\": 86, "
       "\"k7\": 87, \"k8\": 88, \"k9\": 89, \"k10\": 90, \"k11\": 91, \"k12\": 92, \"k13\": 93, "
       "\"k14\": 94, \"k15\": 95, \"k16\": 96, \"k17\": 97, \"k18\": 98, \"k19\": 99, \"k20\": 60, "
       "\"k21\": 61, \"k22\": 62, \"k23\": 63, \"k24\": 64, \"k25\": 65, \"k26\": 66, \"k27\": 67, "
       "\"k28\": 68, \"k29\": 69, \"k30\": 70, \"k31\": 71, \"k32\": 72, \"k33\": 73, \"k34\": 74, "
       "\"k35\": 75, \"k36\": 76, \"k37\": 77, \"k38\": 78, \"k39\": 79}"},
  };
  for (const example& e : examples) {
    INFO(e.in);
    CHECK(round_trip(e.in) == e.out);
  }
}

TEST_CASE("text Python's json.loads refuses is refused with CPython's message",
          "[flywheel][pyjson]") {
  struct example {
    const char* in;
    const char* error;
  };
  const example examples[] = {
      {"", "Expecting value: line 1 column 1 (char 0)"},
      {" ", "Expecting value: line 1 column 2 (char 1)"},
      {"{\"a\":1}{}", "Extra data: line 1 column 8 (char 7)"},
      {"[1,]", "Expecting value: line 1 column 4 (char 3)"},
      {"{\"a\" 1}", "Expecting ':' delimiter: line 1 column 6 (char 5)"},
      {"{'a':1}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"},
      {"01", "Extra data: line 1 column 2 (char 1)"},
      {"1.", "Extra data: line 1 column 2 (char 1)"},
      {".5", "Expecting value: line 1 column 1 (char 0)"},
      {"-", "Expecting value: line 1 column 1 (char 0)"},
      {"\"\x01"
       "\"",
       "Invalid control character at: line 1 column 2 (char 1)"},
      {"\"\\x\"", "Invalid \\escape: line 1 column 2 (char 1)"},
      {"\"\\u12\"", "Invalid \\uXXXX escape: line 1 column 3 (char 2)"},
      {"[1", "Expecting ',' delimiter: line 1 column 3 (char 2)"},
      {"nul", "Expecting value: line 1 column 1 (char 0)"},
      {"\xef"
       "\xbb"
       "\xbf"
       "{}",
       "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"},
      {"1e", "Extra data: line 1 column 2 (char 1)"},
      {"+1", "Expecting value: line 1 column 1 (char 0)"},
      {"tru", "Expecting value: line 1 column 1 (char 0)"},
      {"\"abc", "Unterminated string starting at: line 1 column 1 (char 0)"},
  };
  for (const example& e : examples) {
    INFO(e.in);
    CHECK(error_of(e.in) == e.error);
  }
}

TEST_CASE("text that is not UTF-8 or nests too deep is refused", "[flywheel][pyjson]") {
  CHECK(error_of("\"\xff\"") == "not UTF-8 text");
  CHECK(error_of("\"\xed\xa0\x80\"") == "not UTF-8 text");  // a raw surrogate
  CHECK(error_of("\"\xc0\xaf\"") == "not UTF-8 text");      // overlong
  CHECK(error_of(std::string(5000, '[')).find("recursion") != std::string::npos);
  CHECK(error_of(std::string(4301, '7')).find("4300 digits") != std::string::npos);
  CHECK(round_trip(std::string(4300, '7')) == std::string(4300, '7'));
}

TEST_CASE("truthiness and lookups follow Python", "[flywheel][pyjson]") {
  const auto truthy = [](std::string_view text) {
    pyjson::value v;
    std::string error;
    REQUIRE(pyjson::parse(text, v, error));
    return v.truthy();
  };
  CHECK_FALSE(truthy("null"));
  CHECK_FALSE(truthy("0"));
  CHECK_FALSE(truthy("-0"));
  CHECK_FALSE(truthy("0.0"));
  CHECK_FALSE(truthy("-0.0"));
  CHECK_FALSE(truthy("\"\""));
  CHECK_FALSE(truthy("[]"));
  CHECK_FALSE(truthy("{}"));
  CHECK_FALSE(truthy("false"));
  CHECK(truthy("NaN"));
  CHECK(truthy("0.5"));
  CHECK(truthy("[0]"));
  CHECK(truthy("\" \""));

  pyjson::value v;
  std::string error;
  REQUIRE(pyjson::parse(R"({"a": 1, "b": 2})", v, error));
  v.set("a", pyjson::value::make_string("x"));
  v.set("c", pyjson::value());
  CHECK(pyjson::dumps(v) == R"({"a": "x", "b": 2, "c": null})");
  CHECK(v.find("b") != nullptr);
  CHECK(v.find("z") == nullptr);
}

TEST_CASE("a Python str with a lone surrogate is JSON to json.loads, a byte line with one is not",
          "[flywheel][pyjson]") {
  // "\ud800" read from a record is kept as its 3-byte form; json.loads of that str accepts it.
  pyjson::value outer;
  std::string error;
  REQUIRE(pyjson::parse(R"("\"\ud800x\"")", outer, error));
  REQUIRE(outer.text == "\"\xed\xa0\x80x\"");
  pyjson::value inner;
  REQUIRE(pyjson::parse_str(outer.text, inner, error, 1000));
  CHECK(pyjson::dumps(inner) == R"("\ud800x")");
  CHECK_FALSE(pyjson::parse(outer.text, inner, error));
  // The depth budget counts from the value's own root.
  CHECK(pyjson::parse_str("[[[1]]]", inner, error, 3));
  CHECK_FALSE(pyjson::parse_str("[[[[1]]]]", inner, error, 3));
}

TEST_CASE("bytes that are not UTF-8 are written as U+FFFD, never read past", "[flywheel][pyjson]") {
  CHECK(pyjson::dumps(pyjson::value::make_string("a\xf0")) == R"("a\ufffd")");
  CHECK(pyjson::dumps(pyjson::value::make_string("\xff\"\x7f")) == R"("\ufffd\"\u007f")");
}
