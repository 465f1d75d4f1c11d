// SPDX-License-Identifier: Apache-2.0
// Lanes of spool + sender behind one append(), with a scripted in-memory backend.
#include <dial_analytics/output/spooled_output.hpp>

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <dial_analytics/error.hpp>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <numeric>
#include <string>
#include <thread>

#include "detail/posix_io.hpp"
#include "support/scripted_writer.hpp"
#include "support/temp_dir.hpp"

namespace out = dial_analytics::output;
using test_support::scripted_writer;
using test_support::temp_dir;

namespace {

out::spooled_output_options options(const temp_dir& d, std::size_t lanes = 2) {
  out::spooled_output_options o;
  o.dir = d.path() / "out";
  o.lanes = lanes;
  o.spool.sync = false;
  o.sender.linger = std::chrono::milliseconds(0);
  o.sender.retry_initial = std::chrono::milliseconds(1);
  o.sender.retry_max = std::chrono::milliseconds(5);
  return o;
}

// A backend that is down: every write is retried after a long backoff, so lines stay pending.
void backend_down(scripted_writer::shared& shared) {
  shared.answer = [](std::string_view) {
    return out::write_result{out::write_outcome::retry, 503, 0, std::chrono::seconds(60), "down"};
  };
}

constexpr auto drain = std::chrono::seconds(10);

// An output of `lanes` lanes with a 20-byte cap, whose backend is down, holding 18 bytes
// (9 per lane with two lanes, each lane alone would take 20).
std::unique_ptr<out::spooled_output> nearly_full(const temp_dir& d, scripted_writer::shared& shared,
                                                 std::size_t lanes,
                                                 out::overflow_policy when_full) {
  backend_down(shared);
  auto o = options(d, lanes);
  o.spool.max_bytes = 20;
  o.when_full = when_full;
  auto output = std::make_unique<out::spooled_output>(o, scripted_writer::factory(shared));
  REQUIRE_FALSE(output->append("m v=1i 1\n"));
  REQUIRE_FALSE(output->append("m v=2i 2\n"));
  return output;
}

}  // namespace

TEST_CASE("appends go round robin across the lanes, one writer per lane", "[spooled_output]") {
  temp_dir d;
  scripted_writer::shared shared;
  out::spooled_output output(options(d), scripted_writer::factory(shared));
  CHECK(output.has_writer());
  CHECK(output.lane_count() == 2);
  for (const char* line : {"a 1\n", "b 2\n", "c 3\n", "d 4\n"}) REQUIRE_FALSE(output.append(line));
  output.stop(drain);
  CHECK(shared.made == 2);
  CHECK(shared.sent_by(0) == "a 1\nc 3\n");
  CHECK(shared.sent_by(1) == "b 2\nd 4\n");
  CHECK(std::filesystem::is_directory(d.path() / "out" / "lane-0"));
  CHECK(std::filesystem::is_directory(d.path() / "out" / "lane-1"));
  CHECK(output.pending_bytes() == 0);
}

TEST_CASE("lanes left by a run with more lanes are drained but get no new data",
          "[spooled_output]") {
  temp_dir d;
  {
    auto o = options(d).spool;
    o.dir = d.path() / "out" / "lane-2";
    out::spool leftover(o);
    REQUIRE_FALSE(leftover.append("old 1\n"));
  }
  scripted_writer::shared shared;
  out::spooled_output output(options(d), scripted_writer::factory(shared));
  CHECK(output.lane_count() == 3);
  for (const char* line : {"a 1\n", "b 2\n", "c 3\n"}) REQUIRE_FALSE(output.append(line));
  output.stop(drain);
  CHECK(shared.made == 3);
  CHECK(shared.sent_by(2) == "old 1\n");
  CHECK(shared.sent_by(0) == "a 1\nc 3\n");
  CHECK(shared.sent_by(1) == "b 2\n");
  CHECK(output.stats().lines_written == 4);
}

