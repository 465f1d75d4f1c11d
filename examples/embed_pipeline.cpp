// SPDX-License-Identifier: Apache-2.0
// A host program that runs the analytics in-process: it feeds a Vector batch to a pipeline and
// receives every point through its own sink, without InfluxDB or a server.
//
//   embed_pipeline examples/data/vector-batch.json
#include <dial_analytics/dial_analytics.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace da = dial_analytics;

// The host's own sink: points are views valid only during write(), so it copies what it keeps.
class print_sink final : public da::point_sink {
 public:
  void write(const da::point& p) override {
    std::string line(p.measurement);
    for (const da::tag& t : p.tags) {
      if (t.key == "model") line += " model=" + std::string(t.value);
      if (t.key == "project_id") line += " project=" + std::string(t.value);
    }
    for (const da::field& f : p.fields) {
      if (f.key == "price" && f.value.type == da::field_value::kind::floating) {
        line += " price=";
        da::append_field_float(line, f.value.d);
      }
    }
    std::cout << line << '\n';
  }
};

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: embed_pipeline BATCH.json\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << "cannot open " << argv[1] << '\n';
    return 1;
  }
  std::stringstream body;
  body << in.rdbuf();

  print_sink sink;
  da::pipeline pipeline(sink);  // defaults: no language, no topic, random response ids
  std::vector<da::event_status> statuses;
  const da::ingest_result result = pipeline.ingest(body.str(), &statuses);
  if (result.ec) {
    std::cerr << "unreadable batch: " << result.message << '\n';
    return 1;
  }
  std::cout << result.stats.events << " events: " << result.stats.points << " points, "
            << result.stats.skipped << " skipped, " << result.stats.failed << " failed\n";
  for (const da::event_status& s : statuses) {
    if (!s.ok) std::cout << "event " << s.index << ": " << s.reason << ": " << s.error << '\n';
  }
  return 0;
}
