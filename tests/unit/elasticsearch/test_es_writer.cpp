// SPDX-License-Identifier: Apache-2.0
// The Elasticsearch backend without a cluster: what bulk answers mean, the index's creation body,
// the credentials on the wire, and an unreachable cluster never blocking or throwing.
#include <dial_analytics/elasticsearch/es_writer.hpp>
#include <dial_analytics/error.hpp>

#include <simdjson.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "elasticsearch/es_http.hpp"

namespace es = dial_analytics::elasticsearch;
namespace out = dial_analytics::output;
using out::write_outcome;

namespace {

// The JSON of `e` with object keys sorted: equal for equal JSON values, whatever the layout.
std::string canonical(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      std::vector<std::pair<std::string, std::string>> members;
      for (auto field : simdjson::dom::object(e))
        members.emplace_back(std::string(field.key), canonical(field.value));
      std::sort(members.begin(), members.end());
      std::string s = "{";
      for (const auto& [k, v] : members) s += (s.size() > 1 ? "," : "") + ("\"" + k + "\":") + v;
      return s + "}";
    }
    case simdjson::dom::element_type::ARRAY: {
      std::string s = "[";
      for (auto item : simdjson::dom::array(e)) s += (s.size() > 1 ? "," : "") + canonical(item);
      return s + "]";
    }
    default:
      return simdjson::minify(e);
  }
}

std::string canonical(const std::string& json) {
  simdjson::dom::parser parser;
  return canonical(parser.parse(json).value());
}

// The Data Flywheel blueprint's index body, laid out as it writes it.
const std::string blueprint_body = R"({"settings": {"mapping": {"total_fields": {"limit": 1000}},
              "index":   {"mapping": {"ignore_malformed": true}}},
 "mappings": {"dynamic": "strict",
   "properties": {
     "workload_id": {"type": "keyword"},
     "client_id":   {"type": "keyword"},
     "timestamp":   {"type": "date"},
     "request":  {"type": "object", "dynamic": false, "properties": {}},
     "response": {"type": "object", "dynamic": false, "properties": {}}}}})";

// A bulk answer with one item per status (`create` items, errors as Elasticsearch writes them).
std::string bulk_answer(const std::vector<int>& statuses) {
  std::string items;
  bool errors = false;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    const int s = statuses[i];
    std::string item = R"({"create":{"_index":"flywheel","_id":"id)" + std::to_string(i) +
                       R"(","status":)" + std::to_string(s);
    if (s == 409) {
      item +=
          R"j(,"error":{"type":"version_conflict_engine_exception","reason":"[id]: version conflict, document already exists (current version [1])"})j";
    } else if (s == 429) {
      item +=
          R"j(,"error":{"type":"es_rejected_execution_exception","reason":"rejected execution of coordinating operation on EsThreadPoolExecutor[name = node/write, queue capacity = 10000]"})j";
    } else if (s == 400) {
      item +=
          R"j(,"error":{"type":"strict_dynamic_mapping_exception","reason":"[1:2] mapping set to strict, dynamic introduction of [metadata] within [_doc] is not allowed"})j";
    } else if (s == 503) {
      item +=
          R"j(,"error":{"type":"unavailable_shards_exception","reason":"primary shard is not active"})j";
    } else if (s == 404) {
      item +=
          R"j(,"error":{"type":"index_not_found_exception","reason":"no such index [flywheel]"})j";
    } else {
      item += R"(,"result":"created","_version":1)";
    }
    errors = errors || s >= 300;
    items += (i ? "," : "") + item + "}}";
  }
  return R"({"took":3,"errors":)" + std::string(errors ? "true" : "false") + R"(,"items":[)" +
         items + "]}";
}

}  // namespace

TEST_CASE("a bulk answer with every item created means every document is stored",
          "[elasticsearch]") {
  const out::write_result r = es::classify_bulk_response(200, bulk_answer({201, 201, 201}), "", 3);
  CHECK(r.outcome == write_outcome::written);
  CHECK_FALSE(r.per_line());
  CHECK(r.http_status == 200);
}

TEST_CASE("errors:false is taken at its word without reading the items", "[elasticsearch]") {
  // The items are not even there: the fast path does not look at them.
  const out::write_result r =
      es::classify_bulk_response(200, R"({"took":1,"errors":false})", "", 5);
  CHECK(r.outcome == write_outcome::written);
  CHECK_FALSE(r.per_line());
}

