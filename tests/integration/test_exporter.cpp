// SPDX-License-Identifier: Apache-2.0
// The record exporter against the Elasticsearch test double (a real HTTP server with scroll,
// keyword matching, sorting and the result window) and against local Flywheel JSONL files.
// The Elasticsearch cases port the blueprint's tests/unit/test_record_exporter.py, whose names
// are given in a comment above each case; there the client was mocked, here every request goes
// over the wire, so the page size, the scroll calls and the final clear are read back from the
// double's request counters, its log and its `index.max_result_window` check.
#include <dial_analytics/elasticsearch/es_config.hpp>
#include <dial_analytics/flywheel/dataset.hpp>
#include <dial_analytics/flywheel/exporter.hpp>

#include <simdjson.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/fake_es_process.hpp"
#include "support/json.hpp"
#include "support/temp_dir.hpp"

namespace fw = dial_analytics::flywheel;
namespace es_ns = dial_analytics::elasticsearch;
using dial_analytics::test::fake_es_process;
using test_support::json;

namespace {

using namespace std::chrono_literals;

// The blueprint's mapping (ES_INDEX_SETTINGS), optionally with a smaller result window, which
// the double enforces on plain searches and on the scroll page size alike.
std::string blueprint_index_body(std::optional<int> max_result_window = std::nullopt) {
  std::string settings = R"({"mapping": {"total_fields": {"limit": 1000}}, "index": {"mapping": )"
                         R"({"ignore_malformed": true})";
  if (max_result_window)
    settings += ", \"max_result_window\": " + std::to_string(*max_result_window);
  settings += "}}";
  return R"({"settings": )" + settings +
         R"(, "mappings": {"dynamic": "strict", "properties": {)"
         R"("workload_id": {"type": "keyword"}, "client_id": {"type": "keyword"}, )"
         R"("timestamp": {"type": "date"}, )"
         R"("request": {"type": "object", "dynamic": false, "properties": {}}, )"
         R"("response": {"type": "object", "dynamic": false, "properties": {}}}}})";
}

void create_index(fake_es_process& es, const std::string& index, const std::string& body) {
  const auto r = es.request("PUT", "/" + index, body);
  INFO(r.body);
  REQUIRE(r.status == 200);
}

// Indexes the documents with one _bulk request (refresh=true) and requires every item to pass.
void bulk(fake_es_process& es, const std::string& index, const std::vector<std::string>& docs) {
  std::string body;
  for (const std::string& d : docs) {
    body += R"({"index": {"_index": ")" + index + "\"}}\n";
    body += d;
    body += '\n';
  }
  const auto r = es.request("POST", "/_bulk?refresh=true", body);
  INFO(r.body.substr(0, 2000));
  REQUIRE(r.status == 200);
  REQUIRE(r.body.find("\"errors\":false") != std::string::npos);
}

// A blueprint-dialect record: exactly the five top-level keys.
json record(const std::string& client, const std::string& workload, json timestamp,
            const std::string& question = "What is 2+2?") {
  return json::obj(
      {{"request",
        json::obj(
            {{"model", "meta/llama-3.1-8b-instruct"},
             {"messages", json::arr({json::obj({{"role", "user"}, {"content", question}})})}})},
       {"response",
        json::obj({{"choices",
                    json::arr({json::obj(
                        {{"message", json::obj({{"role", "assistant"}, {"content", "4"}})}})})}})},
       {"timestamp", std::move(timestamp)},
       {"workload_id", workload},
       {"client_id", client}});
}

// The smallest record that matches (for the large exports).
std::string tiny(std::int64_t timestamp, const std::string& client = "c",
                 const std::string& workload = "w") {
  return R"({"request": {}, "response": {}, "timestamp": )" + std::to_string(timestamp) +
         R"(, "workload_id": ")" + workload + R"(", "client_id": ")" + client + "\"}";
}

es_ns::es_config config_for(const fake_es_process& es, const std::string& index = "flywheel") {
  es_ns::es_config cfg;
  cfg.url = es.url();
  cfg.index = index;
  cfg.timeout = 60s;
  return cfg;
}

struct exported {
  std::size_t count = 0;
  std::vector<std::string> records;
};

exported export_es(const es_ns::es_config& cfg, const std::string& client,
                   const std::string& workload, std::int64_t limit) {
  exported out;
  out.count =
      fw::export_from_elasticsearch(cfg, fw::export_query{client, workload, limit},
                                    [&](std::string_view r) { out.records.emplace_back(r); });
  return out;
}

