// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/influx/influx_writer.hpp>
#include <dial_analytics/output/sender.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "influx/refusals.hpp"
#include "support/scripted_writer.hpp"
#include "support/temp_dir.hpp"

namespace da = dial_analytics;
namespace out = dial_analytics::output;
using test_support::scripted_writer;
using test_support::temp_dir;

namespace {

out::spool_options spool_opts(const temp_dir& d) {
  out::spool_options o;
  o.dir = d.path();
  o.sync = false;
  return o;
}

out::sender_options fast() {
  out::sender_options o;
  o.retry_initial = std::chrono::milliseconds(1);
  o.retry_max = std::chrono::milliseconds(5);
  return o;
}

}  // namespace

TEST_CASE("the sender writes spooled lines and empties the spool", "[sender]") {
  temp_dir d;
  out::spool s(spool_opts(d));
  scripted_writer::shared shared;
  REQUIRE_FALSE(s.append("a v=1 1\nb v=2 2\n"));
  out::sender sender(s, std::make_unique<scripted_writer>(shared, 0), fast());
  sender.stop(std::chrono::seconds(5));
  CHECK(sender.stats().lines_written == 2);
  CHECK(s.pending_bytes() == 0);
  REQUIRE(shared.bodies.size() == 1);
  CHECK(shared.bodies[0] == "a v=1 1\nb v=2 2\n");
}

TEST_CASE("the sender retries failures until the write succeeds, keeping order", "[sender]") {
  temp_dir d;
  out::spool s(spool_opts(d));
  scripted_writer::shared shared;
  shared.script = {{out::write_outcome::retry, 503, 0, std::chrono::milliseconds(0), "busy"},
                   {out::write_outcome::retry, 0, 0, {}, "network: connection refused"},
                   {out::write_outcome::unavailable, 401, 0, {}, "unauthorized"}};
  REQUIRE_FALSE(s.append("a v=1 1\n"));
  out::sender sender(s, std::make_unique<scripted_writer>(shared, 0), fast());
  sender.stop(std::chrono::seconds(5));
  CHECK(shared.bodies.size() == 4);
  CHECK(sender.stats().lines_written == 1);
  CHECK(sender.stats().lines_retried == 3);
  CHECK(sender.stats().failed_requests == 3);
  CHECK(s.pending_bytes() == 0);
}

TEST_CASE("rejected points are counted and never resent", "[sender]") {
  temp_dir d;
  out::spool s(spool_opts(d));
  scripted_writer::shared shared;
  shared.script = {{out::write_outcome::rejected, 400, 1, {}, "partial write: dropped=1"}};
  REQUIRE_FALSE(s.append("a v=1 1\nb v=x 2\n"));
  out::sender sender(s, std::make_unique<scripted_writer>(shared, 0), fast());
  sender.stop(std::chrono::seconds(5));
  CHECK(shared.bodies.size() == 1);
  CHECK(sender.stats().lines_rejected == 1);
  CHECK(sender.stats().lines_written == 1);
  CHECK(s.pending_bytes() == 0);
}

TEST_CASE("a 413 splits the batch in halves down to single lines", "[sender]") {
  temp_dir d;
  out::spool s(spool_opts(d));
  scripted_writer::shared shared;
  const out::write_result too_large{out::write_outcome::too_large, 413, 0, {}, "too large"};
  shared.script = {too_large, too_large};  // 4 lines → 2+2 → first half → 1+1
  REQUIRE_FALSE(s.append("a v=1 1\nb v=2 2\nc v=3 3\nd v=4 4\n"));
  out::sender sender(s, std::make_unique<scripted_writer>(shared, 0), fast());
  sender.stop(std::chrono::seconds(5));
  CHECK(sender.stats().lines_written == 4);
  REQUIRE(shared.bodies.size() == 5);
  CHECK(shared.bodies[2] == "a v=1 1\n");
  CHECK(shared.bodies[3] == "b v=2 2\n");
  CHECK(shared.bodies[4] == "c v=3 3\nd v=4 4\n");
}

TEST_CASE("stopping while the backend is down keeps the lines in the spool", "[sender]") {
  temp_dir d;
  out::spool s(spool_opts(d));
  scripted_writer::shared shared;
  for (int i = 0; i < 1000; ++i)
    shared.script.push_back({out::write_outcome::retry, 0, 0, {}, "down"});
  REQUIRE_FALSE(s.append("a v=1 1\n"));
  out::sender sender(s, std::make_unique<scripted_writer>(shared, 0), fast());
  sender.stop(std::chrono::milliseconds(50));
  CHECK(s.pending_bytes() == 8);
  CHECK(sender.stats().lines_written == 0);
}

