// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/pipeline.hpp>

#include <catch2/catch.hpp>

#include <dial_analytics/error.hpp>

#include "support/records.hpp"

namespace da = dial_analytics;
using test_support::json;

namespace {

struct outcome {
  da::ingest_result result;
  std::vector<da::event_status> statuses;
  std::string lines;
};

outcome ingest(const std::string& body, da::input_format format = da::input_format::auto_detect) {
  outcome o;
  da::sequential_id_generator ids;
  da::line_buffer_sink sink;
  da::pipeline_options options;
  options.analysis.ids = &ids;
  options.format = format;
  da::pipeline p(sink, options);
  o.result = p.ingest(body, &o.statuses);
  o.lines = sink.lines();
  return o;
}

std::string event(const json& record) { return json::obj({{"message", record.dump()}}).dump(); }

}  // namespace

TEST_CASE("NDJSON of Vector events is read line by line, without a trailing newline",
          "[pipeline]") {
  const std::string body =
      event(test_support::rate_record()) + "\n" + event(test_support::mcp_record());
  const outcome o = ingest(body);
  REQUIRE_FALSE(o.result.ec);
  CHECK(o.result.stats.events == 2);
  CHECK(o.result.stats.points == 2);
  CHECK(o.lines == test_support::p_rate + "\n" + test_support::p_mcp + "\n");
}

TEST_CASE("NDJSON of raw DIAL records is read as a prompt log", "[pipeline]") {
  const std::string body = test_support::rate_record().dump() + "\r\n\n   \n" +
                           test_support::route_record().dump() + "\n";
  const outcome o = ingest(body);
  REQUIRE_FALSE(o.result.ec);
  CHECK(o.result.stats.events == 2);
  CHECK(o.lines == test_support::p_rate + "\n" + test_support::p_route + "\n");
}

TEST_CASE("a raw record line may carry raw control characters", "[pipeline]") {
  std::string line = test_support::rate_record().dump();
  line.replace(line.find("default-project-id"), 18, "a\tb");
  const outcome o = ingest(line);
  REQUIRE(o.statuses.size() == 1);
  CHECK(o.statuses[0].ok);
  CHECK(o.lines.find("project_id=a\\tb") != std::string::npos);
}

TEST_CASE("a bad NDJSON line is that event's error and the others go on", "[pipeline]") {
  const std::string body = event(test_support::rate_record()) + "\n{\"message\": \n[1]\n" +
                           event(test_support::rate_record());
  const outcome o = ingest(body);
  REQUIRE_FALSE(o.result.ec);
  REQUIRE(o.statuses.size() == 4);
  CHECK(o.statuses[0].ok);
  CHECK(o.statuses[1].index == 1);
  CHECK(o.statuses[1].reason == "invalid JSON in request message");
  CHECK(o.statuses[1].error == "Expecting value: line 1 column 13 (char 12)");
  CHECK(o.statuses[1].ec == da::errc::malformed_json);
  CHECK(o.statuses[2].ec == da::errc::invalid_event);
  CHECK(o.statuses[2].reason == "invalid request message");
  CHECK(o.statuses[3].ok);
  CHECK(o.result.stats.points == 2);
  CHECK(o.result.stats.failed == 2);
}

TEST_CASE("input that is neither a JSON array nor NDJSON is unreadable", "[pipeline]") {
  CHECK(ingest("hello world\n").result.ec == da::errc::unreadable_input);
  CHECK(ingest("[1, 2").result.ec == da::errc::body_not_json);
  CHECK(ingest("  \n ").result.stats.events == 0);
  CHECK_FALSE(ingest("").result.ec);
  // Declared NDJSON reports a bad first line as an event error instead.
  const outcome o = ingest("hello\n", da::input_format::ndjson);
  CHECK_FALSE(o.result.ec);
  REQUIRE(o.statuses.size() == 1);
  CHECK(o.statuses[0].reason == "invalid JSON in request message");
}

TEST_CASE("events without a string message fail pydantic's way", "[pipeline]") {
  const outcome o = ingest(R"([{"msg": "x"}, {"message": 5}, {"message": null}, 7])");
  REQUIRE(o.statuses.size() == 4);
  CHECK(o.statuses[0].error ==
        "1 validation error for Message\nmessage\n  Field required [type=missing, "
        "input_value={'msg': 'x'}, input_type=dict]");
  CHECK(o.statuses[1].error ==
        "1 validation error for Message\nmessage\n  Input should be a valid string "
        "[type=string_type, input_value=5, input_type=int]");
  CHECK(o.statuses[2].error.find("input_value=None, input_type=NoneType") != std::string::npos);
  CHECK(o.statuses[3].error.find("valid dictionary or instance of Message") != std::string::npos);
  for (const auto& s : o.statuses) CHECK(s.reason == "invalid request message");
}

