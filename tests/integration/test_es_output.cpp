// SPDX-License-Identifier: Apache-2.0
// The Elasticsearch output end to end: the bulk writer and a real spooled_output against the
// Elasticsearch test double (tests/support/fake_es), with its faults: item and request failures,
// a red cluster, credentials, and an index created by someone else.
#include <dial_analytics/analytics/response_ids.hpp>
#include <dial_analytics/elasticsearch/es_writer.hpp>
#include <dial_analytics/output/spooled_output.hpp>

#include <simdjson.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/fake_es_process.hpp"
#include "support/temp_dir.hpp"

namespace da = dial_analytics;
namespace es = dial_analytics::elasticsearch;
namespace out = dial_analytics::output;
using da::test::fake_es_process;
using out::write_outcome;
using test_support::temp_dir;

namespace {

using namespace std::chrono_literals;

es::es_config config_for(const fake_es_process& fake) {
  es::es_config cfg;
  cfg.url = fake.url();
  cfg.health_wait = 1s;
  cfg.timeout = 10s;
  return cfg;
}

// A Data Flywheel document with the blueprint's five keys.
std::string document(int n) {
  return R"({"timestamp":1715854074,"workload_id":"w","client_id":"c","request":{"model":"m","messages":[{"role":"user","content":"q)" +
         std::to_string(n) +
         R"("}]},"response":{"id":"r","choices":[{"message":{"role":"assistant","content":"a"}}]}})";
}

std::string line(const std::string& id, int n) { return id + "\t" + document(n) + "\n"; }

// The JSON of `e` with object keys sorted, to compare values whatever their layout.
std::string canonical(simdjson::dom::element e) {
  if (e.type() == simdjson::dom::element_type::OBJECT) {
    std::vector<std::pair<std::string, std::string>> members;
    for (auto field : simdjson::dom::object(e))
      members.emplace_back(std::string(field.key), canonical(field.value));
    std::sort(members.begin(), members.end());
    std::string s = "{";
    for (const auto& [k, v] : members) s += (s.size() > 1 ? "," : "") + ("\"" + k + "\":") + v;
    return s + "}";
  }
  return simdjson::minify(e);
}

// What the double holds: documents of one index (id → source), and its state.
struct double_view {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  double_view(fake_es_process& fake, const std::string& path)
      : root(parser.parse(fake.control("GET", path)).value()) {}
};

std::vector<std::pair<std::string, std::string>> stored(fake_es_process& fake,
                                                        const std::string& index = "flywheel") {
  if (fake.request("GET", "/_double/docs/" + index).status != 200) return {};
  double_view v(fake, "/_double/docs/" + index);
  std::vector<std::pair<std::string, std::string>> docs;
  const simdjson::dom::array all = v.root["docs"].get_array().value();
  for (auto d : all)
    docs.emplace_back(std::string(d["_id"].get_string().value()), simdjson::minify(d["_source"]));
  return docs;
}

std::int64_t requests(fake_es_process& fake, const char* kind) {
  double_view v(fake, "/_double/state");
  std::int64_t n = 0;
  return v.root["requests"][kind].get(n) == simdjson::SUCCESS ? n : 0;
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 15s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// Log lines, safe to collect from the senders' threads.
struct log_lines {
  std::mutex mutex;
  std::vector<std::pair<da::log_level, std::string>> lines;
  da::log_callback callback() {
    return [this](da::log_level l, std::string_view m) {
      std::lock_guard lock(mutex);
      lines.emplace_back(l, m);
    };
  }
  std::size_t count(da::log_level l, std::string_view part) {
    std::lock_guard lock(mutex);
    return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [&](const auto& x) {
      return x.first == l && x.second.find(part) != std::string::npos;
    }));
  }
};

out::spooled_output_options output_options(const temp_dir& dir, log_lines& log) {
  out::spooled_output_options o;
  o.dir = dir.path() / "flywheel";
  o.spool.sync = false;
  o.spool.segment_prefix = "flywheel-";
  o.spool.segment_extension = ".jsonl";
  o.lanes = 1;
  o.dead_letter_dir = dir.path() / "dead-letter";
  o.sender.linger = 0ms;
  o.sender.retry_initial = 10ms;
  o.sender.retry_max = 100ms;
  o.sender.log = log.callback();
  return o;
}

