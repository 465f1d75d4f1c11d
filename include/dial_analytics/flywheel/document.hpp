// SPDX-License-Identifier: Apache-2.0
// The Data Flywheel blueprint's document: one logged LLM call, as the blueprint's jobs read it
// from its Elasticsearch index (docs/flywheel.md). Exactly five top-level keys, in this order:
//
//   {"request":{…},"response":{…},"timestamp":1715854074,"client_id":"…","workload_id":"…"}
//
// `request` is the OpenAI chat.completions request, `response` the ChatCompletion object,
// `timestamp` integer epoch seconds. Any other top-level key would be refused by the blueprint's
// strict index mapping.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dial_analytics::flywheel {

/// One flywheel record, as views; `request_json` and `response_json` are JSON objects.
struct flywheel_record {
  std::string_view request_json;
  std::string_view response_json;
  std::int64_t timestamp = 0;  ///< epoch seconds
  std::string_view client_id;
  std::string_view workload_id;
};

/// Appends the document (no newline). The JSON texts are copied as they are.
void append_document(std::string& out, const flywheel_record& record);

/// Appends one spool line: `<id>` TAB `<document>` newline, the form the Elasticsearch output
/// reads (the id becomes the document's `_id`). Ids never contain tabs or newlines.
void append_line_with_id(std::string& out, std::string_view id, const flywheel_record& record);

/// The document of a spool line: the line without its `<id>` TAB prefix, if it has one.
[[nodiscard]] std::string_view document_of_line(std::string_view line) noexcept;

}  // namespace dial_analytics::flywheel
