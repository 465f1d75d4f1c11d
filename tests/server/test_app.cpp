// SPDX-License-Identifier: Apache-2.0
// The server's request handling without sockets: routes, statuses, errors, spool, metrics.
#include "app.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include <fstream>
#include <sstream>

#include "detail/zlib.hpp"
#include "support/fake_influx_server.hpp"
#include "support/records.hpp"
#include "support/temp_dir.hpp"
#include "support/topic_model.hpp"

namespace ds = dial_analytics::server;
using test_support::json;
using test_support::temp_dir;

namespace {

ds::http_request post(std::string body, std::string content_type = "application/json") {
  return {"POST", "/data", std::move(content_type), "", std::move(body)};
}

std::string batch() {
  return json::arr({json::obj({{"message", test_support::rate_record().dump()}}),
                    json::obj({{"message", test_support::mcp_record().dump()}}), json("broken")})
      .dump();
}

std::string spooled(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".lp") continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    all += ss.str();
  }
  return all;
}

std::string gzip(const std::string& in) {
  std::string out;
  REQUIRE(dial_analytics::detail::gzip_compress(in, out));
  return out;
}

struct fixture {
  temp_dir dir;
  ds::logger log{dial_analytics::log_level::error, nullptr};
  ds::server_config config = [this] {
    ds::server_config c;
    c.data_dir = (dir.path() / "data").string();
    c.spool_sync = false;
    return c;
  }();
};

}  // namespace

TEST_CASE("POST /data spools the points and answers one status per event", "[server]") {
  fixture f;
  ds::app app(f.config, f.log);
  const ds::http_response r = app.handle(post(batch()));
  CHECK(r.status == 200);
  CHECK(
      r.body.rfind(
          R"([{"status":"success"},{"status":"success"},{"status":"error","error":"1 validation error)",
          0) == 0);
  CHECK(spooled(f.config.data_dir) == "# DML\n# CONTEXT-DATABASE: dial\n" + test_support::p_rate +
                                          "\n" + test_support::p_mcp + "\n");
}

TEST_CASE("NDJSON and gzip bodies are accepted", "[server]") {
  fixture f;
  ds::app app(f.config, f.log);
  const std::string ndjson = json::obj({{"message", test_support::rate_record().dump()}}).dump() +
                             "\n" + test_support::mcp_record().dump();
  CHECK(app.handle(post(ndjson, "application/x-ndjson")).body ==
        R"([{"status":"success"},{"status":"success"}])");
  ds::http_request gz = post(gzip(batch()));
  gz.content_encoding = "gzip";
  const auto r = app.handle(gz);
  CHECK(r.status == 200);
  CHECK(r.body.rfind(R"([{"status":"success"},{"status":"success"},{"status":"error")", 0) == 0);
}

TEST_CASE("bodies that are not a JSON array get the reference's 422 shapes", "[server]") {
  fixture f;
  ds::app app(f.config, f.log);
  auto r = app.handle(post("invalid json"));
  CHECK(r.status == 422);
  CHECK(
      r.body ==
      R"({"detail":[{"type":"json_invalid","loc":["body",0],"msg":"JSON decode error","input":{},"ctx":{"error":"Expecting value"}}]})");
  r = app.handle(post(R"({"foo":"bar"})"));
  CHECK(r.status == 422);
  CHECK(
      r.body ==
      R"({"detail":[{"type":"list_type","loc":["body"],"msg":"Input should be a valid list","input":{"foo":"bar"}}]})");
  CHECK(app.handle(post("[]", "text/plain")).status == 422);
  CHECK(app.handle(post("[]")).body == "[]");
}

