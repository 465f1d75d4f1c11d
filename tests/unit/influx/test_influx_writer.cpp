// SPDX-License-Identifier: Apache-2.0
// The libcurl writer against a fake InfluxDB 2/3 (paths, query parameters, headers, scripted
// answers) and the API version probe.
#include <dial_analytics/influx/influx_writer.hpp>

#include <catch2/catch.hpp>

#include <zlib.h>
#include <dial_analytics/error.hpp>

#include "support/fake_influx_server.hpp"

namespace di = dial_analytics::influx;
using test_support::fake_influx_server;

namespace {
std::string gunzip(const std::string& in) {
  z_stream zs{};
  inflateInit2(&zs, 15 + 32);
  std::string out(1 << 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  inflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}
}  // namespace

TEST_CASE("v2 writes go to /api/v2/write with org, bucket, ns precision and a Token", "[influx]") {
  fake_influx_server server;
  di::influx_config c;
  c.url = server.url() + "/";
  c.version = di::api_version::v2;
  c.org = "my org";
  c.bucket = "dial";
  c.token = di::secret_string("s3cret");
  auto writer = di::make_curl_writer(c);
  CHECK(writer->write("m v=1 1\n").outcome == dial_analytics::output::write_outcome::written);
  const auto reqs = server.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].method == "POST");
  CHECK(reqs[0].target == "/api/v2/write?org=my%20org&bucket=dial&precision=ns");
  CHECK(reqs[0].authorization == "Token s3cret");
  CHECK(reqs[0].content_type == "text/plain; charset=utf-8");
  CHECK(reqs[0].body == "m v=1 1\n");
}

TEST_CASE("v3 writes go to /api/v3/write_lp with a Bearer token and can be gzipped", "[influx]") {
  fake_influx_server server;
  di::influx_config c;
  c.url = server.url();
  c.version = di::api_version::v3;
  c.database = "dial";
  c.token = di::secret_string("t");
  c.gzip = true;
  auto writer = di::make_curl_writer(c);
  CHECK(writer->write("m v=1 1\nm v=2 2\n").outcome ==
        dial_analytics::output::write_outcome::written);
  const auto reqs = server.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].target == "/api/v3/write_lp?db=dial&precision=nanosecond");
  CHECK(reqs[0].authorization == "Bearer t");
  CHECK(reqs[0].content_encoding == "gzip");
  CHECK(gunzip(reqs[0].body) == "m v=1 1\nm v=2 2\n");
}

TEST_CASE("v3 through the v2-compatible API, as the reference writes", "[influx]") {
  fake_influx_server server;
  di::influx_config c;
  c.url = server.url();
  c.version = di::api_version::v3_compat;
  c.database = "dial";
  c.token = di::secret_string("t");
  auto writer = di::make_curl_writer(c);
  REQUIRE(writer->write("m v=1 1\n").outcome == dial_analytics::output::write_outcome::written);
  CHECK(server.requests().at(0).target == "/api/v2/write?org=ignored&bucket=dial&precision=ns");
  CHECK(server.requests().at(0).authorization == "Token t");
}

TEST_CASE("scripted InfluxDB answers are classified", "[influx]") {
  fake_influx_server server;
  server.script(
      {{400,
        R"({"error":"partial write of line protocol occurred","data":[{"original_line":"x","line_number":2,"error_message":"bad"}]})",
        "",
        {},
        ""},
       {413, "", "", {}, ""},
       {429, "", "3", {}, ""},
       {500, "oops", "", {}, ""},
       {503, "", "1", {}, ""},
       {401, "", "", {}, ""}});
  di::influx_config c;
  c.url = server.url();
  c.version = di::api_version::v3;
  c.database = "dial";
  auto writer = di::make_curl_writer(c);
  auto r = writer->write("a v=1 1\nx\n");
  CHECK(r.outcome == dial_analytics::output::write_outcome::rejected);
  CHECK(r.rejected_lines == 1);
  CHECK(writer->write("a v=1 1\n").outcome == dial_analytics::output::write_outcome::too_large);
  r = writer->write("a v=1 1\n");
  CHECK(r.outcome == dial_analytics::output::write_outcome::retry);
  CHECK(r.retry_after == std::chrono::seconds(3));
  CHECK(writer->write("a v=1 1\n").outcome == dial_analytics::output::write_outcome::retry);
  CHECK(writer->write("a v=1 1\n").outcome == dial_analytics::output::write_outcome::retry);
  CHECK(writer->write("a v=1 1\n").outcome == dial_analytics::output::write_outcome::unavailable);
  CHECK(writer->write("a v=1 1\n").outcome == dial_analytics::output::write_outcome::written);
}

