// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <dial_analytics/error.hpp>
#include <dial_analytics/flywheel/recorder.hpp>

#include "support/temp_dir.hpp"

using dial_analytics::flywheel::recorder;
using dial_analytics::flywheel::recorder_options;
using dial_analytics::flywheel::skip_reason;

namespace {

// Every line of the flywheel-*.jsonl files in `dir`, in file order.
std::vector<std::string> stored_lines(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("flywheel-") && name.ends_with(".jsonl")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> lines;
  for (const auto& f : files) {
    std::ifstream in(f);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  return lines;
}

const char* request_json =
    R"({"model": "llama", "messages": [{"role": "user", "content": "Hi, I am ann@example.com"}]})";
const char* response_json =
    R"({"id": "r", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!"}}]})";

recorder_options local(const test_support::temp_dir& dir) {
  recorder_options o;
  o.data_dir = dir.path();
  o.sync = false;
  return o;
}

}  // namespace

TEST_CASE("the recorder stores each logged call as one redacted JSONL document",
          "[flywheel][recorder]") {
  test_support::temp_dir dir;
  recorder rec(local(dir));
  REQUIRE(rec.log_chat(request_json, response_json, "greeting", "acme", 1715854074));
  REQUIRE(rec.log_chat(request_json, response_json, "greeting", "", 1715854075));
  rec.flush();
  const std::vector<std::string> lines = stored_lines(dir.path());
  REQUIRE(lines.size() == 2);
  CHECK(
      lines[0] ==
      R"({"request":{"model":"llama","messages":[{"role":"user","content":"Hi, I am <EMAIL>"}]},)"
      R"("response":{"id":"r","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"}}]},)"
      R"("timestamp":1715854074,"client_id":"acme","workload_id":"greeting"})");
  CHECK(
      lines[1].ends_with(R"("timestamp":1715854075,"client_id":"dial","workload_id":"greeting"})"));
  const auto stats = rec.stats();
  CHECK(stats.queued == 2);
  CHECK(stats.mapping.documents == 2);
  CHECK(stats.mapping.redactions.total() == 2);
}

TEST_CASE("calls the recorder cannot map are counted by reason, not stored",
          "[flywheel][recorder]") {
  test_support::temp_dir dir;
  recorder rec(local(dir));
  REQUIRE(rec.log_chat("{not json", response_json, "w"));
  REQUIRE(rec.log_chat(request_json, response_json, ""));
  rec.flush();
  CHECK(stored_lines(dir.path()).empty());
  const auto stats = rec.stats();
  CHECK(stats.mapping.skipped[static_cast<std::size_t>(skip_reason::request_not_json)] == 1);
  CHECK(stats.mapping.skipped[static_cast<std::size_t>(skip_reason::no_workload_id)] == 1);
}

TEST_CASE("what is queued when the recorder is destroyed is still stored", "[flywheel][recorder]") {
  test_support::temp_dir dir;
  {
    recorder rec(local(dir));
    for (int i = 0; i < 500; ++i) REQUIRE(rec.log_chat(request_json, response_json, "w", "c", i));
  }
  CHECK(stored_lines(dir.path()).size() == 500);
  // A second recorder on the same directory appends after the first one's documents.
  {
    recorder rec(local(dir));
    REQUIRE(rec.log_chat(request_json, response_json, "w", "c", 1000));
  }
  CHECK(stored_lines(dir.path()).size() == 501);
}

TEST_CASE("a full spool drops documents and counts them instead of blocking the host",
          "[flywheel][recorder]") {
  test_support::temp_dir dir;
  recorder_options o = local(dir);
  o.max_spool_bytes = 1000;  // room for four documents of about 230 bytes
  recorder rec(std::move(o));
  for (int i = 0; i < 10; ++i) {
    REQUIRE(rec.log_chat(request_json, response_json, "w", "c", i));
    rec.flush();
  }
  const auto stats = rec.stats();
  CHECK(stats.mapping.documents == 10);
  const std::vector<std::string> lines = stored_lines(dir.path());
  CHECK(stats.dropped_spool > 0);
  CHECK(lines.size() == 10 - stats.dropped_spool);
  std::size_t bytes = 0;
  for (const std::string& line : lines) bytes += line.size() + 1;
  CHECK(bytes <= 1000);
}

TEST_CASE("a second recorder on the same directory is refused", "[flywheel][recorder]") {
  test_support::temp_dir dir;
  recorder first(local(dir));
  CHECK_THROWS_AS(recorder(local(dir)), dial_analytics::config_error);
}
