// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: arbitrary line protocol into the report and the rollups (their input comes
// from files and databases). Crashes, hangs and leaks are bugs, and so are: a report whose JSON
// does not parse; rollup output that is not one '\n'-terminated `measurement ... time` line per
// point; rollup output that changes when the same input is read again.
#include <dial_analytics/report.hpp>
#include <dial_analytics/rollup.hpp>

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

constexpr std::int64_t day = 24 * dial_analytics::rollup::hour_ns;

std::string rollup_of(std::string_view text, std::int64_t from) {
  dial_analytics::rollup::builder b(from, from + 40 * day);
  b.add_text(text);
  std::string out;
  for (const std::int64_t w : b.windows()) out += b.take_window(w);
  for (const std::int64_t m : b.months()) out += b.month_lines(m);
  return out;
}

void require_lines(std::string_view out) {
  std::size_t at = 0;
  while (at < out.size()) {
    const std::size_t end = out.find('\n', at);
    if (end == std::string_view::npos) __builtin_trap();  // not newline-terminated
    const std::string_view line = out.substr(at, end - at);
    if (line.empty() || line.find(' ') == std::string_view::npos) __builtin_trap();
    at = end + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  dial_analytics::report::aggregator a;
  a.add_text(text);
  const dial_analytics::report::summary s = a.finish();
  const std::string json = dial_analytics::report::to_json(s);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json).get(root)) __builtin_trap();
  (void)dial_analytics::report::to_text(s);
  (void)dial_analytics::report::to_html(s);

  // 2024-11-01: the sample points (2024-11-22) and their whole month fall in the 40 days.
  const std::int64_t from = 1730419200LL * 1000000000LL;
  const std::string once = rollup_of(text, from);
  require_lines(once);
  if (rollup_of(text, from) != once) __builtin_trap();
  return 0;
}