TEST_CASE("mixed bulk items give the lines refused for good and the lines to resend",
          "[elasticsearch]") {
  const out::write_result r =
      es::classify_bulk_response(200, bulk_answer({201, 409, 429, 400, 503, 201}), "", 6);
  CHECK(r.outcome == write_outcome::written);  // the lines not listed are stored
  CHECK(r.retry_lines == std::vector<std::size_t>{2, 4});
  REQUIRE(r.refused.size() == 1);
  CHECK(r.refused[0].line == 3);
  CHECK(r.refused[0].http_status == 400);
  CHECK(r.refused[0].reason ==
        "strict_dynamic_mapping_exception: [1:2] mapping set to strict, dynamic introduction of "
        "[metadata] within [_doc] is not allowed");
  CHECK(r.message.find("2 of 6 documents to resend, first HTTP 429: "
                       "es_rejected_execution_exception") != std::string::npos);
}

TEST_CASE("a 409 on create counts as stored", "[elasticsearch]") {
  const out::write_result r = es::classify_bulk_response(200, bulk_answer({409, 409}), "", 2);
  CHECK(r.outcome == write_outcome::written);
  CHECK_FALSE(r.per_line());
}

TEST_CASE("only refusals are listed when nothing is to be resent", "[elasticsearch]") {
  const out::write_result r = es::classify_bulk_response(200, bulk_answer({400, 201, 400}), "", 3);
  CHECK(r.outcome == write_outcome::written);
  CHECK(r.retry_lines.empty());
  REQUIRE(r.refused.size() == 2);
  CHECK(r.refused[0].line == 0);
  CHECK(r.refused[1].line == 2);
  CHECK(
      r.message.starts_with("2 of 3 documents refused, first HTTP 400: "
                            "strict_dynamic_mapping_exception"));
}

TEST_CASE("every item to resend is a retry of the whole batch", "[elasticsearch]") {
  const out::write_result r = es::classify_bulk_response(200, bulk_answer({429, 503}), "", 2);
  CHECK(r.outcome == write_outcome::retry);
  CHECK_FALSE(r.per_line());
  CHECK(r.message.find("every document must be resent, first HTTP 429") != std::string::npos);
}

TEST_CASE("a lost index and blocked writes keep their documents", "[elasticsearch]") {
  const std::string blocked =
      R"({"took":1,"errors":true,"items":[{"create":{"_index":"flywheel","_id":"a","status":403,"error":{"type":"cluster_block_exception","reason":"index [flywheel] blocked by: [FORBIDDEN/8/index write (api)];"}}},{"create":{"_index":"flywheel","_id":"b","status":201}}]})";
  out::write_result r = es::classify_bulk_response(200, blocked, "", 2);
  CHECK(r.retry_lines == std::vector<std::size_t>{0});
  CHECK(r.refused.empty());
  r = es::classify_bulk_response(200, bulk_answer({404, 201}), "", 2);
  CHECK(r.retry_lines == std::vector<std::size_t>{0});
}

TEST_CASE("an unreadable bulk answer is resent whole", "[elasticsearch]") {
  CHECK(es::classify_bulk_response(200, "{\"took\":1,\"errors\":tr", "", 2).outcome ==
        write_outcome::retry);
  CHECK(es::classify_bulk_response(200, "<html>proxy</html>", "", 2).outcome ==
        write_outcome::retry);
  CHECK(es::classify_bulk_response(200, R"({"took":1,"errors":true})", "", 2).outcome ==
        write_outcome::retry);
  // Items that say nothing readable are resent.
  out::write_result odd = es::classify_bulk_response(
      200, R"({"errors":true,"items":[5,{},{"create":5},{"create":{"status":201}}]})", "", 4);
  CHECK(odd.outcome == write_outcome::written);
  CHECK(odd.retry_lines == std::vector<std::size_t>{0, 1, 2});
  CHECK(odd.message.find("an item without a status") != std::string::npos);
  // Items missing from the end are resent (a `create` of a stored document answers 409).
  const out::write_result r = es::classify_bulk_response(200, bulk_answer({201, 400}), "", 4);
  CHECK(r.outcome == write_outcome::written);
  CHECK(r.retry_lines == std::vector<std::size_t>{2, 3});
  CHECK(r.refused.size() == 1);
}