// GET /_double/state, parsed.
struct double_state {
  simdjson::dom::parser parser;
  simdjson::padded_string text;
  simdjson::dom::element root;

  explicit double_state(fake_es_process& es)
      : text(es.control("GET", "/_double/state")), root(parser.parse(text)) {}

  /// How many requests of a kind (search, scroll, clear_scroll, ...) the double counted.
  std::int64_t requests(const char* kind) {
    std::int64_t n = 0;
    if (root["requests"][kind].get(n) != simdjson::SUCCESS) return 0;
    return n;
  }
  /// Open scroll contexts.
  std::int64_t scrolls() { return root["scrolls"].get_int64().value(); }
};

// How many lines of the double's log start with `prefix` (`METHOD PATH STATUS` lines).
std::size_t log_lines(const fake_es_process& es, std::string_view prefix) {
  const std::string log = es.log();
  std::size_t n = 0, at = 0;
  while (at < log.size()) {
    const std::size_t end = log.find('\n', at);
    const std::string_view line(log.data() + at,
                                (end == std::string::npos ? log.size() : end) - at);
    if (line.starts_with(prefix)) ++n;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return n;
}

// The integer after `"timestamp": ` in a json.dumps text (-1 when there is none).
std::int64_t timestamp_in(const std::string& text) {
  const std::size_t at = text.find("\"timestamp\": ");
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + 13));
}

