// SPDX-License-Identifier: Apache-2.0
// The NVIDIA Data Flywheel blueprint's tests/unit/lib/test_util.py (its flywheel utilities:
// validate_records, split_records, format_evaluator, identify_workload_type,
// format_training_data), ported to validate_records() / build_datasets()
// (dial_analytics/flywheel/dataset.hpp) and the per-record rules in flywheel/blueprint.hpp: same
// inputs, same expected values. The split tests build validated_records by hand (upstream calls
// split_records on its own list) and check sizes, disjointness, coverage and class counts; which
// record lands where depends on the random generators and is not asserted. See README.md in this
// folder.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dial_analytics/flywheel/dataset.hpp>

#include "conformance/flywheel/records.hpp"
#include "flywheel/blueprint.hpp"
#include "flywheel/py_json_value.hpp"

namespace {

namespace fw = dial_analytics::flywheel;
namespace bp = dial_analytics::flywheel::blueprint;
namespace pyjson = dial_analytics::flywheel::pyjson;
using fw::workload_type;

using conformance::at;
using conformance::parse;

std::string strip_newline(std::string line) {
  if (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

/// format_evaluator([record])[0], as json.dumps prints it.
std::string eval_line(std::string_view record) {
  std::string out;
  bp::format_eval_record(parse(record), out);
  return strip_newline(out);
}

/// The upstream split-test record: user "Message i", assistant "Response i", tool_calls None.
std::string message_record(std::size_t i) {
  const std::string s = std::to_string(i);
  return R"({"request": {"messages": [{"role": "user", "content": "Message )" + s +
         R"("}]}, "response": {"choices": [{"message": {"role": "assistant", "content": "Response )" +
         s + R"(", "tool_calls": null}}]}})";
}

std::vector<std::string> message_records(std::size_t n) {
  std::vector<std::string> records;
  for (std::size_t i = 0; i < n; ++i) records.push_back(message_record(i));
  return records;
}

/// A tool-calling record whose class is `label` ("no_tool": no tool calls); user "Query i".
std::string labelled_record(std::size_t i, const std::string& label) {
  const std::string s = std::to_string(i);
  const std::string tool = label == "no_tool" ? "some_tool" : label;
  std::string r = R"({"request": {"messages": [{"role": "user", "content": "Query )" + s +
                  R"("}], "tools": [{"type": "function", "function": {"name": ")" + tool +
                  R"("}}]}, "response": {"choices": [{"message": {"role": "assistant", )";
  if (label == "no_tool") {
    r += R"("content": "Answer )" + s + R"("}}]}})";
  } else {
    r += R"("content": "", "tool_calls": [{"type": "function", "function": {"name": ")" + label +
         R"(", "arguments": {"q": ")" + s + R"("}}}]}}]}})";
  }
  return r;
}

/// Records of the given classes, `count` each, in class order.
std::vector<std::string> labelled_records(
    std::initializer_list<std::pair<std::string, std::size_t>> classes) {
  std::vector<std::string> records;
  for (const auto& [label, count] : classes)
    for (std::size_t k = 0; k < count; ++k)
      records.push_back(labelled_record(records.size(), label));
  return records;
}

/// What validation would hand to the splitter: these records, this seed.
fw::validated_records validated(std::vector<std::string> records, workload_type workload,
                                std::uint32_t seed) {
  fw::validated_records v;
  v.workload = workload;
  v.seed = seed;
  v.seed_given = true;
  v.stats.total_records = records.size();
  v.stats.valid_openai_format = records.size();
  v.stats.final_selected = records.size();
  for (std::size_t i = 0; i < records.size(); ++i) v.selected.push_back(i);
  v.records = std::move(records);
  return v;
}

/// `DataSplitConfig(eval_size=…, val_ratio=…, min_total_records=…, random_seed=…)`.
fw::split_config data_split_config(std::int64_t eval_size, double val_ratio,
                                   std::int64_t min_total_records, std::uint32_t seed) {
  fw::split_config config;
  config.eval_size = eval_size;
  config.val_ratio = val_ratio;
  config.min_total_records = min_total_records;
  config.limit = 10000;
  config.random_seed = seed;
  return config;
}

fw::datasets split(std::vector<std::string> records, workload_type workload,
                   const fw::split_config& config) {
  const std::uint32_t seed = config.random_seed.value_or(0);
  return fw::build_datasets(validated(std::move(records), workload, seed), config);
}

