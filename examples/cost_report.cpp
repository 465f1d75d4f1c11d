// SPDX-License-Identifier: Apache-2.0
// A custom log processor: reads a DIAL Core prompt log (one JSON record per line) and prints
// requests, tokens and cost per project and model, summed from the analyzer's points.
//
//   cost_report examples/data/prompts.log
#include <dial_analytics/dial_analytics.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <utility>

namespace da = dial_analytics;

namespace {

struct totals {
  long requests = 0;
  long long prompt_tokens = 0;
  long long completion_tokens = 0;
  double cost = 0;  // sum of deployment_price: the cost of each span, never double-counted
};

std::string_view tag_value(const da::point& p, std::string_view key) {
  for (const da::tag& t : p.tags) {
    if (t.key == key) return t.value;
  }
  return "undefined";
}

double number(const da::field_value& v) {
  switch (v.type) {
    case da::field_value::kind::integer:
      return static_cast<double>(v.i);
    case da::field_value::kind::unsigned_integer:
      return static_cast<double>(v.u);
    case da::field_value::kind::floating:
      return v.d;
    default:
      return 0;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: cost_report PROMPTS.log\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << "cannot open " << argv[1] << '\n';
    return 1;
  }
  std::map<std::pair<std::string, std::string>, totals> report;
  da::callback_sink sink([&](const da::point& p) {
    if (p.measurement != "analytics" && p.measurement != "responses_analytics" &&
        p.measurement != "anthropic_messages_analytics") {
      return;
    }
    totals& t =
        report[{std::string(tag_value(p, "project_id")), std::string(tag_value(p, "model"))}];
    ++t.requests;
    for (const da::field& f : p.fields) {
      if (f.key == "prompt_tokens") t.prompt_tokens += static_cast<long long>(number(f.value));
      if (f.key == "completion_tokens")
        t.completion_tokens += static_cast<long long>(number(f.value));
      if (f.key == "deployment_price") t.cost += number(f.value);
    }
  });
  da::pipeline_options options;
  options.format = da::input_format::ndjson;
  da::pipeline pipeline(sink, options);

  // Feed the log in blocks of whole lines, so any file size works in bounded memory.
  std::string block, line;
  std::size_t failed = 0;
  auto feed = [&] {
    failed += pipeline.ingest(block).stats.failed;
    block.clear();
  };
  while (std::getline(in, line)) {
    block += line;
    block += '\n';
    if (block.size() >= (4u << 20)) feed();
  }
  feed();

  std::printf("%-16s %-24s %8s %10s %10s %14s\n", "project", "model", "requests", "prompt",
              "completion", "cost");
  for (const auto& [key, t] : report) {
    std::printf("%-16s %-24s %8ld %10lld %10lld %14.10f\n", key.first.c_str(), key.second.c_str(),
                t.requests, t.prompt_tokens, t.completion_tokens, t.cost);
  }
  if (failed) std::printf("%zu record(s) could not be analysed\n", failed);
  return 0;
}
