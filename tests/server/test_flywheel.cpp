// SPDX-License-Identifier: Apache-2.0
// The server's Data Flywheel capture without sockets: off by default, JSONL files in
// DATA_DIR/flywheel, metrics, the drop-or-refuse policy, and the settings.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app.hpp"
#include "server_config.hpp"
#include "support/records.hpp"
#include "support/temp_dir.hpp"

namespace ds = dial_analytics::server;
using test_support::json;
using test_support::temp_dir;

namespace {

ds::http_request post(std::string body) {
  return {"POST", "/data", "application/json", "", std::move(body)};
}

std::string batch_of(const std::vector<json>& records) {
  json events = json::arr();
  for (const json& r : records) events.push(json::obj({{"message", r.dump()}}));
  return events.dump();
}

// The lines of DATA_DIR/flywheel/flywheel-*.jsonl.
std::vector<std::string> records_in(const std::filesystem::path& data_dir) {
  std::vector<std::string> lines;
  const auto dir = data_dir / "flywheel";
  if (!std::filesystem::exists(dir)) return lines;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".jsonl") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  return lines;
}

struct fixture {
  temp_dir dir;
  ds::logger log{dial_analytics::log_level::error, nullptr};
  ds::server_config config = [this] {
    ds::server_config c;
    c.data_dir = (dir.path() / "data").string();
    c.spool_sync = false;
    c.flywheel.enabled = true;
    return c;
  }();
};

}  // namespace

TEST_CASE("without FLYWHEEL_ENABLED no prompt is stored", "[server][flywheel]") {
  fixture f;
  f.config.flywheel.enabled = false;
  ds::app app(f.config, f.log);
  CHECK(app.handle(post(batch_of({test_support::chat_record()}))).status == 200);
  CHECK(records_in(f.config.data_dir).empty());
  CHECK(app.handle({"GET", "/metrics", "", "", ""}).body.find("flywheel") == std::string::npos);
}

TEST_CASE("with the Flywheel on, each successful chat becomes one redacted JSONL record",
          "[server][flywheel]") {
  fixture f;
  ds::app app(f.config, f.log);
  json failed = test_support::chat_record();
  failed["response"]["status"] = "429";
  const std::string body =
      batch_of({test_support::chat_record_with("write to ann@example.com"), failed,
                test_support::rate_record(), test_support::chat_record()});
  const ds::http_response r = app.handle(post(body));
  REQUIRE(r.status == 200);
  const std::vector<std::string> lines = records_in(f.config.data_dir);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find(R"("content":"write to <EMAIL>")") != std::string::npos);
  CHECK(lines[0].ends_with(
      R"("client_id":"default-project-id","workload_id":"default-parent-deployment/default-deployment"})"));

  const std::string metrics = app.handle({"GET", "/metrics", "", "", ""}).body;
  CHECK(metrics.find("dial_analytics_flywheel_records_total 2\n") != std::string::npos);
  CHECK(metrics.find(R"(dial_analytics_flywheel_skipped_total{reason="not_successful"} 1)") !=
        std::string::npos);
  CHECK(metrics.find(R"(dial_analytics_flywheel_skipped_total{reason="not_chat_completion"} 1)") !=
        std::string::npos);
  CHECK(metrics.find(R"(dial_analytics_flywheel_redactions_total{type="email"} 1)") !=
        std::string::npos);
}

TEST_CASE("a full Flywheel output drops records and never holds the analytics points back",
          "[server][flywheel]") {
  fixture f;
  f.config.flywheel.spool_max_bytes = 100;  // smaller than one record
  ds::app app(f.config, f.log);
  const ds::http_response r = app.handle(post(batch_of({test_support::chat_record()})));
  CHECK(r.status == 200);
  CHECK(records_in(f.config.data_dir).empty());
  const std::string metrics = app.handle({"GET", "/metrics", "", "", ""}).body;
  CHECK(metrics.find("dial_analytics_flywheel_dropped_total 1\n") != std::string::npos);
  CHECK(metrics.find("dial_analytics_flywheel_records_total 0\n") != std::string::npos);
  CHECK(metrics.find("dial_analytics_points_accepted_total 1\n") != std::string::npos);
}

TEST_CASE("FLYWHEEL_WHEN_FULL=refuse answers 503 so that Vector resends the batch",
          "[server][flywheel]") {
  fixture f;
  f.config.flywheel.spool_max_bytes = 3000;
  f.config.flywheel.refuse_when_full = true;
  ds::app app(f.config, f.log);
  const std::string body = batch_of({test_support::chat_record()});
  CHECK(app.handle(post(body)).status == 200);
  int status = 200, posts = 1;
  while (status == 200 && posts < 50) {
    status = app.handle(post(body)).status;
    ++posts;
  }
  CHECK(status == 503);
  // Every acknowledged batch's record was stored; of the refused one nothing, not its point.
  CHECK(records_in(f.config.data_dir).size() == static_cast<std::size_t>(posts - 1));
  const std::string metrics = app.handle({"GET", "/metrics", "", "", ""}).body;
  CHECK(metrics.find("dial_analytics_points_accepted_total " + std::to_string(posts - 1) + "\n") !=
        std::string::npos);
  CHECK(metrics.find("dial_analytics_flywheel_records_total " + std::to_string(posts - 1) + "\n") !=
        std::string::npos);
}

TEST_CASE("the Flywheel settings are read from the environment", "[server][flywheel][config]") {
  const auto env = [](const char* name) -> const char* {
    const std::string n = name;
    if (n == "ELASTICSEARCH_URL") return "http://es:9200";
    if (n == "ES_COLLECTION_NAME") return "logs";
    if (n == "FLYWHEEL_WORKLOAD_ID_FROM") return "execution_path";
    if (n == "FLYWHEEL_DEPLOYMENTS") return "gpt-4o, claude";
    if (n == "FLYWHEEL_REDACT_TYPES") return "email,credential";
    if (n == "FLYWHEEL_KEEP_DIAL_EXTENSIONS") return "true";
    if (n == "ELASTICSEARCH_MAPPING") return "nat_compat";
    return nullptr;
  };
  const ds::command_line cl = ds::load_config({}, env);
  const ds::flywheel_settings& fw = cl.config.flywheel;
  CHECK(fw.enabled);  // an Elasticsearch output turns it on
  CHECK(fw.has_elasticsearch);
  CHECK(fw.es.url == "http://es:9200");
  CHECK(fw.es.index == "logs");
  CHECK(fw.mapping.workload == dial_analytics::flywheel::workload_source::execution_path);
  CHECK(fw.mapping.include_deployments == std::vector<std::string>{"gpt-4o", "claude"});
  CHECK_FALSE(fw.mapping.strip_dial_extensions);
  CHECK(fw.mapping.redaction.enabled[0]);        // email
  CHECK_FALSE(fw.mapping.redaction.enabled[1]);  // phone
  CHECK(fw.es.mapping == dial_analytics::elasticsearch::index_mapping::nat_compat);

  const auto off = [](const char* name) -> const char* {
    const std::string n = name;
    if (n == "ELASTICSEARCH_URL") return "http://es:9200";
    if (n == "FLYWHEEL_ENABLED") return "false";
    return nullptr;
  };
  CHECK_FALSE(ds::load_config({}, off).config.flywheel.enabled);  // an explicit false wins

  const auto bad = [](const char* name) -> const char* {
    return std::string(name) == "FLYWHEEL_REDACT_TYPES" ? "email,passport" : nullptr;
  };
  CHECK_THROWS_WITH(ds::load_config({}, bad), Catch::Contains("passport"));
}
