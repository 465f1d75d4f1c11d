// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/flywheel/loader.hpp>

#include <simdjson.h>

#include <fmt/format.h>

#include <iterator>
#include <string>
#include <utility>

#include <dial_analytics/error.hpp>
#include <dial_analytics/json.hpp>

#include "flywheel/json_value.hpp"

namespace dial_analytics::flywheel {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Python's len(text.split()): runs of whitespace separate words.
std::size_t count_words(std::string_view text) {
  std::size_t words = 0;
  bool in_word = false;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

bool truthy_string(element e) {
  std::string_view s;
  return !e.get(s) && !s.empty();
}

}  // namespace

struct loader::impl {
  loader_options options;
  loader_format format = loader_format::undecided;
  simdjson::dom::parser parser;

  // A document with workload_id/client_id replaced in place (or added at the end).
  void log_document(object doc, std::string& out) const {
    bool workload_seen = false, client_seen = false;
    char separator = '{';
    for (auto [key, value] : doc) {
      out += separator;
      separator = ',';
      append_json_string(out, key);
      out += ':';
      if (key == "workload_id" && !options.workload_id.empty()) {
        workload_seen = true;
        append_json_string(out, options.workload_id);
      } else if (key == "client_id" && !options.client_id.empty()) {
        client_seen = true;
        append_json_string(out, options.client_id);
      } else {
        detail::append_json_value(out, value);
      }
    }
    if (!workload_seen && !options.workload_id.empty()) {
      out += separator;
      separator = ',';
      out += R"("workload_id":)";
      append_json_string(out, options.workload_id);
    }
    if (!client_seen && !options.client_id.empty()) {
      out += separator;
      separator = ',';
      out += R"("client_id":)";
      append_json_string(out, options.client_id);
    }
    out += separator == '{' ? "{}" : "}";
  }

  std::error_code conversation(object doc, std::string& out, std::string& message) const {
    array messages;
    if (doc["messages"].get(messages) || messages.size() < 2) {
      message = "a conversation needs a \"messages\" array of at least two messages";
      return errc::record_rejected;
    }
    std::string_view first, second;
    if (messages.at(0)["content"].get(first) || messages.at(1)["content"].get(second)) {
      message = "the first two messages need text contents (their words are the token counts)";
      return errc::record_rejected;
    }
    const std::size_t prompt = count_words(first), completion = count_words(second);
    const std::size_t n = messages.size();
    out += R"({"request":{"model":"not-a-model","messages":[)";
    std::size_t i = 0;
    for (element m : messages) {
      if (i + 1 == n) break;
      if (i++ > 0) out += ',';
      detail::append_json_value(out, m);
    }
    out += R"(],"temperature":0.7,"max_tokens":1000)";
    array tools;
    if (!doc["tools"].get(tools) && tools.size() > 0) {
      out += R"(,"tools":)";
      detail::append_json_value(out, element(doc["tools"].value_unsafe()));
    }
    const std::int64_t ts = options.now;
    fmt::format_to(std::back_inserter(out),
                   R"(}},"response":{{"id":"chatcmpl-{0}","object":"chat.completion",)"
                   R"("created":{0},"model":"not-a-model","choices":[{{"index":0,"message":)",
                   ts);
    detail::append_json_value(out, messages.at(n - 1).value_unsafe());
    fmt::format_to(std::back_inserter(out),
                   R"(,"finish_reason":"stop"}}],"usage":{{"prompt_tokens":{},)"
                   R"("completion_tokens":{},"total_tokens":{}}}}},"timestamp":{},"workload_id":)",
                   prompt, completion, prompt + completion, ts);
    append_json_string(out, options.workload_id);
    if (!options.client_id.empty()) {
      out += R"(,"client_id":)";
      append_json_string(out, options.client_id);
    }
    out += '}';
    return {};
  }
};

loader::loader(loader_options options) : impl_(std::make_unique<impl>()) {
  impl_->options = std::move(options);
}
loader::~loader() = default;
loader::loader(loader&&) noexcept = default;
loader& loader::operator=(loader&&) noexcept = default;

loader_format loader::format() const noexcept { return impl_->format; }

std::error_code loader::convert(std::string_view line, std::string& out, std::string& message) {
  object doc;
  auto parsed = impl_->parser.parse(line.data(), line.size(), true);
  if (parsed.error() || parsed.value_unsafe().get(doc)) {
    message = parsed.error() ? fmt::format("not JSON: {}", simdjson::error_message(parsed.error()))
                             : std::string("not a JSON object");
    return errc::malformed_json;
  }
  if (impl_->format == loader_format::undecided) {
    element workload;
    const bool log = !doc["workload_id"].get(workload) && truthy_string(workload);
    impl_->format = log ? loader_format::log : loader_format::conversation;
  }
  if (impl_->format == loader_format::log) {
    impl_->log_document(doc, out);
    return {};
  }
  return impl_->conversation(doc, out, message);
}

}  // namespace dial_analytics::flywheel
