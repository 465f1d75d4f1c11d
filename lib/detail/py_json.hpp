// SPDX-License-Identifier: Apache-2.0
// Python `json` compatibility on the slow paths: the exact error text CPython's decoder gives for
// a document, and the rewrite that lets simdjson accept what `strict=False` accepts.
#pragma once

#include <string>
#include <string_view>

namespace dial_analytics::detail {

/// The message of the JSONDecodeError that CPython 3.11's `json.loads(doc, strict=strict)` raises,
/// e.g. "Expecting value: line 1 column 1 (char 0)"; empty if CPython would accept `doc`.
std::string python_json_error(std::string_view doc, bool strict);

/// Copies `in` to `out` with raw control characters (< 0x20) inside JSON strings replaced by
/// `\u00XX` escapes, so a strict parser reads what Python's strict=False reads.
/// @return false if `in` has no such character (then `out` is left untouched).
bool escape_control_characters(std::string_view in, std::string& out);

}  // namespace dial_analytics::detail
