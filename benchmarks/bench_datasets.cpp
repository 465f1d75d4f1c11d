// SPDX-License-Identifier: Apache-2.0
// Validate + datasets throughput and memory on a generated Flywheel export:
//  - writes N tool-calling records (JSONL, ~1 KB each: 5 tools, string arguments, every 50th
//    record invalid, every 20th a duplicate query) to a temporary file;
//  - checks the output first: the statistics match what was generated, the split sizes follow
//    scikit-learn's rule, every output line reads back as JSON;
//  - then times, in a fresh child process each (so that peak RSS is the run's own):
//      (a) validate with the default limit (1000): what `flywheel validate` does by default;
//      (b) validate + datasets with limit = N: every record selected, split, formatted, written;
//    R times each, interleaved, and prints the median and range of records/s and peak RSS.
//  - with --python MODEL (tests/tools/blueprint_datasets.py) also times that Python model of
//    the blueprint on the same file, once, for scale.
//
//   dial_analytics_bench_datasets [--records N] [--repeat R] [--python MODEL]
#include <dial_analytics/flywheel/dataset.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace fw = dial_analytics::flywheel;
using clock_type = std::chrono::steady_clock;

constexpr const char* tools[] = {"get_weather", "schedule_meeting", "search_flights",
                                 "create_ticket", "send_email"};

struct generated {
  std::size_t records = 0, invalid = 0, duplicates = 0;
};

generated generate(const fs::path& file, std::size_t n) {
  generated g;
  std::ofstream out(file, std::ios::binary);
  std::string line;
  for (std::size_t i = 0; i < n; ++i) {
    line.clear();
    ++g.records;
    if (i % 50 == 49) {  // invalid: no choices
      ++g.invalid;
      line = fmt::format(
          R"({{"request": {{"messages": [{{"role": "user", "content": "broken {}"}}]}}, )"
          R"("response": {{"choices": []}}, "timestamp": {}, "client_id": "bench", "workload_id": "w"}})",
          i, 1700000000 + i);
    } else {
      // Every 20th record repeats the query of the record before it.
      const bool duplicate = i % 20 == 19;
      if (duplicate) ++g.duplicates;
      const std::size_t q = duplicate ? i - 1 : i;
      const char* tool = tools[(i * 7) % 5];
      line = fmt::format(
          R"({{"request": {{"model": "gpt-4o", "messages": [{{"role": "system", "content": "You are a helpful )"
          R"(assistant for travel, meetings and tickets. Use the tools when they help."}}, {{"role": "user", )"
          R"("content": "Request number {} \u00e9: please help me with the next step of my plan, thanks"}}], )"
          R"("tools": [{{"type": "function", "function": {{"name": "{}", "description": "Does the thing", )"
          R"("parameters": {{"type": "object", "properties": {{"city": {{"type": "string"}}, "day": )"
          R"({{"type": "string"}}}}, "required": ["city"]}}}}}}]}}, "response": {{"id": "chatcmpl-{}", )"
          R"("object": "chat.completion", "created": {}, "model": "gpt-4o", "choices": [{{"index": 0, )"
          R"("message": {{"role": "assistant", "content": null, "tool_calls": [{{"id": "call_{}", "type": )"
          R"("function", "function": {{"name": "{}", "arguments": "{{\"city\": \"Paris {}\", \"day\": )"
          R"(\"Monday\", \"n\": {}}}"}}}}]}}, "finish_reason": "tool_calls"}}], "usage": {{"prompt_tokens": )"
          R"(120, "completion_tokens": 20, "total_tokens": 140}}}}, "timestamp": {}, "client_id": "bench", )"
          R"("workload_id": "w"}})",
          q, tool, i, 1700000000 + i, i, tool, i, i, 1700000000 + i);
    }
    line.push_back('\n');
    out << line;
  }
  out.close();
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", file.c_str());
    std::exit(1);
  }
  return g;
}

/// Runs `work` in a child process; returns (seconds, peak RSS in KiB), or exits on failure.
template <typename Work>
std::pair<double, long> in_child(Work work) {
  std::fflush(nullptr);
  const auto start = clock_type::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const bool ok = work();
    std::fflush(nullptr);
    std::_Exit(ok ? 0 : 1);
  }
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "a measured run failed\n");
    std::exit(1);
  }
  return {seconds, usage.ru_maxrss};
}

fw::split_config config_for(std::int64_t limit) {
  fw::split_config c;
  c.limit = limit;
  c.random_seed = 42;
  return c;
}

bool validate_only(const fs::path& file) {
  fw::validate_options o;
  o.split = config_for(1000);
  const fw::validated_records v = fw::validate_records(fw::record_set::open_file(file), o);
  return v.records.size() == 1000;
}