TEST_CASE("the last message key of an event wins, as in Python", "[pipeline]") {
  const std::string body = "[{\"message\": \"junk\", \"message\": " +
                           test_support::dump_string(test_support::rate_record().dump()) + "}]";
  const outcome o = ingest(body);
  REQUIRE(o.statuses.size() == 1);
  CHECK(o.statuses[0].ok);
  CHECK(o.lines == test_support::p_rate + "\n");
}

TEST_CASE("statuses serialise as the reference's reply elements", "[pipeline]") {
  std::string out;
  da::append_status_json(out, {0, true, {}, {}, {}});
  da::append_status_json(out, {1, false, "invalid JSON in request message", "a \"b\"\n\x01",
                               da::errc::malformed_json});
  da::append_status_json(out, {2, false, {}, {}, da::errc::record_rejected});
  CHECK(out ==
        "{\"status\":\"success\"}{\"status\":\"error\",\"error\":\"a \\\"b\\\"\\n\\u0001\","
        "\"reason\":\"invalid JSON in request message\"}{\"status\":\"error\"}");
}

TEST_CASE("the log prefix carries the event's position and trace ids", "[pipeline]") {
  std::vector<std::string> logs;
  da::line_buffer_sink sink;
  da::pipeline_options options;
  options.analysis.log = [&](da::log_level, std::string_view m) { logs.emplace_back(m); };
  da::pipeline p(sink, options);
  json unsupported = test_support::chat_record();
  unsupported["request"]["uri"] = "/health";
  const std::string body = json::arr({json::obj({{"message", test_support::rate_record().dump()}}),
                                      json::obj({{"message", unsupported.dump()}})})
                               .dump();
  REQUIRE_FALSE(p.ingest(body).ec);
  CHECK(logs == std::vector<std::string>{
                    "[1/2] [trace_id=default_trace_id span_id=default_core_span_id] success",
                    "[2/2] [trace_id=default_trace_id span_id=default_core_span_id] Unsupported "
                    "message type: '/health'",
                    "[2/2] [trace_id=default_trace_id span_id=default_core_span_id] success"});
}

TEST_CASE("JSON strings keep UTF-8 or escape it like json.dumps", "[pipeline]") {
  std::string out;
  da::append_json_string(out, "é€😀\t");
  CHECK(out == "\"é€😀\\t\"");
  out.clear();
  da::append_json_string(out, "é€😀\t", true);
  CHECK(out == "\"\\u00e9\\u20ac\\ud83d\\ude00\\t\"");
}

TEST_CASE("diagnostics below the threshold are not delivered", "[pipeline]") {
  std::vector<std::string> logs;
  da::line_buffer_sink sink;
  da::pipeline_options options;
  options.analysis.log = [&](da::log_level, std::string_view m) { logs.emplace_back(m); };
  options.analysis.log_threshold = da::log_level::warning;
  da::pipeline p(sink, options);
  json unsupported = test_support::rate_record();
  unsupported["request"]["uri"] = "/health";
  REQUIRE_FALSE(p.ingest(json::arr({json::obj({{"message", test_support::rate_record().dump()}}),
                                    json::obj({{"message", unsupported.dump()}})})
                             .dump())
                    .ec);
  CHECK(logs ==
        std::vector<std::string>{"[2/2] [trace_id=default_trace_id span_id=default_core_span_id] "
                                 "Unsupported message type: '/health'"});
}

TEST_CASE("one event with invalid UTF-8 fails alone and the others of its array are processed",
          "[pipeline][reliability]") {
  const std::string good = event(test_support::rate_record());
  const std::string body = "[" + good + ",{\"message\":\"bad \xff byte\"}," + good + "]";
  const outcome o = ingest(body, da::input_format::json_array);
  REQUIRE_FALSE(o.result.ec);
  REQUIRE(o.statuses.size() == 3);
  CHECK(o.statuses[0].ok);
  CHECK_FALSE(o.statuses[1].ok);
  CHECK(o.statuses[1].reason == "invalid JSON in request message");
  CHECK(o.statuses[1].error.find("UTF-8") != std::string::npos);
  CHECK(o.statuses[2].ok);
  CHECK(o.result.stats.points == 2);
}

TEST_CASE("one event with a lone surrogate escape fails alone", "[pipeline][reliability]") {
  const std::string good = event(test_support::mcp_record());
  const std::string body = "[" + good + R"(,{"message":"x\ud800y"},)" + good + "]";
  const outcome o = ingest(body, da::input_format::json_array);
  REQUIRE_FALSE(o.result.ec);
  REQUIRE(o.statuses.size() == 3);
  CHECK(o.statuses[0].ok);
  CHECK_FALSE(o.statuses[1].ok);
  CHECK(o.statuses[2].ok);
  CHECK(o.lines == test_support::p_mcp + "\n" + test_support::p_mcp + "\n");
}