/// The first user message's content of an eval line (a whole record) or a training line.
std::string eval_id(const std::string& line) {
  return pyjson::dumps(at(parse(line), {"request", "messages", 0, "content"}));
}
std::string training_id(const std::string& line) {
  return pyjson::dumps(at(parse(line), {"messages", 0, "content"}));
}

/// The three parts are disjoint and together hold each of the `n` records once.
void check_partition(const fw::datasets& ds, std::size_t n, std::string_view prefix) {
  std::multiset<std::string> ids;
  for (const std::string& line : ds.eval) ids.insert(eval_id(line));
  for (const std::string& line : ds.train) ids.insert(training_id(line));
  for (const std::string& line : ds.validation) ids.insert(training_id(line));
  std::multiset<std::string> expected;
  for (std::size_t i = 0; i < n; ++i)
    expected.insert("\"" + std::string(prefix) + " " + std::to_string(i) + "\"");
  CHECK(ids == expected);
}

const fw::label_count* find_label(const fw::datasets& ds, std::string_view label) {
  for (const fw::label_count& c : ds.labels)
    if (c.label == label) return &c;
  return nullptr;
}

std::size_t classes_in(const fw::datasets& ds, std::size_t fw::label_count::*part) {
  std::size_t n = 0;
  for (const fw::label_count& c : ds.labels)
    if (c.*part > 0) ++n;
  return n;
}

/// format_training_data over `records`: the lines it writes.
std::vector<std::string> format_training_data(const std::vector<std::string>& records,
                                              workload_type workload) {
  std::vector<std::string> lines;
  for (const std::string& r : records) {
    std::string out;
    if (bp::format_training_record(parse(r), workload, out)) lines.push_back(strip_newline(out));
  }
  return lines;
}

}  // namespace

// blueprint test_validate_records_valid
TEST_CASE("validation accepts 25 records with a minimum of 20 and refuses 10",
          "[flywheel][conformance]") {
  const std::vector<std::string> records = message_records(25);
  fw::split_config config = data_split_config(5, 0.1, 20, 0);
  config.random_seed.reset();
  fw::validate_options options;
  options.split = config;
  options.workload = workload_type::generic;  // upstream passes "test_workload": generic

  fw::record_set all;
  for (const std::string& r : records) all.add(r);
  CHECK(fw::validate_records(all, options).records.size() == 25);

  fw::record_set first_ten;
  for (std::size_t i = 0; i < 10; ++i) first_ten.add(records[i]);
  CHECK_THROWS_AS(fw::validate_records(first_ten, options), fw::dataset_error);
  CHECK_THROWS_WITH(fw::validate_records(first_ten, options),
                    Catch::Contains("Not enough records found"));
}

// blueprint test_split_records_parameterized (three cases, seed 42)
TEST_CASE("the split gives the eval size, ceil(val_ratio * rest) validation records and the rest",
          "[flywheel][conformance]") {
  struct row {
    std::size_t n;
    std::int64_t eval_size;
    double val_ratio;
    std::int64_t min_total_records;
    std::size_t eval, train, val;
  };
  const std::vector<row> rows = {
      {100, 5, 0.1, 20, 5, 85, 10},
      {200, 20, 0.15, 50, 20, 153, 27},
      {20, 2, 0.2, 20, 2, 14, 4},
  };
  for (const row& r : rows) {
    CAPTURE(r.n, r.eval_size, r.val_ratio);
    const fw::split_config config =
        data_split_config(r.eval_size, r.val_ratio, r.min_total_records, 42);
    // Upstream validates the records first (with a generic workload).
    fw::record_set set;
    for (const std::string& text : message_records(r.n)) set.add(text);
    fw::validate_options options;
    options.split = config;
    options.workload = workload_type::generic;
    CHECK_NOTHROW((void)fw::validate_records(set, options));

    const fw::datasets ds = split(message_records(r.n), workload_type::generic, config);
    CHECK(ds.eval.size() == r.eval);
    CHECK(ds.validation.size() == r.val);
    CHECK(ds.train.size() == r.train);
    CHECK(ds.eval.size() + ds.train.size() + ds.validation.size() == r.n);
    check_partition(ds, r.n, "Message");
  }
}

