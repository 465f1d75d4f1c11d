// SPDX-License-Identifier: Apache-2.0
// Pipeline throughput against a baseline measured in the same run (issue #2):
//  (a) baseline: simdjson On-Demand walking the bytes every level of the pipeline must read
//      (outer array, each `message` unescaped and parsed, each request/response body parsed);
//  (b) the full pipeline (parse, route, analyze, encode) into an in-memory line buffer.
// Checks the pipeline's output first, then prints
//   records_per_s=… mb_per_s=… baseline_mb_per_s=… ratio=… allocs_per_record=…
// then the same pipeline with CLD2 language detection, and with language + a fastText topic
// model trained from examples/data/topics at start-up (issue #4):
//   language: records_per_s=… chat_records_per_s=… us_per_record_added=…
//
//   dial_analytics_bench_pipeline [--records N] [--repeat R]
#include <dial_analytics/dial_analytics.hpp>

#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <unistd.h>

#include "bench_data.hpp"
#include "support/alloc_counter.hpp"

namespace {

namespace od = simdjson::ondemand;
using clock_type = std::chrono::steady_clock;

// Walks a body as the analyzer reads it; returns a checksum so nothing is optimised away.
std::size_t walk_body(od::parser& parser, std::string& padded, std::string_view text) {
  padded.assign(text);
  padded.resize(text.size() + simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (parser.iterate(padded.data(), text.size(), padded.size()).get(doc)) return 0;
  std::size_t sum = 0;
  od::object object;
  if (doc.get_object().get(object)) return 0;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return sum;
    od::value value;
    if (field.value().get(value)) return sum;
    if (key == "messages" || key == "choices" || key == "output" || key == "content" ||
        key == "input") {
      od::array items;
      if (value.get_array().get(items)) continue;
      for (auto item : items) {
        od::object o;
        if (item.get_object().get(o)) continue;
        for (auto f : o) {
          std::string_view k;
          if (f.unescaped_key().get(k)) break;
          if (k == "content" || k == "message" || k == "delta" || k == "text") {
            std::string_view s;
            if (!f.value().get_string().get(s)) sum += s.size();
          }
        }
      }
    } else if (key == "model" || key == "id") {
      std::string_view s;
      if (!value.get_string().get(s)) sum += s.size();
    }
  }
  return sum;
}

// Baseline: the same three levels with On-Demand, reading what the analyzer reads.
std::size_t baseline(const bench::generated& data) {
  static od::parser outer, record, body;
  static std::string padded_record, padded_body;
  std::size_t sum = 0;
  for (const std::string& batch : data.batches) {
    simdjson::padded_string_view view(batch.data(), batch.size(), batch.capacity());
    std::string copy;
    if (batch.capacity() - batch.size() < simdjson::SIMDJSON_PADDING) {
      copy = batch;
      copy.reserve(batch.size() + simdjson::SIMDJSON_PADDING);
      view = simdjson::padded_string_view(copy.data(), copy.size(), copy.capacity());
    }
    od::document doc;
    if (outer.iterate(view).get(doc)) continue;
    for (auto event : doc.get_array()) {
      std::string_view message;
      if (event.find_field_unordered("message").get_string().get(message)) continue;
      padded_record.assign(message);
      padded_record.resize(message.size() + simdjson::SIMDJSON_PADDING);
      od::document rec;
      if (record.iterate(padded_record.data(), message.size(), padded_record.size()).get(rec))
        continue;
      od::object object;
      if (rec.get_object().get(object)) continue;
      std::string request_body, response_body;
      for (auto field : object) {
        std::string_view key;
        if (field.unescaped_key().get(key)) break;
        od::value value;
        if (field.value().get(value)) break;
        if (key == "request" || key == "response") {
          od::object inner;
          if (value.get_object().get(inner)) continue;
          for (auto f : inner) {
            std::string_view k, s;
            if (f.unescaped_key().get(k)) break;
            if (f.value().get_string().get(s)) continue;
            sum += s.size();
            if (k == "body") (key == "request" ? request_body : response_body).assign(s);
          }
        } else if (key == "assembled_response") {
          std::string_view s;
          if (!value.get_string().get(s)) response_body.assign(s);
        } else if (key == "token_usage") {
          od::object usage;
          if (value.get_object().get(usage)) continue;
          for (auto f : usage) {
            double d;
            if (!f.value().get_double().get(d)) sum += static_cast<std::size_t>(d);
          }
        } else {
          std::string_view raw;
          raw = value.raw_json_token();
          sum += raw.size();
        }
      }
      if (!request_body.empty()) sum += walk_body(body, padded_body, request_body);
      if (!response_body.empty()) sum += walk_body(body, padded_body, response_body);
    }
  }
  return sum;
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// The pipeline with language, then language + topic: checks that tags appear, prints the cost.
bool classified_runs(const bench::generated& data, int repeat, double plain_seconds) {
  namespace da = dial_analytics;
  char dir_template[] = "/tmp/dial-analytics-bench-XXXXXX";
  const char* dir = ::mkdtemp(dir_template);
  if (dir == nullptr) return false;
  da::topic_training_options training;
  training.input = DIAL_ANALYTICS_TOPIC_SET;
  training.output = std::string(dir) + "/topics.bin";
  da::train_topic_model(training);
  da::fasttext_topic_classifier topics(training.output);
  std::remove(training.output.c_str());
  ::rmdir(dir);
  da::cld2_language_detector language;

  for (const bool with_topic : {false, true}) {
    da::line_buffer_sink sink;
    da::pipeline_options options;
    options.analysis.language = &language;
    if (with_topic) options.analysis.topic = &topics;
    da::pipeline pipeline(sink, std::move(options));
    std::vector<da::event_status> statuses;
    auto run = [&] {
      sink.clear();
      for (const std::string& batch : data.batches) pipeline.ingest(batch, &statuses);
    };
    run();
    // Output check: some chats got a language; with topics, chats carry a model topic.
    const std::string& lines = sink.lines();
    const bool has_language = lines.find(",language=en,") != std::string::npos;
    bool has_topic = !with_topic;
    for (const std::string& label : topics.labels())
      has_topic = has_topic || lines.find(",topic=" + label + ",") != std::string::npos;
    if (!has_language || !has_topic) {
      std::fprintf(stderr, "output check failed: no %s tag found\n",
                   has_language ? "topic" : "language");
      return false;
    }
    double best = 1e300;
    for (int r = 0; r < repeat; ++r) {
      const auto start = clock_type::now();
      run();
      best = std::min(best, seconds_since(start));
    }
    std::printf("%s: records_per_s=%.0f chat_records_per_s=%.0f us_per_record_added=%.1f\n",
                with_topic ? "language+topic" : "language",
                static_cast<double>(data.records) / best, static_cast<double>(data.chats) / best,
                (best - plain_seconds) * 1e6 / static_cast<double>(data.records));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t records = 20000;
  int repeat = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--records") == 0) records = std::strtoul(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::atoi(argv[i + 1]);
  }
  const bench::generated data = bench::generate(records);

  dial_analytics::line_buffer_sink sink;
  dial_analytics::pipeline pipeline(sink);
  std::vector<dial_analytics::event_status> statuses;
  auto run_pipeline = [&] {
    sink.clear();
    std::size_t points = 0;
    for (const std::string& batch : data.batches)
      points += pipeline.ingest(batch, &statuses).stats.points;
    return points;
  };

  // Check the output before timing: one line per expected point, measurements in order.
  run_pipeline();
  {
    std::size_t n = 0, pos = 0;
    const std::string& lines = sink.lines();
    while (pos < lines.size()) {
      const std::size_t end = lines.find('\n', pos);
      const std::string_view line(lines.data() + pos, end - pos);
      const std::string_view measurement = line.substr(0, line.find(','));
      if (n >= data.expected_measurements.size() || measurement != data.expected_measurements[n]) {
        std::fprintf(stderr, "output check failed at point %zu: %.*s\n", n,
                     static_cast<int>(measurement.size()), measurement.data());
        return 1;
      }
      ++n;
      pos = end + 1;
    }
    if (n != data.expected_measurements.size()) {
      std::fprintf(stderr, "output check failed: %zu points, expected %zu\n", n,
                   data.expected_measurements.size());
      return 1;
    }
  }

  double best_pipeline = 1e300, best_baseline = 1e300;
  unsigned long long allocs = 0;
  std::size_t checksum = 0;
  for (int r = 0; r < repeat; ++r) {
    auto start = clock_type::now();
    checksum += baseline(data);
    best_baseline = std::min(best_baseline, seconds_since(start));

    const unsigned long long before = test_support::allocations.load();
    start = clock_type::now();
    run_pipeline();
    best_pipeline = std::min(best_pipeline, seconds_since(start));
    allocs = test_support::allocations.load() - before;
  }
  const double mb = static_cast<double>(data.bytes) / 1e6;
  std::printf("records=%zu batches=%zu input_mb=%.1f malformed=%zu points=%zu checksum=%zu\n",
              data.records, data.batches.size(), mb, data.malformed,
              data.expected_measurements.size(), checksum % 1000);
  std::printf(
      "records_per_s=%.0f mb_per_s=%.1f baseline_mb_per_s=%.1f ratio=%.2f allocs_per_record=%.3f\n",
      static_cast<double>(data.records) / best_pipeline, mb / best_pipeline, mb / best_baseline,
      best_baseline / best_pipeline,
      static_cast<double>(allocs) / static_cast<double>(data.records));
  if (!classified_runs(data, repeat, best_pipeline)) return 1;
  return 0;
}
