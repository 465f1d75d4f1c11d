// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/input/log_parser.hpp>

#include <catch2/catch.hpp>

#include <dial_analytics/error.hpp>

namespace da = dial_analytics;

namespace {
std::string error_of(std::string_view json) {
  da::log_parser parser;
  da::log_record record;
  std::string message;
  REQUIRE(parser.parse(json, record, &message) == da::errc::malformed_json);
  CHECK_FALSE(record.valid());
  return message;
}
}  // namespace

TEST_CASE("decoding errors carry CPython's json messages", "[parser]") {
  CHECK(error_of("") == "Expecting value: line 1 column 1 (char 0)");
  CHECK(error_of(" ") == "Expecting value: line 1 column 2 (char 1)");
  CHECK(error_of("not a JSON") == "Expecting value: line 1 column 1 (char 0)");
  CHECK(error_of("{") ==
        "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)");
  CHECK(error_of("{\"model\": }") == "Expecting value: line 1 column 11 (char 10)");
  CHECK(error_of("[1, 2") == "Expecting ',' delimiter: line 1 column 6 (char 5)");
  CHECK(error_of("[\"\n") == "Unterminated string starting at: line 1 column 2 (char 1)");
  CHECK(error_of("{\"a\" 1}") == "Expecting ':' delimiter: line 1 column 6 (char 5)");
  CHECK(error_of("{} x") == "Extra data: line 1 column 4 (char 3)");
  CHECK(error_of("[1,\n 2,\n ]") == "Expecting value: line 3 column 2 (char 9)");
  CHECK(error_of("\"\\x\"") == "Invalid \\escape: line 1 column 2 (char 1)");
  CHECK(error_of("[\"é\", x]") == "Expecting value: line 1 column 7 (char 6)");
}

TEST_CASE("raw control characters inside strings are accepted", "[parser]") {
  da::log_parser parser;
  da::log_record record;
  REQUIRE_FALSE(parser.parse("{\"project\": {\"id\": \"A\nB\tC\"}}", record));
  CHECK(record.string_at({"project", "id"}) == "A\nB\tC");
}

TEST_CASE("a strict parser rejects raw control characters like json.loads does", "[parser]") {
  da::log_parser parser(da::parser_options{.allow_control_characters = false});
  da::log_record record;
  std::string message;
  REQUIRE(parser.parse("{\"a\": \"x\ny\"}", record, &message) == da::errc::malformed_json);
  CHECK(message == "Invalid control character at: line 1 column 9 (char 8)");
}

TEST_CASE("NaN literals that Python accepts are reported as unsupported", "[parser]") {
  da::log_parser parser;
  da::log_record record;
  std::string message;
  CHECK(parser.parse("{\"a\": NaN}", record, &message) == da::errc::unsupported_json);
  CHECK(message.rfind("unsupported JSON", 0) == 0);
}

TEST_CASE("records expose strings and numbers by path", "[parser]") {
  da::log_parser parser;
  da::log_record record;
  REQUIRE_FALSE(
      parser.parse(R"({"token_usage": {"price": 0.5, "n": 3}, "request": {"uri": "/x"}})", record));
  CHECK(record.string_at({"request", "uri"}) == "/x");
  CHECK(record.number_at({"token_usage", "price"}) == 0.5);
  CHECK(record.number_at({"token_usage", "n"}) == 3.0);
  CHECK_FALSE(record.string_at({"token_usage", "price"}));
  CHECK_FALSE(record.number_at({"missing"}));
}
