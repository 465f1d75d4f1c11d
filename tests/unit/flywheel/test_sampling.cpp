// SPDX-License-Identifier: Apache-2.0
// The golden files under tests/data/flywheel/sampling/ were written by the real CPython, numpy
// and scikit-learn (tests/tools/sampling_oracle.py); each line is one case.
#include <catch2/catch.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flywheel/sampling.hpp"

namespace sampling = dial_analytics::flywheel::detail;

namespace {

// DIAL_ANALYTICS_TEST_DATA_DIR, when the build defines it, is the tests/data directory.
std::filesystem::path data_dir() {
#ifdef DIAL_ANALYTICS_TEST_DATA_DIR
  return std::filesystem::path(DIAL_ANALYTICS_TEST_DATA_DIR) / "flywheel" / "sampling";
#else
  return std::filesystem::path(__FILE__).parent_path() / "../../data/flywheel/sampling";
#endif
}

// The case lines of a golden file (comments and blank lines dropped).
std::vector<std::string> case_lines(const std::string& name) {
  std::ifstream in(data_dir() / name, std::ios::binary);
  REQUIRE(in.good());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.front() != '#') lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> split(std::string_view text, std::string_view separator) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const std::size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + separator.size();
  }
}

// Parsing errors throw rather than assert, so the assertion count reflects the comparisons.
[[noreturn]] void bad_data(std::string_view text) {
  throw std::runtime_error("malformed golden data: '" + std::string(text) + "'");
}

std::uint64_t to_u64(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) bad_data(text);
  return value;
}

// Python's repr of a float (also "inf", "-inf", "nan") back to the same double.
double to_double(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) bad_data(text);
  return value;
}

// Space-separated unsigned numbers ("" is the empty list).
std::vector<std::uint64_t> numbers(std::string_view text) {
  std::vector<std::uint64_t> values;
  for (const std::string& word : split(text, " ")) {
    if (!word.empty()) values.push_back(to_u64(word));
  }
  return values;
}

std::vector<std::size_t> indices(std::string_view text) {
  std::vector<std::size_t> values;
  for (const std::uint64_t v : numbers(text)) values.push_back(static_cast<std::size_t>(v));
  return values;
}

// A label of the vocabulary field: ':' then UTF-8 bytes, '%XX' for the unsafe ones.
std::string decode_label(std::string_view token) {
  if (!token.starts_with(":")) bad_data(token);
  std::string label;
  for (std::size_t i = 1; i < token.size(); ++i) {
    if (token[i] != '%') {
      label.push_back(token[i]);
      continue;
    }
    unsigned byte = 0;
    std::from_chars(token.data() + i + 1, token.data() + i + 3, byte, 16);
    label.push_back(static_cast<char>(byte));
    i += 2;
  }
  return label;
}

// Shortens a golden line for failure messages (some hold thousands of indices).
std::string excerpt(const std::string& line) {
  return line.size() <= 160 ? line : line.substr(0, 160) + "...";
}

// One line of sklearn_split.txt.
struct split_case {
  std::string line;
  bool fraction = false;
  std::size_t n = 0;
  std::string test_size;
  std::uint32_t seed = 0;
  bool stratified = false;
  std::vector<std::string> labels;
  bool refused = false;
  std::string message;  // when refused
  std::vector<std::size_t> train, test;
};

