// SPDX-License-Identifier: Apache-2.0
// The InfluxDB writer against a fake InfluxDB (paths, query parameters, headers, scripted
// answers) and the API version probe.
#include <dial_analytics/influx/influx_writer.hpp>

#include <catch2/catch.hpp>

#include <dial_analytics/error.hpp>
#include <dial_analytics/output/sender.hpp>

#include <string>
#include <vector>

#include "detail/zlib.hpp"
#include "support/fake_influx_server.hpp"
#include "support/temp_dir.hpp"

namespace di = dial_analytics::influx;
using test_support::fake_influx_server;

namespace {
std::string gunzip(const std::string& in) {
  std::string out;
  REQUIRE(dial_analytics::detail::gunzip(in, out) == dial_analytics::detail::gunzip_result::ok);
  return out;
}

dial_analytics::output::spool_options quick_spool(const test_support::temp_dir& d) {
  dial_analytics::output::spool_options o;
  o.dir = d.path();
  o.sync = false;
  return o;
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
  auto writer = di::make_influx_writer(c);
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
  auto writer = di::make_influx_writer(c);
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
  auto writer = di::make_influx_writer(c);
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
  auto writer = di::make_influx_writer(c);
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

TEST_CASE("v1 writes go to /write with db, rp and Basic auth of user and token", "[influx]") {
  fake_influx_server server;
  di::influx_config c;
  c.url = server.url();
  c.version = di::api_version::v1;
  c.database = "dial db";
  c.retention_policy = "autogen";
  c.username = "writer";
  c.token = di::secret_string("pw");
  auto writer = di::make_influx_writer(c);
  CHECK(writer->name() == "InfluxDB");
  REQUIRE(writer->write("m v=1 1\n").outcome == dial_analytics::output::write_outcome::written);
  const auto reqs = server.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].target == "/write?db=dial%20db&precision=ns&rp=autogen");
  CHECK(reqs[0].authorization == "Basic d3JpdGVyOnB3");  // base64("writer:pw")
}

TEST_CASE("the sender's log lines for InfluxDB speak of points", "[influx]") {
  fake_influx_server server;
  server.script({{400, R"({"error":"partial write: unable to parse 'x': dropped=1"})", "", {}, ""},
                 {503, "busy", "", {}, ""}});
  di::influx_config c;
  c.url = server.url();
  c.version = di::api_version::v2;
  c.org = "o";
  c.bucket = "b";
  test_support::temp_dir d;
  dial_analytics::output::spool spool(quick_spool(d));
  std::vector<std::string> logged;
  dial_analytics::output::sender_options o;
  o.linger = std::chrono::milliseconds(0);
  o.retry_initial = o.retry_max = std::chrono::milliseconds(2);
  o.log = [&](dial_analytics::log_level, std::string_view m) { logged.emplace_back(m); };
  REQUIRE_FALSE(spool.append("a v=1 1\nx\n"));
  {
    dial_analytics::output::sender sender(spool, di::make_influx_writer(c), o);
    sender.stop(std::chrono::seconds(5));
  }
  REQUIRE_FALSE(spool.append("b v=2 2\n"));
  dial_analytics::output::sender sender(spool, di::make_influx_writer(c), o);
  sender.stop(std::chrono::seconds(5));
  REQUIRE(logged.size() == 2);
  // The wording of the first part is what it always was; the cause and remedy follow.
  CHECK(
      logged[0].rfind(
          R"(InfluxDB rejected 1 of 2 points (HTTP 400): {"error":"partial write: unable to parse 'x': dropped=1"}; cause: )",
          0) == 0);
  CHECK(logged[1].rfind("InfluxDB write failed (HTTP 503): busy; keeping 1 points, retrying in ",
                        0) == 0);
  CHECK(sender.stats().lines_written == 1);
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
  auto writer = di::make_influx_writer(c);
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
  CHECK(di::make_influx_writer(c)->write("a v=1 1\n").outcome ==
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
  CHECK_THROWS_AS(di::make_influx_writer(c), dial_analytics::config_error);
  c.version = di::api_version::v2;
  c.bucket = "b";
  CHECK_THROWS_AS(di::make_influx_writer(c), dial_analytics::config_error);
  c.version = di::api_version::automatic;
  CHECK_THROWS_AS(di::make_influx_writer(c), dial_analytics::config_error);
}
