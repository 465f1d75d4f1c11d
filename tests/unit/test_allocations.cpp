// SPDX-License-Identifier: Apache-2.0
// The hot path allocates nothing once warmed up (docs/architecture.md, "Ownership of buffers"): a
// separate executable, because it replaces the global operator new.
#include <dial_analytics/pipeline.hpp>

#include <catch2/catch.hpp>

#include "support/alloc_counter.hpp"
#include "support/records.hpp"

namespace da = dial_analytics;
using namespace test_support;

TEST_CASE("a warmed-up pipeline allocates nothing for good records of every type",
          "[allocations]") {
  json batch = json::arr();
  for (const json& r : {chat_record(), embeddings_record(), rate_record(), mcp_record(),
                        route_record(), responses_record(), anthropic_record()}) {
    batch.push(json::obj({{"message", r.dump()}}));
  }
  const std::string body = batch.dump();
  for (const bool echo : {false, true}) {
    DYNAMIC_SECTION("echo topic model: " << echo) {
      da::echo_topic_classifier topics;
      da::sequential_id_generator ids;
      da::line_buffer_sink sink;
      da::pipeline_options options;
      options.analysis.ids = &ids;
      if (echo) options.analysis.topic = &topics;
      da::pipeline p(sink, options);
      std::vector<da::event_status> statuses;
      REQUIRE(p.ingest(body, &statuses).stats.points == 7);  // warm-up: buffers grow here
      sink.clear();
      const unsigned long long before = allocations.load();
      const da::ingest_result r = p.ingest(body, &statuses);
      const unsigned long long used = allocations.load() - before;
      REQUIRE(r.stats.points == 7);
      CHECK(used == 0);
    }
  }
}