// Sizes of the blueprint's integration tests (test_data_processing_workflows, seed 42) and of
// its tutorial runs (300, 500 and 1000 records with eval 100 and val_ratio 0.1).
TEST_CASE("the split sizes match the blueprint's integration tests and tutorial runs",
          "[flywheel][conformance]") {
  struct row {
    std::size_t n;
    std::int64_t eval_size;
    double val_ratio;
    std::size_t eval, train, val;
  };
  const std::vector<row> rows = {
      {60, 6, 0.2, 6, 43, 11},        {10, 2, 0.25, 2, 6, 2},        {10, 3, 0.2, 3, 5, 2},
      {10, 1, 0.33, 1, 6, 3},         {300, 100, 0.1, 100, 180, 20}, {500, 100, 0.1, 100, 360, 40},
      {1000, 100, 0.1, 100, 810, 90},
  };
  for (const row& r : rows) {
    CAPTURE(r.n, r.eval_size, r.val_ratio);
    const fw::datasets ds = split(message_records(r.n), workload_type::generic,
                                  data_split_config(r.eval_size, r.val_ratio, 1, 42));
    CHECK(ds.eval.size() == r.eval);
    CHECK(ds.train.size() == r.train);
    CHECK(ds.validation.size() == r.val);
    check_partition(ds, r.n, "Message");
  }
}

// blueprint test_split_records_class_aware_stratification
TEST_CASE("the eval split is stratified by tool name", "[flywheel][conformance]") {
  const fw::datasets ds = split(labelled_records({{"tool_a", 30}, {"tool_b", 20}, {"no_tool", 10}}),
                                workload_type::tool_calling, data_split_config(6, 0.2, 50, 42));
  CHECK(ds.stratified);
  CHECK(ds.eval.size() == 6);
  CHECK(ds.train.size() == 43);
  CHECK(ds.validation.size() == 11);
  check_partition(ds, 60, "Query");

  // Each part holds at least two classes (upstream's assertion).
  CHECK(classes_in(ds, &fw::label_count::eval) >= 2);
  CHECK(classes_in(ds, &fw::label_count::train) >= 2);
  CHECK(classes_in(ds, &fw::label_count::validation) >= 2);

  // The proportional allocation: 30/20/10 with eval 6 gives 3/2/1, in the report and in the data.
  const std::vector<std::pair<std::string, std::size_t>> expected = {
      {"no_tool", 1}, {"tool_a", 3}, {"tool_b", 2}};
  REQUIRE(ds.labels.size() == 3);
  for (std::size_t k = 0; k < expected.size(); ++k) {
    CHECK(ds.labels[k].label == expected[k].first);
    CHECK(ds.labels[k].eval == expected[k].second);
  }
  std::multiset<std::string> eval_labels;
  for (const std::string& line : ds.eval) eval_labels.insert(bp::tool_label(parse(line)));
  CHECK(eval_labels.count("tool_a") == 3);
  CHECK(eval_labels.count("tool_b") == 2);
  CHECK(eval_labels.count("no_tool") == 1);
  const fw::label_count* a = find_label(ds, "tool_a");
  REQUIRE(a != nullptr);
  CHECK(a->eval + a->train + a->validation == 30);
}

// blueprint test_split_records_single_class_no_stratification
TEST_CASE("a single class is split without stratification", "[flywheel][conformance]") {
  const fw::datasets ds = split(labelled_records({{"single_tool", 60}}),
                                workload_type::tool_calling, data_split_config(6, 0.2, 50, 42));
  CHECK_FALSE(ds.stratified);
  CHECK(ds.eval.size() == 6);
  CHECK(ds.validation.size() >= 8);
  CHECK(ds.validation.size() <= 13);
  CHECK(ds.validation.size() == 11);
  CHECK(ds.train.size() == 54 - ds.validation.size());
  check_partition(ds, 60, "Query");
}

// blueprint test_split_records_no_tool
TEST_CASE("records without tool calls are class no_tool in every part", "[flywheel][conformance]") {
  const fw::datasets ds = split(labelled_records({{"no_tool", 60}}), workload_type::generic,
                                data_split_config(6, 0.25, 50, 42));
  REQUIRE(ds.labels.size() == 1);
  CHECK(ds.labels[0].label == "no_tool");
  CHECK(ds.labels[0].eval == 6);
  CHECK(ds.labels[0].train == 40);
  CHECK(ds.labels[0].validation == 14);
  CHECK(ds.eval.size() == 6);
  CHECK(ds.train.size() == 40);
  CHECK(ds.validation.size() == 14);
  for (const std::string& line : ds.eval) CHECK(bp::tool_label(parse(line)) == "no_tool");
  check_partition(ds, 60, "Query");
}

