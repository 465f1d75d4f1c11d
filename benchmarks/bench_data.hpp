// SPDX-License-Identifier: Apache-2.0
// Deterministic generator of realistic Vector batches of DIAL Core records for the benchmarks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

struct generated {
  std::vector<std::string> batches;                ///< JSON arrays of Vector events, ~1 MB each
  std::vector<std::string> expected_measurements;  ///< per point, in output order
  std::size_t records = 0;
  std::size_t chats = 0;  ///< chat completion records (language and topic run on these)
  std::size_t bytes = 0;
  std::size_t malformed = 0;
};

/// `records` records with a fixed seed: ~70% chat completions (half streamed with an assembled
/// response; multi-turn, some with tool calls, some non-English), ~10% embeddings, the rest rate,
/// MCP, routes, responses and anthropic; ~3% non-200, ~1% malformed; messages of 1–64 KB.
generated generate(std::size_t records, std::uint64_t seed = 42, std::size_t batch_bytes = 1 << 20);

}  // namespace bench
