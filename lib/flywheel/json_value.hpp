// SPDX-License-Identifier: Apache-2.0
// Writing a parsed JSON value back as compact JSON (library-internal): keys keep their order,
// strings are re-escaped, numbers keep their type (a float stays a float: `1.0`).
#pragma once

#include <simdjson.h>

#include <string>

namespace dial_analytics::detail {

void append_json_value(std::string& out, simdjson::dom::element e);

/// The shortest text that reads back as `d`, with ".0" when it would look like an integer.
void append_json_double(std::string& out, double d);

}  // namespace dial_analytics::detail
