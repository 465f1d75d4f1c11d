// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <string>

#include <dial_analytics/flywheel/document.hpp>

using dial_analytics::flywheel::append_document;
using dial_analytics::flywheel::append_spool_line;
using dial_analytics::flywheel::flywheel_record;
using dial_analytics::flywheel::split_spool_line;

TEST_CASE(
    "a document has the blueprint's five keys in order: request, response, timestamp, "
    "client_id, workload_id",
    "[flywheel][document]") {
  std::string out;
  append_document(out, flywheel_record{R"({"model":"m"})", R"({"id":"r"})", 1715854074, "acme-prod",
                                       "tool_call_routing"});
  CHECK(out == R"({"request":{"model":"m"},"response":{"id":"r"},"timestamp":1715854074,)"
               R"("client_id":"acme-prod","workload_id":"tool_call_routing"})");
}

TEST_CASE("ids and workload names are escaped as JSON strings", "[flywheel][document]") {
  std::string out;
  append_document(out, flywheel_record{"{}", "{}", 0, "a\"b", "c\\d/é"});
  CHECK(out ==
        R"({"request":{},"response":{},"timestamp":0,"client_id":"a\"b","workload_id":"c\\d/é"})");
}

TEST_CASE("a spool line carries the document id before a tab, and is split back",
          "[flywheel][document]") {
  std::string line;
  append_spool_line(line, "trace-span", R"({"a":"\t"})");
  append_spool_line(line, "", R"({"b":1})");
  CHECK(line == "trace-span\t{\"a\":\"\\t\"}\n{\"b\":1}\n");
  const auto [id, document] = split_spool_line("trace-span\t{\"a\":\"\\t\"}");
  CHECK(id == "trace-span");
  CHECK(document == R"({"a":"\t"})");
  const auto bare = split_spool_line(R"({"b":1})");
  CHECK(bare.id.empty());
  CHECK(bare.document == R"({"b":1})");
}