// Checks the scroll protocol of one export: one search with ?scroll=2m, `scrolls` scroll calls,
// and the context cleared once at the end.
void check_scrolled(fake_es_process& es, std::int64_t scrolls) {
  double_state state(es);
  CHECK(state.requests("search") == 1);
  CHECK(state.requests("scroll") == scrolls);
  CHECK(state.requests("clear_scroll") == 1);
  CHECK(state.scrolls() == 0);  // nothing left open
  CHECK(log_lines(es, "POST /flywheel/_search?scroll=2m 200") == 1);
  CHECK(log_lines(es, "POST /_search/scroll 200") == static_cast<std::size_t>(scrolls));
  CHECK(log_lines(es, "DELETE /_search/scroll 200") == 1);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Elasticsearch

// upstream: test_get_records_success
TEST_CASE("two matching documents come back as two records, newest first, fields intact",
          "[flywheel][export]") {
  fake_es_process es;
  create_index(es, "flywheel", blueprint_index_body());
  const std::string older = record("test_client", "test_workload", "2023-01-01T00:00:00Z").dump();
  const std::string newer = record("test_client", "test_workload", "2023-01-02T00:00:00Z").dump();
  bulk(es, "flywheel", {older, newer});

  const exported out = export_es(config_for(es), "test_client", "test_workload", 10);
  REQUIRE(out.count == 2);
  REQUIRE(out.records.size() == 2);
  CHECK(out.records[0] == newer);
  CHECK(out.records[1] == older);
  CHECK(out.records[0].find(R"("client_id": "test_client")") != std::string::npos);
  CHECK(out.records[1].find(R"("workload_id": "test_workload")") != std::string::npos);
  // One search with a scroll (no second page: the first was short), cleared at the end.
  check_scrolled(es, 0);
}

// upstream: test_get_records_no_results, test_get_records_no_results_logging
TEST_CASE("no matching document gives zero records and no error", "[flywheel][export]") {
  fake_es_process es;
  create_index(es, "flywheel", blueprint_index_body());
  bulk(es, "flywheel", {record("other_client", "test_workload", 1700000000).dump()});

  const exported out = export_es(config_for(es), "test_client", "test_workload", 5);
  CHECK(out.count == 0);
  CHECK(out.records.empty());
  CHECK(double_state(es).scrolls() == 0);

  // An index that exists but holds nothing at all: the same.
  create_index(es, "empty", blueprint_index_body());
  const exported none = export_es(config_for(es, "empty"), "test_client", "test_workload", 5);
  CHECK(none.count == 0);
  CHECK(none.records.empty());
}

// upstream: test_get_records_json_serialization_edge_cases
TEST_CASE("records with the same content in another key order are both kept as written",
          "[flywheel][export]") {
  fake_es_process es;
  create_index(es, "flywheel", blueprint_index_body());
  const std::string a =
      R"({"request": {"messages": [{"role": "user", "content": "Hi"}], "model": "m"}, )"
      R"("response": {"choices": [{"message": {"role": "assistant", "content": "Hello"}}]}, )"
      R"("timestamp": 1700000002, "workload_id": "test_workload", "client_id": "test_client"})";
  const std::string b =
      R"({"client_id": "test_client", "workload_id": "test_workload", "timestamp": 1700000001, )"
      R"("response": {"choices": [{"message": {"content": "Hello", "role": "assistant"}}]}, )"
      R"("request": {"model": "m", "messages": [{"content": "Hi", "role": "user"}]}})";
  bulk(es, "flywheel", {a, b});

  const exported out = export_es(config_for(es), "test_client", "test_workload", 10);
  REQUIRE(out.count == 2);
  CHECK(out.records == std::vector<std::string>{a, b});  // no dedup, keys not sorted
}

// upstream: test_deduplication_preserves_first_occurrence, test_get_records_logging
TEST_CASE("duplicate records are all exported, in timestamp order", "[flywheel][export]") {
  fake_es_process es;
  create_index(es, "flywheel", blueprint_index_body());
  json first = record("test_client", "test_workload", 1700000003);
  first["request"]["metadata"] = "first_occurrence";
  json second = record("test_client", "test_workload", 1700000002);
  second["request"]["metadata"] = "second_occurrence";
  const std::string same = record("test_client", "test_workload", 1700000001).dump();
  // Written oldest first, so that the order out is the sort's, not the insertion order.
  bulk(es, "flywheel", {same, same, second.dump(), first.dump()});

  const exported out = export_es(config_for(es), "test_client", "test_workload", 5);
  REQUIRE(out.count == 4);
  REQUIRE(out.records.size() == 4);
  CHECK(out.records[0] == first.dump());
  CHECK(out.records[0].find(R"("metadata": "first_occurrence")") != std::string::npos);
  CHECK(out.records[1] == second.dump());
  CHECK(out.records[2] == same);
  CHECK(out.records[3] == same);
}

// upstream: test_get_records_scroll_api_max_records_limit
TEST_CASE("at most twice the limit comes back, the newest ones", "[flywheel][export]") {
  SECTION("15 + 15 matching documents with limit 10: the 20 newest, from one page") {
    fake_es_process es;
    create_index(es, "flywheel", blueprint_index_body());
    std::vector<std::string> docs;
    for (int i = 0; i < 30; ++i)
      docs.push_back(tiny(1700000000 + i, "test_client", "test_workload"));
    bulk(es, "flywheel", docs);

    const exported out = export_es(config_for(es), "test_client", "test_workload", 10);
    REQUIRE(out.count == 20);
    REQUIRE(out.records.size() == 20);
    for (int i = 0; i < 20; ++i) CHECK(timestamp_in(out.records[i]) == 1700000029 - i);
    check_scrolled(es, 0);  // the first page held all 20
  }
  SECTION("a scroll page is cut where the limit is reached (limit 600, 1500 documents)") {
    fake_es_process es;
    create_index(es, "flywheel", blueprint_index_body());
    std::vector<std::string> docs;
    for (int i = 0; i < 1500; ++i) docs.push_back(tiny(i));
    bulk(es, "flywheel", docs);

    const exported out = export_es(config_for(es), "c", "w", 600);
    REQUIRE(out.count == 1200);
    REQUIRE(out.records.size() == 1200);
    CHECK(timestamp_in(out.records.front()) == 1499);
    CHECK(timestamp_in(out.records.back()) == 300);
    check_scrolled(es, 1);  // 1000 from the search, 200 of the scroll's 500
  }
}

// upstream: test_get_records_limit_calculation
TEST_CASE("the page size is min(1000, 2 x limit)", "[flywheel][export]") {
  // The double refuses a scroll page larger than the index's max_result_window and names the
  // size asked for, so a window one below the expected page size reveals the page size, and a
  // window of exactly that size lets the export through.
  const auto [limit, page] = GENERATE(table<std::int64_t, int>(
      {{1, 2}, {5, 10}, {10, 20}, {50, 100}, {100, 200}, {500, 1000}, {600, 1000}, {12000, 1000}}));
  CAPTURE(limit, page);
  fake_es_process es;
  create_index(es, "small", blueprint_index_body(page - 1));
  create_index(es, "exact", blueprint_index_body(page));
  bulk(es, "small", {tiny(1)});
  bulk(es, "exact", {tiny(1)});

  try {
    export_es(config_for(es, "small"), "c", "w", limit);
    FAIL("the page size was below " << page);
  } catch (const fw::dataset_error& e) {
    const std::string what = e.what();
    CAPTURE(what);
    CHECK(what.find("but was [" + std::to_string(page) + "]") != std::string::npos);
  }
  const exported out = export_es(config_for(es, "exact"), "c", "w", limit);
  CHECK(out.count == 1);
}

// upstream: test_get_records_scroll_api_large_dataset
TEST_CASE("a large export scrolls in pages of 1000 and clears the scroll once",
          "[flywheel][export]") {
  fake_es_process es;
  create_index(es, "flywheel", blueprint_index_body());
  std::vector<std::string> docs;
  for (int i = 0; i < 1500; ++i) docs.push_back(tiny(i));
  bulk(es, "flywheel", docs);

  const exported out = export_es(config_for(es), "c", "w", 12000);
  REQUIRE(out.count == 1500);
  REQUIRE(out.records.size() == 1500);
  for (int i = 0; i < 1500; ++i) REQUIRE(timestamp_in(out.records[i]) == 1499 - i);
  // Search 1000, scroll 500; the short page ends it (the blueprint asks once more and gets an
  // empty page), then the scroll is cleared once.
  check_scrolled(es, 1);
}

TEST_CASE("an export whose last page is full asks once more and stops at the empty page",
          "[flywheel][export]") {
  fake_es_process es;
  create_index(es, "flywheel", blueprint_index_body());
  std::vector<std::string> docs;
  for (int i = 0; i < 2000; ++i) docs.push_back(tiny(i));
  bulk(es, "flywheel", docs);

  const exported out = export_es(config_for(es), "c", "w", 5000);
  CHECK(out.count == 2000);
  check_scrolled(es, 2);  // 1000 + 1000, then an empty page
}

// The blueprint's "20k+" comment: a plain search cannot go past index.max_result_window (10000).
TEST_CASE("an export goes past the 10,000-hit result window", "[flywheel][export]") {
  SECTION("10,500 matching documents with limit 6000: all of them") {
    fake_es_process es;
    create_index(es, "flywheel", blueprint_index_body());
    std::vector<std::string> docs;
    docs.reserve(10500);
    for (int i = 0; i < 10500; ++i) docs.push_back(tiny(i));
    bulk(es, "flywheel", docs);
    const exported out = export_es(config_for(es), "c", "w", 6000);
    REQUIRE(out.count == 10500);
    REQUIRE(out.records.size() == 10500);
    for (int i = 0; i < 10500; ++i) REQUIRE(timestamp_in(out.records[i]) == 10499 - i);
    check_scrolled(es, 10);  // pages 2 to 11; the 11th (500) is short
    // The window is real: a plain search for 10,001 hits is refused.
    const auto refused =
        es.request("POST", "/flywheel/_search", R"({"query": {"match_all": {}}, "size": 10001})");
    CHECK(refused.status == 400);
    CHECK(refused.body.find("Result window is too large") != std::string::npos);
  }
  SECTION("a window of 100 (index.max_result_window) with 250 documents and limit 50") {
    fake_es_process es;
    create_index(es, "flywheel", blueprint_index_body(100));
    std::vector<std::string> docs;
    for (int i = 0; i < 250; ++i) docs.push_back(tiny(i));
    bulk(es, "flywheel", docs);
    const auto refused =
        es.request("POST", "/flywheel/_search", R"({"query": {"match_all": {}}, "size": 101})");
    CHECK(refused.status == 400);

    // 2 x 50 = 100 records: one page of 100, exactly the window.
    CHECK(export_es(config_for(es), "c", "w", 50).count == 100);
  }
}

// upstream: test_get_records_with_custom_es_collection_name
TEST_CASE("the export reads the index flywheel unless another one is configured",
          "[flywheel][export]") {
  fake_es_process es;
  create_index(es, "flywheel", blueprint_index_body());
  create_index(es, "custom-records", blueprint_index_body());
  bulk(es, "flywheel", {tiny(1)});
  bulk(es, "custom-records", {tiny(2), tiny(3)});

  es_ns::es_config cfg;
  cfg.url = es.url();
  CHECK(export_es(cfg, "c", "w", 10).count == 1);
  CHECK(log_lines(es, "POST /flywheel/_search?scroll=2m 200") == 1);
  cfg.index = "custom-records";
  CHECK(export_es(cfg, "c", "w", 10).count == 2);
  CHECK(log_lines(es, "POST /custom-records/_search?scroll=2m 200") == 1);
}

TEST_CASE("only records of exactly that client and that workload are exported",
          "[flywheel][export]") {
  fake_es_process es;
  create_index(es, "flywheel", blueprint_index_body());
  bulk(es, "flywheel",
       {tiny(1, "acme", "qa"), tiny(2, "acme", "qa-2"), tiny(3, "acme-corp", "qa"),
        tiny(4, "ACME", "qa"), tiny(5, "acme", "QA"), tiny(6, "other", "qa"),
        tiny(7, "acme", "summaries"), tiny(8, "acme", "qa"), tiny(9, "acme corp", "qa")});

  const exported out = export_es(config_for(es), "acme", "qa", 10);
  REQUIRE(out.count == 2);
  CHECK(timestamp_in(out.records[0]) == 8);
  CHECK(timestamp_in(out.records[1]) == 1);
  CHECK(export_es(config_for(es), "acme corp", "qa", 10).count == 1);
  CHECK(export_es(config_for(es), "acme", "summaries", 10).count == 1);
  CHECK(export_es(config_for(es), "acm", "qa", 10).count == 0);
}

// upstream: test_full_workflow_with_realistic_data, plus the NeMo Agent Toolkit's dialect
TEST_CASE("both record dialects are exported with every field, nulls included",
          "[flywheel][export]") {
  const std::string blueprint_doc =
      R"({"request": {"model": "meta/llama-3.1-70b-instruct", "messages": [{"role": "system", )"
      R"("content": "You are a helpful assistant."}, {"role": "user", "content": "What is )"
      R"(the weather?"}], "temperature": 0.7, "max_tokens": 150}, "response": {"id": )"
      R"("chatcmpl-1", "object": "chat.completion", "created": 1700000100, "model": )"
      R"("meta/llama-3.1-70b-instruct", "choices": [{"index": 0, "message": {"role": )"
      R"("assistant", "content": "I cannot check the weather."}, "finish_reason": "stop"}], )"
      R"("usage": {"prompt_tokens": 20, "completion_tokens": 7, "total_tokens": 27}}, )"
      R"("timestamp": 1700000100, "workload_id": "weather", "client_id": "dev"})";
  const std::string nat_doc =
      R"({"contract_version": "1.0", "request": {"messages": [{"content": "Weather in )"
      R"(Paris?", "role": "user"}], "model": "llama", "tools": null, "temperature": null, )"
      R"("max_tokens": null}, "response": {"choices": [{"message": {"content": null, "role": )"
      R"("assistant", "tool_calls": [{"type": "function", "function": {"name": "weather", )"
      R"("arguments": {"city": "Paris"}}}]}, "finish_reason": "tool_calls", "index": 0}], "id": )"
      R"("response-llm-1700000200", "object": "chat.completion", "created": 1700000200, )"
      R"("model": null, "usage": {"token_usage": {"prompt_tokens": 5, "completion_tokens": 3, )"
      R"("cached_tokens": 0, "reasoning_tokens": 0, "total_tokens": 8}, "num_llm_calls": 1, )"
      R"("seconds_between_calls": 0}}, "error_details": null, "timestamp": 1700000200, )"
      R"("workload_id": "weather", "client_id": "dev"})";

  SECTION("an index created with the NAT-compatible strict mapping") {
    fake_es_process es;
    create_index(es, "flywheel", es_ns::index_body(es_ns::index_mapping::nat_compat));
    bulk(es, "flywheel", {blueprint_doc, nat_doc});
    const exported out = export_es(config_for(es), "dev", "weather", 100);
    REQUIRE(out.count == 2);
    CHECK(out.records == std::vector<std::string>{nat_doc, blueprint_doc});
    CHECK(out.records[0].find(R"("error_details": null)") != std::string::npos);
    CHECK(out.records[1].find(R"("messages": [{"role": "system")") != std::string::npos);
    CHECK(out.records[1].find(R"("message": {"role": "assistant")") != std::string::npos);
  }
  SECTION("an index NAT created by writing first (dynamic mapping)") {
    fake_es_process es;
    bulk(es, "flywheel", {blueprint_doc, nat_doc});
    const exported out = export_es(config_for(es), "dev", "weather", 100);
    REQUIRE(out.count == 2);
    CHECK(out.records == std::vector<std::string>{nat_doc, blueprint_doc});
  }
}