TEST_CASE("bad encodings and oversized bodies are refused clearly", "[server]") {
  fixture f;
  f.config.max_body_bytes = 1000;
  ds::app app(f.config, f.log);
  ds::http_request bad = post("not gzip");
  bad.content_encoding = "gzip";
  CHECK(app.handle(bad).status == 400);
  ds::http_request zstd = post("[]");
  zstd.content_encoding = "zstd";
  CHECK(app.handle(zstd).status == 415);
  ds::http_request big = post(gzip("[" + std::string(5000, ' ') + "]"));
  big.content_encoding = "gzip";
  CHECK(app.handle(big).status == 413);
}

TEST_CASE("a full spool answers 503 with Retry-After and keeps nothing half-written", "[server]") {
  fixture f;
  f.config.spool_max_bytes = 1000;
  ds::app app(f.config, f.log);
  CHECK(app.handle(post(batch())).status == 200);
  const auto r = app.handle(post(batch()));
  CHECK(r.status == 503);
  REQUIRE(r.headers.size() == 1);
  CHECK(r.headers[0] == std::pair<std::string, std::string>("Retry-After", "5"));
  CHECK(
      app.handle({"GET", "/metrics", "", "", ""}).body.find("dial_analytics_spool_full_total 1") !=
      std::string::npos);
}

TEST_CASE("a batch whose points alone exceed SPOOL_MAX_BYTES answers 413, not 503 forever",
          "[server][reliability]") {
  fixture f;
  f.config.spool_max_bytes = 100;
  ds::app app(f.config, f.log);
  const auto r = app.handle(post(batch()));
  CHECK(r.status == 413);
  CHECK(r.body.find("SPOOL_MAX_BYTES") != std::string::npos);
  CHECK(app.handle(post("[]")).status == 200);  // small batches still go through
}

TEST_CASE("health, HEAD /data, unknown paths and methods", "[server]") {
  fixture f;
  ds::app app(f.config, f.log);
  CHECK(app.handle({"HEAD", "/data", "", "", ""}).status == 200);
  const auto health = app.handle({"GET", "/health", "", "", ""});
  CHECK(health.status == 200);
  CHECK(health.body == R"({"status":"ok"})");
  CHECK(app.handle({"GET", "/nope", "", "", ""}).status == 404);
  CHECK(app.handle({"GET", "/data", "", "", ""}).status == 405);
}

TEST_CASE("/metrics counts records by type and outcome in Prometheus text", "[server]") {
  fixture f;
  ds::app app(f.config, f.log);
  app.handle(post(batch()));
  const auto m = app.handle({"GET", "/metrics", "", "", ""});
  CHECK(m.status == 200);
  CHECK(m.content_type.rfind("text/plain; version=0.0.4", 0) == 0);
  for (const char* line :
       {"dial_analytics_records_total{type=\"rate\",status=\"written\"} 1",
        "dial_analytics_records_total{type=\"mcp\",status=\"written\"} 1",
        "dial_analytics_records_total{type=\"unsupported\",status=\"error\"} 1",
        "dial_analytics_points_accepted_total 2", "dial_analytics_build_info{version=\"0.1.0\"} 1",
        "# TYPE dial_analytics_influx_request_duration_seconds histogram",
        "dial_analytics_spool_bytes", "dial_analytics_unpriced_records_total 0",
        "dial_analytics_http_responses_total{path=\"/data\",code=\"200\"} 1"}) {
    INFO(line);
    CHECK(m.body.find(line) != std::string::npos);
  }
}

TEST_CASE("records with tokens but no price are counted as unpriced", "[server]") {
  fixture f;
  ds::app app(f.config, f.log);
  json r = test_support::chat_record();
  r["token_usage"] = json::obj({{"prompt_tokens", 10}, {"completion_tokens", 5}});
  app.handle(post(json::arr({json::obj({{"message", r.dump()}})}).dump()));
  CHECK(app.handle({"GET", "/metrics", "", "", ""})
            .body.find("dial_analytics_unpriced_records_total 1") != std::string::npos);
}