bool full_run(const fs::path& file, const fs::path& out, std::int64_t limit) {
  fw::validate_options o;
  o.split = config_for(limit);
  const fw::validated_records v = fw::validate_records(fw::record_set::open_file(file), o);
  const fw::datasets sets = fw::build_datasets(v, o.split);
  fw::write_datasets(out, sets, v, o.split);
  return !sets.train.empty();
}

void summary(const char* what, std::vector<double>& rates, std::vector<long>& rss) {
  std::sort(rates.begin(), rates.end());
  std::sort(rss.begin(), rss.end());
  fmt::print(
      "{:<34} {:>9.0f} records/s (min {:.0f}, max {:.0f}); peak RSS {:.1f} MiB (max {:.1f})\n",
      what, rates[rates.size() / 2], rates.front(), rates.back(),
      static_cast<double>(rss[rss.size() / 2]) / 1024, static_cast<double>(rss.back()) / 1024);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 100000;
  int repeat = 3;
  std::string python_model;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--records")
      n = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--repeat")
      repeat = std::atoi(argv[i + 1]);
    else if (flag == "--python")
      python_model = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: %s [--records N] [--repeat R] [--python MODEL]\n", argv[0]);
      return 2;
    }
  }
  const fs::path dir =
      fs::temp_directory_path() / fmt::format("dial-analytics-bench-datasets-{}", ::getpid());
  fs::create_directories(dir);
  const fs::path file = dir / "records.jsonl";
  const generated g = generate(file, n);
  fmt::print("{} records, {:.1f} MB of JSONL\n", g.records,
             static_cast<double>(fs::file_size(file)) / 1e6);

  // Check the output first (in a child, so that its memory does not count in the runs').
  in_child([&] {
    fw::validate_options o;
    o.split = config_for(static_cast<std::int64_t>(n));
    const fw::validated_records v = fw::validate_records(fw::record_set::open_file(file), o);
    const fw::validation_stats& s = v.stats;
    const std::size_t expected = g.records - g.invalid - g.duplicates;
    if (s.total_records != g.records || s.invalid_format != g.invalid ||
        s.deduplicated_queries != g.duplicates || s.removed_quality_filters != 0 ||
        s.final_selected != expected || v.workload != fw::workload_type::tool_calling) {
      std::fprintf(stderr, "CHECK FAILED: statistics %s\n", fw::stats_json(s).c_str());
      return false;
    }
    const fw::datasets sets = fw::build_datasets(v, o.split);
    const std::size_t rest = expected - 100;
    const auto val = static_cast<std::size_t>(std::ceil(0.1 * static_cast<double>(rest)));
    if (sets.eval.size() != 100 || sets.validation.size() != val ||
        sets.train.size() != rest - val) {
      std::fprintf(stderr, "CHECK FAILED: split sizes %zu/%zu/%zu\n", sets.eval.size(),
                   sets.train.size(), sets.validation.size());
      return false;
    }
    if (sets.train.front().find(R"("arguments": {"city": )") == std::string::npos ||
        sets.eval.front().find("\\u00e9") == std::string::npos) {
      std::fprintf(stderr, "CHECK FAILED: formats\n%s\n", sets.train.front().c_str());
      return false;
    }
    fmt::print("check: statistics, split sizes ({}/{}/{}) and formats as expected\n",
               sets.eval.size(), sets.train.size(), sets.validation.size());
    return true;
  });

  std::vector<double> rate_a, rate_b;
  std::vector<long> rss_a, rss_b;
  for (int r = 0; r < repeat; ++r) {
    auto [sa, ma] = in_child([&] { return validate_only(file); });
    rate_a.push_back(static_cast<double>(n) / sa);
    rss_a.push_back(ma);
    auto [sb, mb] =
        in_child([&] { return full_run(file, dir / "out", static_cast<std::int64_t>(n)); });
    rate_b.push_back(static_cast<double>(n) / sb);
    rss_b.push_back(mb);
  }
  summary("(a) validate, limit 1000", rate_a, rss_a);
  summary("(b) validate + datasets, limit all", rate_b, rss_b);

  if (!python_model.empty()) {
    const std::string cmd = fmt::format(
        "/usr/bin/python3 {} datasets --input {} --output {} --limit {} --random-seed 42 "
        ">/dev/null 2>&1",
        python_model, file.string(), (dir / "py").string(), n);
    const auto start = clock_type::now();
    const int rc = std::system(cmd.c_str());
    const double s = std::chrono::duration<double>(clock_type::now() - start).count();
    if (rc != 0) {
      std::fprintf(stderr, "the Python model failed (%d)\n", rc);
    } else {
      fmt::print("{:<34} {:>9.0f} records/s (one run)\n", "Python model of the blueprint (b)",
                 static_cast<double>(n) / s);
    }
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
