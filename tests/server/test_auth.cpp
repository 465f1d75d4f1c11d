// SPDX-License-Identifier: Apache-2.0
// Bearer-token authentication: AUTH_TOKEN, AUTH_TOKEN_FILE, AUTH_METRICS, on the real server.
#include "auth.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <dial_analytics/error.hpp>

#include "http_client.hpp"

namespace ds = dial_analytics::server;
using test_support::http_exchange;
using test_support::running_server;
using test_support::status_of;

namespace {

std::string request(std::string_view method, std::string_view path, std::string_view token,
                    std::string_view body = "") {
  std::string r = std::string(method) + " " + std::string(path) +
                  " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n";
  if (!token.empty()) r += "Authorization: " + std::string(token) + "\r\n";
  if (method == "POST") r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "\r\n" + std::string(body);
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE(
    "the constant-time comparison agrees with == on equal and different strings of any length",
    "[server][auth]") {
  CHECK(ds::constant_time_equal("", ""));
  CHECK(ds::constant_time_equal("s3cret", "s3cret"));
  CHECK_FALSE(ds::constant_time_equal("s3cret", "s3creT"));
  CHECK_FALSE(ds::constant_time_equal("s3cret", "s3cret2"));
  CHECK_FALSE(ds::constant_time_equal("s3cret", "s3cre"));
  CHECK_FALSE(ds::constant_time_equal("", "x"));
  CHECK_FALSE(ds::constant_time_equal(std::string_view("a\0", 2), "a"));
}

TEST_CASE(
    "with AUTH_TOKEN the bearer token is needed on POST and HEAD /data and /metrics but not "
    "/health",
    "[server][auth]") {
  char* text = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  REQUIRE(out);
  {
    ds::logger log(dial_analytics::log_level::debug, out);
    ds::server_config config;
    config.auth_token = dial_analytics::output::secret_string("s3cret-token");
    running_server server(config, log);
    const unsigned short port = server.port();

    for (const std::string_view bad :
         {"", "Bearer wrong", "Bearer s3cret-toke", "Bearer s3cret-token2", "Basic s3cret-token"}) {
      INFO(bad);
      const std::string r = http_exchange(port, request("POST", "/data", bad, "[]"));
      CHECK(status_of(r) == 401);
      CHECK(has(r, "WWW-Authenticate: Bearer"));
      CHECK(has(r, R"({"detail":"missing or invalid bearer token"})"));
    }
    CHECK(status_of(http_exchange(port, request("HEAD", "/data", ""))) == 401);
    CHECK(status_of(http_exchange(port, request("GET", "/metrics", "Bearer nope"))) == 401);

    CHECK(status_of(http_exchange(port, request("POST", "/data", "Bearer s3cret-token", "[]"))) ==
          200);
    CHECK(status_of(http_exchange(port, request("POST", "/data", "bearer s3cret-token", "[]"))) ==
          200);
    CHECK(status_of(http_exchange(port, request("HEAD", "/data", "Bearer s3cret-token"))) == 200);
    const std::string metrics =
        http_exchange(port, request("GET", "/metrics", "Bearer s3cret-token"));
    CHECK(status_of(metrics) == 200);
    CHECK(has(metrics, R"(dial_analytics_http_responses_total{path="/data",code="401"} 6)"));
    CHECK(status_of(http_exchange(port, request("GET", "/health", ""))) == 200);
    CHECK(status_of(http_exchange(port, request("GET", "/nowhere", ""))) == 404);
    server.stop();
  }
  std::fclose(out);
  const std::string logged(text, size);
  std::free(text);
  CHECK(has(logged, "authentication: bearer token (1 accepted) on /data and /metrics"));
  CHECK_FALSE(has(logged, "s3cret"));
}

TEST_CASE("AUTH_TOKEN_FILE accepts each of its tokens and AUTH_METRICS=false leaves /metrics open",
          "[server][auth]") {
  test_support::temp_dir dir;
  const auto file = dir.path() / "tokens";
  std::ofstream(file) << "# rotated on 2024-05-01\nold-token\n\n  new-token  \n";
  ds::server_config config;
  config.auth_token_file = file.string();
  config.auth_metrics = false;
  const ds::authenticator auth = ds::authenticator::from_config(config);
  CHECK(auth.token_count() == 2);
  CHECK(auth.allows(ds::route::post_data, "Bearer old-token"));
  CHECK(auth.allows(ds::route::post_data, "Bearer new-token"));
  CHECK_FALSE(auth.allows(ds::route::post_data, "Bearer # rotated on 2024-05-01"));
  CHECK_FALSE(auth.allows(ds::route::head_data, ""));
  CHECK(auth.allows(ds::route::metrics, ""));
  CHECK(auth.allows(ds::route::health, ""));

  config.auth_token_file = (dir.path() / "missing").string();
  CHECK_THROWS_AS(ds::authenticator::from_config(config), dial_analytics::config_error);
  std::ofstream(dir.path() / "empty") << "# nothing yet\n";
  config.auth_token_file = (dir.path() / "empty").string();
  CHECK_THROWS_AS(ds::authenticator::from_config(config), dial_analytics::config_error);
}

TEST_CASE("without a token every route stays open as before", "[server][auth]") {
  ds::logger log(dial_analytics::log_level::error, nullptr);
  running_server server(ds::server_config{}, log);
  CHECK(status_of(http_exchange(server.port(), request("POST", "/data", "", "[]"))) == 200);
  CHECK(status_of(http_exchange(server.port(), request("HEAD", "/data", ""))) == 200);
  CHECK(status_of(http_exchange(server.port(), request("GET", "/metrics", ""))) == 200);
}

TEST_CASE("the auth settings read from the environment and the token never shows in --help",
          "[server][auth][config]") {
  const ds::command_line c =
      ds::load_config({"--auth-metrics=false"}, [](const char* name) -> const char* {
        if (std::string_view(name) == "AUTH_TOKEN") return "env-s3cret";
        if (std::string_view(name) == "AUTH_TOKEN_FILE") return "/run/secrets/dial-tokens";
        return nullptr;
      });
  CHECK(c.config.auth_token.reveal() == "env-s3cret");
  CHECK(c.config.auth_token_file == "/run/secrets/dial-tokens");
  CHECK_FALSE(c.config.auth_metrics);
  CHECK(ds::server_config{}.auth_metrics);
  CHECK(ds::server_config{}.auth_token.empty());
  CHECK_FALSE(has(ds::help_text(), "s3cret"));
}
