// SPDX-License-Identifier: Apache-2.0
// The Elasticsearch backend for Data Flywheel documents: bulk `create` writes whose every item
// result is read (stored, already stored, resend later, refused for good), and the index prepared
// with the blueprint's mapping once the cluster is yellow or green. Elasticsearch being down never
// blocks the caller's start-up: the writers prepare the index themselves before their first write
// and answer `retry` until it is ready, so the documents wait in the spool.
//
// Each spooled line is `<document id>\t<JSON document>\n`; a line without a tab is a bare
// document whose id is its content hash (content_id_generator), so a repeat is stored once.
//
// Thread-safety: a writer is used by one thread at a time; the free functions may be called from
// any thread (the writers of one factory share the index preparation, under a lock).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <dial_analytics/elasticsearch/es_config.hpp>
#include <dial_analytics/log.hpp>
#include <dial_analytics/output/batch_writer.hpp>
#include <dial_analytics/output/spooled_output.hpp>

namespace dial_analytics::elasticsearch {

/// What one attempt to prepare the index found.
struct prepare_result {
  bool ready = false;    ///< the cluster is yellow or green and the index exists
  bool created = false;  ///< this attempt created the index
  std::string note;      ///< what happened or why it is not ready, for the log (no secrets)
  int http_status = 0;   ///< when not ready: the status that stopped it (0: no answer)
};

/// One attempt, without retries: GET /_cluster/health?wait_for_status=yellow&timeout=<health_wait>,
/// HEAD /<index>, and PUT /<index> with index_body() when it is missing. An index created by
/// someone else meanwhile (400 resource_already_exists_exception) is success. A user without the
/// right to read the cluster's health (403/404/410) skips that step.
/// Never throws for network or HTTP failures (ready is false and the note says why).
/// @throws config_error for unusable credentials (see es_config).
prepare_result prepare_index(const es_config& cfg);

/// Only the last step of prepare_index(): PUT /<index> with index_body(), where an index that
/// exists already (400 resource_already_exists_exception) is success. For tests of that race.
prepare_result create_index(const es_config& cfg);

/// A writer (libcurl, one keep-alive connection) that prepares the index before its first write
/// (answering `retry` until it is ready, `unavailable` while the credentials are refused).
/// Its name() is "Elasticsearch", its lines are "document"/"documents"; remedy() explains
/// mapping refusals and credential problems. `log` receives one INFO line when the index is
/// ready. @throws config_error for unusable credentials.
std::unique_ptr<output::batch_writer> make_es_bulk_writer(const es_config& cfg,
                                                          log_callback log = {});

/// The writers of `cfg` for a spooled_output's lanes: they share one index preparation, so the
/// cluster is asked by one lane at a time and "ready" is logged once.
/// @throws config_error for unusable credentials.
output::spooled_output::writer_factory make_writer_factory(const es_config& cfg,
                                                           log_callback log = {});

/// What a `_bulk` answer means for the batch of `line_count` lines that was sent (pure, for
/// tests): 2xx → per item (created or 409 stored; 429/5xx and 401/403/404 items resent; other
/// 4xx refused with "<type>: <reason>"), everything resent → `retry`; 413 too_large; 408/429/5xx
/// retry (Retry-After honoured); 401/403/406 unavailable; 404 index_not_found_exception retry (the
/// index is prepared again), another 404 unavailable; 400 and other 4xx rejected. An unreadable 2xx
/// body is a `retry` (`create` makes resending safe).
output::write_result classify_bulk_response(int http_status, std::string_view body,
                                            std::string_view retry_after, std::size_t line_count);

}  // namespace dial_analytics::elasticsearch
