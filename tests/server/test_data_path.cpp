// SPDX-License-Identifier: Apache-2.0
// POST /data's bounds (every gzip member, trailing garbage, MAX_EVENTS, MAX_LOGGED_ERRORS) and
// an InfluxDB that is down at start.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "app.hpp"
#include "detail/zlib.hpp"
#include "gzip.hpp"
#include "support/fake_influx_server.hpp"
#include "support/records.hpp"
#include "support/temp_dir.hpp"

namespace ds = dial_analytics::server;
using test_support::json;
using test_support::temp_dir;

namespace {

std::string gzip(const std::string& in) {
  std::string out;
  REQUIRE(dial_analytics::detail::gzip_compress(in, out));
  return out;
}

// `n` NDJSON lines, each a Vector event with a valid rate record.
std::string ndjson_events(std::size_t n) {
  const std::string line =
      json::obj({{"message", test_support::rate_record().dump()}}).dump() + "\n";
  std::string body;
  for (std::size_t i = 0; i < n; ++i) body += line;
  return body;
}

std::size_t count(const std::string& text, const std::string& word) {
  std::size_t n = 0;
  for (auto p = text.find(word); p != std::string::npos; p = text.find(word, p + 1)) ++n;
  return n;
}

ds::http_request post(std::string body, std::string encoding = "",
                      std::string type = "application/x-ndjson") {
  return {"POST", "/data", std::move(type), std::move(encoding), std::move(body)};
}

struct fixture {
  temp_dir dir;
  std::FILE* log_file = std::tmpfile();
  ds::logger log{dial_analytics::log_level::info, log_file};
  ds::server_config config = [this] {
    ds::server_config c;
    c.data_dir = (dir.path() / "data").string();
    c.spool_sync = false;
    return c;
  }();
  fixture() { REQUIRE(log_file); }
  ~fixture() { std::fclose(log_file); }
  fixture(const fixture&) = delete;
  fixture& operator=(const fixture&) = delete;

  std::string logged() const {
    std::fflush(log_file);
    std::rewind(log_file);
    std::string text;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, log_file)) > 0;) text.append(buf, n);
    return text;
  }
};

}  // namespace

TEST_CASE("a body of concatenated gzip members is decoded whole and every record answered",
          "[server][gzip]") {
  fixture f;
  ds::app app(f.config, f.log);
  // 16 records: 3 in the first member, 13 in the second.
  const std::string body = gzip(ndjson_events(3)) + gzip(ndjson_events(13));
  const ds::http_response r = app.handle(post(body, "gzip"));
  CHECK(r.status == 200);
  CHECK(count(r.body, R"({"status":"success"})") == 16);
}

TEST_CASE("data after the last gzip member is refused with 400 and never a partial 200",
          "[server][gzip]") {
  fixture f;
  ds::app app(f.config, f.log);
  for (const std::string& tail : {std::string("garbage"), std::string(1, '\x1f'),
                                  std::string(8, '\0'), gzip(ndjson_events(2)).substr(0, 12)}) {
    const ds::http_response r = app.handle(post(gzip(ndjson_events(3)) + tail, "gzip"));
    CHECK(r.status == 400);
    CHECK(r.body == R"({"detail":"the body is not valid gzip/deflate data"})");
  }
  // A zlib stream (Content-Encoding: deflate) is one stream: nothing may follow it either.
  const std::string text = ndjson_events(2);
  std::string zlib(compressBound(static_cast<uLong>(text.size())), '\0');
  uLongf size = static_cast<uLongf>(zlib.size());
  REQUIRE(compress(reinterpret_cast<Bytef*>(zlib.data()), &size,
                   reinterpret_cast<const Bytef*>(text.data()),
                   static_cast<uLong>(text.size())) == Z_OK);
  zlib.resize(size);
  CHECK(app.handle(post(zlib, "deflate")).status == 200);
  CHECK(app.handle(post(zlib + zlib, "deflate")).status == 400);
}

TEST_CASE("gunzip_all reads members split anywhere and caps the text", "[server][gzip]") {
  namespace da = dial_analytics::apps;
  const std::string text = ndjson_events(50);
  const std::string twice = gzip(text) + gzip(text);
  std::string out;
  CHECK(da::gunzip_all(twice, out) == da::gunzip_result::ok);
  CHECK(out == text + text);
  CHECK(da::gunzip_all(twice, out, 2 * text.size() - 1) == da::gunzip_result::too_large);
  CHECK(da::gunzip_all(twice.substr(0, twice.size() - 1), out) == da::gunzip_result::corrupt);
  CHECK(da::gunzip_all("", out) == da::gunzip_result::corrupt);
  // Fed one byte at a time, the stream gives the same text.
  da::gunzip_stream stream;
  std::string pending, slow;
  for (char c : twice) {
    pending.push_back(c);
    std::string_view in = pending;
    REQUIRE(stream.inflate(in, slow, 7) == da::gunzip_stream::status::ok);
    pending.erase(0, pending.size() - in.size());
  }
  for (;;) {  // then what is left, still at most 7 bytes at a time
    const std::size_t before = slow.size();
    std::string_view in = pending;
    REQUIRE(stream.inflate(in, slow, 7) == da::gunzip_stream::status::ok);
    pending.erase(0, pending.size() - in.size());
    if (slow.size() == before) break;
  }
  CHECK(pending.empty());
  CHECK(stream.finished());
  CHECK(slow == text + text);
}