// blueprint test_split_records_different_seeds_produce_different_results
TEST_CASE("seeds 42 and 123 split the same records differently", "[flywheel][conformance]") {
  const fw::datasets a =
      split(message_records(50), workload_type::generic, data_split_config(5, 0.1, 1, 42));
  const fw::datasets b =
      split(message_records(50), workload_type::generic, data_split_config(5, 0.1, 1, 123));
  CHECK(a.eval != b.eval);
  CHECK(a.train != b.train);
  const fw::datasets again =
      split(message_records(50), workload_type::generic, data_split_config(5, 0.1, 1, 42));
  CHECK(again.eval == a.eval);
  CHECK(again.train == a.train);
  CHECK(again.validation == a.validation);
}

// blueprint test_split_records_insufficient_samples_per_class_fallback
TEST_CASE("two singleton classes together form an others class and stratification works",
          "[flywheel][conformance]") {
  const fw::datasets ds =
      split(labelled_records({{"frequent_tool", 18}, {"rare_tool_1", 1}, {"rare_tool_2", 1}}),
            workload_type::tool_calling, data_split_config(5, 0.1, 1, 42));
  CHECK(ds.eval.size() == 5);
  CHECK(ds.eval.size() + ds.train.size() + ds.validation.size() == 20);
  CHECK(ds.stratified);
  CHECK(ds.warnings.empty());
  check_partition(ds, 20, "Query");
  const fw::label_count* rare = find_label(ds, "rare_tool_1");
  REQUIRE(rare != nullptr);
  CHECK(rare->eval + rare->train + rare->validation == 1);
}

// Not an upstream test: with one lone singleton class the blueprint's stratified split raises
// scikit-learn's "The least populated class in y has only 1 member" and the job fails; ours
// falls back to an unstratified split and says so.
TEST_CASE("a lone singleton class falls back to an unstratified split with a warning",
          "[flywheel][conformance]") {
  const fw::datasets ds = split(labelled_records({{"tool_a", 19}, {"tool_b", 1}}),
                                workload_type::tool_calling, data_split_config(5, 0.1, 1, 42));
  CHECK_FALSE(ds.stratified);
  CHECK_FALSE(ds.warnings.empty());
  CHECK(ds.eval.size() == 5);
  CHECK(ds.validation.size() == 2);
  CHECK(ds.train.size() == 13);
  check_partition(ds, 20, "Query");
}

// blueprint test_split_records_stratification_constraints
TEST_CASE("an eval size below the number of classes is split without stratification",
          "[flywheel][conformance]") {
  const fw::datasets ds =
      split(labelled_records({{"tool_a", 3}, {"tool_b", 3}, {"tool_c", 3}, {"tool_d", 3}}),
            workload_type::tool_calling, data_split_config(2, 0.1, 1, 42));
  CHECK_FALSE(ds.stratified);
  CHECK(ds.eval.size() == 2);
  CHECK(ds.eval.size() + ds.train.size() + ds.validation.size() == 12);
  check_partition(ds, 12, "Query");
}

// blueprint test_format_evaluator
TEST_CASE("eval records get request tool-call arguments as json.dumps strings",
          "[flywheel][conformance]") {
  const std::string line = eval_line(R"json(
      {"request": {"messages": [{"role": "assistant", "tool_calls": [
           {"id": "call_1", "type": "function",
            "function": {"name": "get_weather",
                         "arguments": {"location": "New York", "unit": "celsius"}}}]}]},
       "response": {"choices": [{"message": {"role": "assistant",
           "content": "I'll check the weather for you.",
           "tool_calls": [{"id": "call_2", "type": "function",
                           "function": {"name": "get_time",
                                        "arguments": {"timezone": "EST"}}}]}}]}})json");
  CHECK_THAT(line, Catch::Contains(
                       R"("arguments": "{\"location\": \"New York\", \"unit\": \"celsius\"}")"));
  CHECK_THAT(line, Catch::Contains(R"("arguments": {"timezone": "EST"})"));
  const pyjson::value out = parse(line);
  const pyjson::value& request_args =
      at(out, {"request", "messages", 0, "tool_calls", 0, "function", "arguments"});
  REQUIRE(request_args.is_str());
  CHECK(request_args.text == R"({"location": "New York", "unit": "celsius"})");
  CHECK(pyjson::dumps(at(out, {"response", "choices", 0, "message", "tool_calls", 0, "function",
                               "arguments"})) == R"({"timezone": "EST"})");
  CHECK(line ==
        R"({"request": {"messages": [{"role": "assistant", "tool_calls": [{"id": "call_1", )"
        R"("type": "function", "function": {"name": "get_weather", "arguments": )"
        R"("{\"location\": \"New York\", \"unit\": \"celsius\"}"}}]}]}, "response": )"
        R"({"choices": [{"message": {"role": "assistant", "content": "I'll check the weather )"
        R"(for you.", "tool_calls": [{"id": "call_2", "type": "function", "function": )"
        R"({"name": "get_time", "arguments": {"timezone": "EST"}}}]}}]}})");
}

