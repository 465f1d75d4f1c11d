// SPDX-License-Identifier: Apache-2.0
// The server's pieces on their own: routing, the Prometheus writer, the logger.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "logger.hpp"
#include "metrics.hpp"
#include "routes.hpp"
#include "support/temp_dir.hpp"

namespace ds = dial_analytics::server;

TEST_CASE("requests are routed by path and method, unknown paths counted as other",
          "[server][routes]") {
  using ds::route;
  CHECK(ds::match_route("POST", "/data").to == route::post_data);
  CHECK(ds::match_route("POST", "/data?x=1").to == route::post_data);
  CHECK(ds::match_route("HEAD", "/data").to == route::head_data);
  CHECK(ds::match_route("GET", "/data").to == route::method_not_allowed);
  CHECK(ds::match_route("GET", "/health").to == route::health);
  CHECK(ds::match_route("HEAD", "/health").to == route::health);
  CHECK(ds::match_route("POST", "/health").to == route::method_not_allowed);
  CHECK(ds::match_route("GET", "/metrics").to == route::metrics);
  CHECK(ds::match_route("HEAD", "/metrics").to == route::method_not_allowed);
  const ds::route_match other = ds::match_route("GET", "/wp-admin?id=1");
  CHECK(other.to == route::not_found);
  CHECK(other.path_label == "other");
  CHECK(ds::match_route("GET", "/health?verbose").path_label == "/health");
  CHECK(ds::fixed_response(route::not_found).status == 404);
  CHECK(ds::fixed_response(route::method_not_allowed).body == R"({"detail":"Method Not Allowed"})");
  CHECK(ds::fixed_response(route::health).body == R"({"status":"ok"})");
  CHECK(ds::fixed_response(route::head_data).body.empty());
}

TEST_CASE("the Prometheus writer names a family once and escapes label values",
          "[server][metrics]") {
  std::string text;
  ds::prometheus_writer w(text);
  w.family("x_total", "counter", "Xs.");
  w.sample("x_total", {{"name", "a\"b\\c\nd"}}, std::uint64_t{2});
  w.family("x_total", "counter", "Xs.");
  w.sample("x_total", {{"name", "e"}, {"code", "200"}}, std::uint64_t{3});
  w.gauge("up", "Up.", 1.5);
  CHECK(text ==
        "# HELP x_total Xs.\n# TYPE x_total counter\n"
        "x_total{name=\"a\\\"b\\\\c\\nd\"} 2\n"
        "x_total{name=\"e\",code=\"200\"} 3\n"
        "# HELP up Up.\n# TYPE up gauge\nup 1.5\n");
}

TEST_CASE("/metrics has a records line for every record type and outcome", "[server][metrics]") {
  ds::metrics m;
  test_support::temp_dir dir;
  dial_analytics::output::spooled_output_options o;
  o.dir = dir.path();  // without a writer: one spool there, no lanes
  o.spool.sync = false;
  dial_analytics::output::spooled_output out(o, nullptr);
  dial_analytics::event_status s;
  s.type = dial_analytics::record_type::route;
  s.has_point = true;
  m.count_batch({s}, 1);
  const std::string text = m.render(nullptr, out);
  CHECK(text.find("dial_analytics_records_total{type=\"route\",status=\"written\"} 1") !=
        std::string::npos);
  for (std::size_t t = 0; t < ds::record_type_count; ++t) {
    const auto name = dial_analytics::to_string(static_cast<dial_analytics::record_type>(t));
    INFO(name);
    for (const char* outcome : {"written", "skipped", "error"}) {
      CHECK(text.find("{type=\"" + std::string(name) + "\",status=\"" + outcome + "\"}") !=
            std::string::npos);
    }
  }
}

TEST_CASE("the logger writes the level names of the library", "[server][logger]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  ds::logger log(dial_analytics::log_level::warning, f);
  log(dial_analytics::log_level::info, "hidden");
  log(dial_analytics::log_level::warning, "shown");
  log.callback()(dial_analytics::log_level::error, "via callback");
  std::rewind(f);
  char buf[256] = {};
  std::string text;
  while (std::fgets(buf, sizeof buf, f)) text += buf;
  std::fclose(f);
  CHECK(text.find("hidden") == std::string::npos);
  CHECK(text.find("Z WARNING shown\n") != std::string::npos);
  CHECK(text.find("Z ERROR via callback\n") != std::string::npos);
}
