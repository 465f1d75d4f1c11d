// SPDX-License-Identifier: Apache-2.0
// The Elasticsearch bulk writer: one `_bulk` request of `create` actions per batch, and the
// reading of every item's result, which Elasticsearch answers with HTTP 200 even when items
// failed. `create` with an id derived from the line makes a resend harmless: a document already
// stored answers 409, which counts as stored.
#include <dial_analytics/elasticsearch/es_writer.hpp>

#include <simdjson.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <utility>
#include <vector>

#include <dial_analytics/analytics/response_ids.hpp>
#include <dial_analytics/flywheel/document.hpp>
#include <dial_analytics/json.hpp>

#include "detail/curl_http.hpp"
#include "detail/redact.hpp"
#include "elasticsearch/es_http.hpp"

namespace dial_analytics::elasticsearch {
using output::line_refusal;
using output::write_outcome;
using output::write_result;

namespace {

// An error text in a log line or a dead-letter comment is cut to this many bytes.
constexpr std::size_t max_error_bytes = 1000;

std::string one_line(std::string text) {
  if (text.size() > max_error_bytes) text.resize(max_error_bytes);
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return text;
}

std::string_view string_field(simdjson::dom::element e, std::string_view key) {
  std::string_view v;
  return e[key].get(v) == simdjson::SUCCESS ? v : std::string_view();
}

// "<type>: <reason>" of an Elasticsearch error object, with its first cause.
std::string describe_error(simdjson::dom::element error) {
  if (std::string_view text; error.get(text) == simdjson::SUCCESS) return std::string(text);
  std::string out(string_field(error, "type"));
  if (const std::string_view reason = string_field(error, "reason"); !reason.empty())
    out += (out.empty() ? "" : ": ") + std::string(reason);
  simdjson::dom::element cause;
  if (error["caused_by"].get(cause) == simdjson::SUCCESS) {
    out += fmt::format(" (caused by {}: {})", string_field(cause, "type"),
                       string_field(cause, "reason"));
  }
  return out;
}

// The tally of one bulk answer's items.
struct item_tally {
  write_result result;
  std::string first_retry;  // "HTTP <status>: <type>: <reason>" of the first item to resend
  bool index_missing = false;
};

// What one bulk item (`{"create":{…,"status":N[,"error":{…}]}}`) means for line `i`.
void classify_item(simdjson::dom::element item, std::size_t i, item_tally& t) {
  simdjson::dom::object op;
  simdjson::dom::element inner;
  std::int64_t status = 0;
  const bool has_op = item.get(op) == simdjson::SUCCESS && op.begin() != op.end();
  if (has_op) inner = (*op.begin()).value;  // the only member: `create` (or `index`, …)
  if (!has_op || inner["status"].get(status) != simdjson::SUCCESS) {
    t.result.retry_lines.push_back(i);  // unreadable: resending a `create` is harmless
    if (t.first_retry.empty()) t.first_retry = "an item without a status";
    return;
  }
  if ((status >= 200 && status < 300) || status == 409) return;  // 409: already stored
  simdjson::dom::element error;
  const std::string why = inner["error"].get(error) == simdjson::SUCCESS
                              ? one_line(detail::redact(describe_error(error)))
                              : std::string("no error given");
  // Overload (429, 5xx), a lost or blocked index (404, 401/403 cluster blocks): resend later.
  const bool resend = status == 408 || status == 429 || status >= 500 || status == 401 ||
                      status == 403 || status == 404;
  if (resend) {
    t.result.retry_lines.push_back(i);
    if (t.first_retry.empty()) t.first_retry = fmt::format("HTTP {}: {}", status, why);
    if (status == 404 && why.starts_with("index_not_found_exception")) t.index_missing = true;
    return;
  }
  t.result.refused.push_back({i, why, static_cast<int>(status)});
}

// The per-line verdict of a readable 2xx bulk answer, its message for the log.
void summarise_items(std::size_t line_count, item_tally& t) {
  write_result& r = t.result;
  if (r.refused.empty() && r.retry_lines.size() == line_count) {
    r.outcome = write_outcome::retry;  // nothing stored: the sender's whole-batch backoff
    r.message = fmt::format("every document must be resent, first {}", t.first_retry);
    r.retry_lines.clear();
    return;
  }
  if (!r.retry_lines.empty()) {
    r.message = fmt::format("{} of {} documents to resend, first {}", r.retry_lines.size(),
                            line_count, t.first_retry);
  } else if (!r.refused.empty()) {
    r.message = fmt::format("{} of {} documents refused, first HTTP {}: {}", r.refused.size(),
                            line_count, r.refused.front().http_status, r.refused.front().reason);
  }
}

// A 2xx bulk answer, item by item. `errors:false` says every item succeeded.
item_tally classify_items(std::string_view body, std::size_t line_count) {
  item_tally t;
  t.result.outcome = write_outcome::written;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (const auto ec = parser.parse(body.data(), body.size()).get(doc); ec != simdjson::SUCCESS) {
    // Resending `create` actions is harmless: stored documents answer 409 next time.
    t.result.outcome = write_outcome::retry;
    t.result.message = fmt::format("unreadable _bulk answer ({})", simdjson::error_message(ec));
    return t;
  }
  if (bool errors = true; doc["errors"].get(errors) == simdjson::SUCCESS && !errors) return t;
  simdjson::dom::array items;
  if (doc["items"].get(items) != simdjson::SUCCESS) {
    t.result.outcome = write_outcome::retry;
    t.result.message = "_bulk answer without items";
    return t;
  }
  std::size_t i = 0;
  for (const simdjson::dom::element item : items) {
    if (i == line_count) break;
    classify_item(item, i++, t);
  }
  if (i < line_count && t.first_retry.empty())
    t.first_retry = fmt::format("{} items missing from the answer", line_count - i);
  for (; i < line_count; ++i) t.result.retry_lines.push_back(i);
  summarise_items(line_count, t);
  return t;
}

// The whole request's answer; a 2xx is read item by item.
item_tally classify(int status, std::string_view body, std::string_view retry_after,
                    std::size_t line_count) {
  item_tally t;
  if (status >= 200 && status < 300) t = classify_items(body, line_count);
  write_result& r = t.result;
  r.http_status = status;
  r.retry_after = detail::parse_retry_after(retry_after);
  if (status >= 200 && status < 300) return t;
  const std::string why = wire::error_text(body);
  r.message = why;
  if (status == 413) {
    r.outcome = write_outcome::too_large;
  } else if (status == 408 || status == 429 || status >= 500) {
    r.outcome = write_outcome::retry;
  } else if (status == 401 || status == 403) {
    r.outcome = write_outcome::unavailable;
    r.message = why +
                "; check the Elasticsearch credentials (user and password, API key or "
                "bearer token) and their privileges on the index";
  } else if (status == 406) {
    r.outcome = write_outcome::unavailable;
    r.message = why +
                "; the server refuses the content type (OpenSearch refuses the "
                "compatible-with=8 types: turn them off)";
  } else if (status == 404 && why.starts_with("index_not_found_exception")) {
    r.outcome = write_outcome::retry;  // the index is gone: prepared again before the resend
    t.index_missing = true;
  } else if (status == 404) {
    r.outcome = write_outcome::unavailable;  // no _bulk there: the URL is wrong
    r.message = why + "; check the Elasticsearch URL";
  } else {
    r.outcome = write_outcome::rejected;
    r.rejected_lines = line_count;
  }
  return t;
}

// The index preparation shared by the writers of one factory: one lane asks the cluster at a
// time (the others answer `retry` at once), and "ready" is logged once per preparation.
class index_state {
 public:
  index_state(es_config cfg, log_callback log) : cfg_(std::move(cfg)), log_(std::move(log)) {}

