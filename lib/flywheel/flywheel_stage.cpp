// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/flywheel/flywheel_stage.hpp>

#include <dial_analytics/flywheel/document.hpp>

#include <utility>

namespace dial_analytics::flywheel {

flywheel_stage::flywheel_stage(mapping_options options, line_format format)
    : mapper_(std::move(options)), format_(format) {}

record_outcome flywheel_stage::consume(const log_record& rec) {
  record_outcome outcome;
  if (const auto skip = mapper_.map(rec, scratch_)) {
    ++stats_.skipped[static_cast<std::size_t>(*skip)];
    return outcome;
  }
  ++stats_.documents;
  stats_.redactions += scratch_.redactions;
  const bool with_id = format_ == line_format::id_and_document;
  append_spool_line(lines_, with_id ? std::string_view(scratch_.id) : std::string_view(),
                    scratch_.document);
  outcome.wrote = true;
  outcome.type = record_type::chat_completion;
  return outcome;
}

mapping_stats flywheel_stage::take_stats() noexcept { return std::exchange(stats_, {}); }

}  // namespace dial_analytics::flywheel
