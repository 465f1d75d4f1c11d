// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <dial_analytics/analytics/line_protocol.hpp>
#include <dial_analytics/analytics/schema.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace da = dial_analytics;

namespace {

da::point analytics_point(std::string_view trace_id, std::int64_t time = 1732269600000000000) {
  da::point p;
  p.measurement = "analytics";
  p.add_tag("model", "gpt-4o");
  p.add_tag("response_id", "chatcmpl-1");
  p.add_tag("trace_id", p.store(trace_id));  // the caller's text may be a temporary
  p.add_tag("core_span_id", "span-1");
  p.add_tag("core_parent_span_id", "undefined");
  p.add_tag("project_id", "team a");
  p.add_field("prompt_tokens", da::field_value::integer(10));
  p.timestamp_ns = time;
  return p;
}

std::string line_of(const da::point& p) {
  std::string out;
  REQUIRE_FALSE(da::append_line(out, p));
  return out;
}

}  // namespace

TEST_CASE("the compact schema turns exactly the four request ids into string fields", "[schema]") {
  da::point p = analytics_point("trace-1");
  da::make_compact(p);
  CHECK(line_of(p) ==
        "analytics,model=gpt-4o,project_id=team\\ a core_parent_span_id=\"undefined\","
        "core_span_id=\"span-1\",prompt_tokens=10i,response_id=\"chatcmpl-1\","
        "trace_id=\"trace-1\" 1732269600000000000\n");
  // A point without ids is left as it is.
  da::point other;
  other.measurement = "mcp_analytics";
  other.add_tag("deployment", "jira");
  other.add_field("trace_id", da::field_value::string("t"));
  other.timestamp_ns = 1;
  const std::string before = line_of(other);
  da::make_compact(other);
  CHECK(line_of(other) == before);
}

TEST_CASE("the compact schema's seed depends on the ids only, the same on every run", "[schema]") {
  da::point a = analytics_point("trace-1"), b = analytics_point("trace-1"),
            c = analytics_point("trace-2");
  b.tags.insert(b.tags.begin(), {"language", "en"});  // other tags do not count
  const std::uint64_t seed = da::make_compact(a);
  CHECK(da::make_compact(b) == seed);
  CHECK(da::make_compact(c) != seed);
  CHECK(seed == 0x6b1a2ded375593ULL);  // FNV-1a (checked in Python): stable everywhere
}

TEST_CASE("thousands of requests with the same tags and time get distinct times in their series",
          "[schema]") {
  da::unique_timestamps times;
  const std::int64_t t = 1732269600000000000;
  std::set<std::int64_t> seen;
  for (int i = 0; i < 5000; ++i) {
    da::point p = analytics_point("trace-" + std::to_string(i), t);
    times.assign(p, da::make_compact(p));
    CHECK(p.timestamp_ns >= t);
    CHECK(p.timestamp_ns < t + 1000 + 5000);
    seen.insert(p.timestamp_ns);
  }
  CHECK(seen.size() == 5000);
  CHECK(times.moved() > 0);
  // Another series at the same time is not moved by the first one's points.
  da::point q = analytics_point("trace-0", t);
  q.add_tag("language", "de");
  const std::uint64_t seed = da::make_compact(q);
  times.assign(q, seed);
  CHECK(q.timestamp_ns == t + static_cast<std::int64_t>(seed % 1000));
}

TEST_CASE("the same records in the same order get the same times in another process", "[schema]") {
  const auto run = [] {
    da::unique_timestamps times;
    std::vector<std::int64_t> out;
    for (int i = 0; i < 300; ++i) {
      da::point p = analytics_point("trace-" + std::to_string(i % 50));
      times.assign(p, da::make_compact(p));
      out.push_back(p.timestamp_ns);
    }
    return out;
  };
  CHECK(run() == run());
}

TEST_CASE("threads sharing the timestamps never give two points of a series the same time",
          "[schema]") {
  da::unique_timestamps times;
  std::vector<std::vector<std::int64_t>> got(4);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int i = 0; i < 2000; ++i) {
        da::point p = analytics_point("t" + std::to_string(k) + "-" + std::to_string(i));
        times.assign(p, da::make_compact(p));
        got[static_cast<std::size_t>(k)].push_back(p.timestamp_ns);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::int64_t> all;
  for (const auto& v : got) all.insert(v.begin(), v.end());
  CHECK(all.size() == 8000);
}

TEST_CASE("schema names parse and print", "[schema]") {
  CHECK(da::parse_point_schema("compact") == da::point_schema::compact);
  CHECK(da::parse_point_schema("reference") == da::point_schema::reference);
  CHECK_FALSE(da::parse_point_schema("Compact").has_value());
  CHECK(std::string(da::to_string(da::point_schema::compact)) == "compact");
}