TEST_CASE("exported records are written as Python's json.dumps writes them", "[flywheel][export]") {
  fake_es_process es;
  create_index(es, "flywheel", blueprint_index_body());
  // Compact, with raw UTF-8, floats of every form and nested nulls.
  bulk(es, "flywheel",
       {"{\"request\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
        "\"caf\xC3\xA9 \xE2\x98\x95 \xF0\x9F\x98\x80 \\\"q\\\" \\\\ \\t\\u0001/\"}],"
        "\"temperature\":1.0,\"top_p\":0.1,\"seed\":-3,\"tiny\":1e-07,\"big\":1E+20,"
        "\"stop\":[],\"x\":{},\"n\":null,\"b\":true},"
        "\"response\":{\"choices\":[]},\"timestamp\":1700000000,\"workload_id\":\"w\","
        "\"client_id\":\"c\"}"});

  const exported out = export_es(config_for(es), "c", "w", 1);
  REQUIRE(out.records.size() == 1);
  CHECK(out.records[0] ==
        R"({"request": {"model": "m", "messages": [{"role": "user", "content": )"
        R"("caf\u00e9 \u2615 \ud83d\ude00 \"q\" \\ \t\u0001/"}], "temperature": 1.0, )"
        R"("top_p": 0.1, "seed": -3, "tiny": 1e-07, "big": 1e+20, "stop": [], "x": {}, )"
        R"("n": null, "b": true}, "response": {"choices": []}, "timestamp": 1700000000, )"
        R"("workload_id": "w", "client_id": "c"})");
}

