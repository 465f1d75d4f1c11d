// SPDX-License-Identifier: Apache-2.0
// Batch → events → records → record sinks (docs/conformance.md: the reply; docs/http-api.md:
// the framings).
#include <dial_analytics/pipeline.hpp>

#include <fmt/format.h>
#include <simdjson.h>

#include <cctype>
#include <iterator>

#include <dial_analytics/analytics/analytics_stage.hpp>
#include <dial_analytics/error.hpp>
#include <dial_analytics/input/log_parser.hpp>

#include "detail/py_json.hpp"
#include "detail/py_value.hpp"

namespace dial_analytics {
namespace {

constexpr std::string_view invalid_json_reason = "invalid JSON in request message";
constexpr std::string_view invalid_event_reason = "invalid request message";

// The reference's log prefix ids: `"(trace_id|core_span_id)"\s*:\s*"(\w+)"`, last match wins.
void find_trace_ids(std::string_view raw, std::string_view& trace, std::string_view& span) {
  auto scan = [&](std::string_view key, std::string_view& out) {
    for (std::size_t p = raw.find(key); p != std::string_view::npos; p = raw.find(key, p + 1)) {
      std::size_t i = p + key.size();
      while (i < raw.size() && std::isspace(static_cast<unsigned char>(raw[i]))) ++i;
      if (i >= raw.size() || raw[i] != ':') continue;
      ++i;
      while (i < raw.size() && std::isspace(static_cast<unsigned char>(raw[i]))) ++i;
      if (i >= raw.size() || raw[i] != '"') continue;
      const std::size_t start = ++i;
      while (i < raw.size() && (std::isalnum(static_cast<unsigned char>(raw[i])) || raw[i] == '_' ||
                                static_cast<unsigned char>(raw[i]) >= 0x80)) {
        ++i;
      }
      if (i > start && i < raw.size() && raw[i] == '"') out = raw.substr(start, i - start);
    }
  };
  scan("\"trace_id\"", trace);
  scan("\"core_span_id\"", span);
}

std::string pydantic_error(const detail::py_value& event, bool has_message_key) {
  std::string text = "1 validation error for Message\n";
  if (!event.is_dict()) {
    text += "  Input should be a valid dictionary or instance of Message [type=model_type, ";
  } else if (!has_message_key) {
    text += "message\n  Field required [type=missing, ";
  } else {
    text += "message\n  Input should be a valid string [type=string_type, ";
  }
  const detail::py_value shown = event.is_dict() && has_message_key ? event["message"] : event;
  text += "input_value=";
  detail::append_py_repr(text, shown);
  text += ", input_type=";
  text += shown.type_name();
  text += "]";
  return text;
}

// The number of elements of a JSON array body, found without parsing it (exact for valid JSON):
// a body of millions of tiny events is refused before the parser builds its tape (and before
// it copies the body into its padded buffer).
std::size_t count_array_elements(std::string_view body) {
  std::size_t depth = 0, commas = 0;
  bool in_string = false, escaped = false, any = false;
  for (const char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == ']' || c == '}') depth -= depth > 0;
    if (c == ',' && depth == 1) ++commas;
    if (depth == 1 && c > ' ' && c != ',') any = true;
    if (c == '[' || c == '{') ++depth;
  }
  return any ? commas + 1 : 0;
}

}  // namespace

struct pipeline::impl {
  explicit impl(pipeline_options o) : options(std::move(o)) {}

  // The pipeline's log callback for the analytics stage: prefixes each line with the event's
  // `[i/n] [trace_id=… span_id=…]`.
  analyzer_options prefixed_analysis() {
    analyzer_options a = options.analysis;
    if (a.log) a.log = [this](log_level level, std::string_view message) { log(level, message); };
    return a;
  }

  std::unique_ptr<analytics_stage> owned_stage;  // when built over a point_sink
  record_sink* primary = nullptr;
  pipeline_options options;
  simdjson::dom::parser outer;
  log_parser records;
  log_record record;
  std::string prefixed, error_text;
  std::vector<std::string_view> elements;                // an array's events, when read one by one
  std::size_t errors_logged = 0, errors_suppressed = 0;  // error lines of this body
  std::vector<std::pair<std::string, std::size_t>> failure_reasons;  // with max_logged_errors
  std::size_t total = 0;  // events in this body, for the `[i/n]` prefix

  std::vector<event_status>* statuses = nullptr;
  ingest_stats stats;

  // The event being processed, for the log prefix; it is built only when a line is logged.
  std::size_t current_index = 0;
  std::string_view current_raw;

  void begin_event(std::size_t index, std::string_view raw) {
    current_index = index;
    current_raw = raw;
  }

  [[nodiscard]] bool wants(log_level level) const {
    return options.analysis.log && level >= options.analysis.log_threshold;
  }

