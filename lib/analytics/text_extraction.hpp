// SPDX-License-Identifier: Apache-2.0
// The text the reference service gives its language detector and topic model: the stripped,
// non-empty text pieces of a request and of its response, per API (docs/language.md,
// docs/topics.md).
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "detail/py_value.hpp"

namespace dial_analytics::detail {

using pieces = std::vector<std::string_view>;
/// Receives (is_error, message) for the reference's WARNING/ERROR log lines.
using extraction_log = std::function<void(bool is_error, std::string_view message)>;

void chat_request_contents(const py_value& request, pieces& out, const extraction_log& log);
void chat_response_contents(const py_value& response, pieces& out, const extraction_log& log);
void embeddings_request_contents(const py_value& request, pieces& out, const extraction_log& log);
void responses_request_contents(const py_value& request, pieces& out, const extraction_log& log);
void responses_response_contents(const py_value& response, pieces& out, const extraction_log& log);
void anthropic_request_contents(const py_value& request, pieces& out, const extraction_log& log);
void anthropic_response_contents(const py_value& response, pieces& out, const extraction_log& log);

/// The choice of a chat response the reference reads: `choices[0]`, with `delta` standing in for
/// `message` (DIAL Core < 0.22.1 kept `delta` in assembled streamed responses).
py_value first_choice_message(const py_value& response);

}  // namespace dial_analytics::detail