  // True when writes may go; else `refusal` says why: `unavailable` while the credentials are
  // refused (a configuration problem, logged by the sender every time), else `retry`.
  bool ready(write_result& refusal) {
    if (ready_) return true;
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock()) {
      refusal = not_ready("another connection is preparing it", 0);
      return false;
    }
    if (ready_) return true;
    const prepare_result p = prepare_index(cfg_);
    if (!p.ready) {
      refusal = not_ready(p.note, p.http_status);
      return false;
    }
    ready_ = true;
    if (log_) log_(log_level::info, describe(cfg_) + " is ready: " + p.note);
    return true;
  }

  void lost() { ready_ = false; }

 private:
  write_result not_ready(const std::string& why, int status) const {
    const bool credentials = status == 401 || status == 403;
    return {credentials ? write_outcome::unavailable : write_outcome::retry,
            status,
            0,
            {},
            "index " + cfg_.index + " is not ready: " + why};
  }

  es_config cfg_;
  log_callback log_;
  std::mutex mutex_;  // one preparation at a time
  std::atomic<bool> ready_{false};
};

// Remedies for the refusals seen in practice.
struct known_refusal {
  std::string_view pattern;
  std::string_view remedy;
};

constexpr std::string_view resend =
    "then resend the dead letters (restart dial-analytics-server with RESEND_DEAD_LETTERS=true)";

constexpr std::string_view value_misfit =
    "cause: a value does not fit the index's mapping (workload_id and client_id are keywords, "
    "request and response objects, timestamp a date: epoch milliseconds or ISO 8601) or the "
    "document is not JSON; remedy: fix the producer, ";

constexpr std::array<known_refusal, 5> known = {{
    {"strict_dynamic_mapping_exception",
     "cause: the index's strict mapping refuses top-level keys other than the Data Flywheel "
     "schema's (timestamp, workload_id, client_id, request, response); remedy: remove the key at "
     "the producer, or, for NeMo Agent Toolkit documents (contract_version, error_details), use "
     "the NAT-compatible mapping (ELASTICSEARCH_MAPPING=nat_compat) on a new index, "},
    {"mapper_parsing_exception", value_misfit},
    {"document_parsing_exception", value_misfit},
    {"Limit of total fields",
     "cause: the index has reached index.mapping.total_fields.limit; remedy: raise the limit on "
     "the index, "},
    {"security_exception",
     "cause: Elasticsearch refuses the credentials or their privileges; remedy: check the user "
     "and password, API key or bearer token and the create_doc privilege on the index, "},
}};

// `{"create":{"_index":"<index>","_id":`, the start of every action line.
std::string action_prefix(std::string_view index) {
  std::string out = R"({"create":{"_index":)";
  append_json_string(out, index);
  out += R"(,"_id":)";
  return out;
}

class es_bulk_writer final : public output::batch_writer {
 public:
  es_bulk_writer(const es_config& cfg, std::shared_ptr<index_state> state)
      : endpoint_(wire::resolve_endpoint(cfg)),
        bulk_url_(endpoint_.base + "/_bulk"),
        action_prefix_(action_prefix(cfg.index)),
        headers_(wire::request_headers(cfg, endpoint_, true)),
        http_(wire::client_options(cfg)),
        state_(std::move(state)) {}

