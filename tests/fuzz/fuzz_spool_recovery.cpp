// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: a spool directory left in any state (a segment with any bytes, torn or not,
// and any cursor text) must open, recover and drain without crashing, and keep accepting lines.
// Input: the cursor file's text, a 0 byte, then the segment's bytes.
#include <dial_analytics/error.hpp>
#include <dial_analytics/output/spool.hpp>

#include "temp_folder.hpp"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace fs = std::filesystem;
namespace out = dial_analytics::output;

namespace {

const fs::path& work_dir() {
  static const fuzz_support::temp_folder folder("spool-fuzz");
  return folder.path;
}

void write_file(const fs::path& p, std::string_view bytes) {
  std::ofstream(p, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = input.find('\0');
  const fs::path dir = work_dir() / "spool";
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_file(dir / "cursor", input.substr(0, split));
  if (split != std::string_view::npos)
    write_file(dir / "points-000001.lp", input.substr(split + 1));

  out::spool_options options;
  options.dir = dir;
  options.sync = false;
  options.max_bytes = 1 << 20;
  options.segment_bytes = 4096;
  try {
    out::spool spool(options);
    std::string batch;
    for (int i = 0; i < 1000 && spool.read(batch, 512, 10); ++i) {
      if (batch.empty() || batch.back() != '\n') __builtin_trap();  // whole lines only
      spool.consume(batch.size());
    }
    if (spool.append("m f=1i 1\n")) __builtin_trap();
    if (!spool.read(batch, 512, 10)) __builtin_trap();  // what was just appended is pending
  } catch (const dial_analytics::config_error&) {
    // A directory it refuses to use is reported, not a crash.
  }
  return 0;
}