// blueprint test_format_evaluator_already_strings
TEST_CASE("eval records keep request tool-call arguments that are strings",
          "[flywheel][conformance]") {
  const std::string record = R"json(
      {"request": {"messages": [{"role": "assistant", "tool_calls": [
           {"function": {"name": "get_weather", "arguments": "{\"location\": \"NYC\"}"}}]}]},
       "response": {"choices": [{"message": {"content": "Weather info"}}]}})json";
  const std::string line = eval_line(record);
  CHECK(pyjson::dumps(at(parse(line), {"request", "messages", 0, "tool_calls", 0, "function",
                                       "arguments"})) == R"("{\"location\": \"NYC\"}")");
  CHECK(line == pyjson::dumps(parse(record)));
}

// blueprint test_format_evaluator_no_tool_calls
TEST_CASE("eval records without tool calls are unchanged", "[flywheel][conformance]") {
  CHECK(eval_line(R"json({"request": {"messages": [{"role": "user", "content": "Hello"}]},
                          "response": {"choices": [{"message": {"content": "Hi there!"}}]}})json") ==
        R"({"request": {"messages": [{"role": "user", "content": "Hello"}]}, )"
        R"("response": {"choices": [{"message": {"content": "Hi there!"}}]}})");
}

// blueprint test_identify_workload_type_with_keyerror
TEST_CASE("workload detection skips records without choices or response",
          "[flywheel][conformance]") {
  const std::vector<std::string> records = {
      R"json({"request": {"messages": [{"role": "user", "content": "Hello"}]},
              "response": {"choices": []}})json",
      R"json({"request": {"messages": [{"role": "user", "content": "Hi"}]}})json",
      R"json({"request": {"messages": [{"role": "user", "content": "Weather?"}]},
              "response": {"choices": [{"message": {"role": "assistant", "content": "",
                  "tool_calls": [{"type": "function", "function": {"name": "get_weather",
                                                                   "arguments": "{}"}}]}}]}})json",
  };
  CHECK(bp::detect_tool_calls(parse(records[0])) == bp::detection::skipped);
  CHECK(bp::detect_tool_calls(parse(records[1])) == bp::detection::skipped);
  CHECK(bp::detect_tool_calls(parse(records[2])) == bp::detection::tool_calls);

  // validate_records detects the type the same way when it is not given.
  fw::record_set set;
  for (const std::string& r : records) set.add(r);
  fw::validate_options options;
  options.split = data_split_config(1, 0.1, 1, 42);
  options.split.limit = 1;
  const fw::validated_records result = fw::validate_records(set, options);
  CHECK(result.workload == workload_type::tool_calling);
  CHECK(result.workload_detected);
}

// blueprint test_format_training_data_basic
TEST_CASE("a training record is the request messages followed by the response message",
          "[flywheel][conformance]") {
  const std::vector<std::string> lines =
      format_training_data({R"json({"request": {"messages": [{"role": "user", "content": "Hello"}]},
               "response": {"choices": [{"message": {"role": "assistant",
                                                     "content": "Hi there!"}}]}})json"},
                           workload_type::generic);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == R"({"messages": [{"role": "user", "content": "Hello"}, )"
                    R"({"role": "assistant", "content": "Hi there!"}]})");
  CHECK(at(parse(lines[0]), {"messages"}).items.size() == 2);
}