std::string dead_letters(const temp_dir& dir) {
  std::string all;
  std::error_code ec;
  for (const auto& f : std::filesystem::directory_iterator(dir.path() / "dead-letter", ec)) {
    std::ifstream in(f.path());
    all += std::string(std::istreambuf_iterator<char>(in), {});
  }
  return all;
}

}  // namespace

TEST_CASE("the index is created with the blueprint's exact mapping once the cluster is healthy",
          "[elasticsearch][integration]") {
  fake_es_process fake;
  const es::es_config cfg = config_for(fake);
  es::prepare_result p = es::prepare_index(cfg);
  CHECK(p.ready);
  CHECK(p.created);
  CHECK(p.note == "cluster green; created index flywheel with the blueprint's strict mapping");
  {
    double_view state(fake, "/_double/state");
    simdjson::dom::parser parser;
    const simdjson::dom::element body = parser.parse(es::index_body(cfg.mapping)).value();
    CHECK(canonical(state.root["indices"]["flywheel"]["mappings"]) == canonical(body["mappings"]));
    const auto mapping = state.root["indices"]["flywheel"]["settings"]["index"]["mapping"];
    CHECK(mapping["ignore_malformed"].get_string().value() == "true");
    CHECK(mapping["total_fields"]["limit"].get_string().value() == "1000");
  }
  p = es::prepare_index(cfg);  // the second time it is there
  CHECK(p.ready);
  CHECK_FALSE(p.created);
  CHECK(p.note == "cluster green; index flywheel exists");
  CHECK(requests(fake, "index_create") == 1);
  CHECK(requests(fake, "health") == 2);
}

TEST_CASE("the NAT-compatible mapping accepts the toolkit's documents and nothing else extra",
          "[elasticsearch][integration]") {
  fake_es_process fake;
  es::es_config cfg = config_for(fake);
  cfg.index = "nat";
  cfg.mapping = es::index_mapping::nat_compat;
  const auto writer = es::make_es_bulk_writer(cfg);
  std::string nat = document(1);
  nat.insert(nat.size() - 1, R"(,"contract_version":"1.0","error_details":null)");
  std::string other = document(2);
  other.insert(other.size() - 1, R"(,"metadata":{})");
  const out::write_result r = writer->write("nat-1\t" + nat + "\nother-1\t" + other + "\n");
  CHECK(r.outcome == write_outcome::written);
  REQUIRE(r.refused.size() == 1);
  CHECK(r.refused[0].line == 1);
  CHECK(r.refused[0].reason.starts_with("strict_dynamic_mapping_exception"));
  const auto docs = stored(fake, "nat");
  REQUIRE(docs.size() == 1);
  CHECK(docs[0].first == "nat-1");
}

TEST_CASE("documents are stored with their ids exactly once even when a batch is sent twice",
          "[elasticsearch][integration]") {
  fake_es_process fake;
  log_lines log;
  const auto writer = es::make_es_bulk_writer(config_for(fake), log.callback());
  const std::string bare = document(3);
  const std::string batch = line("doc-1", 1) + line("doc-\"2\"", 2) + bare + "\n";
  for (int round = 0; round < 2; ++round) {
    const out::write_result r = writer->write(batch);
    CHECK(r.outcome == write_outcome::written);
    CHECK_FALSE(r.per_line());  // the second time every item answers 409: already stored
  }
  const auto docs = stored(fake);
  REQUIRE(docs.size() == 3);
  CHECK(docs[0] == std::pair<std::string, std::string>("doc-1", document(1)));
  CHECK(docs[1].first == "doc-\"2\"");
  CHECK(docs[2].first == std::string(da::content_id_generator().next_for(bare)));
  CHECK(requests(fake, "bulk") == 2);
  CHECK(log.count(da::log_level::info, "is ready: cluster green; created index flywheel") == 1);
}

TEST_CASE("items refused for now are resent until stored", "[elasticsearch][integration]") {
  fake_es_process fake;
  fake.control("POST", "/_double/faults", R"({"bulk_item_statuses":[429,0,503,429]})");
  temp_dir dir;
  log_lines log;
  {
    out::spooled_output output(output_options(dir, log), es::make_writer_factory(config_for(fake)));
    REQUIRE_FALSE(output.append(line("a", 1) + line("b", 2) + line("c", 3) + line("d", 4)));
    output.stop(20s);
    const out::output_stats s = output.stats();
    CHECK(s.lines_written == 4);
    CHECK(s.lines_retried == 3);
    CHECK(s.lines_rejected == 0);
    CHECK(output.pending_bytes() == 0);
  }
  CHECK(stored(fake).size() == 4);
  CHECK(log.count(da::log_level::warning, "Elasticsearch asks to resend 3 documents later") == 1);
  CHECK(dead_letters(dir).empty());
}

