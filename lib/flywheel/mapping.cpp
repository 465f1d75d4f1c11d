// SPDX-License-Identifier: Apache-2.0
// DIAL record → flywheel document. The bodies are parsed with simdjson's DOM and written back
// with our own writer, which keeps every key in its order and rewrites only what the mapping
// says: DIAL's extensions out, `delta` → `message`, and redacted text.
#include <dial_analytics/flywheel/mapping.hpp>

#include <simdjson.h>

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <utility>

#include <dial_analytics/analytics/response_ids.hpp>
#include <dial_analytics/flywheel/document.hpp>
#include <dial_analytics/input/router.hpp>
#include <dial_analytics/input/timestamp.hpp>
#include <dial_analytics/json.hpp>

#include "detail/ascii.hpp"
#include "detail/py_json.hpp"
#include "detail/record_access.hpp"
#include "flywheel/json_value.hpp"

namespace dial_analytics::flywheel {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// The string of an element or of a lookup result; empty when absent or not a string.
template <typename Element>
std::string_view string_or_empty(Element&& e) noexcept {
  std::string_view s;
  if (e.get(s)) return {};
  return s;
}

// Writes JSON values back: verbatim, or with the mapping's rewrites for requests, messages and
// responses. Strings the model saw or wrote go through the redactor.
class body_writer {
 public:
  body_writer(std::string& out, const redactor* red, bool strip, redaction_counts& counts)
      : out_(out), redactor_(red), strip_(strip), counts_(counts) {}

  void request(object o) {
    members(o, [this](std::string_view key, element value) {
      // `user` and `safety_identifier` identify the end user (OpenAI's abuse-monitoring
      // fields): never stored.
      if (key == "user" || key == "safety_identifier") return false;
      if (strip_ && (key == "custom_fields" || key == "addons")) return false;
      write_key(key);
      if (key == "messages") {
        each_of(value, [this](element m) { message(m); });
      } else if (key == "prediction") {
        // Predicted output: text the model sees, in the shape of a message's content.
        object_or_value(value, [this](std::string_view k, element v) {
          write_key(k);
          k == "content" ? content(v) : verbatim(v);
          return true;
        });
      } else {
        verbatim(value);
      }
      return true;
    });
  }

  void response(object o) {
    members(o, [this](std::string_view key, element value) {
      if (strip_ && key == "statistics") return false;
      write_key(key);
      if (key == "choices") {
        each_of(value, [this](element c) { choice(c); });
      } else {
        verbatim(value);
      }
      return true;
    });
  }

 private:
  // Writes the members of `o` in order; `member(key, value)` writes one (its key first, with
  // write_key) or returns false to leave it out.
  template <typename Member>
  void members(object o, Member member) {
    out_ += '{';
    bool first = true;
    for (auto [key, value] : o) {
      const std::size_t mark = out_.size();
      if (!first) out_ += ',';
      if (member(key, value)) {
        first = false;
      } else {
        out_.resize(mark);  // left out: take the comma back
      }
    }
    out_ += '}';
  }

  // An object's members through `member`; anything else verbatim.
  template <typename Member>
  void object_or_value(element e, Member member) {
    object o;
    if (e.get(o)) return verbatim(e);
    members(o, member);
  }

  // An array's elements through `item`; anything else verbatim.
  template <typename Item>
  void each_of(element e, Item item) {
    array a;
    if (e.get(a)) return verbatim(e);
    out_ += '[';
    bool first = true;
    for (element value : a) {
      if (!first) out_ += ',';
      first = false;
      item(value);
    }
    out_ += ']';
  }

  void write_key(std::string_view key) {
    append_json_string(out_, key);
    out_ += ':';
  }

  void message(element m) {
    object_or_value(m, [this](std::string_view key, element value) {
      if (strip_ && key == "custom_content") return false;
      write_key(key);
      if (key == "content") {
        content(value);
      } else if (key == "refusal" || key == "reasoning_content") {
        text_or_value(value);
      } else if (key == "tool_calls") {
        each_of(value, [this](element call) { tool_call(call); });
      } else if (key == "function_call") {
        function(value);
      } else {
        verbatim(value);
      }
      return true;
    });
  }

