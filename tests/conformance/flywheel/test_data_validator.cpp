// SPDX-License-Identifier: Apache-2.0
// The NVIDIA Data Flywheel blueprint's tests/unit/lib/test_data_validator.py, ported to
// validate_records() (dial_analytics/flywheel/dataset.hpp) and, for the validator's helper
// methods, to the per-record rules in flywheel/blueprint.hpp: same inputs, same expected values.
//
// Upstream monkeypatches global settings; only the global random_seed and
// parse_function_arguments have an effect there, and they map to split_config.random_seed and
// split_config.parse_function_arguments. DataSplitConfig(...) built in a test takes the class
// defaults for the fields it leaves out (eval_size 20, limit 10000, min_total_records 50,
// val_ratio 0.1, no seed): data_split_config() below. See README.md in this folder.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <dial_analytics/flywheel/dataset.hpp>

#include "conformance/flywheel/records.hpp"
#include "flywheel/blueprint.hpp"
#include "flywheel/py_json_value.hpp"
#include "flywheel/sampling.hpp"

namespace {

namespace fw = dial_analytics::flywheel;
namespace bp = dial_analytics::flywheel::blueprint;
namespace pyjson = dial_analytics::flywheel::pyjson;
using fw::workload_type;

using conformance::at;
using conformance::parse;

/// json.dumps(json.loads(text)): how validate_records() returns the record.
std::string normalized(std::string_view text) { return pyjson::dumps(parse(text)); }

/// `DataSplitConfig(limit=…, eval_size=…, min_total_records=…)`: the class defaults for the rest.
fw::split_config data_split_config(std::int64_t limit, std::int64_t min_total_records,
                                   std::int64_t eval_size = 20) {
  fw::split_config config;
  config.eval_size = eval_size;
  config.val_ratio = 0.1;
  config.min_total_records = min_total_records;
  config.limit = limit;
  config.random_seed.reset();
  config.parse_function_arguments = true;
  return config;
}

fw::validated_records validate(const std::vector<std::string>& records, workload_type workload,
                               const fw::split_config& config) {
  fw::record_set set;
  for (const std::string& r : records) set.add(r);
  fw::validate_options options;
  options.split = config;
  options.workload = workload;
  return fw::validate_records(set, options);
}

/// The message of the dataset_error validate_records() refuses with; fails the test without one.
std::string refusal(const std::vector<std::string>& records, workload_type workload,
                    const fw::split_config& config) {
  try {
    (void)validate(records, workload, config);
  } catch (const fw::dataset_error& e) {
    return e.what();
  }
  FAIL("validate_records did not refuse");
  return {};
}

/// The result's records are the inputs at the selected indices, as json.dumps prints them.
void check_selection_matches_inputs(const fw::validated_records& result,
                                    const std::vector<std::string>& inputs) {
  REQUIRE(result.records.size() == result.selected.size());
  CHECK(std::set<std::size_t>(result.selected.begin(), result.selected.end()).size() ==
        result.selected.size());
  for (std::size_t k = 0; k < result.selected.size(); ++k) {
    REQUIRE(result.selected[k] < inputs.size());
    CHECK(result.records[k] == normalized(inputs[result.selected[k]]));
  }
}

std::set<std::size_t> selected_set(const fw::validated_records& result) {
  return {result.selected.begin(), result.selected.end()};
}

/// `_deduplicate_records` over `records`: the indices kept.
std::vector<std::size_t> deduplicate(const std::vector<std::string>& records) {
  std::set<std::string> seen;
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const std::optional<std::string> key = bp::dedup_key(parse(records[i]));
    if (!key || key->empty() || seen.insert(*key).second) kept.push_back(i);
  }
  return kept;
}

/// `get_tool_calling_records`: the quality filter, then (when parse is on) argument parsing,
/// which rejects records whose arguments do not parse.
std::vector<pyjson::value> get_tool_calling_records(std::vector<pyjson::value> records,
                                                    bool parse_arguments) {
  std::vector<pyjson::value> kept;
  for (pyjson::value& record : records) {
    if (!bp::has_tool_calls(record)) continue;
    if (parse_arguments && !bp::parse_function_arguments(record)) continue;
    kept.push_back(record);
  }
  return kept;
}

using conformance::invalid_openai_records;
using conformance::valid_openai_record;

