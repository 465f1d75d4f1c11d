// SPDX-License-Identifier: Apache-2.0
// Writes the benchmark's deterministic stream as Vector-sized batch files for the end-to-end
// benchmark: dial_analytics_gen_batches --records N --out DIR [--batch-bytes B]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "bench_data.hpp"

int main(int argc, char** argv) {
  std::size_t records = 200000, batch_bytes = 1 << 20;
  std::string out;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--records") == 0) records = std::strtoul(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--batch-bytes") == 0)
      batch_bytes = std::strtoul(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--out") == 0) out = argv[i + 1];
  }
  if (out.empty()) {
    std::fprintf(stderr,
                 "usage: dial_analytics_gen_batches --records N --out DIR [--batch-bytes B]\n");
    return 2;
  }
  std::filesystem::create_directories(out);
  const bench::generated data = bench::generate(records, 42, batch_bytes);
  for (std::size_t i = 0; i < data.batches.size(); ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "/batch-%06zu.json", i);
    std::FILE* f = std::fopen((out + name).c_str(), "wb");
    if (!f) return 1;
    std::fwrite(data.batches[i].data(), 1, data.batches[i].size(), f);
    std::fclose(f);
  }
  std::printf("records=%zu batches=%zu bytes=%zu points=%zu\n", data.records, data.batches.size(),
              data.bytes, data.expected_measurements.size());
  return 0;
}
