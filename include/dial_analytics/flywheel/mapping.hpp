// SPDX-License-Identifier: Apache-2.0
// From a DIAL Core chat-completion log record (or a host's request/response pair) to a Data
// Flywheel document: which records qualify, where client_id and workload_id come from, what of
// the bodies is kept, and PII redaction of every text the model saw or wrote (docs/flywheel.md).
//
// Never copied into a document: the user id, the user's title, the chat id, claims, headers, and
// (by default) DIAL's extensions `custom_content`, `custom_fields`, `addons` and `statistics`.
//
// Thread-safety: a mapper is used by one thread at a time (it owns JSON parsers and scratch).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <dial_analytics/flywheel/redactor.hpp>
#include <dial_analytics/input/log_parser.hpp>

namespace dial_analytics::flywheel {

/// Where a DIAL record's workload_id comes from.
enum class workload_source {
  route,           ///< `parent_deployment/deployment` when there is a parent, else `deployment`
  deployment,      ///< `deployment` alone
  execution_path,  ///< `execution_path` without element 0 (the caller's identity), joined by '/'
};

/// Parses "route", "deployment" or "execution_path".
[[nodiscard]] std::optional<workload_source> parse_workload_source(std::string_view s) noexcept;
[[nodiscard]] std::string_view to_string(workload_source s) noexcept;

/// How records become documents.
struct mapping_options {
  /// client_id when the record has no `project.id` (and for host records without one).
  std::string default_client_id = "dial";
  workload_source workload = workload_source::route;
  /// A request header whose value, when DIAL logged it (Core's `headers` object, which needs
  /// `analytics.collectHeaders` and the header in its allow-list), overrides the workload_id.
  /// Compared case-insensitively; empty: no override.
  std::string workload_header;
  /// Only records whose `deployment` is in this list (empty: all).
  std::vector<std::string> include_deployments;
  /// Never records whose `deployment` is in this list.
  std::vector<std::string> exclude_deployments;
  /// Only records whose `execution_path` contains this deployment (e.g. a PII-redacting
  /// interceptor, so that only the hops after it are captured). Empty: no condition.
  std::string only_after;
  /// Remove DIAL's extensions: `custom_content` in messages, `custom_fields` and `addons` in the
  /// request, `statistics` in the response.
  bool strip_dial_extensions = true;
  /// Redact PII in message contents, text parts, tool-call arguments, refusals and reasoning.
  bool redact = true;
  redactor_options redaction;
};

/// Why a record did not become a document.
enum class skip_reason : unsigned char {
  not_chat_completion,    ///< another API (embeddings, rate, MCP, …)
  not_successful,         ///< `response.status` is not "200"
  excluded_deployment,    ///< include/exclude lists
  not_after_interceptor,  ///< `only_after` is set and not in the execution path
  no_request_body,        ///< no `request.body` (e.g. a secured API key)
  no_response,            ///< no `assembled_response`
  truncated_body,         ///< Core cut a body at 4 MiB (it ends with `>>`)
  request_not_json,       ///< the request body is not a JSON object
  response_not_json,      ///< the assembled response is not a JSON object
  no_messages,            ///< the request has no `messages` array
  no_choices,             ///< the response has no choices
  bad_timestamp,          ///< `request.time` is missing or not an ISO-8601 time
  no_workload_id,         ///< a host's call without a workload_id
};
inline constexpr std::size_t skip_reason_count = 13;

/// "not_chat_completion", "not_successful", … (metric labels and the CLI's counts).
[[nodiscard]] std::string_view to_string(skip_reason r) noexcept;

/// One mapped document.
struct mapped_document {
  std::string id;               ///< `trace_id-core_span_id`, or a hash of the document's content
  std::string document;         ///< the JSON document (document.hpp), no newline
  redaction_counts redactions;  ///< what was redacted in this document
};

/// Counts of a mapper or of a stage.
struct mapping_stats {
  std::uint64_t documents = 0;
  std::array<std::uint64_t, skip_reason_count> skipped{};
  redaction_counts redactions;
  [[nodiscard]] std::uint64_t skipped_total() const noexcept;
  mapping_stats& operator+=(const mapping_stats& other) noexcept;
};

/// A host program's chat call (for recorder.hpp and tests).
struct chat_call {
  std::string_view request_json;   ///< the chat.completions request object
  std::string_view response_json;  ///< the ChatCompletion object (a `delta` becomes `message`)
  std::int64_t timestamp = 0;      ///< epoch seconds
  std::string_view client_id;      ///< empty: mapping_options::default_client_id
  std::string_view workload_id;    ///< required
};

/// DIAL record or chat call → document.
class mapper {
 public:
  /// @throws config_error when the redaction patterns cannot be compiled.
  explicit mapper(mapping_options options = {});
  ~mapper();
  mapper(mapper&&) noexcept;
  mapper& operator=(mapper&&) noexcept;

  /// Maps one decoded DIAL record; on success `out` is overwritten.
  /// @return the reason it was skipped, or nothing when `out` holds a document.
  [[nodiscard]] std::optional<skip_reason> map(const log_record& record, mapped_document& out);
  /// Maps a host's call. @return request_not_json, response_not_json, no_messages, no_choices
  ///         or no_workload_id as a skip reason, or nothing when `out` holds a document.
  [[nodiscard]] std::optional<skip_reason> map(const chat_call& call, mapped_document& out);

  [[nodiscard]] const mapping_options& options() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace dial_analytics::flywheel
