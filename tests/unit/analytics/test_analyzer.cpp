// SPDX-License-Identifier: Apache-2.0
// Python semantics of the analyzer on inputs the reference suite does not cover.
#include <dial_analytics/analytics/analyzer.hpp>

#include <catch2/catch.hpp>

#include <dial_analytics/analytics/line_protocol.hpp>

#include "support/records.hpp"

namespace da = dial_analytics;
using test_support::json;

namespace {

struct result {
  da::analysis analysis;
  std::string line;
};

result analyze(const json& record, da::topic_classifier* topic = nullptr) {
  da::sequential_id_generator ids;
  da::analyzer_options options;
  options.ids = &ids;
  options.topic = topic;
  da::analyzer a(options);
  da::log_parser parser;
  da::log_record rec;
  REQUIRE_FALSE(parser.parse(record.dump(), rec));
  da::point p;
  result r;
  r.analysis = a.analyze(rec, p);
  if (r.analysis.has_point) REQUIRE_FALSE(da::append_line(r.line, p));
  return r;
}

std::string error_of(const json& record) {
  const result r = analyze(record);
  CHECK_FALSE(r.analysis.has_point);
  CHECK(r.analysis.ec == da::errc::record_rejected);
  return r.analysis.message;
}

}  // namespace

TEST_CASE("missing or mistyped required values fail with CPython's texts", "[analyzer]") {
  json r = test_support::chat_record();
  r["chat"] = nullptr;
  CHECK(error_of(r) == "'NoneType' object is not subscriptable");
  r = test_support::chat_record();
  r["user"] = "someone";
  CHECK(error_of(r) == "string indices must be integers, not 'str'");
  r = test_support::chat_record();
  r["project"] = json::arr();
  CHECK(error_of(r) == "list indices must be integers or slices, not str");
  r = test_support::chat_record();
  r["request"]["time"] = "yesterday";
  CHECK(error_of(r) == "invalid literal for int() with base 10: b'yest'");
  r = test_support::chat_record();
  r["request"]["time"] = 5;
  CHECK(error_of(r) == "object of type 'int' has no len()");
  r = test_support::chat_record();
  r["request"]["uri"] = 7;
  CHECK(error_of(r) == "expected string or bytes-like object, got 'int'");
  r = test_support::chat_record();
  r["response"].erase("status");
  CHECK(error_of(r) == "'status'");
}

TEST_CASE("analytics needs trace_id and core_span_id when a trace is present", "[analyzer]") {
  json r = test_support::chat_record();
  r["trace"] = json::obj({{"core_span_id", "s"}});
  CHECK(error_of(r) == "'trace_id'");
  // The other measurements are tolerant.
  json m = test_support::mcp_record();
  m["trace"] = json::obj({{"core_span_id", "s"}});
  const result ok = analyze(m);
  CHECK(ok.analysis.has_point);
  CHECK(ok.line.find("trace_id=\"undefined\"") != std::string::npos);
}

TEST_CASE("non-string values are written with str() in tags and in text fields", "[analyzer]") {
  json r = test_support::chat_record();
  r["project"]["id"] = 42;
  r["chat"]["id"] = 7;
  r["user"]["title"] = true;
  const result out = analyze(r);
  CHECK(out.line.find(",project_id=42,") != std::string::npos);
  CHECK(out.line.find(",title=True,") != std::string::npos);
  CHECK(out.line.find("chat_id=\"7\"") != std::string::npos);  // a string field stays a string
}

TEST_CASE("token counts are always integer fields, whole floats included", "[analyzer]") {
  json r = test_support::chat_record();
  r["token_usage"] = json::obj({{"prompt_tokens", 189.0},
                                {"completion_tokens", std::int64_t{9223372036854775807}},
                                {"price", "0.25"}});
  const result out = analyze(r);
  CHECK(out.line.find("prompt_tokens=189i,") != std::string::npos);
  CHECK(out.line.find("completion_tokens=9223372036854775807i") != std::string::npos);
  CHECK(out.line.find(",price=0.25,") != std::string::npos);  // float("0.25")
}