  [[nodiscard]] std::string_view name() const noexcept override { return "Elasticsearch"; }
  [[nodiscard]] output::line_noun noun() const noexcept override {
    return {"document", "documents"};
  }
  [[nodiscard]] std::string remedy(std::string_view message) const override {
    for (const known_refusal& k : known) {
      if (message.find(k.pattern) != std::string_view::npos)
        return std::string(k.remedy) + std::string(resend);
    }
    return {};
  }

  write_result write(std::string_view lines) override {
    if (write_result refusal; !state_->ready(refusal)) return refusal;
    const std::size_t count = build_body(lines);
    if (sent_.empty()) return settled_locally(count);
    const detail::http_response answer = http_.post(bulk_url_, body_, headers_);
    if (answer.status == 0)
      return {write_outcome::retry, 0, 0, {}, "network: " + detail::redact(answer.error)};
    item_tally t = classify(answer.status, answer.body, answer.header("retry-after"), sent_.size());
    if (t.index_missing) state_->lost();
    return to_batch_lines(std::move(t.result), count);
  }

 private:
  // The bulk body of `lines`: `create` with the line's id (or its content hash) and the
  // document; lines without a document are refused here. @return the number of lines.
  std::size_t build_body(std::string_view lines) {
    body_.clear();
    sent_.clear();
    local_.clear();
    std::size_t count = 0;
    while (!lines.empty()) {
      const std::size_t end = std::min(lines.find('\n'), lines.size());
      std::string_view line = lines.substr(0, end);
      lines.remove_prefix(std::min(end + 1, lines.size()));
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      add_line(line, count++);
    }
    return count;
  }