// blueprint test_format_training_data_tool_calling
TEST_CASE("a tool-calling training record carries the tools and an empty response content",
          "[flywheel][conformance]") {
  const std::vector<std::string> lines = format_training_data(
      {R"json({"request": {"messages": [{"role": "user", "content": "What's the weather?"}],
                           "tools": [{"name": "get_weather"}]},
               "response": {"choices": [{"message": {"role": "assistant",
                   "content": "Let me check the weather.",
                   "tool_calls": [{"type": "function",
                                   "function": {"name": "get_weather",
                                                "arguments": {"location": "NYC"}}}]}}]}})json"},
      workload_type::tool_calling);
  REQUIRE(lines.size() == 1);
  const pyjson::value out = parse(lines[0]);
  CHECK(pyjson::dumps(at(out, {"tools"})) == R"([{"name": "get_weather"}])");
  CHECK(pyjson::dumps(at(out, {"messages", 1, "content"})) == R"("")");
  CHECK(lines[0] ==
        R"({"tools": [{"name": "get_weather"}], "messages": [{"role": "user", "content": )"
        R"("What's the weather?"}, {"role": "assistant", "content": "", "tool_calls": )"
        R"([{"type": "function", "function": {"name": "get_weather", "arguments": )"
        R"({"location": "NYC"}}}]}]})");
}

// blueprint test_format_training_data_with_none_content
TEST_CASE("a null assistant content in the request becomes an empty string in training data",
          "[flywheel][conformance]") {
  const std::vector<std::string> lines =
      format_training_data({R"json({"request": {"messages": [{"role": "user", "content": "Hello"},
                                        {"role": "assistant", "content": null},
                                        {"role": "user", "content": "Are you there?"}]},
               "response": {"choices": [{"message": {"role": "assistant",
                                                     "content": "Yes"}}]}})json"},
                           workload_type::generic);
  REQUIRE(lines.size() == 1);
  const pyjson::value out = parse(lines[0]);
  CHECK(pyjson::dumps(at(out, {"messages", 1, "content"})) == R"("")");
  CHECK(at(out, {"messages"}).items.size() == 4);
}

// blueprint test_format_training_data_empty_choices
TEST_CASE("a record with empty choices is dropped from training data", "[flywheel][conformance]") {
  const std::vector<std::string> lines =
      format_training_data({R"json({"request": {"messages": [{"role": "user", "content": "Hello"}]},
               "response": {"choices": [{"message": {"role": "assistant",
                                                     "content": "Hi!"}}]}})json",
                            R"json({"request": {"messages": [{"role": "user", "content": "Bye"}]},
               "response": {"choices": []}})json"},
                           workload_type::generic);
  REQUIRE(lines.size() == 1);
  CHECK(pyjson::dumps(at(parse(lines[0]), {"messages", 0, "content"})) == R"("Hello")");
}

// blueprint test_format_training_data_missing_keys
TEST_CASE("records without a request or a response are dropped from training data",
          "[flywheel][conformance]") {
  const std::vector<std::string> lines = format_training_data(
      {R"json({"request": {"messages": [{"role": "user", "content": "Valid"}]},
               "response": {"choices": [{"message": {"role": "assistant",
                                                     "content": "Yes"}}]}})json",
       R"json({"request": {"messages": [{"role": "user", "content": "No response"}]}})json",
       R"json({"response": {"choices": [{"message": {"role": "assistant",
                                                     "content": "No request"}}]}})json"},
      workload_type::generic);
  REQUIRE(lines.size() == 1);
  CHECK(pyjson::dumps(at(parse(lines[0]), {"messages", 0, "content"})) == R"("Valid")");
}

namespace {

dial_analytics::flywheel::blueprint::class_label class_of(std::string_view name_json) {
  dial_analytics::flywheel::pyjson::value record;
  std::string error;
  const std::string text =
      std::string(R"({"response": {"choices": [{"message": {"tool_calls": [{"type": "function", )"
                  R"("function": {"name": )") +
      std::string(name_json) + "}}]}}]}}";
  REQUIRE(dial_analytics::flywheel::pyjson::parse(text, record, error));
  return dial_analytics::flywheel::blueprint::tool_class(record);
}

}  // namespace

// get_tool_name returns whatever the log holds; numpy turns numbers into their str() when strings
// are among the labels, so the class keeps Python's spelling of the number.
TEST_CASE(
    "a tool name that is a number or a bool is a class of its own, spelled as Python's str() "
    "spells it",
    "[flywheel][conformance]") {
  CHECK(class_of("7").numeric);
  CHECK(class_of("7").text == "7");
  CHECK(class_of("1.5e16").text == "1.5e+16");
  CHECK(class_of("true").text == "True");
  CHECK(class_of("true").number == 1.0);
  CHECK_FALSE(class_of("\"get_weather\"").numeric);
  CHECK(class_of("null").text == "unknown");
  CHECK(class_of("[1]").text == "unknown");
}