TEST_CASE("a token count that is not a whole int64 is the record's error, never a float field",
          "[analyzer][reliability]") {
  // InfluxDB fixes a field's type per shard: one float prompt_tokens would make it refuse every
  // later integer point (and the reverse), so such a value is refused here, with a clear text.
  const std::vector<std::pair<json, std::string>> cases = {
      {json(24.5), "prompt_tokens must be a whole number of at most 19 digits, not 24.5"},
      {json(1.7976931348623157e308),
       "prompt_tokens must be a whole number of at most 19 digits, not 1.7976931348623157e+308"},
      {json(9223372036854775808.0),
       "prompt_tokens must be a whole number of at most 19 digits, not 9.223372036854776e+18"},
      {json("12"), "prompt_tokens must be a whole number of at most 19 digits, not '12'"},
      {json(true), "prompt_tokens must be a whole number of at most 19 digits, not True"},
  };
  for (const auto& [value, message] : cases) {
    json r = test_support::chat_record();
    r["token_usage"] = json::obj({{"prompt_tokens", value}, {"completion_tokens", 1}});
    const result out = analyze(r);
    CHECK(out.analysis.ec == da::errc::record_rejected);
    CHECK(out.analysis.message == message);
    CHECK(out.line.empty());
  }
  json r = test_support::chat_record();
  r["token_usage"] =
      json::obj({{"prompt_tokens", -9223372036854775808.0}, {"completion_tokens", 0}});
  CHECK(analyze(r).line.find("prompt_tokens=-9223372036854775808i") != std::string::npos);
}

TEST_CASE("a null deployment_price next to a price fails like float(None)", "[analyzer]") {
  json r = test_support::chat_record();
  r["token_usage"] = json::obj({{"price", 0.5}, {"deployment_price", nullptr}});
  CHECK(error_of(r) == "float() argument must be a string or a real number, not 'NoneType'");
  r["token_usage"] = json::obj({{"price", "abc"}});
  CHECK(error_of(r) == "could not convert string to float: 'abc'");
}

TEST_CASE("execution paths follow Python's iteration and replace rules", "[analyzer]") {
  json r = test_support::chat_record();
  r["execution_path"] = json::arr();
  CHECK(analyze(r).line.find(",execution_path=undefined,") != std::string::npos);
  r["execution_path"] = json::arr({"", 0, "x/y"});
  CHECK(analyze(r).line.find(",execution_path=undefined/undefined/x\\/y,") != std::string::npos);
  r["execution_path"] = json::arr({"a", 5});
  CHECK(error_of(r) == "'int' object has no attribute 'replace'");
  r["execution_path"] = 3;
  CHECK(error_of(r) == "'int' object is not iterable");
}

TEST_CASE("a body that is valid JSON but not an object fails where Python calls .get",
          "[analyzer]") {
  json r = test_support::chat_record();
  r["request"]["body"] = "[1]";
  CHECK(error_of(r) == "'list' object has no attribute 'get'");
  r = test_support::chat_record();
  r["assembled_response"] = "[]";
  CHECK(error_of(r) == "'list' object has no attribute 'get'");
}

TEST_CASE("assembled responses without usage and a non-200 status are skipped, not failed",
          "[analyzer]") {
  json r = test_support::responses_record();
  r["response"]["status"] = "503";
  const result out = analyze(r);
  CHECK_FALSE(out.analysis.ec);
  CHECK_FALSE(out.analysis.has_point);
  CHECK(out.analysis.type == da::record_type::responses);
}

TEST_CASE("a routes record whose method is missing fails with a KeyError", "[analyzer]") {
  json r = test_support::route_record();
  r["request"].erase("method");
  CHECK(error_of(r) == "'method'");
}

TEST_CASE("the echo topic of an embeddings record joins stripped inputs", "[analyzer]") {
  da::echo_topic_classifier echo;
  json r = test_support::embeddings_record();
  r["request"]["body"] =
      json::obj({{"input", json::arr({"  fish  ", "", 3, "\u00a0cat\n"})}}).dump();
  CHECK(analyze(r, &echo).line.find(",topic=fish\\n\\ncat,") != std::string::npos);
}
