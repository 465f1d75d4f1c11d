// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/error.hpp>
#include <dial_analytics/output/spool.hpp>

#include <catch2/catch.hpp>

#include <cerrno>
#include <fstream>
#include <iterator>

#include "detail/posix_io.hpp"
#include "support/temp_dir.hpp"

namespace da = dial_analytics;
using test_support::temp_dir;

namespace {
da::output::spool_options options(const temp_dir& d) {
  da::output::spool_options o;
  o.dir = d.path() / "spool";
  o.segment_bytes = 64;
  o.max_bytes = 1000;
  return o;
}
std::string drain(da::output::spool& s, std::size_t max_lines = 1000) {
  std::string all, chunk;
  while (s.read(chunk, 1 << 20, max_lines)) {
    all += chunk;
    s.consume(chunk.size());
  }
  return all;
}
}  // namespace

TEST_CASE("the spool hands back appended lines in order, across segments", "[spool]") {
  temp_dir d;
  da::output::spool s(options(d));
  std::string expected;
  for (int i = 0; i < 20; ++i) {
    const std::string line = "m v=" + std::to_string(i) + "i " + std::to_string(i) + "\n";
    REQUIRE_FALSE(s.append(line));
    expected += line;
  }
  CHECK(s.segments().size() > 3);
  CHECK(s.pending_bytes() == expected.size());
  CHECK(s.oldest_pending().has_value());
  std::string first;
  REQUIRE(s.read(first, 1 << 20, 2));
  CHECK(first == "m v=0i 0\nm v=1i 1\n");  // at most two lines, not consumed yet
  CHECK(drain(s) == expected);
  CHECK(s.pending_bytes() == 0);
  CHECK(s.segments().size() == 1);  // finished segments are deleted
}

TEST_CASE("a reopened spool resumes after the cursor and cuts a torn last line", "[spool]") {
  temp_dir d;
  {
    da::output::spool s(options(d));
    REQUIRE_FALSE(s.append("a v=1 1\nb v=2 2\n"));
    REQUIRE_FALSE(s.append("c v=3 3\n"));
    std::string chunk;
    REQUIRE(s.read(chunk, 1 << 20, 1));
    s.consume(chunk.size());  // "a" is done
  }
  // A crash in the middle of an append leaves half a line.
  const auto last = da::output::spool(options(d)).segments().back();
  std::ofstream(last, std::ios::app) << "d v=4";
  da::output::spool s(options(d));
  CHECK(drain(s) == "b v=2 2\nc v=3 3\n");
}

TEST_CASE("a full spool refuses appends and accepts again once drained", "[spool]") {
  temp_dir d;
  auto o = options(d);
  o.max_bytes = 20;
  da::output::spool s(o);
  REQUIRE_FALSE(s.append("m v=1i 1\n"));
  CHECK(s.append("m v=22222222222i 2\n") == std::errc::no_space_on_device);
  drain(s);
  CHECK_FALSE(s.append("m v=22222222222i 2\n"));
}

TEST_CASE("without a consumer the spool writes rotating files with a header", "[spool]") {
  temp_dir d;
  auto o = options(d);
  o.files_are_output = true;
  o.segment_header = "# DML\n";
  o.max_bytes = 200;
  {
    da::output::spool s(o);
    for (int i = 0; i < 10; ++i) REQUIRE_FALSE(s.append("m v=1i 1\n"));
    CHECK(s.segments().size() >= 2);
    std::ifstream in(s.segments().front());
    std::string header;
    std::getline(in, header);
    CHECK(header == "# DML");
    CHECK_FALSE(std::filesystem::exists(o.dir / "cursor"));
    // Full until the operator moves files away.
    while (!s.append("m v=1i 1\n")) {
    }
    CHECK(s.append("m v=1i 1\n") == std::errc::no_space_on_device);
    for (const auto& f : s.segments()) {
      if (f != s.segments().back()) std::filesystem::remove(f);
    }
    CHECK_FALSE(s.append("m v=1i 1\n"));
  }
}

TEST_CASE("a spool in an unusable directory is a configuration error", "[spool]") {
  temp_dir d;
  std::ofstream(d.path() / "file") << "x";
  da::output::spool_options o;
  o.dir = d.path() / "file" / "spool";
  CHECK_THROWS(da::output::spool(o));
}