// upstream: test_get_records_elasticsearch_exception
TEST_CASE("a failing search is a dataset_error with Elasticsearch's reason", "[flywheel][export]") {
  SECTION("a missing index is named") {
    fake_es_process es;
    try {
      export_es(config_for(es, "no-such-flywheel"), "c", "w", 10);
      FAIL("no error");
    } catch (const fw::dataset_error& e) {
      const std::string what = e.what();
      CAPTURE(what);
      CHECK(what.find("no-such-flywheel") != std::string::npos);
      CHECK(what.find("index_not_found_exception") != std::string::npos);
      CHECK(what.find("404") != std::string::npos);
    }
    CHECK(double_state(es).requests("clear_scroll") == 0);  // no scroll was opened
  }
  SECTION("a server that is down") {
    std::string url;
    { url = fake_es_process().url(); }  // started and stopped: nothing listens there now
    es_ns::es_config cfg;
    cfg.url = url;
    cfg.connect_timeout = 2000ms;
    try {
      export_es(cfg, "c", "w", 10);
      FAIL("no error");
    } catch (const fw::dataset_error& e) {
      const std::string what = e.what();
      CAPTURE(what);
      CHECK(what.find("Elasticsearch search failed") != std::string::npos);
      CHECK(what.size() > std::string_view("Elasticsearch search failed: ").size());
    }
  }
}