  // The reference's `[i/n] [trace_id=… span_id=…] message`. Past max_logged_errors error
  // lines in one body, they are only counted (summarize() reports them).
  void log(log_level level, std::string_view message) {
    if (!wants(level)) return;
    if (level >= log_level::error && options.max_logged_errors != 0) {
      if (errors_logged == options.max_logged_errors) {
        ++errors_suppressed;
        return;
      }
      ++errors_logged;
    }
    std::string_view trace = "na", span = "na";
    find_trace_ids(current_raw, trace, span);
    prefixed.clear();
    fmt::format_to(std::back_inserter(prefixed), "[{}/{}] [trace_id={} span_id={}] {}",
                   current_index + 1, total, trace, span, message);
    options.analysis.log(level, prefixed);
  }

  void fail(std::size_t index, std::error_code ec, std::string_view reason, std::string error) {
    ++stats.failed;
    if (options.max_logged_errors != 0) count_reason(reason.empty() ? ec.message() : reason);
    if (!reason.empty()) {
      log(log_level::error, reason);
    } else if (wants(log_level::error)) {
      log(log_level::error, "caught exception: " + error);
    }
    if (statuses) {
      event_status& s = statuses->emplace_back();
      s.index = index;
      s.ok = false;
      s.reason.assign(reason);
      s.error = std::move(error);
      s.ec = ec;
    }
  }

  void count_reason(std::string_view reason) {
    for (auto& [known, n] : failure_reasons) {
      if (known == reason) {
        ++n;
        return;
      }
    }
    failure_reasons.emplace_back(reason, 1);
  }

  // One line for the whole body when error lines were held back.
  void summarize() {
    if (errors_suppressed == 0) return;
    std::string line = fmt::format("{} of {} events failed (", stats.failed, stats.events);
    for (std::size_t i = 0; i < failure_reasons.size(); ++i) {
      fmt::format_to(std::back_inserter(line), "{}{}: {}", i ? ", " : "", failure_reasons[i].first,
                     failure_reasons[i].second);
    }
    fmt::format_to(std::back_inserter(line), "); {} more error lines after the first {} not logged",
                   errors_suppressed, options.max_logged_errors);
    options.analysis.log(log_level::error, line);
  }

  void reset() {
    stats = {};
    errors_logged = errors_suppressed = 0;
    failure_reasons.clear();
  }

  void succeed(std::size_t index) {
    log(log_level::debug, "success");
    if (statuses) statuses->push_back({index, true, {}, {}, {}});
  }

  // One DIAL record as JSON text (the `message` string, or a raw NDJSON line).
  void process_record(std::size_t index, std::string_view json) {
    begin_event(index, json);
    if (const std::error_code ec = records.parse(json, record, &error_text)) {
      return fail(index, ec, invalid_json_reason, std::move(error_text));
    }
    record_outcome result = primary->consume(record);
    if (result.ec) {
      fail(index, result.ec, result.reason, std::move(result.message));
    } else {
      ++(result.wrote ? stats.points : stats.skipped);
      succeed(index);
    }
    if (statuses) {
      statuses->back().type = result.type;
      statuses->back().has_point = result.wrote;
    }
    for (record_sink* stage : options.secondary) {
      if (stage->consume(record).ec) ++stats.secondary_failed;
    }
  }

  // A Vector event: must be an object with a string `message` (pydantic's Message model).
  void process_event(std::size_t index, simdjson::dom::element event) {
    const detail::py_value value(event);
    bool has_message_key = false;
    if (value.is_dict()) {
      has_message_key = value.contains("message");
      if (has_message_key) {
        const detail::py_value message = value["message"];  // the last one wins, as in Python
        if (message.is_str()) return process_record(index, message.str());
      }
    }
    begin_event(index, {});
    fail(index, errc::invalid_event, invalid_event_reason, pydantic_error(value, has_message_key));
  }

  ingest_result ingest_array(std::string_view body) {
    ingest_result result;
    if (options.max_events != 0 && too_many(count_array_elements(body), result)) return result;
    simdjson::dom::element root;
    if (auto err = outer.parse(body.data(), body.size(), true).get(root)) {
      // Bad UTF-8 or an undecodable string escape in one event must not sink the others: when
      // the body is still shaped like an array, each event is read on its own.
      if ((err == simdjson::UTF8_ERROR || err == simdjson::STRING_ERROR) &&
          split_json_array(body, elements)) {
        if (too_many(elements.size(), result)) return result;
        ingest_elements();
        return result;
      }
      result.ec = errc::body_not_json;
      result.json_error = detail::python_json_error(body, true);
      if (result.json_error.empty()) result.json_error = simdjson::error_message(err);
      result.message = "JSON decode error: " + result.json_error;
      return result;
    }
    simdjson::dom::array events;
    if (root.get(events)) {
      result.ec = errc::body_not_a_list;
      result.message = "Input should be a valid list";
      return result;
    }
    if (too_many(events.size(), result)) return result;
    total = events.size();
    std::size_t index = 0;
    for (auto event : events) {
      ++stats.events;
      process_event(index++, event);
    }
    return result;
  }

  // The events of an array one by one (after split_json_array).
  void ingest_elements() {
    total = elements.size();
    for (std::size_t index = 0; index < elements.size(); ++index) {
      ++stats.events;
      const std::string_view text = elements[index];
      simdjson::dom::element event;
      if (auto err = outer.parse(text.data(), text.size(), true).get(event)) {
        begin_event(index, text);
        std::string error = detail::python_json_error(text, false);
        if (error.empty()) error = std::string("unsupported JSON: ") + simdjson::error_message(err);
        fail(index, errc::unsupported_json, invalid_json_reason, std::move(error));
        continue;
      }
      process_event(index, event);
    }
  }

