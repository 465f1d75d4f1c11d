// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <dial_analytics/report.hpp>
#include <dial_analytics/rollup.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace rollup = dial_analytics::rollup;
namespace report = dial_analytics::report;

namespace {

std::int64_t at(const char* iso) { return *report::parse_time(iso); }

/// A raw `analytics` point as the service writes it (the fields the rollups read).
std::string raw(std::int64_t time, const std::string& user, std::int64_t prompt, double price,
                const std::string& project = "team-a", const std::string& model = "gpt-4o",
                const std::string& chat = "c1", const std::string& topic = "Travel") {
  std::ostringstream s;
  s << "analytics,deployment=" << model << ",language=en,model=" << model
    << ",parent_deployment=undefined";
  if (!project.empty()) s << ",project_id=" << project;
  s << ",title=Data\\ Scientist,topic=" << topic << " chat_id=\"" << chat
    << "\",completion_tokens=10i,deployment_price=" << price
    << ",number_request_messages=2i,price=" << price << ",prompt_tokens=" << prompt
    << "i,user_hash=\"" << user << "\" " << time;
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> with_prefix(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  for (const std::string& l : lines_of(text)) {
    if (l.rfind(prefix, 0) == 0) out.push_back(l);
  }
  return out;
}

/// Everything a builder writes for its range: every window, then every month.
std::string all_lines(rollup::builder& b) {
  std::string out;
  for (const std::int64_t w : b.windows()) out += b.take_window(w);
  for (const std::int64_t m : b.months()) out += b.month_lines(m);
  return out;
}

const std::int64_t day = 24 * rollup::hour_ns;

}  // namespace

TEST_CASE("windows are aligned to UTC and months start on the first at midnight", "[rollup]") {
  const std::int64_t six = rollup::six_hours_ns;
  CHECK(rollup::window_floor(at("2024-11-22T05:59:59Z")) == at("2024-11-22T00:00:00Z"));
  CHECK(rollup::window_floor(at("2024-11-22T06:00:00Z")) == at("2024-11-22T06:00:00Z"));
  CHECK(rollup::window_floor(at("2024-11-22T23:00:00Z")) == at("2024-11-22T18:00:00Z"));
  CHECK(rollup::window_floor(-1, six) == -six);  // before 1970 too
  CHECK(rollup::window_floor(at("2024-11-22T13:30:00Z"), rollup::hour_ns) ==
        at("2024-11-22T13:00:00Z"));
  CHECK(rollup::month_floor(at("2024-11-22T13:30:00Z")) == at("2024-11-01"));
  CHECK(rollup::next_month(at("2024-11-01")) == at("2024-12-01"));
  CHECK(rollup::next_month(at("2024-12-01")) == at("2025-01-01"));
  CHECK(rollup::next_month(at("2024-02-01")) - at("2024-02-01") == 29 * day);  // leap year
  CHECK(rollup::next_month(at("2023-02-01")) - at("2023-02-01") == 28 * day);
  CHECK(rollup::month_floor(at("2024-03-01") - 1) == at("2024-02-01"));
}

TEST_CASE(
    "a builder refuses ranges off the window boundaries and windows that do not divide a "
    "day",
    "[rollup]") {
  CHECK_THROWS_AS(rollup::builder(at("2024-11-22T01:00:00Z"), at("2024-11-23")),
                  std::invalid_argument);
  CHECK_THROWS_AS(rollup::builder(at("2024-11-22"), at("2024-11-22")), std::invalid_argument);
  CHECK_THROWS_AS(rollup::builder(at("2024-11-22"), at("2024-11-23"), 5 * rollup::hour_ns),
                  std::invalid_argument);
  CHECK_THROWS_AS(rollup::builder(at("2024-11-22"), at("2024-11-23"), rollup::hour_ns / 2),
                  std::invalid_argument);
  CHECK_NOTHROW(rollup::builder(at("2024-11-22T01:00:00Z"), at("2024-11-23"), rollup::hour_ns));
  const rollup::builder b(at("2024-11-22"), at("2024-11-23"));
  CHECK(b.windows() ==
        std::vector<std::int64_t>{at("2024-11-22T00:00:00Z"), at("2024-11-22T06:00:00Z"),
                                  at("2024-11-22T12:00:00Z"), at("2024-11-22T18:00:00Z")});
  CHECK(b.months().empty());
}

TEST_CASE("a window's stats keep fractional deployment prices and count requests and users",
          "[rollup]") {
  rollup::builder b(at("2024-11-22"), at("2024-11-23"));
  const std::int64_t t = at("2024-11-22T07:00:00Z");
  b.add_line(raw(t, "u1", 100, 0.25));
  b.add_line(raw(t + 1, "u2", 200, 0.5));
  b.add_line(raw(t + 2, "u1", 300, 0.125));
  b.add_line(raw(t + 3, "undefined", 10, 0.0625));
  const std::string out = b.take_window(at("2024-11-22T06:00:00Z"));
  const auto stats = with_prefix(out, "default_agg_stats,");
  REQUIRE(stats.size() == 1);
  CHECK(stats[0] ==
        "default_agg_stats,deployment=gpt-4o,language=en,model=gpt-4o,parent_deployment=undefined,"
        "project_id=team-a completion_tokens=40i,deployment_price=0.9375,"
        "number_request_messages=8i,price=0.9375,prompt_tokens=610i,request_count=4i,"
        "unique_user_count=3i " +
            std::to_string(at("2024-11-22T06:00:00Z")));
  // Forgotten once taken: a second take writes nothing.
  CHECK(b.take_window(at("2024-11-22T06:00:00Z")).empty());
}

TEST_CASE("points on the window edges land in the window that holds them, stamped at its start",
          "[rollup]") {
  rollup::builder b(at("2024-11-22"), at("2024-11-23"));
  b.add_line(raw(at("2024-11-22T06:00:00Z") - 1, "u1", 1, 1));
  b.add_line(raw(at("2024-11-22T06:00:00Z"), "u1", 1, 1));
  b.add_line(raw(at("2024-11-23T00:00:00Z"), "u1", 1, 1));      // the range's end: outside
  b.add_line(raw(at("2024-11-22T00:00:00Z") - 1, "u1", 1, 1));  // before the start: outside
  CHECK(b.points() == 2);
  CHECK(b.points_in(at("2024-11-22T00:00:00Z")) == 1);
  CHECK(b.points_in(at("2024-11-22T06:00:00Z")) == 1);
  for (const std::int64_t w : {at("2024-11-22T00:00:00Z"), at("2024-11-22T06:00:00Z")}) {
    for (const std::string& l : lines_of(b.take_window(w)))
      CHECK(l.substr(l.rfind(' ') + 1) == std::to_string(w));
  }
}

TEST_CASE(
    "every prompt-token count falls in exactly one of the reference's classes, per user "
    "type",
    "[rollup]") {
  rollup::builder b(at("2024-11-22"), at("2024-11-23"));
  const std::int64_t t = at("2024-11-22T12:00:00Z");
  int i = 0;
  // class_1 >= 50000; class_2 > 10000; class_3 > 5000; class_4 > 1000; class_5 > 100; else 6
  for (const std::int64_t tokens :
       {50000, 60000, 49999, 10001, 10000, 5001, 5000, 1001, 1000, 101, 100, 0})
    b.add_line(raw(t + i++, "u1", tokens, 0));
  b.add_line(raw(t + i++, "undefined", 1000, 0));
  const auto classes = with_prefix(b.take_window(t), "default_agg_topic,");
  REQUIRE(classes.size() == 2);
  CHECK(classes[0] ==
        "default_agg_topic,user_type=project class_1=0i,class_2=0i,class_3=0i,class_4=0i,"
        "class_5=1i,class_6=0i,number_request_messages=2i,topic_count=1i " +
            std::to_string(t));
  CHECK(classes[1] ==
        "default_agg_topic,user_type=user class_1=2i,class_2=2i,class_3=2i,class_4=2i,"
        "class_5=2i,class_6=2i,number_request_messages=24i,topic_count=12i " +
            std::to_string(t));
}

TEST_CASE("topic counts, per-user KPIs and per-chat counts are written for every window",
          "[rollup]") {
  rollup::builder b(at("2024-11-22"), at("2024-11-23"));
  const std::int64_t t = at("2024-11-22T18:00:00Z");
  b.add_line(raw(t, "u1", 10, 0.5, "team-a", "gpt-4o", "c1", "Travel"));
  b.add_line(raw(t + 1, "u1", 20, 0.25, "team-a", "gpt-4o", "c1", "Travel"));
  b.add_line(raw(t + 2, "u2", 30, 0.125, "", "gpt-4o", "c2", "Code"));
  const std::string out = b.take_window(t);
  const std::string ts = " " + std::to_string(t);
  CHECK(with_prefix(out, "default_agg_topic_2,") ==
        std::vector<std::string>{
            "default_agg_topic_2,model=gpt-4o,title=Data\\ Scientist,topic=Code "
            "completion_tokens=10i,number_request_messages=2i,price=0.125,prompt_tokens=30i,"
            "topic_count=1i" +
                ts,
            "default_agg_topic_2,model=gpt-4o,title=Data\\ Scientist,topic=Travel "
            "completion_tokens=20i,number_request_messages=4i,price=0.75,prompt_tokens=30i,"
            "topic_count=2i" +
                ts});
  // A request without a project has no project_id tag, as in the raw points.
  CHECK(with_prefix(out, "default_agg_kpi,") ==
        std::vector<std::string>{
            "default_agg_kpi,parent_deployment=undefined,title=Data\\ Scientist,user_hash=u2 "
            "completion_tokens=10i,cost=0.125,prompt_tokens=30i,request_count=1i,user=\"u2\"" +
                ts,
            "default_agg_kpi,parent_deployment=undefined,project_id=team-a,title=Data\\ "
            "Scientist,user_hash=u1 completion_tokens=20i,cost=0.75,prompt_tokens=30i,"
            "request_count=2i,user=\"u1\"" +
                ts});
  CHECK(with_prefix(out, "default_agg_chatid,") ==
        std::vector<std::string>{"default_agg_chatid,chat_id=c1 request_count=2i" + ts,
                                 "default_agg_chatid,chat_id=c2 request_count=1i" + ts});
}

TEST_CASE("the same points in any order give the same aggregates, byte for byte", "[rollup]") {
  std::vector<std::string> points;
  for (int i = 0; i < 200; ++i) {
    points.push_back(raw(at("2024-11-22T00:00:00Z") + std::int64_t{i} * 600'000'000'000,
                         "u" + std::to_string(i % 7), 100 + i, 0.125 * (i % 5),
                         i % 3 ? "team-a" : "team-b", i % 2 ? "gpt-4o" : "mini",
                         "c" + std::to_string(i % 11)));
  }
  const auto run = [&] {
    rollup::builder b(at("2024-11-22"), at("2024-11-24"));
    for (const std::string& p : points) b.add_line(p);
    return all_lines(b);
  };
  const std::string first = run();
  CHECK(run() == first);
  std::reverse(points.begin(), points.end());
  CHECK(run() == first);
  CHECK(lines_of(first).size() > 20);
}

TEST_CASE(
    "points read back from InfluxDB (every column a field) give the same aggregates as "
    "tagged lines",
    "[rollup]") {
  const std::int64_t t = at("2024-11-22T03:00:00Z");
  rollup::builder tagged(at("2024-11-22"), at("2024-11-23"));
  tagged.add_line(raw(t, "u1", 10, 0.5));
  rollup::builder columns(at("2024-11-22"), at("2024-11-23"));
  columns.add_line(
      "analytics chat_id=\"c1\",completion_tokens=10i,deployment=\"gpt-4o\",deployment_price=0.5,"
      "language=\"en\",model=\"gpt-4o\",number_request_messages=2i,parent_deployment=\"undefined\","
      "price=0.5,project_id=\"team-a\",prompt_tokens=10i,title=\"Data Scientist\",topic=\"Travel\","
      "user_hash=\"u1\" " +
      std::to_string(t));
  CHECK(columns.take_window(at("2024-11-22")) == tagged.take_window(at("2024-11-22")));
}

TEST_CASE("other measurements, comments and blank lines are ignored; broken lines are counted",
          "[rollup]") {
  rollup::builder b(at("2024-11-22"), at("2024-11-23"));
  b.add_text(
      "# comment\n\nrate_analytics,deployment=x like_count=1i 1732255200000000000\n"
      "not line protocol\nanalytics price=1 \n");
  CHECK(b.points() == 0);
  CHECK(b.unreadable_lines() == 2);
  CHECK(all_lines(b).empty());
}

TEST_CASE(
    "a month wholly inside the range gets monthly costs, APIs without \"undefined\" "
    "projects, and user deciles",
    "[rollup]") {
  rollup::builder b(at("2024-11-01"), at("2024-12-01"));
  CHECK(b.months() == std::vector<std::int64_t>{at("2024-11-01")});
  const std::int64_t t = at("2024-11-10T10:00:00Z");
  // 20 users: user i spends i dollars in i requests, in project team-a (odd) or team-b (even).
  int n = 0;
  for (int u = 1; u <= 20; ++u) {
    for (int r = 0; r < u; ++r)
      b.add_line(raw(t + n++, "u" + std::to_string(u), 10, 1.0, u % 2 ? "team-a" : "team-b",
                     u % 2 ? "gpt-4o" : "mini"));
  }
  b.add_line(raw(t + n++, "undefined", 10, 4.0, "undefined"));  // an API key, no project id
  b.add_line(raw(t + n++, "undefined", 10, 2.0, "team-c"));     // an API key of team-c
  const std::string month = b.month_lines(at("2024-11-01"));
  const auto row = with_prefix(month, "default_agg_month ");
  REQUIRE(row.size() == 1);
  // 210 user dollars. APIs: team-a (the odd users: 100 dollars, 100 requests), team-b (110, 110)
  // and team-c (2 dollars, 1 request); the "undefined" project is not one.
  CHECK(row[0] ==
        "default_agg_month active_apis=3i,avg_cost_per_api=70.66666666666667,"
        "avg_rc_per_api=70.33333333333333,avg_cost_per_model=108,avg_cost_per_user=10.5,"
        "request_count=212i,total_cost=216,total_cost_per_api=212,total_cost_per_model=216,"
        "total_rc_per_api=211i,total_user_cost=210,unique_users=20i " +
            std::to_string(at("2024-11-01")));
  const auto deciles = with_prefix(month, "default_agg_user_deciles,");
  REQUIRE(deciles.size() == 11);
  // The costliest tenth: users 20 and 19, 39 of 210 dollars.
  CHECK(deciles[0] == "default_agg_user_deciles,decile=d01 cost=39,cost_share=" +
                          std::string("0.18571428571428572") +
                          ",request_count=39i,request_share=0.18571428571428572,user_count=2i " +
                          std::to_string(at("2024-11-01")));
  CHECK(deciles[9].find("decile=d10 cost=3,") != std::string::npos);  // users 2 and 1
  CHECK(deciles[10].find("decile=top1pct cost=20,") != std::string::npos);
  CHECK(deciles[10].find(",user_count=1i ") != std::string::npos);
  // A range that only covers part of a month writes no monthly points.
  rollup::builder part(at("2024-11-02"), at("2024-12-01"));
  part.add_line(raw(t, "u1", 10, 1.0));
  CHECK(part.months().empty());
  CHECK(part.month_lines(at("2024-11-01")).empty());
}

TEST_CASE("tag values with spaces, commas and equals signs are escaped and strings quoted",
          "[rollup]") {
  rollup::builder b(at("2024-11-22"), at("2024-11-23"));
  const std::int64_t t = at("2024-11-22T00:00:00Z");
  b.add_line(
      "analytics,deployment=gpt-4o,model=gpt-4o,project_id=team\\ a\\,b\\=c "
      "chat_id=\"say \\\"hi\\\"\",price=1,prompt_tokens=1i,user_hash=\"u = 1\" " +
      std::to_string(t));
  const std::string out = b.take_window(t);
  CHECK(out.find("project_id=team\\ a\\,b\\=c") != std::string::npos);
  CHECK(out.find("default_agg_chatid,chat_id=say\\ \"hi\" request_count=1i") != std::string::npos);
  CHECK(out.find("user_hash=u\\ \\=\\ 1 ") != std::string::npos);
  CHECK(out.find("user=\"u = 1\"") != std::string::npos);
}
