// SPDX-License-Identifier: Apache-2.0
// A host program's recorder delivering to Elasticsearch (the test double): the calls are logged
// without waiting, stored once each under content ids, and survive an outage.
#include <dial_analytics/flywheel/recorder.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "support/fake_es_process.hpp"
#include "support/temp_dir.hpp"

namespace fw = dial_analytics::flywheel;
using dial_analytics::test::fake_es_process;

namespace {

using namespace std::chrono_literals;

std::string request_json(int n) {
  return R"({"model": "llama", "messages": [{"role": "user", "content": "question )" +
         std::to_string(n) + R"( from bob@example.com"}]})";
}

const char* response_json =
    R"({"id": "r", "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}}]})";

// How many documents the double holds in `index`.
std::size_t stored(fake_es_process& es, const std::string& index) {
  const std::string body = es.control("GET", "/_double/docs/" + index);
  std::size_t n = 0;
  for (std::size_t at = body.find("\"_id\""); at != std::string::npos;
       at = body.find("\"_id\"", at + 1)) {
    ++n;
  }
  return n;
}

bool wait_for(fake_es_process& es, const std::string& index, std::size_t n) {
  for (int i = 0; i < 300; ++i) {
    if (es.request("GET", "/_double/docs/" + index).status == 200 && stored(es, index) >= n)
      return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

fw::recorder_options options_for(const test_support::temp_dir& dir, const fake_es_process& es) {
  fw::recorder_options o;
  o.data_dir = dir.path();
  o.sync = false;
  dial_analytics::elasticsearch::es_config cfg;
  cfg.url = es.url();
  cfg.health_wait = 1s;
  o.elasticsearch = cfg;
  o.drain_on_close = 5000ms;
  return o;
}

}  // namespace

TEST_CASE("the recorder delivers redacted records to Elasticsearch, through an outage",
          "[flywheel][recorder][integration]") {
  fake_es_process es;
  test_support::temp_dir dir;
  {
    fw::recorder rec(options_for(dir, es));
    for (int i = 0; i < 20; ++i)
      REQUIRE(rec.log_chat(request_json(i), response_json, "qa", "acme", 1715854074 + i));
    rec.flush();
    REQUIRE(wait_for(es, "flywheel", 20));

    es.control("POST", "/_double/faults", R"({"write_status": 503})");
    for (int i = 20; i < 30; ++i)
      REQUIRE(rec.log_chat(request_json(i), response_json, "qa", "acme", 1715854074 + i));
    rec.flush();  // on disk, not yet in Elasticsearch
    std::this_thread::sleep_for(500ms);
    CHECK(stored(es, "flywheel") == 20);
    es.control("POST", "/_double/faults", R"({"write_status": null})");
    REQUIRE(wait_for(es, "flywheel", 30));
  }
  const std::string docs = es.control("GET", "/_double/docs/flywheel");
  CHECK(docs.find("bob@example.com") == std::string::npos);
  CHECK(docs.find("<EMAIL>") != std::string::npos);
  CHECK(stored(es, "flywheel") == 30);

  // Two calls with the same content in the same second are two records.
  {
    fw::recorder rec(options_for(dir, es));
    REQUIRE(rec.log_chat(request_json(0), response_json, "qa", "acme", 1715854074));
    REQUIRE(rec.log_chat(request_json(0), response_json, "qa", "acme", 1715854074));
    rec.flush();
    REQUIRE(wait_for(es, "flywheel", 32));
  }
  CHECK(stored(es, "flywheel") == 32);
}
