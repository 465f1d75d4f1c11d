// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>

#include <string>

#include <dial_analytics/flywheel/document.hpp>

using dial_analytics::flywheel::append_document;
using dial_analytics::flywheel::append_line_with_id;
using dial_analytics::flywheel::document_of_line;
using dial_analytics::flywheel::flywheel_record;

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

TEST_CASE("a spool line carries the document id before a tab, and the document is read back",
          "[flywheel][document]") {
  std::string line;
  append_line_with_id(line, "trace-span", flywheel_record{"{}", "{}", 7, "c", "w"});
  CHECK(line ==
        "trace-span\t{\"request\":{},\"response\":{},\"timestamp\":7,\"client_id\":\"c\","
        "\"workload_id\":\"w\"}\n");
  CHECK(document_of_line(line) ==
        R"({"request":{},"response":{},"timestamp":7,"client_id":"c","workload_id":"w"})");
  CHECK(document_of_line("{\"a\":\"\\t\"}\n") == "{\"a\":\"\\t\"}");
}