  void add_line(std::string_view line, std::size_t index) {
    auto [id, document] = flywheel::split_spool_line(line);
    if (document.find_first_not_of(" \t") == std::string_view::npos) {
      local_.push_back({index, "empty_document: the line holds no JSON document", 400});
      return;
    }
    if (id.empty()) id = ids_.next_for(document);
    body_ += action_prefix_;
    append_json_string(body_, id);
    body_ += "}}\n";
    body_ += document;
    body_ += '\n';
    sent_.push_back(index);
  }

  // Nothing was sent: every line was refused here.
  write_result settled_locally(std::size_t count) const {
    write_result r(write_outcome::written, 0, 0, {},
                   fmt::format("{} of {} documents refused before sending", local_.size(), count));
    r.refused = local_;
    return r;
  }

  // Item numbers → line numbers of the batch, plus the lines refused before sending.
  write_result to_batch_lines(write_result r, std::size_t count) const {
    if (local_.empty() && sent_.size() == count) return r;  // items are the lines
    if (r.outcome == write_outcome::rejected) r.rejected_lines = count;
    if (r.outcome == write_outcome::retry && r.http_status >= 200 && r.http_status < 300) {
      r.outcome = write_outcome::written;  // every item to resend, but some lines were refused
      r.retry_lines.resize(sent_.size());
      for (std::size_t i = 0; i < sent_.size(); ++i) r.retry_lines[i] = i;
    }
    if (r.outcome != write_outcome::written) return r;
    for (std::size_t& line : r.retry_lines) line = sent_[line];
    for (line_refusal& x : r.refused) x.line = sent_[x.line];
    r.refused.insert(r.refused.end(), local_.begin(), local_.end());
    return r;
  }

  wire::endpoint endpoint_;
  std::string bulk_url_;
  std::string action_prefix_;  // `{"create":{"_index":"<index>","_id":`
  std::vector<std::string> headers_;
  detail::http_client http_;
  std::shared_ptr<index_state> state_;
  content_id_generator ids_;
  std::string body_;                 // reused between writes
  std::vector<std::size_t> sent_;    // item i is line sent_[i] of the batch
  std::vector<line_refusal> local_;  // lines refused before sending
};

}  // namespace

namespace wire {

std::string error_text(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc, error;
  if (parser.parse(body.data(), body.size()).get(doc) == simdjson::SUCCESS &&
      doc["error"].get(error) == simdjson::SUCCESS)
    return one_line(detail::redact(describe_error(error)));
  return one_line(detail::redact(body.substr(0, max_error_bytes)));
}

}  // namespace wire

output::write_result classify_bulk_response(int http_status, std::string_view body,
                                            std::string_view retry_after, std::size_t line_count) {
  return classify(http_status, body, retry_after, line_count).result;
}

std::unique_ptr<output::batch_writer> make_es_bulk_writer(const es_config& cfg, log_callback log) {
  return std::make_unique<es_bulk_writer>(cfg, std::make_shared<index_state>(cfg, std::move(log)));
}

output::spooled_output::writer_factory make_writer_factory(const es_config& cfg, log_callback log) {
  static_cast<void>(wire::resolve_endpoint(cfg));  // unusable credentials: fail at start-up
  auto state = std::make_shared<index_state>(cfg, std::move(log));
  return [cfg, state] { return std::make_unique<es_bulk_writer>(cfg, state); };
}

}  // namespace dial_analytics::elasticsearch