TEST_CASE("a spool with its own segment names recovers only its files and leaves others alone",
          "[spool]") {
  temp_dir d;
  auto points = options(d);
  points.files_are_output = true;
  {
    da::output::spool influx_files(points);  // points-*.lp files in the same directory
    REQUIRE_FALSE(influx_files.append("m v=1i 1\n"));
  }
  auto o = options(d);
  o.segment_prefix = "flywheel-";
  o.segment_extension = ".jsonl";
  {
    da::output::spool s(o);
    CHECK(s.pending_bytes() == 0);  // the points file is not a flywheel segment
    REQUIRE_FALSE(s.append("{\"a\":1}\n"));
    REQUIRE_FALSE(s.append("{\"b\":2}\n"));
    REQUIRE(s.segments().size() == 1);
    CHECK(s.segments().front().filename() == "flywheel-000001.jsonl");
  }
  da::output::spool s(o);
  CHECK(s.pending_bytes() == 16);
  CHECK(drain(s) == "{\"a\":1}\n{\"b\":2}\n");
  CHECK(std::filesystem::exists(o.dir / "points-000001.lp"));
  CHECK(da::output::spool(points).pending_bytes() == 9);
}

TEST_CASE("segment names with a path separator are a configuration error", "[spool]") {
  temp_dir d;
  auto o = options(d);
  o.segment_prefix = "../points-";
  CHECK_THROWS_AS(da::output::spool(o), da::config_error);
}

TEST_CASE("a cursor beyond a torn tail or a segment's end is clamped and appends go on",
          "[spool]") {
  temp_dir d;
  const auto o = options(d);
  std::filesystem::create_directories(o.dir);
  // The fuzzer's case: the cursor points past the end, and the whole segment is a torn line.
  std::ofstream(o.dir / "cursor") << "1 97";
  std::ofstream(o.dir / "points-000001.lp") << "m f=1i FFF";
  {
    da::output::spool s(o);
    CHECK(s.pending_bytes() == 0);
    REQUIRE_FALSE(s.append("m f=1i 1\n"));
    CHECK(s.pending_bytes() == 9);
    CHECK(drain(s) == "m f=1i 1\n");
  }
  // A cursor beyond the end of a whole segment.
  std::filesystem::remove_all(o.dir);
  std::filesystem::create_directories(o.dir);
  std::ofstream(o.dir / "cursor") << "1 999";
  std::ofstream(o.dir / "points-000001.lp") << "a v=1 1\n";
  da::output::spool s(o);
  CHECK(s.pending_bytes() == 0);
  REQUIRE_FALSE(s.append("b v=2 2\n"));
  CHECK(drain(s) == "b v=2 2\n");
}

TEST_CASE("a fully sent segment is deleted so that a full disk gets its space back", "[spool]") {
  temp_dir d;
  auto o = options(d);
  o.max_bytes = 8u << 20;
  o.segment_bytes = 64u << 20;
  const std::string big = "m v=\"" + std::string(1u << 20, 'x') + "\" 1\n";
  {
    da::output::spool s(o);
    REQUIRE_FALSE(s.append(big));
    CHECK(drain(s) == big);
    CHECK(s.segments().empty());  // the sent segment is gone, not kept for appends
    REQUIRE_FALSE(s.append("a v=1 1\n"));
  }
  // The new segment continues after the deleted one: its lines are pending after a restart.
  da::output::spool s(o);
  CHECK(s.pending_bytes() == 8);
  CHECK(drain(s) == "a v=1 1\n");
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(o.dir))
    files += e.path().extension() == ".lp" ? 1 : 0;
  CHECK(files == 1);  // the last, small segment (kept for appends)
}

TEST_CASE("a batch larger than the cap is refused as too large and not as full", "[spool]") {
  temp_dir d;
  auto o = options(d);
  o.max_bytes = 20;
  da::output::spool s(o);
  const std::error_code ec = s.append("m v=22222222222222222i 2\n");
  CHECK(ec == std::errc::value_too_large);
  CHECK(da::output::classify_append_error(ec) == da::output::append_error::too_large);
  REQUIRE_FALSE(s.append("m v=1i 1\n"));
  const std::error_code full = s.append("m v=2222222222i 2\n");
  CHECK(da::output::classify_append_error(full) == da::output::append_error::full);
}

TEST_CASE("a failed write keeps nothing of the batch and the spool recovers once space is free",
          "[spool]") {
  temp_dir d;
  auto o = options(d);
  o.files_are_output = true;
  o.segment_header = "# DML\n";
  auto& fault = da::detail::injected_write_fault();
  da::output::spool s(o);
  fault.budget = 3;  // the disk fills up in the middle of the new segment's header
  fault.error = ENOSPC;
  const std::error_code ec = s.append("a v=1 1\n");
  fault.error = 0;
  CHECK(ec == std::errc::no_space_on_device);  // the real errno …
  CHECK(da::output::classify_append_error(ec) == da::output::append_error::storage);  // … not full
  REQUIRE_FALSE(s.append("b v=2 2\n"));
  fault.budget = 4;  // and in the middle of a batch
  fault.error = EIO;
  CHECK(s.append("c v=3 3\nd v=4 4\n") == std::errc::io_error);
  fault.error = 0;
  REQUIRE_FALSE(s.append("e v=5 5\n"));
  REQUIRE(s.segments().size() == 1);
  std::ifstream in(s.segments().front());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == "# DML\nb v=2 2\ne v=5 5\n");
}