  // A string, or an array of parts whose `text` is text (images and files stay as they are).
  void content(element value) {
    if (value.is_string()) return text_or_value(value);
    each_of(value, [this](element part) {
      if (part.is_string()) return text_or_value(part);
      object_or_value(part, [this](std::string_view key, element v) {
        write_key(key);
        key == "text" ? text_or_value(v) : verbatim(v);
        return true;
      });
    });
  }

  void tool_call(element call) {
    object_or_value(call, [this](std::string_view key, element v) {
      write_key(key);
      key == "function" ? function(v) : verbatim(v);
      return true;
    });
  }

  // {"name": …, "arguments": "<JSON text>"}: the arguments are text the model wrote.
  void function(element value) {
    object_or_value(value, [this](std::string_view key, element v) {
      write_key(key);
      key == "arguments" ? text_or_value(v) : verbatim(v);
      return true;
    });
  }

  void choice(element c) {
    object o;
    // Streamed responses of older Core versions keep `delta`: it becomes `message`.
    const bool has_message = !c.get(o) && !o["message"].error();
    object_or_value(c, [this, has_message](std::string_view key, element v) {
      if (key == "delta" && has_message) return false;
      // Log probabilities hold the answer again as token pieces, which cannot be redacted.
      if (key == "logprobs" && redactor_ != nullptr) return false;
      write_key(key == "delta" ? std::string_view("message") : key);
      key == "message" || key == "delta" ? message(v) : verbatim(v);
      return true;
    });
  }

  void text_or_value(element value) {
    std::string_view s;
    if (value.get(s)) return verbatim(value);
    if (redactor_ == nullptr) return append_json_string(out_, s);
    scratch_.clear();
    redactor_->redact(s, scratch_, counts_);
    append_json_string(out_, scratch_);
  }

  void verbatim(element e) { detail::append_json_value(out_, e); }