TEST_CASE("whole-request answers are classified like the other backends'", "[elasticsearch]") {
  const std::string too_large =
      R"({"error":{"root_cause":[],"type":"content_too_long_exception","reason":"request too large"},"status":413})";
  CHECK(es::classify_bulk_response(413, too_large, "", 9).outcome == write_outcome::too_large);
  out::write_result r = es::classify_bulk_response(429, "", "7", 9);
  CHECK(r.outcome == write_outcome::retry);
  CHECK(r.retry_after == std::chrono::seconds(7));
  CHECK(es::classify_bulk_response(503, "", "", 9).outcome == write_outcome::retry);
  CHECK(es::classify_bulk_response(502, "bad gateway", "", 9).outcome == write_outcome::retry);
  CHECK(es::classify_bulk_response(408, "", "", 9).outcome == write_outcome::retry);
  r = es::classify_bulk_response(
      401,
      R"({"error":{"type":"security_exception","reason":"unable to authenticate user [elastic] for REST request [/_bulk]"},"status":401})",
      "", 9);
  CHECK(r.outcome == write_outcome::unavailable);
  CHECK(r.message.starts_with("security_exception: unable to authenticate user"));
  CHECK(r.message.find("check the Elasticsearch credentials") != std::string::npos);
  CHECK(es::classify_bulk_response(403, "", "", 9).outcome == write_outcome::unavailable);
  CHECK(es::classify_bulk_response(406, "", "", 9).outcome == write_outcome::unavailable);
  CHECK(
      es::classify_bulk_response(
          404,
          R"({"error":{"type":"index_not_found_exception","reason":"no such index [flywheel]"},"status":404})",
          "", 9)
          .outcome == write_outcome::retry);
  CHECK(es::classify_bulk_response(404, "no handler", "", 9).outcome == write_outcome::unavailable);
  r = es::classify_bulk_response(
      400,
      R"({"error":{"root_cause":[{"type":"illegal_argument_exception","reason":"The bulk request must be terminated by a newline [\\n]"}],"type":"illegal_argument_exception","reason":"The bulk request must be terminated by a newline [\\n]"},"status":400})",
      "", 9);
  CHECK(r.outcome == write_outcome::rejected);
  CHECK(r.rejected_lines == 9);
  CHECK(r.message ==
        "illegal_argument_exception: The bulk request must be terminated by a newline [\\n]");
}

TEST_CASE("the index is created with the blueprint's exact body", "[elasticsearch]") {
  const std::string body = es::index_body(es::index_mapping::blueprint);
  CHECK(canonical(body) == canonical(blueprint_body));
  // The bytes, as the blueprint's Python client puts them on the wire (compact, in its order).
  CHECK(
      body ==
      R"({"settings":{"mapping":{"total_fields":{"limit":1000}},"index":{"mapping":{"ignore_malformed":true}}},)"
      R"("mappings":{"dynamic":"strict","properties":{"workload_id":{"type":"keyword"},"client_id":{"type":"keyword"},)"
      R"("timestamp":{"type":"date"},"request":{"type":"object","dynamic":false,"properties":{}},)"
      R"("response":{"type":"object","dynamic":false,"properties":{}}}}})");
}

TEST_CASE("the NAT-compatible mapping adds exactly the toolkit's two fields", "[elasticsearch]") {
  const std::string body = es::index_body(es::index_mapping::nat_compat);
  std::string expected = blueprint_body;
  const std::string last = R"("response": {"type": "object", "dynamic": false, "properties": {}})";
  expected.insert(expected.find(last) + last.size(),
                  R"(, "contract_version": {"type": "keyword"},)"
                  R"( "error_details": {"type": "text", "index": false})");
  CHECK(canonical(body) == canonical(expected));
  CHECK(body.find(R"("dynamic":"strict")") != std::string::npos);
}

TEST_CASE("describe() names the cluster and the index but no secret", "[elasticsearch]") {
  es::es_config cfg;
  CHECK(es::describe(cfg) == "Elasticsearch at http://localhost:9200 (index flywheel)");
  cfg.url = "https://elastic:s3cr3t-pw@es.example:9200/";
  CHECK(es::describe(cfg) ==
        "Elasticsearch at https://es.example:9200 (index flywheel, basic auth)");
  cfg.url = "http://es:9200";
  cfg.api_key = out::secret_string("VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw");
  cfg.mapping = es::index_mapping::nat_compat;
  const std::string d = es::describe(cfg);
  CHECK(d == "Elasticsearch at http://es:9200 (index flywheel, API key, NAT-compatible mapping)");
  CHECK(d.find("ui2lp2") == std::string::npos);
  cfg.api_key = {};
  cfg.bearer_token = out::secret_string("eyJhbGciOi.token");
  CHECK(es::describe(cfg).find("eyJ") == std::string::npos);
}

