// SPDX-License-Identifier: Apache-2.0
// Data Flywheel capture throughput, beside the analytics pipeline in the same run:
//  (a) analytics: the pipeline into line protocol (no language or topic), the reference point;
//  (b) flywheel, redaction off: the pipeline with only the Flywheel stage (DIAL record → JSONL);
//  (c) flywheel, redaction on (every PII type);
//  (d) analytics + flywheel (redaction on) as the server runs them: one decode, two stages.
// Checks the output first (every document has the blueprint's five keys in order; redaction on
// and off give the same documents on PII-free text, and placeholders where PII was planted),
// then runs the four interleaved, R times each, and prints the median and the range.
// With --elasticsearch URL it then sends the documents through a spooled_output and the bulk
// writer to that URL (e.g. the test double, tests/support/fake_es/start.sh) and prints docs/s.
//
//   dial_analytics_bench_flywheel [--records N] [--repeat R] [--elasticsearch URL]
#include <dial_analytics/dial_analytics.hpp>
#include <dial_analytics/elasticsearch/es_writer.hpp>
#include <dial_analytics/flywheel/document.hpp>
#include <dial_analytics/flywheel/flywheel_stage.hpp>
#include <dial_analytics/output/spooled_output.hpp>

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_data.hpp"

namespace {

namespace fw = dial_analytics::flywheel;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// A batch's records with PII planted into some user messages (a copy of the generated data).
std::vector<std::string> with_planted_pii(const std::vector<std::string>& batches,
                                          std::size_t& planted) {
  std::vector<std::string> out = batches;
  // The body is a JSON string inside the record, itself a JSON string inside the event.
  constexpr std::string_view needle = R"(\\\"role\\\": \\\"user\\\", \\\"content\\\": \\\")";
  constexpr std::string_view pii = "mail ann.lee@example.com or call +44 20 7946 0958. ";
  planted = 0;
  for (std::string& b : out) {
    std::size_t at = 0, seen = 0;
    while ((at = b.find(needle, at)) != std::string::npos) {
      at += needle.size();
      if (seen++ % 10 == 0) {
        b.insert(at, pii);
        ++planted;
      }
    }
  }
  return out;
}

// Every line a JSON object whose keys are the blueprint's five, in order.
bool check_documents(const std::string& lines, std::size_t& count) {
  simdjson::dom::parser parser;
  count = 0;
  std::size_t pos = 0;
  while (pos < lines.size()) {
    const std::size_t end = lines.find('\n', pos);
    simdjson::dom::object doc;
    if (const auto error = parser.parse(lines.data() + pos, end - pos).get(doc)) {
      std::fprintf(stderr, "document %zu: %s: %.200s\n", count, simdjson::error_message(error),
                   lines.data() + pos);
      return false;
    }
    static constexpr std::string_view keys[] = {"request", "response", "timestamp", "client_id",
                                                "workload_id"};
    std::size_t i = 0;
    for (auto [key, value] : doc) {
      if (i >= 5 || key != keys[i++]) i = 99;
    }
    if (i != 5) {
      std::fprintf(stderr, "document %zu: not the five keys in order: %.200s\n", count,
                   lines.data() + pos);
      return false;
    }
    ++count;
    pos = end + 1;
  }
  return true;
}

struct runner {
  explicit runner(const std::vector<std::string>& b) : batches(b) {}
  const std::vector<std::string>& batches;
  dial_analytics::line_buffer_sink points;
  fw::flywheel_stage plain{[] {
    fw::mapping_options o;
    o.redact = false;
    return o;
  }()};
  fw::flywheel_stage redacting{fw::mapping_options{}};
  fw::flywheel_stage secondary{fw::mapping_options{}};
  dial_analytics::pipeline analytics{points};
  dial_analytics::pipeline flywheel_plain{plain};
  dial_analytics::pipeline flywheel_redacting{redacting};
  dial_analytics::pipeline both{points, [this] {
                                  dial_analytics::pipeline_options o;
                                  o.secondary = {&secondary};
                                  return o;
                                }()};

