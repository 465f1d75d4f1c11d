// SPDX-License-Identifier: Apache-2.0
// Credentials never reach the log: URLs the user configured, error texts InfluxDB sent.
#include <catch2/catch.hpp>

#include <dial_analytics/influx/influx_writer.hpp>

#include "detail/redact.hpp"

namespace di = dial_analytics::influx;
using dial_analytics::detail::redact;

TEST_CASE("redact masks URL user-info, credential keys, the p parameter and Authorization",
          "[influx][redact]") {
  CHECK(redact("http://admin:s3cret@influx:8086/write?db=x") ==
        "http://***@influx:8086/write?db=x");
  CHECK(redact("http://influx:8086") == "http://influx:8086");
  CHECK(redact("/query?u=admin&p=s3cret&db=x") == "/query?u=admin&p=***&db=x");
  CHECK(redact("token=abc123 password = hunter2; pwd:xyz") == "token=*** password = ***; pwd:***");
  CHECK(redact(R"({"token":"abc","password": "p w","other":"kept"})") ==
        R"({"token":"***","password": "***","other":"kept"})");
  CHECK(redact("Authorization: Token abcdefgh\nnext line") == "Authorization: ***\nnext line");
  CHECK(redact("sent Bearer abcdefghijkl to it") == "sent Bearer *** to it");
  CHECK(redact("token counts: tokens=5 max_tokens=7") == "token counts: tokens=5 max_tokens=7");
  CHECK(redact("partial write: field type conflict dropped=2") ==
        "partial write: field type conflict dropped=2");
  CHECK(redact("") == "");
}

TEST_CASE("a password inside INFLUX_URL and credentials in InfluxDB's answers are not logged",
          "[influx][redact]") {
  di::influx_config c;
  c.url = "http://admin:s3cret@127.0.0.1:8086/";
  c.version = di::api_version::v1;
  c.database = "dial";
  const std::string description = di::describe(c);
  CHECK(description.find("s3cret") == std::string::npos);
  CHECK(description.find("http://***@127.0.0.1:8086") != std::string::npos);
  const auto r = di::classify_response(
      401,
      R"({"error":"authorization failed for password=hunter2, Authorization: Token t0k3n12345"})",
      "", 1);
  CHECK(r.message.find("hunter2") == std::string::npos);
  CHECK(r.message.find("t0k3n12345") == std::string::npos);
  CHECK(r.message.find("authorization failed") != std::string::npos);
}