TEST_CASE("credentials go on the wire as Basic, ApiKey or Bearer", "[elasticsearch]") {
  namespace wire = es::wire;
  es::es_config cfg;
  CHECK(wire::resolve_endpoint(cfg).authorization.empty());
  cfg.username = "elastic";
  cfg.password = out::secret_string("changeme");
  CHECK(wire::resolve_endpoint(cfg).authorization ==
        "Authorization: Basic ZWxhc3RpYzpjaGFuZ2VtZQ==");
  cfg = {};
  cfg.url = "http://us%40er:p%3Ass@es.example:9200/";
  const wire::endpoint from_url = wire::resolve_endpoint(cfg);
  CHECK(from_url.base == "http://es.example:9200");
  CHECK(from_url.authorization == "Authorization: Basic dXNAZXI6cDpzcw==");
  cfg = {};
  cfg.api_key = out::secret_string("VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw");
  CHECK(wire::resolve_endpoint(cfg).authorization ==
        "Authorization: ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==");
  cfg.api_key = out::secret_string("VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==");
  CHECK(wire::resolve_endpoint(cfg).authorization ==
        "Authorization: ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==");
  cfg = {};
  cfg.bearer_token = out::secret_string("tok-123");
  CHECK(wire::resolve_endpoint(cfg).authorization == "Authorization: Bearer tok-123");
  CHECK(wire::base64("a") == "YQ==");
  CHECK(wire::base64("ab") == "YWI=");
}

TEST_CASE("unusable credentials are a configuration error", "[elasticsearch]") {
  es::es_config cfg;
  cfg.username = "elastic";
  CHECK_THROWS_AS(es::wire::resolve_endpoint(cfg), dial_analytics::config_error);
  cfg.password = out::secret_string("pw");
  cfg.bearer_token = out::secret_string("tok");
  CHECK_THROWS_AS(es::make_es_bulk_writer(cfg), dial_analytics::config_error);
  CHECK_THROWS_AS(es::make_writer_factory(cfg), dial_analytics::config_error);
}

TEST_CASE("plain JSON content types unless the compatibility header is asked for",
          "[elasticsearch]") {
  es::es_config cfg;
  const es::wire::endpoint at = es::wire::resolve_endpoint(cfg);
  auto has = [](const std::vector<std::string>& headers, const std::string& h) {
    return std::find(headers.begin(), headers.end(), h) != headers.end();
  };
  auto h = es::wire::request_headers(cfg, at, true);
  CHECK(has(h, "Content-Type: application/x-ndjson"));
  CHECK(has(h, "Accept: application/json"));
  h = es::wire::request_headers(cfg, at, false);
  CHECK(has(h, "Content-Type: application/json"));
  cfg.compat_header = true;
  h = es::wire::request_headers(cfg, at, true);
  CHECK(has(h, "Content-Type: application/vnd.elasticsearch+x-ndjson; compatible-with=8"));
  CHECK(has(h, "Accept: application/vnd.elasticsearch+json; compatible-with=8"));
}

TEST_CASE("an unreachable cluster is not ready and writes answer retry at once",
          "[elasticsearch]") {
  es::es_config cfg;
  cfg.url = "http://user:hunter2-secret@127.0.0.1:1";  // nothing listens on port 1
  cfg.connect_timeout = std::chrono::milliseconds(1000);
  const es::prepare_result p = es::prepare_index(cfg);
  CHECK_FALSE(p.ready);
  CHECK(p.note.find("cannot reach http://127.0.0.1:1") != std::string::npos);
  CHECK(p.note.find("hunter2") == std::string::npos);
  const auto writer = es::make_es_bulk_writer(cfg);
  CHECK(writer->name() == "Elasticsearch");
  CHECK(writer->noun().plural == "documents");
  const auto start = std::chrono::steady_clock::now();
  const out::write_result r = writer->write("id1\t{\"workload_id\":\"w\"}\n");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK(r.outcome == write_outcome::retry);
  CHECK(r.message.find("index flywheel is not ready") != std::string::npos);
  CHECK(r.message.find("hunter2") == std::string::npos);
}

TEST_CASE("refusals name their cause and remedy", "[elasticsearch]") {
  const auto writer = es::make_es_bulk_writer({});
  CHECK(writer
            ->remedy("strict_dynamic_mapping_exception: [1:2] mapping set to strict, dynamic "
                     "introduction of [contract_version] within [_doc] is not allowed")
            .find("NAT-compatible mapping") != std::string::npos);
  CHECK(writer->remedy("document_parsing_exception: failed to parse").find("fix the producer") !=
        std::string::npos);
  CHECK(writer->remedy("something else").empty());
}
