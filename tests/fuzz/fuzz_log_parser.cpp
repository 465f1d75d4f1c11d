// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: one DIAL record as JSON text (the inside of a Vector event's `message`),
// decoded with Python's json rules (control characters, error texts) and then analyzed.
#include <dial_analytics/dial_analytics.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace da = dial_analytics;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static da::log_parser parser;
  static da::log_record record;
  static da::sequential_id_generator ids;
  static da::echo_topic_classifier topic;
  static da::analyzer analyzer(da::analyzer_options{.topic = &topic, .ids = &ids});
  static da::point point;
  static std::string error, line;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  if (parser.parse(json, record, &error)) {
    if (error.empty()) __builtin_trap();  // a failure always says why
    return 0;
  }
  const da::analysis result = analyzer.analyze(record, point);
  if (result.has_point) {
    line.clear();
    (void)da::append_line(line, point);
  }
  return 0;
}