TEST_CASE("the cap shared by all lanes refuses with no_space_on_device", "[spooled_output]") {
  temp_dir d;
  scripted_writer::shared shared;
  auto output = nearly_full(d, shared, 2, out::overflow_policy::refuse);
  CHECK(output->append("m v=3i 3\n") == std::errc::no_space_on_device);
  CHECK(output->pending_bytes() == 18);
  CHECK(output->stats().batches_dropped == 0);
  output->stop(std::chrono::milliseconds(0));
}

TEST_CASE("the drop policy drops a batch that does not fit and counts it", "[spooled_output]") {
  temp_dir d;
  scripted_writer::shared shared;
  auto output = nearly_full(d, shared, 2, out::overflow_policy::drop);
  CHECK_FALSE(output->append("m v=3i 3\nm v=4i 4\n"));  // dropped, not an error
  CHECK(output->pending_bytes() == 18);
  CHECK(output->stats().batches_dropped == 1);
  CHECK(output->stats().batch_lines_dropped == 2);
  output->stop(std::chrono::milliseconds(0));
}

TEST_CASE("with one lane the lane's own cap decides", "[spooled_output]") {
  temp_dir d;
  scripted_writer::shared shared;
  auto output = nearly_full(d, shared, 1, out::overflow_policy::refuse);
  CHECK(output->lane_count() == 1);
  CHECK(output->append("m v=3i 3\n") == std::errc::no_space_on_device);
  output->stop(std::chrono::milliseconds(0));
}

TEST_CASE("stop drains what is pending in every lane", "[spooled_output]") {
  temp_dir d;
  scripted_writer::shared shared;
  auto o = options(d, 3);
  o.sender.linger = std::chrono::seconds(60);  // the drain must end the wait
  out::spooled_output output(o, scripted_writer::factory(shared));
  std::string all;
  for (int i = 0; i < 9; ++i) {
    const std::string line = "m v=" + std::to_string(i) + "i\n";
    REQUIRE_FALSE(output.append(line));
    all += line;
  }
  CHECK(output.oldest_pending().has_value());
  const auto start = std::chrono::steady_clock::now();
  output.stop(drain);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK(output.pending_bytes() == 0);
  CHECK_FALSE(output.oldest_pending().has_value());
  CHECK(output.stats().lines_written == 9);
  CHECK(shared.sent_by(0).size() + shared.sent_by(1).size() + shared.sent_by(2).size() ==
        all.size());
}

TEST_CASE("stopping while the backend is down keeps the lines on disk for the next start",
          "[spooled_output]") {
  temp_dir d;
  {
    scripted_writer::shared down;
    backend_down(down);
    out::spooled_output output(options(d), scripted_writer::factory(down));
    REQUIRE_FALSE(output.append("a 1\n"));
    REQUIRE_FALSE(output.append("b 2\n"));
    output.stop(std::chrono::milliseconds(50));
    CHECK(output.pending_bytes() == 8);
    CHECK_FALSE(output.healthy());
  }
  scripted_writer::shared up;
  out::spooled_output output(options(d), scripted_writer::factory(up));
  output.stop(drain);
  CHECK(up.sent_by(0) + up.sent_by(1) == "a 1\nb 2\n");
  CHECK(output.healthy());
}

TEST_CASE("without a writer the segments stay as files in the output directory",
          "[spooled_output]") {
  temp_dir d;
  auto o = options(d);
  o.spool.segment_prefix = "flywheel-";
  o.spool.segment_extension = ".jsonl";
  out::spooled_output output(o, {});
  CHECK_FALSE(output.has_writer());
  CHECK(output.lane_count() == 1);
  REQUIRE_FALSE(output.append("{\"a\":1}\n"));
  REQUIRE_FALSE(output.append("{\"b\":2}\n"));
  output.stop(drain);
  CHECK(std::filesystem::exists(o.dir / "flywheel-000001.jsonl"));
  CHECK_FALSE(std::filesystem::exists(o.dir / "cursor"));
  CHECK_FALSE(std::filesystem::exists(o.dir / "lane-0"));
  CHECK(output.pending_bytes() == 16);  // stored, and kept
  CHECK(output.stats().requests == 0);
  CHECK(output.healthy());
}

