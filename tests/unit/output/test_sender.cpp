// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/influx/influx_writer.hpp>
#include <dial_analytics/output/sender.hpp>

#include <catch2/catch.hpp>

#include <deque>
#include <mutex>

#include "support/temp_dir.hpp"

namespace da = dial_analytics;
namespace out = dial_analytics::output;
using test_support::temp_dir;

namespace {

// A writer that answers from a script and records what it was sent.
class scripted_writer final : public out::batch_writer {
 public:
  struct shared {
    std::mutex mutex;
    std::deque<out::write_result> script;
    std::vector<std::string> bodies;
  };
  explicit scripted_writer(shared& s) : s_(s) {}
  out::write_result write(std::string_view lines) override {
    std::lock_guard lock(s_.mutex);
    s_.bodies.emplace_back(lines);
    if (s_.script.empty()) return {};
    auto r = s_.script.front();
    s_.script.pop_front();
    return r;
  }
  [[nodiscard]] std::string_view name() const noexcept override { return "scripted backend"; }

 private:
  shared& s_;
};

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
  out::sender sender(s, std::make_unique<scripted_writer>(shared), fast());
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
  out::sender sender(s, std::make_unique<scripted_writer>(shared), fast());
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
  out::sender sender(s, std::make_unique<scripted_writer>(shared), fast());
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
  out::sender sender(s, std::make_unique<scripted_writer>(shared), fast());
  sender.stop(std::chrono::seconds(5));
  CHECK(sender.stats().lines_written == 4);
  REQUIRE(shared.bodies.size() == 5);
  CHECK(shared.bodies[2] == "a v=1 1\n");
  CHECK(shared.bodies[3] == "b v=2 2\n");
  CHECK(shared.bodies[4] == "c v=3 3\nd v=4 4\n");
}

TEST_CASE("stopping while InfluxDB is down keeps the points in the spool", "[sender]") {
  temp_dir d;
  out::spool s(spool_opts(d));
  scripted_writer::shared shared;
  for (int i = 0; i < 1000; ++i)
    shared.script.push_back({out::write_outcome::retry, 0, 0, {}, "down"});
  REQUIRE_FALSE(s.append("a v=1 1\n"));
  out::sender sender(s, std::make_unique<scripted_writer>(shared), fast());
  sender.stop(std::chrono::milliseconds(50));
  CHECK(s.pending_bytes() == 8);
  CHECK(sender.stats().lines_written == 0);
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