  std::string& out_;
  const redactor* redactor_;
  bool strip_;
  redaction_counts& counts_;
  std::string scratch_;
};

// Parses a body into `parser`; raw control characters inside strings (older Core) are escaped
// first, as the record itself is read.
simdjson::error_code parse_body(simdjson::dom::parser& parser, std::string_view text,
                                std::string& escaped, object& out) {
  auto result = parser.parse(text.data(), text.size(), true);
  if (result.error() == simdjson::UNESCAPED_CHARS &&
      detail::escape_control_characters(text, escaped)) {
    result = parser.parse(escaped.data(), escaped.size(), true);
  }
  if (result.error()) return result.error();
  return result.value_unsafe().get(out);
}

bool ends_truncated(std::string_view body) noexcept {
  return detail::trim(body, detail::python_whitespace).ends_with(">>");
}

// "/openai/deployments/<d>/chat/completions" → d (for records without `deployment`).
std::string_view deployment_of_uri(std::string_view uri) noexcept {
  constexpr std::string_view marker = "/openai/deployments/";
  const std::size_t at = uri.find(marker);
  if (at == std::string_view::npos) return {};
  uri.remove_prefix(at + marker.size());
  return uri.substr(0, uri.find('/'));
}

bool contains(const std::vector<std::string>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

std::optional<workload_source> parse_workload_source(std::string_view s) noexcept {
  if (s == "route") return workload_source::route;
  if (s == "deployment") return workload_source::deployment;
  if (s == "execution_path") return workload_source::execution_path;
  return std::nullopt;
}

std::string_view to_string(workload_source s) noexcept {
  switch (s) {
    case workload_source::route:
      return "route";
    case workload_source::deployment:
      return "deployment";
    case workload_source::execution_path:
      return "execution_path";
  }
  return "route";
}

std::string_view to_string(skip_reason r) noexcept {
  static constexpr std::string_view names[skip_reason_count] = {
      "not_chat_completion", "not_successful", "excluded_deployment", "not_after_interceptor",
      "no_request_body",     "no_response",    "truncated_body",      "request_not_json",
      "response_not_json",   "no_messages",    "no_choices",          "bad_timestamp",
      "no_workload_id"};
  const auto i = static_cast<std::size_t>(r);
  return i < skip_reason_count ? names[i] : std::string_view("unknown");
}

std::uint64_t mapping_stats::skipped_total() const noexcept {
  std::uint64_t n = 0;
  for (std::uint64_t s : skipped) n += s;
  return n;
}

mapping_stats& mapping_stats::operator+=(const mapping_stats& other) noexcept {
  documents += other.documents;
  for (std::size_t i = 0; i < skip_reason_count; ++i) skipped[i] += other.skipped[i];
  redactions += other.redactions;
  return *this;
}

struct mapper::impl {
  explicit impl(mapping_options o) : options(std::move(o)), red(options.redaction) {}

  std::optional<skip_reason> map_record(const log_record& record, mapped_document& out);
  std::optional<skip_reason> map_call(const chat_call& call, mapped_document& out);
  std::optional<skip_reason> select(element rec, std::string_view& deployment) const;
  std::optional<skip_reason> write_bodies(std::string_view request_text,
                                          std::string_view response_text, mapped_document& out);
  std::string workload_id(element rec, std::string_view deployment) const;

  mapping_options options;
  redactor red;
  simdjson::dom::parser request_parser, response_parser;
  std::string escaped, request_json, response_json;
  content_id_generator ids;
};

// Which DIAL records qualify (docs/flywheel.md, "What is captured").
std::optional<skip_reason> mapper::impl::select(element rec, std::string_view& deployment) const {
  const std::string_view uri = string_or_empty(rec["request"]["uri"]);
  if (route_uri(uri).type != record_type::chat_completion) return skip_reason::not_chat_completion;
  std::string_view status = string_or_empty(rec["response"]["status"]);
  std::int64_t numeric_status = 0;
  if (status != "200" && !(rec["response"]["status"].get(numeric_status) == simdjson::SUCCESS &&
                           numeric_status == 200)) {
    return skip_reason::not_successful;
  }
  deployment = string_or_empty(rec["deployment"]);
  if (deployment.empty()) deployment = deployment_of_uri(uri);
  if (!options.include_deployments.empty() && !contains(options.include_deployments, deployment))
    return skip_reason::excluded_deployment;
  if (contains(options.exclude_deployments, deployment)) return skip_reason::excluded_deployment;
  if (!options.only_after.empty()) {
    bool found = false;
    array path;
    if (!rec["execution_path"].get(path)) {
      for (element hop : path) found = found || string_or_empty(hop) == options.only_after;
    }
    if (!found) return skip_reason::not_after_interceptor;
  }
  return std::nullopt;
}

std::string mapper::impl::workload_id(element rec, std::string_view deployment) const {
  if (!options.workload_header.empty()) {
    object headers;
    if (!rec["headers"].get(headers)) {
      for (auto [name, value] : headers) {
        const std::string_view v = string_or_empty(value);
        if (!v.empty() && detail::iequals(name, options.workload_header)) return std::string(v);
      }
    }
  }
  if (options.workload == workload_source::execution_path) {
    std::string joined;
    array path;
    if (!rec["execution_path"].get(path)) {
      std::size_t i = 0;
      for (element hop : path) {
        // Element 0 is the caller's identity (a project or a user hash): never part of it.
        if (i++ == 0) continue;
        if (!joined.empty()) joined += '/';
        joined += string_or_empty(hop);
      }
    }
    if (!joined.empty()) return joined;
  }
  if (options.workload == workload_source::route) {
    const std::string_view parent = string_or_empty(rec["parent_deployment"]);
    if (!parent.empty()) return fmt::format("{}/{}", parent, deployment);
  }
  return std::string(deployment);
}

std::optional<skip_reason> mapper::impl::write_bodies(std::string_view request_text,
                                                      std::string_view response_text,
                                                      mapped_document& out) {
  object request, response;
  if (parse_body(request_parser, request_text, escaped, request)) {
    return skip_reason::request_not_json;
  }
  if (parse_body(response_parser, response_text, escaped, response)) {
    return skip_reason::response_not_json;
  }
  array messages, choices;
  if (request["messages"].get(messages)) return skip_reason::no_messages;
  if (response["choices"].get(choices) || choices.size() == 0) return skip_reason::no_choices;
  out.redactions = {};
  const redactor* r = options.redact ? &red : nullptr;
  request_json.clear();
  body_writer(request_json, r, options.strip_dial_extensions, out.redactions).request(request);
  response_json.clear();
  body_writer(response_json, r, options.strip_dial_extensions, out.redactions).response(response);
  return std::nullopt;
}

std::optional<skip_reason> mapper::impl::map_record(const log_record& record,
                                                    mapped_document& out) {
  if (!record.valid()) return skip_reason::not_chat_completion;
  const element rec = detail::record_access::get(record);
  std::string_view deployment;
  if (auto skip = select(rec, deployment)) return skip;
  std::string_view request_body, response_body;
  if (rec["request"]["body"].get(request_body) || request_body.empty())
    return skip_reason::no_request_body;
  if (rec["assembled_response"].get(response_body) || response_body.empty())
    return skip_reason::no_response;
  if (ends_truncated(request_body) || ends_truncated(response_body))
    return skip_reason::truncated_body;
  std::int64_t ns = 0;
  if (parse_timestamp(string_or_empty(rec["request"]["time"]), ns))
    return skip_reason::bad_timestamp;
  if (auto skip = write_bodies(request_body, response_body, out)) return skip;

  std::string_view client = string_or_empty(rec["project"]["id"]);
  if (client.empty()) client = options.default_client_id;
  const std::string workload = workload_id(rec, deployment);
  flywheel_record doc{request_json, response_json, ns / 1'000'000'000, client, workload};
  if (ns < 0 && ns % 1'000'000'000 != 0) --doc.timestamp;  // floor, as for times after 1970
  out.document.clear();
  append_document(out.document, doc);
  // The DIAL hop's trace ids make redelivery idempotent; without them, the content does.
  const std::string_view trace = string_or_empty(rec["trace"]["trace_id"]);
  const std::string_view span = string_or_empty(rec["trace"]["core_span_id"]);
  if (!trace.empty() && !span.empty() && trace.find_first_of("\t\n\r") == std::string_view::npos &&
      span.find_first_of("\t\n\r") == std::string_view::npos) {
    out.id = fmt::format("{}-{}", trace, span);
  } else {
    out.id = ids.next_for(out.document);
  }
  return std::nullopt;
}

std::optional<skip_reason> mapper::impl::map_call(const chat_call& call, mapped_document& out) {
  if (call.workload_id.empty()) return skip_reason::no_workload_id;
  if (auto skip = write_bodies(call.request_json, call.response_json, out)) return skip;
  const std::string_view client =
      call.client_id.empty() ? std::string_view(options.default_client_id) : call.client_id;
  out.document.clear();
  append_document(out.document,
                  {request_json, response_json, call.timestamp, client, call.workload_id});
  out.id = ids.next_for(out.document);
  return std::nullopt;
}

mapper::mapper(mapping_options options) : impl_(std::make_unique<impl>(std::move(options))) {}
mapper::~mapper() = default;
mapper::mapper(mapper&&) noexcept = default;
mapper& mapper::operator=(mapper&&) noexcept = default;

std::optional<skip_reason> mapper::map(const log_record& record, mapped_document& out) {
  return impl_->map_record(record, out);
}

std::optional<skip_reason> mapper::map(const chat_call& call, mapped_document& out) {
  return impl_->map_call(call, out);
}

const mapping_options& mapper::options() const noexcept { return impl_->options; }

}  // namespace dial_analytics::flywheel