/// The upstream record factory: user "Question i", answer "Answer i".
std::vector<std::string> question_records(int n) {
  std::vector<std::string> records;
  for (int i = 0; i < n; ++i) {
    const std::string s = std::to_string(i);
    records.push_back(R"({"request": {"messages": [{"role": "user", "content": "Question )" + s +
                      R"("}]}, "response": {"choices": [{"message": {"content": "Answer )" + s +
                      R"("}}]}})");
  }
  return records;
}

/// The basic-flow records: a system prompt and a unique user question each.
std::vector<std::string> capital_records(int n) {
  std::vector<std::string> records;
  for (int i = 0; i < n; ++i) {
    records.push_back(
        R"({"request": {"messages": [{"role": "system", "content": "You are a helpful assistant."}, )"
        R"({"role": "user", "content": "Question )" +
        std::to_string(i) +
        R"(: What is the capital of France?"}]}, "response": {"choices": [{"message": )"
        R"({"role": "assistant", "content": "The capital of France is Paris."}}]}})");
  }
  return records;
}

}  // namespace

// blueprint test_validate_records_basic_flow[generic-150-100-20-None] and
// [generic-100-100-20-None]
TEST_CASE("generic validation selects min(limit, n) of the input records",
          "[flywheel][conformance]") {
  for (const int n : {150, 100}) {
    CAPTURE(n);
    const std::vector<std::string> records = capital_records(n);
    const fw::validated_records result =
        validate(records, workload_type::generic, data_split_config(100, 20));
    CHECK(result.records.size() == 100);
    CHECK(result.stats.final_selected == 100);
    check_selection_matches_inputs(result, records);
  }
}

// blueprint test_validate_records_basic_flow[generic-50-100-70-Not enough records found] and
// [tool_calling-150-100-20-Insufficient valid records], [tool_calling-50-100-20-Insufficient …]
TEST_CASE("validation refuses too few records and tool-calling input without tool calls",
          "[flywheel][conformance]") {
  CHECK_THAT(refusal(capital_records(50), workload_type::generic, data_split_config(100, 70)),
             Catch::Contains("Not enough records found"));
  CHECK_THAT(refusal(capital_records(150), workload_type::tool_calling, data_split_config(100, 20)),
             Catch::Contains("Insufficient valid records"));
  CHECK_THAT(refusal(capital_records(50), workload_type::tool_calling, data_split_config(100, 20)),
             Catch::Contains("Insufficient valid records"));
}

// blueprint test_validate_records_format_filtering
TEST_CASE("records not in OpenAI chat format are filtered out and counted",
          "[flywheel][conformance]") {
  std::vector<std::string> records;
  for (int i = 0; i < 10; ++i) {
    const std::string s = std::to_string(i);
    records.push_back(R"({"request": {"messages": [{"role": "user", "content": "Valid question )" +
                      s +
                      R"("}]}, "response": {"choices": [{"message": {"content": "Valid response )" +
                      s + R"("}}]}})");
  }
  records.insert(records.end(), invalid_openai_records.begin(), invalid_openai_records.end());

  const fw::validated_records result =
      validate(records, workload_type::generic, data_split_config(5, 5, 5));
  CHECK(result.records.size() == 5);
  check_selection_matches_inputs(result, records);
  for (const std::size_t i : result.selected) CHECK(i < 10);
  CHECK(result.stats.total_records == 17);
  CHECK(result.stats.valid_openai_format == 10);
  CHECK(result.stats.invalid_format == 7);
}

// blueprint test_validate_records_tool_calling_quality_filter
TEST_CASE("a tool-calling workload keeps only records with typed tool calls",
          "[flywheel][conformance]") {
  std::vector<std::string> records;
  for (int i = 0; i < 10; ++i) {
    const std::string s = std::to_string(i);
    records.push_back(R"({"request": {"messages": [{"role": "user", "content": "Simple question )" +
                      s +
                      R"("}]}, "response": {"choices": [{"message": {"content": "Simple answer )" +
                      s + R"("}}]}})");
  }
  for (int i = 0; i < 5; ++i) {
    const std::string s = std::to_string(i);
    records.push_back(
        R"({"request": {"messages": [{"role": "user", "content": "Get weather for city )" + s +
        R"("}]}, "response": {"choices": [{"message": {"content": "I'll check the weather", )"
        R"("tool_calls": [{"id": "call_)" +
        s +
        R"(", "type": "function", "function": {"name": "get_weather", )"
        R"("arguments": "{\"location\": \"City )" +
        s + R"(\"}"}}]}}]}})");
  }

  const fw::validated_records result =
      validate(records, workload_type::tool_calling, data_split_config(5, 5, 5));
  CHECK(result.records.size() == 5);
  CHECK(selected_set(result) == std::set<std::size_t>{10, 11, 12, 13, 14});
  CHECK(result.stats.removed_quality_filters == 10);
  // Upstream compares the records it mutated in place: their arguments are parsed now.
  REQUIRE(result.records.size() == result.selected.size());
  for (std::size_t k = 0; k < result.records.size(); ++k) {
    const std::string city = "City " + std::to_string(result.selected[k] - 10);
    CHECK(pyjson::dumps(at(parse(result.records[k]), {"response", "choices", 0, "message",
                                                      "tool_calls", 0, "function", "arguments"})) ==
          R"({"location": ")" + city + R"("})");
  }
}