TEST_CASE("credentials are sent with the export's requests", "[flywheel][export]") {
  fake_es_process es({"--basic", "elastic:secret"});
  auto cfg = config_for(es);
  cfg.username = "elastic";
  cfg.password = dial_analytics::output::secret_string("secret");
  // The test client cannot write with credentials, so the index is missing: a 404 (not a 401)
  // shows that the credentials passed.
  SECTION("right credentials: the search reaches the index") {
    try {
      export_es(cfg, "c", "w", 10);
      FAIL("no error");
    } catch (const fw::dataset_error& e) {
      CHECK(std::string(e.what()).find("index_not_found_exception") != std::string::npos);
    }
  }
  SECTION("wrong credentials: a 401 with the security reason") {
    cfg.password = dial_analytics::output::secret_string("wrong");
    try {
      export_es(cfg, "c", "w", 10);
      FAIL("no error");
    } catch (const fw::dataset_error& e) {
      const std::string what = e.what();
      CAPTURE(what);
      CHECK(what.find("401") != std::string::npos);
      CHECK(what.find("security_exception") != std::string::npos);
    }
  }
}

TEST_CASE("a scroll that fails midway is an error, and the scroll is still cleared",
          "[flywheel][export]") {
  fake_es_process es;
  create_index(es, "flywheel", blueprint_index_body());
  std::vector<std::string> docs;
  for (int i = 0; i < 1500; ++i) docs.push_back(tiny(i));
  bulk(es, "flywheel", docs);

  // Runs an export with limit 1000 (pages of 1000) that does `midway` while the first page is
  // delivered, and returns the error.
  std::size_t delivered = 0;
  const auto export_failing = [&](const char* midway_path, const char* midway_body) {
    try {
      fw::export_from_elasticsearch(config_for(es), fw::export_query{"c", "w", 1000},
                                    [&](std::string_view) {
                                      if (++delivered == 1)
                                        es.control("POST", midway_path, midway_body);
                                    });
    } catch (const fw::dataset_error& e) {
      return std::string(e.what());
    }
    FAIL("no error");
    return std::string();
  };

  SECTION("the scroll context is lost (404 search_context_missing_exception)") {
    const std::string what = export_failing("/_double/reset", "");
    CAPTURE(what);
    CHECK(what.find("Elasticsearch scroll failed with HTTP 404") != std::string::npos);
    CHECK(what.find("No search context found") != std::string::npos);
    CHECK(delivered == 1000);
    // The clear is still tried (and refused: the context is gone), and the error kept.
    CHECK(log_lines(es, "POST /_search/scroll 404") == 1);
    CHECK(log_lines(es, "DELETE /_search/scroll 404") == 1);
  }
  SECTION("the connection drops (twice: a reused connection is retried once)") {
    const std::string what = export_failing("/_double/faults", R"({"drop_connections": 2})");
    CAPTURE(what);
    CHECK(what.find("Elasticsearch scroll failed") != std::string::npos);
    CHECK(delivered == 1000);
    double_state state(es);
    CHECK(state.requests("dropped") == 2);
    CHECK(state.requests("clear_scroll") == 1);
    CHECK(state.scrolls() == 0);  // cleared after the error
  }
}