TEST_CASE("a hanging InfluxDB times out and is retried later", "[influx]") {
  fake_influx_server server;
  server.script({{204, "", "", std::chrono::milliseconds(1500), ""}});
  di::influx_config c;
  c.url = server.url();
  c.version = di::api_version::v2;
  c.org = "o";
  c.bucket = "b";
  c.timeout = std::chrono::milliseconds(300);
  auto writer = di::make_curl_writer(c);
  const auto r = writer->write("a v=1 1\n");
  CHECK(r.outcome == dial_analytics::output::write_outcome::retry);
  CHECK(r.http_status == 0);
  CHECK(r.message.find("network") == 0);
}

TEST_CASE("an unreachable InfluxDB is a retry, not a loss", "[influx]") {
  di::influx_config c;
  c.url = "http://127.0.0.1:1";
  c.version = di::api_version::v1;
  c.database = "dial";
  CHECK(di::make_curl_writer(c)->write("a v=1 1\n").outcome ==
        dial_analytics::output::write_outcome::retry);
}

TEST_CASE("the API version comes from /ping, else from bucket or database", "[influx]") {
  fake_influx_server server;
  di::influx_config c;
  c.url = server.url();
  std::string note;
  server.ping_version("1.6.7~rc0");
  CHECK(di::resolve_version(c, &note) == di::api_version::v1);
  CHECK(note.find("1.6.7~rc0") != std::string::npos);
  server.ping_version("v2.7.4");
  CHECK(di::resolve_version(c) == di::api_version::v2);
  server.ping_version("3.0.1");
  CHECK(di::resolve_version(c) == di::api_version::v3);
  server.ping_version("");
  c.bucket = "b";
  CHECK(di::resolve_version(c) == di::api_version::v2);
  c.bucket.clear();
  c.database = "d";
  c.token = di::secret_string("t");
  CHECK(di::resolve_version(c) == di::api_version::v3_compat);
  c.version = di::api_version::v1;
  CHECK(di::resolve_version(c) == di::api_version::v1);
}

TEST_CASE("descriptions and secrets never print tokens", "[influx]") {
  di::influx_config c;
  c.url = "http://x:8086/";
  c.version = di::api_version::v2;
  c.org = "o";
  c.bucket = "b";
  c.token = di::secret_string("s3cret");
  CHECK(di::describe(c) == "InfluxDB v2 at http://x:8086, org o, bucket b, token set");
  std::ostringstream os;
  os << c.token;
  CHECK(os.str() == "***");
}

TEST_CASE("writer configurations missing their target are refused", "[influx]") {
  di::influx_config c;
  c.url = "http://127.0.0.1:8086";
  c.version = di::api_version::v1;
  CHECK_THROWS_AS(di::make_curl_writer(c), dial_analytics::config_error);
  c.version = di::api_version::v2;
  c.bucket = "b";
  CHECK_THROWS_AS(di::make_curl_writer(c), dial_analytics::config_error);
  c.version = di::api_version::automatic;
  CHECK_THROWS_AS(di::make_curl_writer(c), dial_analytics::config_error);
}
