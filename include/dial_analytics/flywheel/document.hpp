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

/// The names of the Flywheel output's segment files: `flywheel-000001.jsonl`, … (the local JSONL
/// output, and the spools of the Elasticsearch output).
inline constexpr std::string_view spool_segment_prefix = "flywheel-";
inline constexpr std::string_view spool_segment_extension = ".jsonl";

/// Appends one spool line of the Flywheel output: `<id>` TAB `<document>` newline, the form the
/// Elasticsearch output reads (the id becomes the document's `_id`), or, with an empty `id`, the
/// document alone (a JSONL line). Ids never contain tabs or newlines.
void append_spool_line(std::string& out, std::string_view id, std::string_view document);

/// A spool line's parts: the id before the first tab (empty when there is no tab: a bare
/// document) and the document.
struct spool_line {
  std::string_view id;
  std::string_view document;
};

/// Splits `line` (without its newline).
[[nodiscard]] spool_line split_spool_line(std::string_view line) noexcept;

}  // namespace dial_analytics::flywheel