TEST_CASE("an export needs both ids and a positive limit", "[flywheel][export]") {
  const auto [client, workload, limit] = GENERATE(table<std::string, std::string, std::int64_t>(
      {{"", "w", 10}, {"c", "", 10}, {"c", "w", 0}, {"c", "w", -1}}));
  es_ns::es_config cfg;
  cfg.url = "http://127.0.0.1:1";  // never reached
  CHECK_THROWS_AS(export_es(cfg, client, workload, limit), fw::dataset_error);
  test_support::temp_dir dir;
  CHECK_THROWS_AS(fw::export_from_files(dir.path(), fw::export_query{client, workload, limit},
                                        [](std::string_view) {}),
                  fw::dataset_error);
}

// ---------------------------------------------------------------------------------------------
// Local files (the Flywheel output's spool, or `flywheel load --data-dir`)

namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

struct file_export {
  std::size_t count = 0;
  std::size_t skipped = 0;
  std::vector<std::string> records;
};

file_export export_files(const std::filesystem::path& dir, const std::string& client,
                         const std::string& workload, std::int64_t limit) {
  file_export out;
  out.skipped = 12345;
  out.count = fw::export_from_files(
      dir, fw::export_query{client, workload, limit},
      [&](std::string_view r) { out.records.emplace_back(r); }, &out.skipped);
  return out;
}

}  // namespace

TEST_CASE("an export from files reads bare and spooled lines of every segment, newest first",
          "[flywheel][export][files]") {
  test_support::temp_dir dir;
  const auto seg = dir.path() / "flywheel";
  const std::string a = record("acme", "qa", 1732269000, "a").dump();
  const std::string b = record("acme", "qa", 1732270000, "b").dump();
  const std::string c = record("acme", "qa", "2024-11-22T10:30:00Z", "c").dump();  // 1732271400
  const std::string d =
      record("acme", "qa", "2024-11-22T09:00:00+02:00", "d").dump();  // 1732258800
  const std::string e = record("acme", "qa", 1732272000.5, "e").dump();
  const std::string other = record("acme", "qa-2", 1800000000, "other").dump();
  // Bare documents in the first segment, `<id>` TAB `<document>` lines in the second.
  write_file(seg / "flywheel-000001.jsonl", a + "\n" + other + "\n" + d + "\n");
  write_file(seg / "flywheel-000002.jsonl", "id-b\t" + b + "\nid-c\t" + c + "\n" + e + "\n");
  // Files of other names are not segments.
  write_file(seg / "other-000001.jsonl", record("acme", "qa", 1900000000, "x").dump() + "\n");
  write_file(seg / "flywheel-000003.json", record("acme", "qa", 1900000000, "y").dump() + "\n");

  const file_export out = export_files(dir.path(), "acme", "qa", 10);
  CHECK(out.count == 5);
  CHECK(out.skipped == 0);
  CHECK(out.records == std::vector<std::string>{e, c, b, a, d});
}

TEST_CASE("an export from files reads DIR/flywheel-*.jsonl as flywheel load writes it",
          "[flywheel][export][files]") {
  test_support::temp_dir dir;
  // Compact input: the output is json.dumps's form, non-ASCII escaped.
  write_file(dir.path() / "flywheel-20250101.jsonl",
             "{\"request\":{\"messages\":[{\"role\":\"user\",\"content\":\"na\xC3\xAFve\"}]},"
             "\"response\":{\"choices\":[]},\"timestamp\":5,\"workload_id\":\"w\","
             "\"client_id\":\"c\"}\n");
  const file_export out = export_files(dir.path(), "c", "w", 1);
  REQUIRE(out.records.size() == 1);
  CHECK(out.records[0] ==
        R"({"request": {"messages": [{"role": "user", "content": "na\u00efve"}]}, )"
        R"("response": {"choices": []}, "timestamp": 5, "workload_id": "w", "client_id": "c"})");
}