// blueprint test_validate_records_deduplication
TEST_CASE("records repeating an earlier user query are removed", "[flywheel][conformance]") {
  const std::vector<std::string> records = {
      R"json({"request": {"messages": [{"role": "user", "content": "What is AI?"}]},
              "response": {"choices": [{"message": {"content": "AI is..."}}]}})json",
      R"json({"request": {"messages": [{"role": "user", "content": "Explain ML"}]},
              "response": {"choices": [{"message": {"content": "ML is..."}}]}})json",
      // duplicate of the first
      R"json({"request": {"messages": [{"role": "user", "content": "What is AI?"}]},
              "response": {"choices": [{"message": {"content": "Different response"}}]}})json",
      R"json({"request": {"messages": [{"role": "user", "content": "Hello"},
                                       {"role": "assistant", "content": "Hi"},
                                       {"role": "user", "content": "How are you?"}]},
              "response": {"choices": [{"message": {"content": "I'm good"}}]}})json",
  };
  const fw::validated_records result =
      validate(records, workload_type::generic, data_split_config(3, 3, 3));
  CHECK(result.records.size() == 3);
  CHECK(selected_set(result) == std::set<std::size_t>{0, 1, 3});
  for (const std::string& r : result.records) CHECK(r != normalized(records[2]));
  check_selection_matches_inputs(result, records);
  CHECK(result.stats.deduplicated_queries == 1);
}

// blueprint test_validate_records_no_user_messages
TEST_CASE("a record without user messages is kept by deduplication", "[flywheel][conformance]") {
  const std::vector<std::string> records = {
      R"json({"request": {"messages": [{"role": "system", "content": "You are helpful"},
                                       {"role": "assistant", "content": "How can I help?"}]},
              "response": {"choices": [{"message": {"content": "..."}}]}})json",
      R"json({"request": {"messages": [{"role": "user", "content": "Hello"}]},
              "response": {"choices": [{"message": {"content": "Hi"}}]}})json",
  };
  const fw::validated_records result =
      validate(records, workload_type::generic, data_split_config(2, 2, 2));
  CHECK(result.records.size() == 2);
  CHECK(selected_set(result) == std::set<std::size_t>{0, 1});
  check_selection_matches_inputs(result, records);
}

// blueprint test_validate_records_random_selection (upstream mocks `random` and checks that
// seed(42) and sample(records, 5) are called once; here the selection is Python's
// random.seed(42); random.sample(records, 5) itself, the same both times)
TEST_CASE("a seeded selection is Python's random.sample with that seed",
          "[flywheel][conformance]") {
  const std::vector<std::string> records = question_records(10);
  fw::split_config config = data_split_config(5, 5, 5);
  config.random_seed = 42;
  const fw::validated_records result = validate(records, workload_type::generic, config);
  CHECK(result.seed == 42);
  CHECK(result.seed_given);
  const std::vector<std::size_t> expected = fw::detail::python_sample(10, 5, 42);
  // CPython: random.seed(42); random.sample(range(10), 5) == [1, 0, 4, 9, 6]
  CHECK(expected == std::vector<std::size_t>{1, 0, 4, 9, 6});
  CHECK(result.selected == expected);
  REQUIRE(result.records.size() == expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k)
    CHECK(result.records[k] == normalized(records[expected[k]]));

  const fw::validated_records again = validate(records, workload_type::generic, config);
  CHECK(again.selected == result.selected);
  CHECK(again.records == result.records);
}

