// SPDX-License-Identifier: Apache-2.0
// How a body of events is framed: a JSON array of Vector events, or NDJSON (one event, or one raw
// DIAL record, per line). Shared by the pipeline, the command line tool and the Flywheel import.
//
// Thread-safety: free functions without shared state.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace dial_analytics {

/// How a body is framed.
enum class input_format {
  auto_detect,  ///< first non-space byte `[` → json_array, else ndjson whose first line is `{`
  json_array,   ///< one JSON array of Vector events (Vector `codec=json`)
  ndjson,       ///< one event or raw DIAL record per line; a bad line is that event's error
};

/// `json_array` when the first non-whitespace byte of `body` is `[`, else `ndjson`.
[[nodiscard]] input_format detect_format(std::string_view body) noexcept;

/// Calls `f(line)` for each line of `text` that holds more than spaces and tabs, in order; the
/// line has no '\n', no trailing '\r' and no leading spaces or tabs.
template <typename F>
void for_each_line(std::string_view text, F&& f) {
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) continue;
    f(line.substr(start));
  }
}

/// The number of lines for_each_line() would visit.
[[nodiscard]] std::size_t count_nonblank_lines(std::string_view text) noexcept;

/// The length of the longest prefix of `text` that ends with '\n' (0 when there is none): where
/// a reader of NDJSON in blocks cuts, keeping the rest for the next block.
[[nodiscard]] std::size_t complete_lines_size(std::string_view text) noexcept;

/// The texts of the top-level elements of a JSON array, found from its structure alone: strings
/// are skipped (with their escapes), brackets and braces matched, commas split; the elements
/// themselves are not validated, so one element with bad UTF-8 or a bad escape does not hide the
/// others. @return false (and `elements` unspecified) when `body` is not shaped like an array.
[[nodiscard]] bool split_json_array(std::string_view body, std::vector<std::string_view>& elements);

}  // namespace dial_analytics
