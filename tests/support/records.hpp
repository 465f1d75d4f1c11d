// SPDX-License-Identifier: Apache-2.0
// The reference test suite's default records and expected lines (ai-dial-analytics-realtime's
// tests/endpoints/*.py), and a harness that posts records through the pipeline like the reference
// tests post to /data.
#pragma once

#include <string>
#include <vector>

#include <dial_analytics/dial_analytics.hpp>

#include "json.hpp"

namespace test_support {

// Default records (tests/utils/message/*.py defaults).
json chat_record();
json embeddings_record();
json rate_record();
json mcp_record();
json route_record();
json responses_record();
json anthropic_record();

/// chat_record() whose request has one user message `user` and whose answer is `assistant`.
json chat_record_with(const std::string& user,
                      const std::string& assistant = "default-assistant-message");

/// The default request or assembled-response bodies as JSON values (callers edit then dump).
json chat_request_body();
json chat_assembled_response();
json responses_request_body();
json responses_assembled_response();
json anthropic_request_body();
json anthropic_assembled_response();

/// The reference's "usage_from_top_level" token_usage: 111/222/333 tokens, cached 44, cache
/// write 55, reasoning 66, deployment_price 0.001, price 0.002 — and the edits it makes to a line.
json full_token_usage();
std::vector<std::pair<std::string, std::string>> full_token_usage_edits();

// Expected lines of the defaults (docs/line-protocol.md), without the trailing newline.
extern const std::string p_chat;
extern const std::string p_emb;
extern const std::string p_resp;
extern const std::string p_anth;
extern const std::string p_rate;
extern const std::string p_mcp;
extern const std::string p_route;

/// `line` with each `from` replaced by `to` (the first occurrence; must exist).
std::string with(std::string line, const std::vector<std::pair<std::string, std::string>>& edits);

enum class topics { none, echo };

struct run_result {
  std::vector<std::string> lines;  ///< sorted, as the reference tests compare them
  std::vector<dial_analytics::event_status> statuses;
  std::vector<std::string> logs;  ///< "LEVEL message"
  std::string reply;              ///< the statuses as the /data reply JSON array
};

/// Posts `[{"message": json.dumps(r)} for r in records]` through a pipeline.
run_result run(const std::vector<json>& records, topics t = topics::none);
/// Runs a raw body.
run_result run_body(const std::string& body, topics t = topics::none);
/// Runs records with the given classifiers and price calculator (null: none).
run_result run_with(const std::vector<json>& records, dial_analytics::topic_classifier* topic,
                    dial_analytics::language_detector* language = nullptr,
                    dial_analytics::price_calculator* prices = nullptr);

}  // namespace test_support
