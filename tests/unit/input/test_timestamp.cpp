// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/input/timestamp.hpp>

#include <catch2/catch.hpp>

#include <dial_analytics/error.hpp>

namespace da = dial_analytics;

namespace {
std::int64_t ns_of(const char* text) {
  std::int64_t ns = -1;
  std::string message;
  const auto ec = da::parse_timestamp(text, ns, &message);
  INFO(text << ": " << message);
  REQUIRE_FALSE(ec);
  return ns;
}
std::string error_of(const char* text) {
  std::int64_t ns = 0;
  std::string message;
  REQUIRE(da::parse_timestamp(text, ns, &message) == da::errc::invalid_timestamp);
  return message;
}
constexpr std::int64_t base = 1322907330000000000;  // 2011-12-03T10:15:30Z
}  // namespace

TEST_CASE("parses the reference's time table", "[timestamp]") {
  CHECK(ns_of("2011-12-03T10:15:30") == base);
  CHECK(ns_of("2011-12-03T10:15:30+01:00") == base - 3600000000000);
  CHECK(ns_of("2011-12-03T10:15:30.1") == base + 100000000);
  CHECK(ns_of("2011-12-03T10:15:30.12") == base + 120000000);
  CHECK(ns_of("2011-12-03T10:15:30.123") == base + 123000000);
  CHECK(ns_of("2011-12-03T10:15:30.1234") == base + 123400000);
  CHECK(ns_of("2011-12-03T10:15:30.12345") == base + 123450000);
  CHECK(ns_of("2011-12-03T10:15:30.123456") == base + 123456000);
  CHECK(ns_of("2011-12-03T10:15:30.1234567") == base + 123456000);
  CHECK(error_of("2011-12-03T10:15:30.") == "Unused components in ISO string");
  CHECK(error_of("2011-12-03T10:15:30+01:00[Europe/Paris]") ==
        "Time zone offset must be 1, 3, 5 or 6 characters");
}

TEST_CASE("parses the worked values of DIAL records", "[timestamp]") {
  CHECK(ns_of("2023-08-16T19:42:39.997") == 1692214959997000000);
  CHECK(ns_of("2023-11-24T03:33:40.39") == 1700796820390000000);
  CHECK(ns_of("2001-01-01T01:01:01.001") == 978310861001000000);
}

TEST_CASE("accepts the other forms isoparse accepts", "[timestamp]") {
  CHECK(ns_of("2011-12-03T10:15:30Z") == base);
  CHECK(ns_of("2011-12-03T10:15:30z") == base);
  CHECK(ns_of("2011-12-03T10:15:30+0100") == base - 3600000000000);
  CHECK(ns_of("2011-12-03T10:15:30-01") == base + 3600000000000);
  CHECK(ns_of("2011-12-03T10:15:30+00:00") == base);
  CHECK(ns_of("2011-12-03 10:15:30") == base);
  CHECK(ns_of("20111203T101530") == base);
  CHECK(ns_of("2011-12-03") == base - (10 * 3600 + 15 * 60 + 30) * 1000000000LL);
  CHECK(ns_of("2011-12-03T10") == base - (15 * 60 + 30) * 1000000000LL);
  CHECK(ns_of("2011-12-03T10:15") == base - 30 * 1000000000LL);
  CHECK(ns_of("2011-12-03T1015") == base - 30 * 1000000000LL);
  CHECK(ns_of("2011-12-03T24:00:00") == ns_of("2011-12-04T00:00:00"));
  CHECK(ns_of("2011-12-03T10:15:30,5") == base + 500000000);
  CHECK(ns_of("2011-W49-6") == ns_of("2011-12-10"));
  CHECK(ns_of("2011W496") == ns_of("2011-12-10"));
  CHECK(ns_of("2011-W49") == ns_of("2011-12-05"));
  CHECK(ns_of("2011-337") == ns_of("2011-12-03"));
  CHECK(ns_of("2011-12") == ns_of("2011-12-01"));
  CHECK(ns_of("2011") == ns_of("2011-01-01"));
  CHECK(ns_of("1970-01-01T00:00:00") == 0);
  CHECK(ns_of("1969-12-31T23:59:59.5") == -500000000);
}

TEST_CASE("rejects what isoparse rejects, with its messages", "[timestamp]") {
  CHECK(error_of("") == "ISO string too short");
  CHECK(error_of("201") == "ISO string too short");
  CHECK(error_of("2011-13-03") == "month must be in 1..12");
  CHECK(error_of("2011-02-30") == "day is out of range for month");
  CHECK(error_of("2011-12-03T25:00") == "hour must be in 0..23");
  CHECK(error_of("2011-12-03T24:30") == "Hour may only be 24 at 24:00:00.000");
  CHECK(error_of("2011-12-03T10:15:30+25:00") == "Invalid hours in time zone offset");
  CHECK(error_of("2011-12-03T10:15:30+01:60") == "Invalid minutes in time zone offset");
  CHECK(error_of("2011-12-03T10:1x") == "invalid literal for int() with base 10: b'1x'");
  CHECK(error_of("2011-12-03T10:15:30 UTC") == "Unused components in ISO string");
  CHECK(error_of("2011-12-03T10:15:30é") ==
        "ISO-8601 strings should contain only ASCII characters");
  CHECK(error_of("0000-01-01") == "year 0 is out of range");
}

TEST_CASE("times beyond int64 nanoseconds are out of range", "[timestamp]") {
  std::int64_t ns = 0;
  CHECK(da::parse_timestamp("2262-04-12T00:00:00", ns) == da::errc::timestamp_out_of_range);
  CHECK(da::parse_timestamp("1600-01-01T00:00:00", ns) == da::errc::timestamp_out_of_range);
  CHECK_FALSE(da::parse_timestamp("2262-04-11T23:47:16.854775", ns));
}
