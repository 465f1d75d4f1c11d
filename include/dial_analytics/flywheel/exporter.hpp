// SPDX-License-Identifier: Apache-2.0
// The blueprint's record exporter: the records of one client and workload, newest first, at most
// twice the limit, from Elasticsearch (scroll) or from the Flywheel output's local JSONL files.
//
// Thread-safety: the functions keep no state; each call opens its own connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include <dial_analytics/elasticsearch/es_config.hpp>

namespace dial_analytics::flywheel {

/// Which records to export.
struct export_query {
  std::string client_id;      ///< required, matched exactly
  std::string workload_id;    ///< required, matched exactly
  std::int64_t limit = 1000;  ///< at most 2 × limit records come back (the blueprint's rule)
};

/// Receives each exported record's JSON text (the stored `_source`), newest first.
using record_sink = std::function<void(std::string_view)>;

/// Exports from Elasticsearch (`cfg.url`, `cfg.index`, credentials) as the blueprint does: a
/// bool/match query on both ids sorted by `timestamp` descending, read with the scroll API in
/// pages of min(1000, 2 × limit), past the 10,000-hit window, the scroll cleared at the end.
/// @return the number of records delivered.
/// @throws dataset_error with Elasticsearch's error text when a request fails.
std::size_t export_from_elasticsearch(const elasticsearch::es_config& cfg,
                                      const export_query& query, const record_sink& sink);

/// Exports from the local JSONL files of a data directory: DIR/flywheel/flywheel-*.jsonl (or
/// DIR/flywheel-*.jsonl), bare documents or the spool's `<id>` TAB `<document>` lines. Sorted
/// by `timestamp` (epoch seconds, or an ISO-8601 string) descending; among equal timestamps the
/// later written record comes first. Lines that are not JSON objects are skipped and counted in
/// `skipped`.
/// @throws dataset_error when the directory has no such files or one cannot be read.
std::size_t export_from_files(const std::filesystem::path& data_dir, const export_query& query,
                              const record_sink& sink, std::size_t* skipped = nullptr);

}  // namespace dial_analytics::flywheel