// blueprint test_get_tool_calling_records
TEST_CASE("only records with typed tool calls are tool-calling records",
          "[flywheel][conformance]") {
  const pyjson::value tool_record = parse(R"json(
      {"response": {"choices": [{"message": {"tool_calls": [
          {"type": "function",
           "function": {"name": "test", "arguments": "{\"key\": \"value\"}"}}]}}]}})json");
  const pyjson::value non_tool_record =
      parse(R"json({"response": {"choices": [{"message": {"content": "Hi"}}]}})json");

  const std::vector<pyjson::value> result =
      get_tool_calling_records({tool_record, non_tool_record}, true);
  REQUIRE(result.size() == 1);
  CHECK(pyjson::dumps(at(result[0], {"response", "choices", 0, "message", "tool_calls", 0,
                                     "function", "name"})) == R"("test")");
  CHECK(pyjson::dumps(at(result[0], {"response", "choices", 0, "message", "tool_calls", 0,
                                     "function", "arguments"})) == R"({"key": "value"})");
}

// blueprint test_validate_records_empty_input
TEST_CASE("validating no records refuses with the minimum record count",
          "[flywheel][conformance]") {
  const std::string message = refusal({}, workload_type::generic, data_split_config(10, 10, 10));
  CHECK_THAT(message, Catch::Contains("Not enough records found"));
  CHECK_THAT(message, Catch::Contains("A minimum of 10 records is required"));
  CHECK(message ==
        "Not enough records found for the given workload. A minimum of 10 records is required, "
        "but only 0 were found.");
}

// blueprint test_validate_records_all_invalid_format
TEST_CASE("validating only invalid records refuses after the count checks",
          "[flywheel][conformance]") {
  const std::string message =
      refusal(invalid_openai_records, workload_type::generic, data_split_config(5, 5, 5));
  CHECK_THAT(message, Catch::Contains("Insufficient valid records"));
  CHECK_THAT(message, Catch::Contains("valid OpenAI format: 0"));
  CHECK(message ==
        "Insufficient valid records. Found 0 but need 5. Total records: 7, valid OpenAI format: "
        "0, after quality filters: 0. Please provide more valid records.");
}

// blueprint test_validation_stats_tracking
TEST_CASE("validation statistics count records, format, quality, duplicates and selection",
          "[flywheel][conformance]") {
  const std::vector<std::string> records = {
      valid_openai_record,
      valid_openai_record,  // duplicate
      R"json({"request": {"messages": [{"role": "user", "content": "Different"}]},
              "response": {"choices": [{"message": {"content": "Response"}}]}})json",
  };
  const fw::validated_records result =
      validate(records, workload_type::generic, data_split_config(2, 2, 2));
  CHECK(result.stats.total_records == 3);
  CHECK(result.stats.valid_openai_format == 3);
  CHECK(result.stats.invalid_format == 0);
  CHECK(result.stats.removed_quality_filters == 0);
  CHECK(result.stats.deduplicated_queries == 1);
  CHECK(result.stats.final_selected == 2);
  CHECK(result.records.size() == 2);
}