TEST_CASE("a document the strict mapping refuses is dead-lettered while the rest are stored",
          "[elasticsearch][integration]") {
  fake_es_process fake;
  temp_dir dir;
  log_lines log;
  std::string extra = document(2);
  extra.insert(extra.size() - 1, R"(,"metadata":{"user":"u"})");
  const std::string refused_line = "doc-2\t" + extra + "\n";
  {
    out::spooled_output output(output_options(dir, log), es::make_writer_factory(config_for(fake)));
    REQUIRE_FALSE(output.append(line("doc-1", 1) + refused_line + line("doc-3", 3)));
    output.stop(20s);
    CHECK(output.stats().lines_written == 2);
    CHECK(output.stats().lines_rejected == 1);
    CHECK(output.stats().lines_dead_lettered == 1);
  }
  const auto docs = stored(fake);
  REQUIRE(docs.size() == 2);
  CHECK(docs[0].first == "doc-1");
  CHECK(docs[1].first == "doc-3");
  const std::string dead = dead_letters(dir);
  CHECK(dead.find(" Elasticsearch HTTP 400: strict_dynamic_mapping_exception: mapping set to "
                  "strict, dynamic introduction of [metadata] within [_doc] is not allowed\n" +
                  refused_line) != std::string::npos);
  CHECK(std::count(dead.begin(), dead.end(), '\n') == 2);  // one comment line, one document
  CHECK(log.count(da::log_level::error,
                  "Elasticsearch rejected 1 of 3 documents (HTTP 400): "
                  "strict_dynamic_mapping_exception") == 1);
  CHECK(log.count(da::log_level::error, "NAT-compatible mapping") == 1);
}

TEST_CASE("whole-request 503, 429 and 413 answers are retried or split",
          "[elasticsearch][integration]") {
  fake_es_process fake;
  fake.control("POST", "/_double/faults", R"({"bulk_request_statuses":[503,429,413]})");
  temp_dir dir;
  log_lines log;
  {
    out::spooled_output output(output_options(dir, log), es::make_writer_factory(config_for(fake)));
    REQUIRE_FALSE(output.append(line("a", 1) + line("b", 2) + line("c", 3) + line("d", 4)));
    output.stop(20s);
    const out::output_stats s = output.stats();
    CHECK(s.lines_written == 4);
    CHECK(s.failed_requests == 2);
    CHECK(s.lines_dropped == 0);
    CHECK(s.healthy);
  }
  CHECK(stored(fake).size() == 4);
  CHECK(requests(fake, "bulk") == 5);  // 503, 429, 413, then the two halves
  CHECK(log.count(da::log_level::warning,
                  "Elasticsearch write failed (HTTP 503): "
                  "cluster_block_exception") == 1);
}

TEST_CASE("dropped connections and write outages keep the documents until they are stored",
          "[elasticsearch][integration]") {
  fake_es_process fake;
  fake.control("POST", "/_double/faults", R"({"drop_connections":2,"write_status":503})");
  temp_dir dir;
  log_lines log;
  out::spooled_output output(output_options(dir, log), es::make_writer_factory(config_for(fake)));
  REQUIRE_FALSE(output.append(line("a", 1) + line("b", 2)));
  CHECK(eventually([&] { return requests(fake, "bulk") >= 2; }));
  CHECK(stored(fake).empty());
  fake.control("POST", "/_double/faults", R"({"write_status":null})");
  CHECK(eventually([&] { return stored(fake).size() == 2; }));
  output.stop(5s);
  CHECK(output.pending_bytes() == 0);
}