TEST_CASE("with INFLUX_URL the spooled points reach InfluxDB", "[server][influx]") {
  test_support::fake_influx_server influx;
  influx.ping_version("v2.7.1");
  fixture f;
  f.config.has_influx = true;
  f.config.influx.url = influx.url();
  f.config.influx.org = "o";
  f.config.influx.bucket = "b";
  {
    ds::app app(f.config, f.log);
    const auto& notes = app.startup_notes();
    CHECK(std::any_of(notes.begin(), notes.end(), [](const std::string& n) {
      return n.find("InfluxDB v2") != std::string::npos;
    }));
    CHECK(app.handle(post(batch())).status == 200);
    app.shutdown();  // drains
  }
  const auto reqs = influx.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].target == "/api/v2/write?org=o&bucket=b&precision=ns");
  CHECK(reqs[0].body == test_support::p_rate + "\n" + test_support::p_mcp + "\n");
}

namespace {

std::string cooking_chat_batch() {
  const json r = test_support::chat_record_with(
      "How long should I bake a chicken breast in the oven at 200 degrees?");
  return json::arr({json::obj({{"message", r.dump()}})}).dump();
}

}  // namespace

TEST_CASE("chats get a language by default and LANGUAGE_DETECTION=none turns it off", "[server]") {
  {
    fixture f;
    ds::app app(f.config, f.log);
    CHECK(app.handle(post(cooking_chat_batch())).status == 200);
    CHECK(spooled(f.config.data_dir).find(",language=en,") != std::string::npos);
  }
  fixture f;
  f.config.analysis.language = dial_analytics::apps::language_mode::none;
  ds::app app(f.config, f.log);
  CHECK(app.handle(post(cooking_chat_batch())).status == 200);
  CHECK(spooled(f.config.data_dir).find(",language=undefined,") != std::string::npos);
}

TEST_CASE("LANGUAGE_DETECTION=cld2-only runs CLD2 alone and an unknown value is refused",
          "[server]") {
  using dial_analytics::apps::language_mode;
  const auto no_env = [](const char*) -> const char* { return nullptr; };
  const auto only = ds::load_config({"--language-detection", "cld2-only"}, no_env);
  CHECK(only.config.analysis.language == language_mode::cld2_only);
  const auto both = ds::load_config({"--language-detection", "cld2"}, no_env);
  CHECK(both.config.analysis.language == language_mode::cld2);
  CHECK_THROWS_WITH(ds::load_config({"--language-detection", "langid"}, no_env),
                    Catch::Contains("cld2, cld2-only or none") && Catch::Contains("langid"));
  fixture f;
  f.config.analysis.language = language_mode::cld2_only;
  ds::app app(f.config, f.log);
  CHECK(app.handle(post(cooking_chat_batch())).status == 200);
  CHECK(spooled(f.config.data_dir).find(",language=en,") != std::string::npos);
}

TEST_CASE("TOPIC_MODEL gives chats the model topic and a bad one stops start-up", "[server]") {
  {
    fixture f;
    f.config.analysis.topic_model = test_support::trained_topic_model();
    ds::app app(f.config, f.log);
    CHECK(app.handle(post(cooking_chat_batch())).status == 200);
    CHECK(spooled(f.config.data_dir).find(",topic=cooking,") != std::string::npos);
  }
  fixture f;
  f.config.analysis.topic_model =
      "davanstrien/chat_topics";  // a Hugging Face name, as for BERTopic
  CHECK_THROWS_WITH(ds::app(f.config, f.log), Catch::Contains("fastText supervised model") &&
                                                  Catch::Contains("docs/topics.md"));
}