TEST_CASE("a body with more events than MAX_EVENTS is refused whole with 413 and a clear message",
          "[server][limits]") {
  fixture f;
  f.config.max_events = 10;
  ds::app app(f.config, f.log);
  CHECK(app.handle(post(ndjson_events(10))).status == 200);
  const ds::http_response r = app.handle(post(ndjson_events(11)));
  CHECK(r.status == 413);
  CHECK(
      r.body ==
      R"({"detail":"the body holds 11 events, more than the limit of 10 (MAX_EVENTS); send smaller batches"})");
  const std::string array = "[" + std::string("{},") + std::string("{},") + "{}]";
  f.config.max_events = 2;
  f.config.data_dir = (f.dir.path() / "small").string();  // one server per DATA_DIR
  ds::app small(f.config, f.log);
  CHECK(small.handle(post(array, "", "application/json")).status == 413);
  CHECK(small.handle({"GET", "/metrics", "", "", ""})
            .body.find("dial_analytics_too_many_events_total 1") != std::string::npos);
}

TEST_CASE("the default MAX_EVENTS bounds a body of millions of empty events", "[server][limits]") {
  fixture f;
  ds::app app(f.config, f.log);
  std::string body = "[";
  for (int i = 0; i < 200000; ++i) body += i ? ",{}" : "{}";
  body += "]";
  const ds::http_response r = app.handle(post(body, "", "application/json"));
  CHECK(r.status == 413);
  CHECK(r.body.size() < 200);
}

TEST_CASE(
    "failed events are logged as a few lines and one summary per body instead of one line each",
    "[server][limits]") {
  fixture f;
  f.config.max_logged_errors = 3;
  ds::app app(f.config, f.log);
  std::string body = "[";
  for (int i = 0; i < 1000; ++i) body += i ? ",{}" : "{}";
  body += "]";
  const ds::http_response r = app.handle(post(body, "", "application/json"));
  CHECK(r.status == 200);
  CHECK(count(r.body, R"("status":"error")") == 1000);  // the reply stays one status per event
  const std::string log = f.logged();
  CHECK(count(log, " ERROR ") <= 4);
  CHECK(count(log, "\n") < 10);
}

TEST_CASE(
    "an InfluxDB down at start is asked again until it answers and then written through its API",
    "[server][influx]") {
  unsigned short port = 0;
  {
    const test_support::fake_influx_server gone;  // a port where nothing listens once it is gone
    const std::string url = gone.url();
    port = static_cast<unsigned short>(std::stoi(url.substr(url.rfind(':') + 1)));
  }
  fixture f;
  f.config.has_influx = true;
  f.config.influx.url = "http://127.0.0.1:" + std::to_string(port);
  f.config.influx.database = "dial";  // a v1 with auth: without an answer, the guess is v3
  f.config.influx.token = dial_analytics::influx::secret_string("pw");
  f.config.influx.connect_timeout = std::chrono::milliseconds(300);
  f.config.influx.timeout = std::chrono::milliseconds(2000);
  f.config.sender.linger = std::chrono::milliseconds(0);
  f.config.sender.retry_initial = std::chrono::milliseconds(20);
  f.config.sender.retry_max = std::chrono::milliseconds(100);
  f.config.influx_connections = 1;
  ds::app app(f.config, f.log);
  const auto& notes = app.startup_notes();
  CHECK(std::any_of(notes.begin(), notes.end(), [](const std::string& n) {
    return n.find("asked again before each write") != std::string::npos;
  }));
  REQUIRE(app.handle(post(ndjson_events(2))).status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // writes fail: nobody answers

  test_support::fake_influx_server influx(port);
  influx.ping_version("1.8.10");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (influx.requests().empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  app.shutdown();
  const auto requests = influx.requests();
  REQUIRE(!requests.empty());
  for (const auto& r : requests) CHECK(r.target == "/write?db=dial&precision=ns");
  CHECK(requests[0].authorization.rfind("Basic ", 0) == 0);
  CHECK(f.logged().find("InfluxDB answered at http://127.0.0.1:" + std::to_string(port) +
                        ": API v1") != std::string::npos);
}