TEST_CASE("log lines name the backend and what it calls its lines", "[sender]") {
  temp_dir d;
  out::spool s(spool_opts(d));
  scripted_writer::shared shared;
  shared.noun = {"document", "documents"};
  shared.script = {{out::write_outcome::rejected, 400, 1, {}, "mapping conflict"},
                   {out::write_outcome::retry, 503, 0, std::chrono::milliseconds(1), "busy"},
                   {out::write_outcome::too_large, 413, 0, {}, ""}};
  std::vector<std::string> logged;
  auto o = fast();
  o.log = [&](da::log_level, std::string_view m) { logged.emplace_back(m); };
  REQUIRE_FALSE(s.append("a 1\nb 2\n"));
  {
    out::sender sender(s, std::make_unique<scripted_writer>(shared, 0), o);
    sender.stop(std::chrono::seconds(5));
  }
  REQUIRE_FALSE(s.append("c 3\n"));
  out::sender sender(s, std::make_unique<scripted_writer>(shared, 0), o);
  sender.stop(std::chrono::seconds(5));
  REQUIRE(logged.size() == 3);
  CHECK(logged[0] == "scripted backend rejected 1 of 2 documents (HTTP 400): mapping conflict");
  CHECK(logged[1] ==
        "scripted backend write failed (HTTP 503): busy; keeping 1 documents, retrying in 1 ms");
  CHECK(logged[2] ==
        "scripted backend refuses a single document as too large (413); dropped 4 bytes");
}