// blueprint test_parse_function_arguments_setting[True-1] and [False-0]
TEST_CASE("string tool-call arguments are parsed only when argument parsing is on",
          "[flywheel][conformance]") {
  const pyjson::value record_with_function_calls = parse(R"json(
      {"response": {"choices": [{"message": {"content": "I'll help you with that.",
          "tool_calls": [{"id": "call_123", "type": "function",
                          "function": {"name": "get_weather",
                                       "arguments": "{\"location\": \"San Francisco\", \"unit\": \"celsius\"}"}}]}}]}})json");
  const pyjson::value simple_record =
      parse(R"json({"response": {"choices": [{"message": {"content": "Hi"}}]}})json");

  SECTION("on") {
    const std::vector<pyjson::value> result =
        get_tool_calling_records({record_with_function_calls}, true);
    REQUIRE(result.size() == 1);
    const pyjson::value& args = at(
        result[0], {"response", "choices", 0, "message", "tool_calls", 0, "function", "arguments"});
    REQUIRE(args.is_dict());
    CHECK(pyjson::dumps(at(args, {"location"})) == R"("San Francisco")");
    CHECK(pyjson::dumps(at(args, {"unit"})) == R"("celsius")");
    CHECK(get_tool_calling_records({simple_record}, true).empty());
  }
  SECTION("off") {
    const std::vector<pyjson::value> result =
        get_tool_calling_records({record_with_function_calls}, false);
    REQUIRE(result.size() == 1);
    CHECK(pyjson::dumps(at(result[0], {"response", "choices", 0, "message", "tool_calls", 0,
                                       "function", "arguments"})) ==
          R"("{\"location\": \"San Francisco\", \"unit\": \"celsius\"}")");
    CHECK(get_tool_calling_records({simple_record}, false).empty());
  }
  // The same through validate_records, where the setting is split_config.parse_function_arguments
  // (the record gets a request so that it is in chat format).
  SECTION("through validate_records") {
    const std::vector<std::string> records = {R"json(
        {"request": {"messages": [{"role": "user", "content": "Weather in San Francisco?"}]},
         "response": {"choices": [{"message": {"content": "I'll help you with that.",
            "tool_calls": [{"id": "call_123", "type": "function",
                            "function": {"name": "get_weather",
                                         "arguments": "{\"location\": \"San Francisco\", \"unit\": \"celsius\"}"}}]}}]}})json"};
    fw::split_config config = data_split_config(1, 1, 1);
    config.parse_function_arguments = true;
    fw::validated_records result = validate(records, workload_type::tool_calling, config);
    REQUIRE(result.records.size() == 1);
    CHECK(pyjson::dumps(at(parse(result.records[0]), {"response", "choices", 0, "message",
                                                      "tool_calls", 0, "function", "arguments"})) ==
          R"({"location": "San Francisco", "unit": "celsius"})");

    config.parse_function_arguments = false;
    result = validate(records, workload_type::tool_calling, config);
    REQUIRE(result.records.size() == 1);
    CHECK(result.records[0] == normalized(records[0]));
  }
}

// blueprint test_deduplicate_records_complex_queries
TEST_CASE("deduplication compares the ordered user queries of multi-turn conversations",
          "[flywheel][conformance]") {
  const std::vector<std::string> records = {
      R"json({"request": {"messages": [{"role": "user", "content": "What is AI?"},
                                       {"role": "assistant", "content": "AI is..."},
                                       {"role": "user", "content": "Tell me more"}]},
              "response": {"choices": [{"message": {"content": "..."}}]}})json",
      // same user queries in the same order: a duplicate
      R"json({"request": {"messages": [{"role": "user", "content": "What is AI?"},
                                       {"role": "assistant", "content": "Different response"},
                                       {"role": "user", "content": "Tell me more"}]},
              "response": {"choices": [{"message": {"content": "..."}}]}})json",
      R"json({"request": {"messages": [{"role": "user", "content": "What is ML?"},
                                       {"role": "assistant", "content": "ML is..."},
                                       {"role": "user", "content": "Tell me more"}]},
              "response": {"choices": [{"message": {"content": "..."}}]}})json",
  };
  CHECK(deduplicate(records) == std::vector<std::size_t>{0, 2});

  const fw::validated_records result =
      validate(records, workload_type::generic, data_split_config(2, 2, 2));
  CHECK(selected_set(result) == std::set<std::size_t>{0, 2});
  CHECK(result.stats.deduplicated_queries == 1);
}

// blueprint test_deduplicate_records_error_handling
TEST_CASE("deduplication keeps records it cannot key", "[flywheel][conformance]") {
  const std::vector<std::string> records = {
      R"json({"request": {"messages": [{"role": "user", "content": "Hello"}]},
              "response": {"choices": [{"message": {"content": "Hi"}}]}})json",
      R"json({"response": {"choices": []}})json",
      R"json({"request": {}, "response": {"choices": []}})json",
      R"json({"request": {"messages": "not a list"}, "response": {"choices": []}})json",
  };
  CHECK(deduplicate(records) == std::vector<std::size_t>{0, 1, 2, 3});
  const std::optional<std::string> valid_key = bp::dedup_key(parse(records[0]));
  CHECK((valid_key && !valid_key->empty()));
  for (std::size_t i = 1; i < records.size(); ++i) {
    CAPTURE(records[i]);
    const std::optional<std::string> key = bp::dedup_key(parse(records[i]));
    CHECK_FALSE((key && !key->empty()));
  }
}

// blueprint test_validate_records_limit_less_than_min_records_error
TEST_CASE("a limit below the minimum record count is refused", "[flywheel][conformance]") {
  const std::string message =
      refusal(question_records(10), workload_type::generic, data_split_config(5, 10, 5));
  CHECK_THAT(message, Catch::Contains("limit cannot be less than the minimum number of records"));
  CHECK_THAT(message, Catch::Contains("limit is 5, but the minimum number of records is 10"));
}
