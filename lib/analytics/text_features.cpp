// SPDX-License-Identifier: Apache-2.0
// Language and topic labels from the text pieces of a record (docs/language.md,
// docs/topics.md).
#include "analytics/text_features.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace dial_analytics::detail {

namespace {

// "\n\n".join(a[from:] + b), stopped once `limit` bytes (plus a margin for the UTF-8 boundary
// and trailing whitespace) follow the leading whitespace the caller strips: a model that reads
// only a prefix sees exactly the prefix it would see in the whole text.
void join(std::string& out, const pieces& a, std::size_t from, const pieces& b, std::size_t limit) {
  constexpr std::size_t margin = 64;
  const std::size_t cap = limit > SIZE_MAX - margin ? SIZE_MAX : limit + margin;
  out.clear();
  bool first = true;
  std::size_t lead = std::string::npos;  // where the text starts after leading whitespace
  auto append = [&](std::string_view piece) {
    if (!first) out += "\n\n";
    first = false;
    if (lead != std::string::npos) {
      out.append(piece.substr(0, std::min(piece.size(), cap - (out.size() - lead))));
    } else {
      out += piece;
      lead = out.find_first_not_of(" \t\n\r\f\v");
      if (lead != std::string::npos && out.size() - lead > cap) out.resize(lead + cap);
    }
    return lead == std::string::npos || out.size() - lead < cap;
  };
  for (std::size_t i = from; i < a.size(); ++i)
    if (!append(a[i])) return;
  for (std::string_view piece : b)
    if (!append(piece)) return;
}

[[nodiscard]] std::string_view or_undefined(std::string_view v) {
  return v.empty() ? undefined : v;
}

}  // namespace

void extract_texts(record_type type, const py_value& request_body, const py_value& response_body,
                   pieces& request, pieces& response, const extraction_log& log) {
  switch (type) {
    case record_type::chat_completion:
      chat_request_contents(request_body, request, log);
      chat_response_contents(response_body, response, log);
      break;
    case record_type::embedding:
      embeddings_request_contents(request_body, request, log);
      break;
    case record_type::responses:
      responses_request_contents(request_body, request, log);
      responses_response_contents(response_body, response, log);
      break;
    default:
      anthropic_request_contents(request_body, request, log);
      anthropic_response_contents(response_body, response, log);
      break;
  }
}

text_features::text_features(language_detector* language, topic_classifier* topic,
                             extraction_log log)
    : language_(language != nullptr ? language : &no_language_),
      topic_(topic != nullptr ? topic : &no_topic_),
      log_(std::move(log)) {}

text_labels text_features::label(record_type type, const py_value& request_body,
                                 const py_value& response_body) {
  request_pieces_.clear();
  response_pieces_.clear();
  if (needs_language() || needs_topic()) {
    extract_texts(type, request_body, response_body, request_pieces_, response_pieces_, log_);
  }
  text_labels labels;
  if (!request_body.is_none() && !response_body.is_none()) {
    // An embedding's language is that of its whole input; a conversation's, that of its last
    // request message and the response.
    const bool whole_request = type == record_type::embedding || request_pieces_.empty();
    labels.language = language_of(whole_request ? 0 : request_pieces_.size() - 1);
  }
  labels.topic = topic_of_all();
  return labels;
}

// Language of "\n\n".join(request[first:] + response).
std::string_view text_features::language_of(std::size_t first_request_piece) {
  if (!needs_language()) return undefined;
  join(language_text_, request_pieces_, first_request_piece, response_pieces_,
       language_->max_text_bytes());
  const std::string_view stripped = py_strip(language_text_);
  return stripped.empty() ? undefined : or_undefined(language_->detect(stripped));
}

// Topic of "\n\n".join(request + response).
std::string_view text_features::topic_of_all() {
  if (!needs_topic()) return undefined;
  join(topic_text_, request_pieces_, 0, response_pieces_, topic_->max_text_bytes());
  const std::string_view stripped = py_strip(topic_text_);
  return stripped.empty() ? undefined : or_undefined(topic_->classify(stripped));
}

}  // namespace dial_analytics::detail