TEST_CASE("a red cluster keeps the documents in the spool until it turns green",
          "[elasticsearch][integration]") {
  fake_es_process fake;
  fake.control("POST", "/_double/faults", R"({"health_status":"red"})");
  temp_dir dir;
  log_lines log;
  auto o = output_options(dir, log);
  o.lanes = 2;
  const auto start = std::chrono::steady_clock::now();
  out::spooled_output output(o, es::make_writer_factory(config_for(fake), log.callback()));
  REQUIRE_FALSE(output.append(line("a", 1)));
  REQUIRE_FALSE(output.append(line("b", 2)));
  // Neither start-up nor appends wait for Elasticsearch.
  CHECK(std::chrono::steady_clock::now() - start < 500ms);
  CHECK(eventually([&] { return requests(fake, "health") >= 2; }));
  CHECK_FALSE(output.healthy());
  CHECK(output.pending_bytes() > 0);
  CHECK(fake.request("HEAD", "/flywheel").status == 404);
  CHECK(log.count(da::log_level::warning,
                  "index flywheel is not ready: cluster health is red "
                  "after waiting 1 s for yellow") >= 1);
  fake.control("POST", "/_double/faults", R"({"health_status":"yellow"})");
  CHECK(eventually([&] { return stored(fake).size() == 2; }));
  output.stop(5s);
  CHECK(output.pending_bytes() == 0);
  CHECK(output.healthy());
  CHECK(log.count(da::log_level::info, "is ready: cluster yellow") == 1);  // once for all lanes
}

TEST_CASE("Basic, ApiKey and Bearer credentials are accepted", "[elasticsearch][integration]") {
  struct scheme {
    std::vector<std::string> flags;
    std::function<void(es::es_config&)> set;
  };
  const std::vector<scheme> schemes = {
      {{"--basic", "elastic:s3cret"},
       [](es::es_config& c) {
         c.username = "elastic";
         c.password = out::secret_string("s3cret");
       }},
      {{"--basic", "elastic:p@ss"}, [](es::es_config& c) { c.url.insert(7, "elastic:p%40ss@"); }},
      {{"--api-key", "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw"},
       [](es::es_config& c) {
         c.api_key = out::secret_string("VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw");
       }},
      {{"--bearer", "tok-123"},
       [](es::es_config& c) { c.bearer_token = out::secret_string("tok-123"); }},
  };
  for (const scheme& s : schemes) {
    fake_es_process fake(s.flags);
    es::es_config cfg = config_for(fake);
    s.set(cfg);
    INFO(es::describe(cfg));
    CHECK(es::make_es_bulk_writer(cfg)->write(line("a", 1)).outcome == write_outcome::written);
    CHECK(stored(fake).size() == 1);
    CHECK(requests(fake, "unauthorized") == 0);
  }
}

TEST_CASE("refused credentials are a configuration problem and keep the documents",
          "[elasticsearch][integration]") {
  fake_es_process fake({"--basic", "elastic:right"});
  es::es_config cfg = config_for(fake);
  cfg.username = "elastic";
  cfg.password = out::secret_string("wrong-password");
  const out::write_result r = es::make_es_bulk_writer(cfg)->write(line("a", 1));
  CHECK(r.outcome == write_outcome::unavailable);
  CHECK(r.http_status == 401);
  CHECK(r.message.find("refuses the credentials") != std::string::npos);
  CHECK(r.message.find("wrong-password") == std::string::npos);
  temp_dir dir;
  log_lines log;
  out::spooled_output output(output_options(dir, log), es::make_writer_factory(cfg));
  REQUIRE_FALSE(output.append(line("b", 2)));
  CHECK(eventually(
      [&] { return log.count(da::log_level::error, "refuses the writes (HTTP 401)") >= 2; }));
  output.stop(0ms);
  CHECK(output.pending_bytes() > 0);
  CHECK(fake.request("GET", "/_double/docs/flywheel").status == 404);  // no index, no document
}

TEST_CASE("an index created by someone else meanwhile counts as created",
          "[elasticsearch][integration]") {
  fake_es_process fake;
  const es::es_config cfg = config_for(fake);
  // Someone else wins the race between our HEAD and our PUT.
  REQUIRE(fake.request("PUT", "/flywheel", es::index_body(cfg.mapping)).status == 200);
  const es::prepare_result p = es::create_index(cfg);
  CHECK(p.ready);
  CHECK_FALSE(p.created);
  CHECK(p.note.find("index flywheel was created meanwhile by another client") != std::string::npos);

  // Several writers starting together (as several servers would): all ready, one creates.
  es::es_config race = cfg;
  race.index = "race";
  std::atomic<int> ready{0}, created{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      const es::prepare_result r = es::prepare_index(race);
      ready += r.ready ? 1 : 0;
      created += r.created ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ready == 6);
  CHECK(created == 1);
}