  // pipeline_options::max_events: refuses the whole body before any event is processed.
  bool too_many(std::size_t events, ingest_result& result) const {
    if (options.max_events == 0 || events <= options.max_events) return false;
    result.ec = errc::too_many_events;
    result.message = fmt::format("the body holds {} events, more than the limit of {}", events,
                                 options.max_events);
    return true;
  }

  // `require_object_first`: auto-detected NDJSON must start with an object, or the input is
  // unreadable; declared NDJSON reports every bad line as that event's error.
  ingest_result ingest_ndjson(std::string_view body, bool require_object_first) {
    ingest_result result;
    // Count events first when the log prefix needs `n` or there is a limit.
    if (options.analysis.log || options.max_events) total = count_nonblank_lines(body);
    if (too_many(total, result)) return result;
    bool first = true;
    std::size_t index = 0;
    for_each_line(body, [&](std::string_view line) {
      if (result.ec) return;
      if (first && require_object_first && line.front() != '{') {
        result.ec = errc::unreadable_input;
        result.message =
            "input is neither a JSON array nor NDJSON: the first line does not start "
            "with '{' or '['";
        return;
      }
      first = false;
      ++stats.events;
      process_line(index++, line);
    });
    return result;
  }

  void process_line(std::size_t index, std::string_view line) {
    simdjson::dom::element root;
    const auto err = outer.parse(line.data(), line.size(), true).get(root);
    if (err == simdjson::UNESCAPED_CHARS) return process_record(index, line);  // a raw record
    if (err) {
      begin_event(index, line);
      std::string text = detail::python_json_error(line, false);
      const bool python_rejects = !text.empty();
      if (!python_rejects) text = std::string("unsupported JSON: ") + simdjson::error_message(err);
      return fail(index, python_rejects ? errc::malformed_json : errc::unsupported_json,
                  invalid_json_reason, std::move(text));
    }
    simdjson::dom::object object;
    if (!root.get(object)) {
      simdjson::dom::element ignored;
      if (object["message"].get(ignored)) return process_record(index, line);  // a raw record
    }
    process_event(index, root);
  }
};

pipeline::pipeline(point_sink& sink, pipeline_options opts)
    : impl_(std::make_unique<impl>(std::move(opts))) {
  // The stage logs through the pipeline's prefixer, so it is made after the impl.
  impl_->owned_stage = std::make_unique<analytics_stage>(sink, impl_->prefixed_analysis());
  impl_->primary = impl_->owned_stage.get();
}
pipeline::pipeline(record_sink& primary, pipeline_options opts)
    : impl_(std::make_unique<impl>(std::move(opts))) {
  impl_->primary = &primary;
}
pipeline::~pipeline() = default;
pipeline::pipeline(pipeline&&) noexcept = default;
pipeline& pipeline::operator=(pipeline&&) noexcept = default;

ingest_result pipeline::ingest(std::string_view body, std::vector<event_status>* statuses) {
  return ingest(body, impl_->options.format, statuses);
}

ingest_result pipeline::ingest(std::string_view body, input_format format,
                               std::vector<event_status>* statuses) {
  impl& m = *impl_;
  m.statuses = statuses;
  if (statuses) statuses->clear();
  m.reset();
  m.stats.bytes = body.size();
  const bool detected = format == input_format::auto_detect;
  if (detected) format = detect_format(body);
  ingest_result result;
  try {
    result =
        format == input_format::json_array ? m.ingest_array(body) : m.ingest_ndjson(body, detected);
  } catch (const std::exception& e) {
    // Nothing escapes: an allocation failure in the middle of a batch is reported, not thrown.
    result.ec = errc::unreadable_input;
    result.message = std::string("internal error: ") + e.what();
  }
  result.stats = m.stats;
  m.summarize();
  m.primary->flush();
  for (record_sink* stage : m.options.secondary) stage->flush();
  return result;
}

namespace {

// The members after `{`: `"status":"success"` or `"status":"error","error":…,"reason":…`.
void append_status_members(std::string& out, const event_status& status) {
  if (status.ok) {
    out += R"("status":"success")";
    return;
  }
  out += R"("status":"error")";
  if (!status.error.empty()) {
    out += R"(,"error":)";
    append_json_string(out, status.error);
  }
  if (!status.reason.empty()) {
    out += R"(,"reason":)";
    append_json_string(out, status.reason);
  }
}

}  // namespace

void append_status_json(std::string& out, const event_status& status) {
  out.push_back('{');
  append_status_members(out, status);
  out.push_back('}');
}

void append_indexed_status_json(std::string& out, const event_status& status,
                                std::size_t index_offset) {
  fmt::format_to(std::back_inserter(out), R"({{"index":{},)", status.index + index_offset);
  append_status_members(out, status);
  out.push_back('}');
}

}  // namespace dial_analytics
