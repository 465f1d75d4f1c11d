// SPDX-License-Identifier: Apache-2.0
// The real server's limits on a loopback port: connections, idle and header timeouts, bytes of
// bodies in flight, malformed framing, running out of file descriptors.
#include <sys/resource.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "http_client.hpp"
#include "http_limits.hpp"

namespace ds = dial_analytics::server;
using namespace std::chrono_literals;
using test_support::raw_connection;
using test_support::running_server;
using test_support::status_of;

namespace {

constexpr std::string_view get_health = "GET /health HTTP/1.1\r\nHost: t\r\n\r\n";

std::string post_header(std::size_t length) {
  return "POST /data HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(length) + "\r\n\r\n";
}

// A JSON array of `length` bytes.
std::string empty_array(std::size_t length) { return "[" + std::string(length - 2, ' ') + "]"; }

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("connections beyond MAX_CONNECTIONS get 503 with Retry-After and the rest is served",
          "[server][limits]") {
  ds::logger log(dial_analytics::log_level::error, nullptr);
  ds::server_config config;
  config.max_connections = 3;
  running_server server(config, log);
  std::vector<std::unique_ptr<raw_connection>> idle;
  for (int i = 0; i < 3; ++i) idle.push_back(std::make_unique<raw_connection>(server.port()));
  std::this_thread::sleep_for(200ms);  // accepted

  raw_connection extra(server.port());
  const std::string refused = extra.read_until_closed(3s);
  CHECK(status_of(refused) == 503);
  CHECK(has(refused, "Retry-After: 1"));
  CHECK(has(refused, "Connection: close"));
  CHECK(has(refused, R"({"detail":"too many connections)"));

  idle.front()->send(get_health);  // a connection within the cap is served as before
  CHECK(status_of(idle.front()->read_response()) == 200);
  idle.pop_back();
  std::this_thread::sleep_for(200ms);
  CHECK(status_of(test_support::http_exchange(server.port(), get_health)) == 200);
}

TEST_CASE(
    "idle connections and slow headers close after IDLE_TIMEOUT_S while bodies get READ_TIMEOUT_S",
    "[server][limits]") {
  ds::logger log(dial_analytics::log_level::error, nullptr);
  ds::server_config config;
  config.idle_timeout = std::chrono::seconds(1);
  config.read_timeout = std::chrono::seconds(30);
  running_server server(config, log);

  raw_connection keep_alive(server.port());
  keep_alive.send(get_health);
  CHECK(status_of(keep_alive.read_response()) == 200);
  CHECK(keep_alive.closed_within(3s));

  raw_connection slow_header(server.port());
  slow_header.send("GET /health HTTP/1.1\r\n");
  CHECK(slow_header.closed_within(3s));

  raw_connection slow_body(server.port());
  slow_body.send(post_header(2));
  std::this_thread::sleep_for(1500ms);  // longer than IDLE_TIMEOUT_S
  slow_body.send("[]");
  const std::string reply = slow_body.read_response();
  CHECK(status_of(reply) == 200);
  CHECK(has(reply, "\r\n\r\n[]"));
}

TEST_CASE("malformed framing gets a 400 or 413 or 431 with a JSON detail before the close",
          "[server][limits]") {
  ds::logger log(dial_analytics::log_level::error, nullptr);
  ds::server_config config;
  config.max_body_bytes = 1000;
  running_server server(config, log);
  const auto reply_to = [&](const std::string& request) {
    raw_connection c(server.port());
    c.send(request);
    return c.read_until_closed(3s);
  };

  std::string r = reply_to(
      "POST /data HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: "
      "12abc\r\n\r\n[]");
  CHECK(status_of(r) == 400);
  CHECK(has(r, R"({"detail":"malformed HTTP request: bad Content-Length"})"));
  CHECK(has(r, "Connection: close"));

  r = reply_to("GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(10000, 'a') + "\r\n\r\n");
  CHECK(status_of(r) == 431);
  CHECK(has(r, R"({"detail":"request header larger than 8 KiB"})"));

  r = reply_to(post_header(5000));
  CHECK(status_of(r) == 413);
  CHECK(has(r, R"({"detail":"request body larger than MAX_BODY_BYTES"})"));

  r = reply_to(
      "POST /data HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n[]\r\n0\r\n\r\n");
  CHECK(status_of(r) == 400);
  CHECK(has(r, R"({"detail":"malformed HTTP request)"));

  CHECK(status_of(test_support::http_exchange(server.port(), get_health)) == 200);
}

TEST_CASE("bodies beyond MAX_INFLIGHT_BODY_BYTES get 503 with Retry-After before being read",
          "[server][limits]") {
  ds::logger log(dial_analytics::log_level::error, nullptr);
  ds::server_config config;
  config.max_body_bytes = 1000;
  config.max_inflight_body_bytes = 1000;
  running_server server(config, log);

  raw_connection first(server.port());  // holds 800 of the 1000 bytes while its body is due
  first.send(post_header(800));
  std::this_thread::sleep_for(200ms);

  raw_connection second(server.port());
  second.send(post_header(300));
  const std::string refused = second.read_until_closed(3s);
  CHECK(status_of(refused) == 503);
  CHECK(has(refused, "Retry-After: 1"));
  CHECK(has(refused, "MAX_INFLIGHT_BODY_BYTES"));

  raw_connection chunked(server.port());  // chunked bodies count as they arrive
  chunked.send(
      "POST /data HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n12c\r\n" +
      empty_array(300) + "\r\n");
  CHECK(status_of(chunked.read_until_closed(3s)) == 503);

  first.send(empty_array(800));
  CHECK(status_of(first.read_response()) == 200);
  // Given back: the next one fits, chunked too.
  CHECK(status_of(test_support::http_exchange(server.port(),
                                              post_header(300) + empty_array(300))) == 200);
  CHECK(status_of(test_support::http_exchange(
            server.port(),
            "POST /data HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n12c\r\n" +
                empty_array(300) + "\r\n0\r\n\r\n")) == 200);
}

TEST_CASE("out of file descriptors the server pauses accepting with one warning and then recovers",
          "[server][limits]") {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__) || \
    defined(DIAL_ANALYTICS_SANITIZED)
  // Known gap: with descriptors exhausted in-process, UBSan reports an invalid vptr inside
  // Boost.Asio's thread start in the sanitized build (not understood yet). The plain build runs
  // this test; the sanitized one skips it rather than hide the report behind a retry.
  WARN("skipped in the sanitized build (docs/reliability.md, known gaps)");
  return;
#endif
  char* text = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  REQUIRE(out);
  {
    ds::logger log(dial_analytics::log_level::warning, out);
    running_server server(ds::server_config{}, log);
    rlimit old{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &old) == 0);
    const int socket = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(socket >= 0);
    // No descriptor left for the server to accept with: the limit at the lowest free one.
    const int lowest_free = ::dup(0);
    REQUIRE(lowest_free >= 0);
    ::close(lowest_free);
    rlimit low = old;
    low.rlim_cur = static_cast<rlim_t>(lowest_free);
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
    raw_connection pending(server.port(), socket);  // waits in the listen queue
    std::this_thread::sleep_for(1s);
    REQUIRE(setrlimit(RLIMIT_NOFILE, &old) == 0);
    REQUIRE(pending.connected());
    pending.send(get_health);  // served once the server accepts again
    CHECK(status_of(pending.read_response()) == 200);
    CHECK(status_of(test_support::http_exchange(server.port(), get_health)) == 200);
    server.stop();
  }
  std::fclose(out);
  const std::string logged(text, size);
  std::free(text);
  std::size_t warnings = 0;
  for (std::size_t at = logged.find("accept: "); at != std::string::npos;
       at = logged.find("accept: ", at + 1)) {
    ++warnings;
  }
  INFO(logged.substr(0, 2000));
  CHECK(warnings >= 1);
  CHECK(warnings <= 2);
  CHECK(has(logged, "pausing accepting"));
}

TEST_CASE("the in-flight byte budget takes what fits and gives it back", "[server][limits]") {
  ds::byte_budget budget(100);
  CHECK(budget.try_take(60));
  CHECK_FALSE(budget.try_take(41));
  CHECK(budget.try_take(40));
  CHECK_FALSE(budget.try_take(1));
  budget.give(60);
  CHECK(budget.used() == 40);
  CHECK_FALSE(budget.try_take(std::uint64_t(-1)));
  CHECK(budget.try_take(60));
}
