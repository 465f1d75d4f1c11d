// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <dial_analytics/report.hpp>

#include <string>

namespace report = dial_analytics::report;

namespace {

// Two users, one API key, two models, a project with an escaped space and comma, a string field
// holding a quote and a space, and a point outside a later range.
constexpr const char* points =
    "# DML\n"
    "analytics,deployment=gpt-4o,language=en,model=gpt-4o,project_id=team\\ a\\,b,topic=undefined "
    "completion_tokens=10i,price=0.5,prompt_tokens=100i,title=\"say \\\"hi\\\" "
    "there\",user_hash=\"u1\" "
    "1732266000000000000\n"
    "analytics,deployment=mini,language=fr,model=gpt-4o-mini,project_id=beta,topic=Travel "
    "completion_tokens=5i,"
    "price=0.25,prompt_tokens=50i,user_hash=\"u2\" 1732269600000000000\n"
    "analytics,deployment=mini,language=undefined,model=gpt-4o-mini,project_id=beta,topic="
    "undefined "
    "completion_tokens=1i,price=1e-05,prompt_tokens=2i,user_hash=\"undefined\" "
    "1732273200000000000\n"
    "rate_analytics,deployment=gpt-4o,user_hash=u1 dislike_count=0i,like_count=1i "
    "1732273200000000000\n"
    "mcp_analytics,deployment=jira,mcp_method=tools/call,project_id=beta "
    "mcp_tool_call_name=\"search\" "
    "1732273200000000000\n"
    "not line protocol\n"
    "\n";

}  // namespace

TEST_CASE("the report counts requests, users, tokens and cost over the analytics measurement",
          "[report]") {
  report::aggregator a;
  a.add_text(points);
  const report::summary s = a.finish();
  CHECK(s.requests == 3);
  CHECK(s.api_requests == 1);
  CHECK(s.unique_users == 2);
  CHECK(s.prompt_tokens == 152);
  CHECK(s.completion_tokens == 16);
  CHECK(s.cost == Approx(0.75001));
  CHECK(s.points == 5);
  CHECK(s.unreadable_lines == 1);
  CHECK(s.likes == 1);
  CHECK(s.dislikes == 0);
  REQUIRE(s.by_model.size() == 2);
  CHECK(s.by_model[0].name == "gpt-4o");  // highest cost first
  CHECK(s.by_model[1].requests == 2);
  REQUIRE(s.by_project.size() == 2);
  CHECK(s.by_project[0].name == "team a,b");  // escapes removed
  REQUIRE(s.languages.size() == 2);           // "undefined" left out
  REQUIRE(s.topics.size() == 1);
  CHECK(s.topics[0].name == "Travel");
  REQUIRE(s.mcp_tools.size() == 1);
  CHECK(s.mcp_tools[0].name == "tools/call search");
  CHECK(s.bucket_ns == 3600LL * 1000000000);
  REQUIRE(s.over_time.size() == 3);
  CHECK(s.over_time[1].requests == 1);
}

TEST_CASE("the report counts only the points of its time range", "[report]") {
  report::aggregator a(report::parse_time("2024-11-22T10:00:00Z"),
                       report::parse_time("2024-11-22T11:00:00Z"));
  a.add_text(points);
  const report::summary s = a.finish();
  CHECK(s.requests == 1);
  CHECK(s.by_model.at(0).name == "gpt-4o-mini");
  CHECK(s.points == 1);
}

TEST_CASE("the report's JSON has the documented keys and rows sorted by cost", "[report]") {
  report::aggregator a;
  a.add_text(points);
  const std::string json = report::to_json(a.finish());
  for (const char* key : {"\"requests\": 3", "\"unique_users\": 2", "\"prompt_tokens\": 152",
                          "\"completion_tokens\": 16", "\"cost\": 0.75001", "\"by_model\": [",
                          "\"by_deployment\": [", "\"by_project\": ["}) {
    CHECK(json.find(key) != std::string::npos);
  }
  CHECK(
      json.find(
          R"({"name": "gpt-4o", "requests": 1, "prompt_tokens": 100, "completion_tokens": 10, "cost": 0.5})") <
      json.find(R"({"name": "gpt-4o-mini")"));
}

TEST_CASE("the HTML report is one page with no scripts and no network references", "[report]") {
  report::aggregator a;
  a.add_text(points);
  const std::string html = report::to_html(a.finish());
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("http://") == html.find("http://www.w3.org/2000/svg"));  // only the SVG namespace
  CHECK(html.find("https://") == std::string::npos);
  CHECK(html.find("id=\"total-requests\">3<") != std::string::npos);
  CHECK(html.find("team a,b") != std::string::npos);
}

TEST_CASE("report times are ISO-8601 UTC times or dates", "[report]") {
  CHECK(report::parse_time("2024-11-22") == 1732233600LL * 1000000000);
  CHECK(report::parse_time("2024-11-22T09:00:00Z") == 1732266000LL * 1000000000);
  CHECK(report::parse_time("2024-11-22T11:00:00+02:00") == 1732266000LL * 1000000000);
  CHECK_FALSE(report::parse_time("yesterday"));
}

TEST_CASE("names that are not UTF-8 reach the report's JSON as U+FFFD, never as broken bytes",
          "[report]") {
  report::aggregator a;
  a.add_line(
      "analytics,model=gpt\xff\xd4-4o,project_id=caf\xc3\xa9,deployment=\xed\xa0\x80x "
      "price=1,prompt_tokens=1i,completion_tokens=1i,user_hash=\"u\" 1732266000000000000");
  const std::string json = report::to_json(a.finish());
  CHECK(json.find("\"gpt\xEF\xBF\xBD\xEF\xBF\xBD-4o\"") != std::string::npos);
  CHECK(json.find("\"caf\xc3\xa9\"") != std::string::npos);  // valid UTF-8 is kept
  CHECK(json.find("\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDx\"") !=
        std::string::npos);  // a surrogate
  CHECK(json.find('\xff') == std::string::npos);
}
