// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: Data Flywheel mapping and PII redaction. The first byte picks what the rest
// is: a DIAL record (decoded, then mapped), a host's request and response bodies (split at the
// first newline), or plain text for the redactor. Every document produced must be a JSON object
// with the blueprint's five keys in order, and redacting valid UTF-8 must give valid UTF-8.
#include <dial_analytics/flywheel/mapping.hpp>
#include <dial_analytics/flywheel/redactor.hpp>
#include <dial_analytics/input/log_parser.hpp>

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fw = dial_analytics::flywheel;

namespace {

struct harness {
  dial_analytics::log_parser parser;
  dial_analytics::log_record record;
  fw::mapper map;
  fw::mapper keep_all{[] {
    fw::mapping_options o;
    o.strip_dial_extensions = false;
    o.workload = fw::workload_source::execution_path;
    o.workload_header = "x-workload";
    return o;
  }()};
  fw::redactor redactor;
  fw::mapped_document doc;
  simdjson::dom::parser check;
  std::string out;
};

void require_document(harness& h) {
  simdjson::dom::object o;
  if (h.check.parse(h.doc.document).get(o)) __builtin_trap();
  static constexpr std::string_view keys[] = {"request", "response", "timestamp", "client_id",
                                              "workload_id"};
  std::size_t i = 0;
  for (auto [key, value] : o) {
    if (i >= 5 || key != keys[i++]) __builtin_trap();
  }
  if (i != 5 || h.doc.id.empty() || h.doc.id.find_first_of("\t\n") != std::string::npos)
    __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static harness h;
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      if (h.parser.parse(input, h.record)) return 0;
      if (!h.map.map(h.record, h.doc)) require_document(h);
      if (!h.keep_all.map(h.record, h.doc)) require_document(h);
      break;
    case 1: {
      const std::size_t nl = input.find('\n');
      if (nl == std::string_view::npos) return 0;
      const fw::chat_call call{input.substr(0, nl), input.substr(nl + 1), 1700000000, "c", "w"};
      if (!h.map.map(call, h.doc)) require_document(h);
      break;
    }
    default: {
      h.out.clear();
      fw::redaction_counts counts;
      h.redactor.redact(input, h.out, counts);
      const bool valid_in = simdjson::validate_utf8(input.data(), input.size());
      if (valid_in && !simdjson::validate_utf8(h.out.data(), h.out.size())) __builtin_trap();
      break;
    }
  }
  return 0;
}