std::vector<split_case> split_cases() {
  std::vector<split_case> cases;
  for (const std::string& line : case_lines("sklearn_split.txt")) {
    const std::vector<std::string> f = split(line, "\t");
    if (f.size() != 9) bad_data(line);
    split_case c;
    c.line = line;
    c.fraction = f[0] == "fraction";
    c.n = static_cast<std::size_t>(to_u64(f[1]));
    c.test_size = f[2];
    c.seed = static_cast<std::uint32_t>(to_u64(f[3]));
    c.stratified = f[4] != "-";
    if (c.stratified) {
      std::vector<std::string> vocabulary;
      for (const std::string& token : split(f[4], " ")) vocabulary.push_back(decode_label(token));
      for (const std::size_t code : indices(f[5])) c.labels.push_back(vocabulary.at(code));
    }
    c.refused = f[6] == "error";
    if (c.refused) {
      c.message = f[7];
    } else {
      c.train = indices(f[7]);
      c.test = indices(f[8]);
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

sampling::train_test_indices run(const split_case& c) {
  const std::vector<std::string>* labels = c.stratified ? &c.labels : nullptr;
  if (c.fraction)
    return sampling::sklearn_split_fraction(c.n, to_double(c.test_size), labels, c.seed);
  return sampling::sklearn_split_count(c.n, static_cast<std::size_t>(to_u64(c.test_size)), labels,
                                       c.seed);
}

// Runs every accepted case of one kind and compares both index lists; returns how many ran.
std::size_t check_accepted_splits(bool fraction, bool stratified) {
  std::size_t checked = 0;
  for (const split_case& c : split_cases()) {
    if (c.refused || c.fraction != fraction || c.stratified != stratified) continue;
    INFO(excerpt(c.line));
    const sampling::train_test_indices got = run(c);
    CHECK(got.train == c.train);
    CHECK(got.test == c.test);
    ++checked;
  }
  return checked;
}

}  // namespace

TEST_CASE("MT19937 seeded like CPython and like numpy gives their raw 32-bit outputs") {
  const std::vector<std::string> lines = case_lines("mt_words.txt");
  REQUIRE(lines.size() >= 40);
  for (const std::string& line : lines) {
    INFO(line);
    const std::vector<std::string> halves = split(line, " | ");
    const std::vector<std::string> head = split(halves.at(0), " ");
    sampling::mt19937 rng;
    if (head.at(0) == "python") {
      rng.seed_python(to_u64(head.at(1)));
    } else {
      rng.seed_numpy(static_cast<std::uint32_t>(to_u64(head.at(1))));
    }
    for (std::uint64_t skip = to_u64(head.at(2)); skip > 0; --skip) (void)rng.next();
    std::vector<std::uint64_t> got;
    for (int i = 0; i < 8; ++i) got.push_back(rng.next());
    CHECK(got == numbers(halves.at(1)));
  }
}

namespace {

// The first `count` outputs of a generator called as `draw()`.
template <typename Draw>
std::vector<std::uint32_t> first_outputs(Draw draw, int count = 2000) {
  std::vector<std::uint32_t> out;
  for (int i = 0; i < count; ++i) out.push_back(static_cast<std::uint32_t>(draw()));
  return out;
}

}  // namespace

TEST_CASE("MT19937 seeded numpy's way or not at all matches std::mt19937") {
  // Both are the reference init_genrand; an unseeded reference generator uses 5489.
  for (const std::uint32_t seed : {0U, 1U, 5489U, 4294967295U}) {
    INFO("seed " << seed);
    sampling::mt19937 ours;
    ours.seed_numpy(seed);
    std::mt19937 standard(seed);
    CHECK(first_outputs([&] { return ours.next(); }) == first_outputs(standard));
  }
  sampling::mt19937 unseeded;
  std::mt19937 standard;
  CHECK(first_outputs([&] { return unseeded.next(); }) == first_outputs(standard));
}

TEST_CASE("random.sample with a seed picks the indices CPython picks, in the same order") {
  const std::vector<std::string> lines = case_lines("python_sample.txt");
  REQUIRE(lines.size() >= 200);
  std::map<std::string, std::size_t> paths;  // both of random.sample's algorithms are covered
  for (const std::string& line : lines) {
    INFO(excerpt(line));
    const std::vector<std::string> halves = split(line, " | ");
    const std::vector<std::string> head = split(halves.at(0), " ");
    const auto n = static_cast<std::size_t>(to_u64(head.at(0)));
    const auto k = static_cast<std::size_t>(to_u64(head.at(1)));
    ++paths[head.at(3)];
    CHECK(sampling::python_sample(n, k, to_u64(head.at(2))) == indices(halves.at(1)));
  }
  CHECK(paths["pool"] >= 50);
  CHECK(paths["set"] >= 50);
}

TEST_CASE("random.sample draws distinct indices below n and nothing for k = 0") {
  CHECK(sampling::python_sample(0, 0, 1).empty());
  CHECK(sampling::python_sample(10, 0, 1).empty());
  for (const std::size_t n : {std::size_t{30}, std::size_t{100000}}) {
    const std::vector<std::size_t> picked = sampling::python_sample(n, 25, 3);
    CHECK(std::set<std::size_t>(picked.begin(), picked.end()).size() == 25);
    CHECK(*std::max_element(picked.begin(), picked.end()) < n);
  }
}

TEST_CASE("numpy's permutation matches RandomState, also when the generator is reused") {
  const std::vector<std::string> lines = case_lines("numpy_permutation.txt");
  REQUIRE(lines.size() >= 40);
  for (const std::string& line : lines) {
    INFO(excerpt(line));
    const std::vector<std::string> parts = split(line, " | ");
    const std::vector<std::uint64_t> head = numbers(parts.at(0));
    REQUIRE(parts.size() == head.size());  // the seed, then one size per permutation
    sampling::mt19937 rng;
    rng.seed_numpy(static_cast<std::uint32_t>(head.at(0)));
    for (std::size_t i = 1; i < head.size(); ++i) {
      CHECK(sampling::numpy_permutation(rng, static_cast<std::size_t>(head[i])) ==
            indices(parts[i]));
    }
  }
}

TEST_CASE("train_test_split with an integer test size returns scikit-learn's indices") {
  CHECK(check_accepted_splits(false, false) >= 30);
}

TEST_CASE("train_test_split with a fractional test size returns scikit-learn's indices") {
  CHECK(check_accepted_splits(true, false) >= 60);
}

TEST_CASE("stratified train_test_split with an integer test size returns scikit-learn's indices") {
  CHECK(check_accepted_splits(false, true) >= 80);
}

TEST_CASE(
    "stratified train_test_split with a fractional test size returns scikit-learn's "
    "indices") {
  CHECK(check_accepted_splits(true, true) >= 80);
}

TEST_CASE("train_test_split refuses what scikit-learn refuses, with its exact message") {
  std::size_t checked = 0;
  for (const split_case& c : split_cases()) {
    if (!c.refused) continue;
    INFO(excerpt(c.line));
    CHECK_THROWS_MATCHES(run(c), sampling::split_error, Catch::Message(c.message));
    ++checked;
  }
  CHECK(checked >= 30);
}

TEST_CASE("stratified split of classes 30/20/10 with 6 test records takes 3/2/1 per class") {
  std::vector<std::string> labels;
  for (const auto& [label, count] : {std::pair{"a", 30}, std::pair{"b", 20}, std::pair{"c", 10}}) {
    labels.insert(labels.end(), static_cast<std::size_t>(count), label);
  }
  const sampling::train_test_indices split = sampling::sklearn_split_count(60, 6, &labels, 7);
  std::map<std::string, int> per_class;
  for (const std::size_t i : split.test) ++per_class[labels.at(i)];
  CHECK(per_class == std::map<std::string, int>{{"a", 3}, {"b", 2}, {"c", 1}});
  CHECK(split.train.size() == 54);
}