  void run(dial_analytics::pipeline& p) {
    points.clear();
    plain.clear();
    redacting.clear();
    secondary.clear();
    for (const std::string& b : batches) {
      p.ingest(b);
      // Keep buffers bounded (the check runs below the bound; 20,000 records make ~300 MB).
      if (plain.lines().size() > (1u << 30)) plain.clear();
      if (redacting.lines().size() > (1u << 30)) redacting.clear();
      if (secondary.lines().size() > (1u << 30)) secondary.clear();
      if (points.lines().size() > (1u << 30)) points.clear();
    }
  }
};

struct timing {
  std::vector<double> seconds;
  [[nodiscard]] double median() const {
    std::vector<double> s = seconds;
    std::sort(s.begin(), s.end());
    return s[s.size() / 2];
  }
  [[nodiscard]] double min() const { return *std::min_element(seconds.begin(), seconds.end()); }
  [[nodiscard]] double max() const { return *std::max_element(seconds.begin(), seconds.end()); }
};

void print(const char* name, const timing& t, std::size_t records, double mb) {
  std::printf("%-32s records_per_s=%.0f (%.0f-%.0f) mb_per_s=%.1f\n", name,
              static_cast<double>(records) / t.median(), static_cast<double>(records) / t.max(),
              static_cast<double>(records) / t.min(), mb / t.median());
}

int send_to_elasticsearch(const std::string& url, const std::string& lines, std::size_t count) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "dial-analytics-bench-flywheel";
  std::filesystem::remove_all(dir);
  dial_analytics::output::spooled_output_options o;
  o.dir = dir;
  o.spool.sync = false;
  o.spool.segment_prefix = fw::spool_segment_prefix;
  o.spool.segment_extension = fw::spool_segment_extension;
  o.sender.linger = std::chrono::milliseconds(0);
  o.sender.batch_lines = 1000;
  o.lanes = 2;
  dial_analytics::elasticsearch::es_config cfg;
  cfg.url = url;
  cfg.index = "bench-flywheel";
  const auto start = clock_type::now();
  dial_analytics::output::spooled_output out(
      o, dial_analytics::elasticsearch::make_writer_factory(cfg));
  if (out.append(lines)) {
    std::fprintf(stderr, "cannot spool the documents\n");
    return 1;
  }
  while (out.pending_bytes() > 0 && seconds_since(start) < 600) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double s = seconds_since(start);
  out.stop(std::chrono::milliseconds(0));
  const auto stats = out.stats();
  std::filesystem::remove_all(dir);
  if (stats.lines_written != count) {
    std::fprintf(stderr, "elasticsearch check failed: %llu of %zu documents stored\n",
                 static_cast<unsigned long long>(stats.lines_written), count);
    return 1;
  }
  std::printf("%-32s docs_per_s=%.0f (%zu documents, %llu bulk requests, 2 lanes)\n",
              "elasticsearch bulk over HTTP", static_cast<double>(count) / s, count,
              static_cast<unsigned long long>(stats.requests));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t records = 20000;
  int repeat = 5;
  std::string es_url;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--records") == 0) records = std::strtoul(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--elasticsearch") == 0) es_url = argv[i + 1];
  }
  const bench::generated data = bench::generate(records);
  runner r(data.batches);

  // Checks: documents well formed; redaction changes nothing on PII-free text...
  r.run(r.flywheel_plain);
  const std::string plain_lines = r.plain.lines();
  r.run(r.flywheel_redacting);
  std::size_t documents = 0, redacted_documents = 0;
  if (!check_documents(plain_lines, documents) ||
      !check_documents(r.redacting.lines(), redacted_documents) ||
      documents != redacted_documents || documents == 0) {
    std::fprintf(stderr, "output check failed: %zu documents without redaction, %zu with\n",
                 documents, redacted_documents);
    return 1;
  }
  if (r.redacting.stats().redactions.total() == 0 && plain_lines != r.redacting.lines()) {
    std::fprintf(stderr, "output check failed: redaction changed PII-free text\n");
    return 1;
  }
  // ...and replaces planted PII.
  {
    std::size_t planted = 0;
    const std::vector<std::string> pii = with_planted_pii(data.batches, planted);
    fw::flywheel_stage stage;
    dial_analytics::pipeline p(stage);
    for (const std::string& b : pii) p.ingest(b);
    const auto& counts = stage.stats().redactions;
    // Records that are skipped (not 200, malformed) keep theirs out of the output anyway.
    if (planted == 0 || counts[fw::pii_type::email] < planted * 9 / 10 ||
        counts[fw::pii_type::phone] != counts[fw::pii_type::email] ||
        stage.lines().find("ann.lee@example.com") != std::string::npos) {
      std::fprintf(stderr, "output check failed: planted PII not redacted (%zu planted, %llu)\n",
                   planted, static_cast<unsigned long long>(counts[fw::pii_type::email]));
      return 1;
    }
  }

  timing analytics, plain, redacting, both;
  for (int i = 0; i < repeat; ++i) {
    auto start = clock_type::now();
    r.run(r.analytics);
    analytics.seconds.push_back(seconds_since(start));
    start = clock_type::now();
    r.run(r.flywheel_plain);
    plain.seconds.push_back(seconds_since(start));
    start = clock_type::now();
    r.run(r.flywheel_redacting);
    redacting.seconds.push_back(seconds_since(start));
    start = clock_type::now();
    r.run(r.both);
    both.seconds.push_back(seconds_since(start));
  }
  const double mb = static_cast<double>(data.bytes) / 1e6;
  std::printf("records=%zu chats=%zu documents=%zu input_mb=%.1f repeat=%d (median, min-max)\n",
              data.records, data.chats, documents, mb, repeat);
  print("analytics", analytics, data.records, mb);
  print("flywheel, redaction off", plain, data.records, mb);
  print("flywheel, redaction on", redacting, data.records, mb);
  print("analytics + flywheel (redacting)", both, data.records, mb);
  std::printf("redaction_cost_ratio=%.2f (redaction time / flywheel time without redaction)\n",
              (redacting.median() - plain.median()) / plain.median());
  if (!es_url.empty()) return send_to_elasticsearch(es_url, plain_lines, documents);
  return 0;
}