TEST_CASE("a broken array with a bad byte is still unreadable as a whole",
          "[pipeline][reliability]") {
  CHECK(ingest("[{\"message\":\"\xff\"}, {", da::input_format::json_array).result.ec ==
        da::errc::body_not_json);
  CHECK(ingest("[{\"message\":\"\xff\"},]", da::input_format::json_array).result.ec ==
        da::errc::body_not_json);
}

TEST_CASE("split_json_array finds the top-level elements by structure alone", "[pipeline]") {
  std::vector<std::string_view> parts;
  REQUIRE(da::split_json_array(R"( [ {"a":"],}"} , [1,[2]], "x\"y" ,3 ] )", parts));
  REQUIRE(parts.size() == 4);
  CHECK(parts[0] == R"({"a":"],}"})");
  CHECK(parts[1] == "[1,[2]]");
  CHECK(parts[2] == R"("x\"y")");
  CHECK(parts[3] == "3");
  CHECK(da::split_json_array("[]", parts));
  CHECK(parts.empty());
  CHECK_FALSE(da::split_json_array("[1,]", parts));
  CHECK_FALSE(da::split_json_array("[,1]", parts));
  CHECK_FALSE(da::split_json_array("[1} ", parts));
  CHECK_FALSE(da::split_json_array("[\"abc]", parts));
  CHECK_FALSE(da::split_json_array("[1] x", parts));
  CHECK_FALSE(da::split_json_array("{}", parts));
}

TEST_CASE("a body with more events than max_events is refused before any is processed",
          "[pipeline][reliability]") {
  da::line_buffer_sink sink;
  da::pipeline_options options;
  options.max_events = 2;
  da::pipeline p(sink, options);
  const std::string e = event(test_support::rate_record());
  for (const std::string& body : {"[" + e + "," + e + "," + e + "]", e + "\n" + e + "\n" + e}) {
    const da::ingest_result r = p.ingest(body);
    CHECK(r.ec == da::errc::too_many_events);
    CHECK(r.message == "the body holds 3 events, more than the limit of 2");
    CHECK(sink.lines().empty());
  }
  CHECK_FALSE(p.ingest("[" + e + "," + e + "]").ec);
  CHECK(sink.lines() == test_support::p_rate + "\n" + test_support::p_rate + "\n");
}

TEST_CASE("past max_logged_errors a body's failures are summed up in one line by reason",
          "[pipeline][reliability]") {
  std::vector<std::string> lines;
  da::line_buffer_sink sink;
  da::pipeline_options options;
  options.max_logged_errors = 2;
  options.analysis.log = [&](da::log_level, std::string_view m) { lines.emplace_back(m); };
  da::pipeline p(sink, options);
  std::string body = "[";
  for (int i = 0; i < 1000; ++i) body += i ? ",1" : "1";
  body += R"(,{"message":"not json"}])";
  const da::ingest_result r = p.ingest(body);
  REQUIRE_FALSE(r.ec);
  CHECK(r.stats.failed == 1001);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].find("invalid request message") != std::string::npos);
  CHECK(lines[2] ==
        "1001 of 1001 events failed (invalid request message: 1000, invalid JSON in request "
        "message: 1); 999 more error lines after the first 2 not logged");
  lines.clear();
  CHECK_FALSE(p.ingest("[1]").ec);  // the count starts again with each body
  CHECK(lines.size() == 1);
}

TEST_CASE("a batch sent twice writes the same points: generated response ids come from the record",
          "[pipeline][reliability]") {
  // Vector re-sends a batch whose reply it lost; with random ids every re-send was a new point.
  const std::string body = "[" + event(test_support::embeddings_record()) + "," +
                           event(test_support::embeddings_record()) + "]";
  auto run_once = [&] {
    da::line_buffer_sink sink;
    da::pipeline p(sink);  // default options: content-derived ids
    REQUIRE_FALSE(p.ingest(body).ec);
    return sink.lines();
  };
  const std::string first = run_once();
  CHECK(first.find("response_id=") != std::string::npos);
  CHECK(first == run_once());
  json other = test_support::embeddings_record();
  other["request"]["time"] = "2023-11-24T03:33:40.000001";
  da::line_buffer_sink sink;
  da::pipeline p(sink);
  REQUIRE_FALSE(p.ingest("[" + event(other) + "]").ec);
  const auto id_of = [](const std::string& line) {
    const auto at = line.find("response_id=") + 12;
    return line.substr(at, 36);
  };
  CHECK(id_of(sink.lines()) != id_of(first));
}