TEST_CASE("stats are summed over the lanes", "[spooled_output]") {
  temp_dir d;
  scripted_writer::shared shared;
  shared.script = {{out::write_outcome::rejected, 400, 1, {}, "bad line"}};
  out::spooled_output output(options(d), scripted_writer::factory(shared));
  for (const char* line : {"a 1\n", "b 2\n", "c 3\n", "d 4\n"}) {
    REQUIRE_FALSE(output.append(line));
    // One line per request, so that the rejection covers exactly one line.
    while (output.pending_bytes() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  output.stop(drain);
  const out::output_stats stats = output.stats();
  CHECK(stats.lines_written == 3);
  CHECK(stats.lines_rejected == 1);
  CHECK(stats.bytes_written == 12);
  CHECK(stats.requests == 4);
  CHECK(std::accumulate(stats.latency_count.begin(), stats.latency_count.end(), std::uint64_t{0}) ==
        4);
  CHECK(stats.healthy);
}

TEST_CASE("a second output on the same directory is refused even from another process",
          "[spooled_output]") {
  temp_dir d;
  scripted_writer::shared shared;
  auto o = options(d);
  {
    out::spooled_output first(o, scripted_writer::factory(shared));
    try {
      out::spooled_output second(o, scripted_writer::factory(shared));
      FAIL("two outputs share " << o.dir);
    } catch (const dial_analytics::config_error& e) {
      const std::string text = e.what();
      CHECK(text.find("is in use by another process (pid " + std::to_string(::getpid())) !=
            std::string::npos);
      CHECK(text.find((o.dir / "lock").string() + "): one server per DATA_DIR") !=
            std::string::npos);
    }
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      try {
        out::spooled_output other(o, {});
        ::_exit(0);
      } catch (const dial_analytics::config_error&) {
        ::_exit(3);
      }
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 3);
  }
  out::spooled_output again(o, {});  // free once the first is gone
  CHECK(again.lane_count() == 1);
}

TEST_CASE("refused lines are found by bisection then dead-lettered and resent at the next start",
          "[spooled_output]") {
  temp_dir d;
  auto o = options(d, 1);
  o.dead_letter_dir = d.path() / "dead-letter";
  std::vector<std::string> logged;
  o.sender.log = [&](dial_analytics::log_level, std::string_view m) { logged.emplace_back(m); };
  const std::string batch = "a 1\nbad 2\nc 3\nd 4\ne 5\nbad 6\ng 7\nh 8\n";
  {
    scripted_writer::shared shared;
    shared.remedy = "raise the limit";
    // Refuses the "bad" lines and stores the others, saying only how many it refused.
    shared.answer = [](std::string_view lines) {
      std::size_t bad = 0;
      for (auto p = lines.find("bad"); p != std::string_view::npos; p = lines.find("bad", p + 1))
        ++bad;
      if (bad == 0) return out::write_result{};
      return out::write_result{
          out::write_outcome::rejected,
          400,
          bad,
          {},
          "partial write: max-values-per-tag limit exceeded dropped=" + std::to_string(bad)};
    };
    out::spooled_output output(o, scripted_writer::factory(shared));
    REQUIRE_FALSE(output.append(batch));
    output.stop(drain);
    const out::output_stats stats = output.stats();
    CHECK(stats.lines_dead_lettered == 2);
    CHECK(stats.lines_rejected == 2);
    CHECK(stats.lines_written == 6);
    CHECK(stats.requests <= 1 + 2 * 8);  // the bound on extra requests
  }
  const auto file = o.dead_letter_dir / "points-lane-0.lp";
  REQUIRE(std::filesystem::exists(file));
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.rfind("# ", 0) == 0);
  CHECK(text.find(" scripted backend HTTP 400: partial write: max-values-per-tag") !=
        std::string::npos);
  CHECK(text.find("\nbad 2\n") != std::string::npos);
  CHECK(text.find("\nbad 6\n") != std::string::npos);
  CHECK(text.find("a 1") == std::string::npos);
  REQUIRE(logged.size() == 1);
  CHECK(logged[0].find("rejected 2 of 8 lines (HTTP 400)") != std::string::npos);
  CHECK(logged[0].find("raise the limit; dead-lettered 2 lines to " + file.string()) !=
        std::string::npos);
  // Once the cause is fixed: the next start resends them, and the file goes.
  o.resend_dead_letters = true;
  scripted_writer::shared fixed;
  out::spooled_output output(o, scripted_writer::factory(fixed));
  CHECK(output.resent_dead_letters() == 2);
  CHECK_FALSE(std::filesystem::exists(file));
  output.stop(drain);
  CHECK(fixed.sent_by(0) == "bad 2\nbad 6\n");
  CHECK(logged.back() ==
        "resent 2 dead-lettered lines from 1 file(s) in " + o.dead_letter_dir.string());
}

