// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the blueprint's validation and dataset building over arbitrary JSONL. The
// first byte picks the options (workload type, argument parsing, limit, eval size, val ratio);
// the rest are the records, one per line. Refusals (dataset_error) are fine; crashes, hangs and
// leaks are not. Every line produced must read back as JSON and be written back the same
// (json.dumps of json.loads of a json.dumps text is that text), and any input that parses must
// round-trip the same way.
#include <dial_analytics/flywheel/dataset.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "flywheel/py_json_value.hpp"

namespace fw = dial_analytics::flywheel;
namespace pyjson = dial_analytics::flywheel::pyjson;

namespace {

void require_stable(std::string_view line) {
  pyjson::value v;
  std::string error;
  if (!pyjson::parse(line, v, error)) __builtin_trap();
  if (pyjson::dumps(v) != line) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t options = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  fw::record_set records;
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(start, end - start);
    if (!line.empty()) {
      records.add(std::string(line));
      pyjson::value v;
      std::string error;
      if (pyjson::parse(line, v, error)) require_stable(pyjson::dumps(v));
    }
    start = end + 1;
  }

  fw::validate_options o;
  o.split.min_total_records = 1;
  o.split.eval_size = 1 + (options >> 6);
  o.split.limit = (options & 0x08) ? 2 : 1000;
  o.split.val_ratio = (options & 0x10) ? 0.0 : 0.34;
  o.split.random_seed = options & 0x20;
  o.split.parse_function_arguments = (options & 0x04) == 0;
  if ((options & 0x03) == 1) o.workload = fw::workload_type::generic;
  if ((options & 0x03) == 2) o.workload = fw::workload_type::tool_calling;
  o.skip_unparseable = true;
  try {
    const fw::validated_records v = fw::validate_records(records, o);
    for (const std::string& r : v.records) require_stable(r);
    const fw::datasets sets = fw::build_datasets(v, o.split);
    for (const std::string& r : sets.eval) require_stable(r);
    for (const std::string& r : sets.train) require_stable(r);
    for (const std::string& r : sets.validation) require_stable(r);
    if (sets.eval.size() + sets.train.size() + sets.validation.size() + sets.train_dropped +
            sets.validation_dropped !=
        v.records.size())
      __builtin_trap();
    (void)fw::manifest_json(sets, v, o.split);
  } catch (const fw::dataset_error&) {
  }
  return 0;
}