TEST_CASE("among records of the same second, the later written comes first",
          "[flywheel][export][files]") {
  test_support::temp_dir dir;
  const auto seg = dir.path() / "flywheel";
  const std::string first = record("c", "w", 1732269600, "first").dump();
  const std::string second = record("c", "w", "2024-11-22T10:00:00Z", "second").dump();
  const std::string third = record("c", "w", "2024-11-22T12:00:00+02:00", "third").dump();
  const std::string fourth = record("c", "w", 1732269600, "fourth").dump();
  write_file(seg / "flywheel-000001.jsonl", first + "\n" + second + "\n");
  write_file(seg / "flywheel-000002.jsonl", third + "\n" + fourth + "\n");
  const file_export out = export_files(dir.path(), "c", "w", 10);
  CHECK(out.records == std::vector<std::string>{fourth, third, second, first});

  // A record without a timestamp (or with one that cannot be read) sorts last.
  write_file(seg / "flywheel-000003.jsonl",
             R"({"request": {}, "response": {}, "workload_id": "w", "client_id": "c"})"
             "\n" +
                 record("c", "w", "yesterday", "bad").dump() + "\n");
  const file_export more = export_files(dir.path(), "c", "w", 10);
  REQUIRE(more.records.size() == 6);
  CHECK(more.records[0] == fourth);
  CHECK(more.records[3] == first);
  CHECK(more.records[4].find("yesterday") != std::string::npos);  // written after the other
  CHECK(more.records[5].find("\"timestamp\"") == std::string::npos);
}

TEST_CASE("lines that are not JSON objects are skipped and counted", "[flywheel][export][files]") {
  test_support::temp_dir dir;
  const std::string good = record("c", "w", 10).dump();
  write_file(dir.path() / "flywheel" / "flywheel-000001.jsonl",
             "not json\n" + good + "\n\n   \n[1, 2]\n\"text\"\nid-1\t{broken\n" +
                 "{\"request\": {}, \"timestamp\": 1, \"client_id\": \"c\"\n" + "id-2\t" + good +
                 "\r\n");
  const file_export out = export_files(dir.path(), "c", "w", 10);
  CHECK(out.count == 2);
  CHECK(out.records == std::vector<std::string>{good, good});
  CHECK(out.skipped == 5);  // blank lines are not counted
}

TEST_CASE("an export from files keeps at most twice the limit, the newest",
          "[flywheel][export][files]") {
  test_support::temp_dir dir;
  std::string one, two;
  for (int i = 0; i < 30; ++i) (i % 2 ? one : two) += tiny(1700000000 + i) + "\n";
  for (int i = 0; i < 5; ++i) one += tiny(1800000000 + i, "c", "other") + "\n";
  write_file(dir.path() / "flywheel" / "flywheel-000001.jsonl", one);
  write_file(dir.path() / "flywheel" / "flywheel-000002.jsonl", two);

  const file_export out = export_files(dir.path(), "c", "w", 10);
  REQUIRE(out.count == 20);
  REQUIRE(out.records.size() == 20);
  for (int i = 0; i < 20; ++i) CHECK(timestamp_in(out.records[i]) == 1700000029 - i);
  CHECK(export_files(dir.path(), "c", "w", 1).records ==
        std::vector<std::string>{tiny(1700000029), tiny(1700000028)});
  CHECK(export_files(dir.path(), "c", "nobody", 10).count == 0);
}

TEST_CASE("an export from a directory without Flywheel files is a clear error",
          "[flywheel][export][files]") {
  test_support::temp_dir dir;
  const auto check_error = [](const std::filesystem::path& where) {
    try {
      export_files(where, "c", "w", 10);
      FAIL("no error for " << where);
    } catch (const fw::dataset_error& e) {
      const std::string what = e.what();
      CAPTURE(what);
      CHECK(what.find("flywheel-*.jsonl") != std::string::npos);
      CHECK(what.find(where.string()) != std::string::npos);
    }
  };
  SECTION("empty") { check_error(dir.path()); }
  SECTION("missing") { check_error(dir.path() / "nowhere"); }
  SECTION("an empty flywheel subdirectory and other files only") {
    std::filesystem::create_directories(dir.path() / "flywheel");
    write_file(dir.path() / "records.jsonl", tiny(1) + "\n");
    check_error(dir.path());
  }
}