TEST_CASE("a refused part is dead-lettered whole when the bisection bound is reached",
          "[spooled_output]") {
  temp_dir d;
  auto o = options(d, 1);
  o.dead_letter_dir = d.path() / "dead-letter";
  o.sender.bisect_requests_per_line = 0;
  scripted_writer::shared shared;
  shared.script = {{out::write_outcome::rejected, 400, 1, {}, "partial write\nsecond line"}};
  out::spooled_output output(o, scripted_writer::factory(shared));
  REQUIRE_FALSE(output.append("a 1\nb 2\n"));
  output.stop(drain);
  CHECK(output.stats().lines_dead_lettered == 2);
  CHECK(shared.bodies.size() == 1);
  std::ifstream in(o.dead_letter_dir / "points-lane-0.lp");
  std::string first, second, rest;
  std::getline(in, first);
  std::getline(in, second);
  CHECK(first.find("HTTP 400: partial write second line") != std::string::npos);
  CHECK(second.rfind("# (bisection bound reached", 0) == 0);
}

TEST_CASE("a batch larger than the whole cap is refused as too large", "[spooled_output]") {
  temp_dir d;
  auto o = options(d);
  o.spool.max_bytes = 10;
  scripted_writer::shared shared;
  out::spooled_output output(o, scripted_writer::factory(shared));
  const std::error_code ec = output.append("m v=123456789i 1\n");
  CHECK(ec == std::errc::value_too_large);
  CHECK(out::classify_append_error(ec) == out::append_error::too_large);
}

TEST_CASE("a file-system error is logged once with its errno and directory and its end too",
          "[spooled_output]") {
  temp_dir d;
  auto o = options(d);
  std::vector<std::string> logged;
  o.sender.log = [&](dial_analytics::log_level, std::string_view m) {
    if (m.find("spool") != std::string_view::npos) logged.emplace_back(m);  // not the sender's
  };
  scripted_writer::shared shared;
  backend_down(shared);
  out::spooled_output output(o, scripted_writer::factory(shared));
  auto& fault = dial_analytics::detail::injected_write_fault();
  fault.budget = 0;
  fault.error = ENOSPC;
  CHECK(out::classify_append_error(output.append("a 1\n")) == out::append_error::storage);
  CHECK(out::classify_append_error(output.append("b 2\n")) == out::append_error::storage);
  fault.error = 0;
  REQUIRE_FALSE(output.append("c 3\n"));
  REQUIRE(logged.size() == 2);  // once, not per append
  CHECK(logged[0].find("cannot write the spool in " + o.dir.string()) != std::string::npos);
  CHECK(logged[0].find("(ENOSPC)") != std::string::npos);
  CHECK(logged[1] == "the spool in " + o.dir.string() + " is writable again");
  CHECK(output.pending_bytes() == 4);
}
