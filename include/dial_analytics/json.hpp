// SPDX-License-Identifier: Apache-2.0
// Writing JSON text: one string escaper used by every JSON the library and its tools produce.
#pragma once

#include <string>
#include <string_view>

namespace dial_analytics {

/// Appends `text` as a JSON string literal: quotes, `\` and control characters escaped; UTF-8
/// kept, or written as `\uXXXX` escapes with `ascii_only` (Python json.dumps' default). The text
/// must be valid UTF-8.
void append_json_string(std::string& out, std::string_view text, bool ascii_only = false);

}  // namespace dial_analytics