TEST_CASE("MODEL_RATES prices records without Core prices and /metrics shows the roll-up",
          "[server]") {
  fixture f;
  f.config.analysis.model_rates_json =
      R"({"default-deployment": {"prompt_price": "0.001", "completion_price": "0.002"}})";
  ds::app app(f.config, f.log);
  // A model span (child) then its application span (parent, no rate of its own).
  json child = test_support::chat_record();
  child["token_usage"] = json::obj({{"prompt_tokens", 10}, {"completion_tokens", 5}});
  child["trace"] = json::obj(
      {{"trace_id", "t1"}, {"core_span_id", "model-span"}, {"core_parent_span_id", "app-span"}});
  json parent = child;
  parent["deployment"] = "my-app";
  parent["trace"] = json::obj({{"trace_id", "t1"}, {"core_span_id", "app-span"}});
  json unknown = child;
  unknown["deployment"] = "no-rate-model";
  unknown["trace"] = json::obj({{"trace_id", "t2"}, {"core_span_id", "s"}});
  CHECK(app.handle(post(json::arr({json::obj({{"message", child.dump()}}),
                                   json::obj({{"message", parent.dump()}}),
                                   json::obj({{"message", unknown.dump()}})})
                            .dump()))
            .status == 200);
  const std::string points = spooled(f.config.data_dir);
  INFO(points);
  CHECK(points.find("deployment_price=0.02,") != std::string::npos);  // 10×0.001 + 5×0.002
  CHECK(points.find("deployment_price=0,") != std::string::npos);     // the application
  CHECK(points.find(",price=0.02,") != std::string::npos);
  const std::string m = app.handle({"GET", "/metrics", "", "", ""}).body;
  INFO(m);
  for (const char* line :
       {"dial_analytics_prices_computed_total 1", "dial_analytics_price_rollups_total 1",
        "dial_analytics_price_rollup_children_total 1", "dial_analytics_unpriced_records_total 1",
        "dial_analytics_unpriced_records_by_deployment_total{deployment=\"no-rate-model\"} 1",
        "dial_analytics_price_rollup_expired_total 0"}) {
    INFO(line);
    CHECK(m.find(line) != std::string::npos);
  }
}

TEST_CASE("a malformed MODEL_RATES stops start-up naming the entry", "[server]") {
  fixture f;
  f.config.analysis.model_rates_json = R"({"gpt-4": {"prompt_price": "free"}})";
  CHECK_THROWS_WITH(ds::app(f.config, f.log), Catch::Contains("entry \"gpt-4\": prompt_price"));
  f.config.analysis.model_rates_json.clear();
  f.config.analysis.model_rates_file = (f.dir.path() / "missing.json").string();
  CHECK_THROWS_WITH(ds::app(f.config, f.log), Catch::Contains("cannot read the rate table file"));
}

TEST_CASE("start-up errors name the setting and the file", "[server]") {
  fixture f;
  const auto rates = f.dir.path() / "rates.json";
  std::ofstream(rates) << R"({"gpt-4": {"prompt_price": "free"}})";
  f.config.analysis.model_rates_file = rates.string();
  CHECK_THROWS_WITH(ds::app(f.config, f.log),
                    Catch::StartsWith("MODEL_RATES: " + rates.string() + ": entry \"gpt-4\""));
  f.config.analysis.model_rates_file.clear();
  f.config.analysis.topic_model = (f.dir.path() / "no-model.bin").string();
  CHECK_THROWS_WITH(ds::app(f.config, f.log),
                    Catch::StartsWith("TOPIC_MODEL: ") && Catch::Contains("no-model.bin"));
}

TEST_CASE("the start-up notes say which analysis runs and TOPIC_MODEL=none means no topics",
          "[server]") {
  fixture f;
  f.config.analysis.topic_model = "none";
  ds::app app(f.config, f.log);
  const auto& notes = app.startup_notes();
  for (const char* note :
       {"prices: as DIAL Core logs them (no MODEL_RATES)",
        "language detection: CLD2 + built-in fastText model (LANGUAGE_DETECTION=cld2)",
        "topics: off (TOPIC_MODEL=none), topic=undefined"}) {
    INFO(note);
    CHECK(std::find(notes.begin(), notes.end(), note) != notes.end());
  }
}