TEST_CASE("stop wakes a sender waiting out a long backoff at once", "[sender]") {
  temp_dir d;
  out::spool s(spool_opts(d));
  scripted_writer::shared shared;
  shared.answer = [](std::string_view) {
    return out::write_result{out::write_outcome::retry, 503, 0, {}, "busy"};
  };
  auto o = fast();
  o.retry_initial = o.retry_max = std::chrono::seconds(60);
  REQUIRE_FALSE(s.append("a v=1 1\n"));
  out::sender sender(s, std::make_unique<scripted_writer>(shared, 0), o);
  while (sender.stats().requests == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto start = std::chrono::steady_clock::now();
  sender.stop(std::chrono::milliseconds(100));  // the drain deadline ends the backoff
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK(s.pending_bytes() == 8);
  CHECK_FALSE(sender.stats().healthy);
}

TEST_CASE("a drain ends the linger wait and sends at once", "[sender]") {
  temp_dir d;
  out::spool s(spool_opts(d));
  scripted_writer::shared shared;
  auto o = fast();
  o.linger = std::chrono::seconds(60);
  REQUIRE_FALSE(s.append("a v=1 1\n"));
  out::sender sender(s, std::make_unique<scripted_writer>(shared, 0), o);
  const auto start = std::chrono::steady_clock::now();
  sender.stop(std::chrono::seconds(30));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK(sender.stats().lines_written == 1);
  CHECK(s.pending_bytes() == 0);
}

namespace {

// A per-line answer: the lines not listed are stored.
out::write_result per_line(std::vector<out::line_refusal> refused,
                           std::vector<std::size_t> retry_lines, std::string message = "some") {
  out::write_result r(out::write_outcome::written, 200, 0, {}, std::move(message));
  r.refused = std::move(refused);
  r.retry_lines = std::move(retry_lines);
  return r;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("a per-line answer dead-letters exactly the refused lines and resends the others",
          "[sender]") {
  temp_dir d;
  out::spool s(spool_opts(d));
  scripted_writer::shared shared;
  shared.noun = {"document", "documents"};
  shared.remedy = "fix the producer";
  shared.script = {
      per_line({{1, "strict_dynamic_mapping_exception: no [metadata] here", 400}}, {2, 4},
               "2 of 5 documents to resend, first HTTP 429: es_rejected_execution_exception"),
      per_line({}, {1}),  // of "c\ne\n": e again
  };
  std::vector<std::pair<da::log_level, std::string>> logged;
  auto o = fast();
  o.dead_letter_file = d.path() / "dead" / "letters.jsonl";
  o.log = [&](da::log_level l, std::string_view m) { logged.emplace_back(l, m); };
  REQUIRE_FALSE(s.append("a\t{}\nb\t{\"metadata\":1}\nc\t{}\nd\t{}\ne\t{}\n"));
  out::sender sender(s, std::make_unique<scripted_writer>(shared, 0), o);
  sender.stop(std::chrono::seconds(5));
  REQUIRE(shared.bodies.size() == 3);
  CHECK(shared.bodies[1] == "c\t{}\ne\t{}\n");
  CHECK(shared.bodies[2] == "e\t{}\n");
  CHECK(sender.stats().lines_written == 4);
  CHECK(sender.stats().lines_rejected == 1);
  CHECK(sender.stats().lines_dead_lettered == 1);
  CHECK(sender.stats().lines_retried == 3);
  CHECK(sender.stats().failed_requests == 0);
  CHECK(sender.stats().healthy);
  CHECK(s.pending_bytes() == 0);
  const std::string dead = read_file(o.dead_letter_file);
  CHECK(dead.starts_with("# 20"));
  CHECK(
      dead.ends_with(" scripted backend HTTP 400: strict_dynamic_mapping_exception: no "
                     "[metadata] here\nb\t{\"metadata\":1}\n"));
  REQUIRE(logged.size() == 2);
  CHECK(logged[0].first == da::log_level::warning);
  CHECK(logged[0].second.starts_with(
      "scripted backend asks to resend 2 documents later: 2 of 5 documents to resend"));
  CHECK(logged[1].first == da::log_level::error);
  CHECK(logged[1].second ==
        "scripted backend rejected 1 of 5 documents (HTTP 400): strict_dynamic_mapping_exception: "
        "no [metadata] here; fix the producer; dead-lettered 1 documents to " +
            o.dead_letter_file.string());
}

TEST_CASE("each line refused in a per-line answer gets its own status and reason", "[sender]") {
  temp_dir d;
  out::spool s(spool_opts(d));
  scripted_writer::shared shared;
  shared.script = {per_line({{2, "second", 0}, {0, "first", 422}}, {})};
  auto o = fast();
  o.dead_letter_file = d.path() / "letters.lp";
  REQUIRE_FALSE(s.append("x 1\ny 2\nz 3\n"));
  out::sender sender(s, std::make_unique<scripted_writer>(shared, 0), o);
  sender.stop(std::chrono::seconds(5));
  CHECK(shared.bodies.size() == 1);  // no bisection, nothing resent
  CHECK(sender.stats().lines_written == 1);
  CHECK(sender.stats().lines_rejected == 2);
  CHECK(sender.stats().lines_dead_lettered == 2);
  const std::string dead = read_file(o.dead_letter_file);
  CHECK(dead.find(" HTTP 422: first\nx 1\n# ") != std::string::npos);
  CHECK(dead.ends_with(" HTTP 200: second\nz 3\n"));  // no status of its own: the write's
  CHECK(dead.find("y 2") == std::string::npos);
}

TEST_CASE("per-line refusals without a dead-letter file are counted and logged", "[sender]") {
  temp_dir d;
  out::spool s(spool_opts(d));
  scripted_writer::shared shared;
  shared.script = {per_line({{0, "bad", 400}}, {})};
  std::vector<std::string> logged;
  auto o = fast();
  o.log = [&](da::log_level, std::string_view m) { logged.emplace_back(m); };
  REQUIRE_FALSE(s.append("x 1\ny 2\n"));
  out::sender sender(s, std::make_unique<scripted_writer>(shared, 0), o);
  sender.stop(std::chrono::seconds(5));
  CHECK(sender.stats().lines_rejected == 1);
  CHECK(sender.stats().lines_written == 1);
  CHECK(sender.stats().lines_dead_lettered == 0);
  REQUIRE(logged.size() == 1);
  CHECK(logged[0] == "scripted backend rejected 1 of 2 lines (HTTP 400): bad");
}

TEST_CASE("stop ends the wait before a per-line resend and keeps the batch", "[sender]") {
  temp_dir d;
  out::spool s(spool_opts(d));
  scripted_writer::shared shared;
  shared.answer = [](std::string_view) { return per_line({}, {0}); };
  auto o = fast();
  o.retry_initial = o.retry_max = std::chrono::seconds(60);
  REQUIRE_FALSE(s.append("a 1\nb 2\n"));
  out::sender sender(s, std::make_unique<scripted_writer>(shared, 0), o);
  while (sender.stats().requests == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto start = std::chrono::steady_clock::now();
  sender.stop(std::chrono::milliseconds(100));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK(s.pending_bytes() == 8);  // at least once: the stored line is sent again next time
  CHECK(sender.stats().lines_written == 1);
}

TEST_CASE("a per-line resend honours the backend's Retry-After", "[sender]") {
  temp_dir d;
  out::spool s(spool_opts(d));
  scripted_writer::shared shared;
  out::write_result r = per_line({}, {1});
  r.retry_after = std::chrono::milliseconds(300);
  shared.script = {r};
  REQUIRE_FALSE(s.append("a 1\nb 2\n"));
  const auto start = std::chrono::steady_clock::now();
  out::sender sender(s, std::make_unique<scripted_writer>(shared, 0), fast());
  sender.stop(std::chrono::seconds(5));
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(300));
  CHECK(sender.stats().lines_written == 2);
  REQUIRE(shared.bodies.size() == 2);
  CHECK(shared.bodies[1] == "b 2\n");
}

TEST_CASE("InfluxDB answers are classified as mature clients do", "[influx]") {
  using out::write_outcome;
  CHECK(dial_analytics::influx::classify_response(204, "", "", 3).outcome ==
        write_outcome::written);
  auto r = dial_analytics::influx::classify_response(
      400, R"({"error":"partial write: unable to parse 'x': bad timestamp dropped=2"})", "", 5);
  CHECK(r.outcome == write_outcome::rejected);
  CHECK(r.rejected_lines == 2);
  r = dial_analytics::influx::classify_response(
      400,
      R"({"error":"partial write of line protocol occurred","data":[{"original_line":"x","line_number":1,"error_message":"e"}]})",
      "", 5);
  CHECK(r.rejected_lines == 1);
  CHECK(dial_analytics::influx::classify_response(422, "", "", 4).rejected_lines == 4);
  CHECK(dial_analytics::influx::classify_response(413, "", "", 4).outcome ==
        write_outcome::too_large);
  r = dial_analytics::influx::classify_response(429, "", "7", 1);
  CHECK(r.outcome == write_outcome::retry);
  CHECK(r.retry_after == std::chrono::seconds(7));
  CHECK(dial_analytics::influx::classify_response(503, "", "Wed, 21 Oct 2015 07:28:00 GMT", 1)
            .retry_after == std::chrono::seconds(10));
  CHECK(dial_analytics::influx::classify_response(500, "internal", "", 1).outcome ==
        write_outcome::retry);
  CHECK(dial_analytics::influx::classify_response(408, "", "", 1).outcome == write_outcome::retry);
  CHECK(dial_analytics::influx::classify_response(
            500, R"({"error":"retention policy not found: x"})", "", 1)
            .outcome == write_outcome::unavailable);
  CHECK(dial_analytics::influx::classify_response(401, "", "", 1).outcome ==
        write_outcome::unavailable);
  CHECK(dial_analytics::influx::classify_response(403, "", "", 1).outcome ==
        write_outcome::unavailable);
  CHECK(dial_analytics::influx::classify_response(404, R"({"error":"database not found"})", "", 1)
            .outcome == write_outcome::unavailable);
  CHECK(dial_analytics::influx::classify_response(405, "", "", 1).outcome ==
        write_outcome::rejected);
}

TEST_CASE("InfluxDB refusals name their cause and remedy", "[influx]") {
  using dial_analytics::influx::refusal_remedy;
  const std::string tags = refusal_remedy(
      R"({"error":"partial write: max-values-per-tag limit exceeded (100000/100000): measurement=\"chat\" tag=\"response_id\" value=\"x\" dropped=3"})");
  CHECK(tags.find("raise max-values-per-tag in the [data] section of influxdb.conf") !=
        std::string::npos);
  CHECK(tags.find("RESEND_DEAD_LETTERS=true") != std::string::npos);
  CHECK(refusal_remedy("partial write: max-series-per-database limit exceeded: (1000000)")
            .find("raise max-series-per-database") != std::string::npos);
  CHECK(refusal_remedy("partial write: field type conflict: input field \"x\" on measurement "
                       "\"chat\" is type string, already exists as type float dropped=1")
            .find("drop or rename the conflicting field") != std::string::npos);
  CHECK(refusal_remedy("unable to parse 'x y': invalid field format").find("this is a bug") !=
        std::string::npos);
  CHECK(refusal_remedy("something else").empty());
}
