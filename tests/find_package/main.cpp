// SPDX-License-Identifier: Apache-2.0
// A consumer of the installed library: find_package(dial_analytics) + one record through it.
#include <dial_analytics/dial_analytics.hpp>

#include <cstdio>

int main() {
  dial_analytics::line_buffer_sink sink;
  dial_analytics::pipeline pipeline(sink);
  const auto result = pipeline.ingest(
      R"({"request": {"uri": "/v1/m/rate", "time": "2024-01-01T00:00:00", "body": "{\"responseId\": \"r\", \"rate\": true}"},)"
      R"( "response": {"status": "200"}, "project": {"id": "p"}, "chat": {"id": "c"}, "user": {"id": "u", "title": "t"}})");
  std::fputs(sink.lines().c_str(), stdout);
  return result.stats.points == 1 ? 0 : 1;
}
