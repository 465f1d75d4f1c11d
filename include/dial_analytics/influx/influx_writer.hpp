// SPDX-License-Identifier: Apache-2.0
// The InfluxDB backend: writes batches of line protocol (v1, v2 or v3 write API) and classifies
// the answer the way mature clients do (docs/outputs.md): done, rejected (never resend), too large
// (split), retry later, or a configuration problem (keep the data, shout).
//
// Thread-safety: a writer is used by one thread at a time (it holds one keep-alive connection);
// the free functions may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <dial_analytics/influx/influx_config.hpp>
#include <dial_analytics/log.hpp>
#include <dial_analytics/output/batch_writer.hpp>

namespace dial_analytics::influx {

/// Classifies an HTTP answer to a write of `lines` lines (exposed for tests and other clients):
/// 2xx written; 400/422 rejected (how many: v1's `dropped=N`, v3's `line_number` entries, else
/// all); 413 too large; 408/429/5xx retry; 401/403/404 and v1's 500 "retention policy not found"
/// unavailable; other 4xx rejected. `retry_after_header` is honoured (an HTTP date counts as 10 s).
output::write_result classify_response(int http_status, std::string_view body,
                                       std::string_view retry_after_header, std::size_t lines);

/// A writer (libcurl, one keep-alive connection) for `config`, whose version must not be
/// `automatic`: resolve it first. Its name() is "InfluxDB", its lines are "points".
/// @throws config_error for an unusable configuration (no URL, v1 without database, …).
std::unique_ptr<output::batch_writer> make_influx_writer(const influx_config& config);

/// The former name of make_influx_writer(), kept until the server switches.
inline std::unique_ptr<output::batch_writer> make_curl_writer(const influx_config& config) {
  return make_influx_writer(config);
}

/// Resolves `automatic`: `GET <url>/ping` and its X-Influxdb-Version (1.x → v1, 2.x → v2,
/// 3.x → v3); when that says nothing, the reference's rule: bucket → v2, database → v3 (through
/// the v2-compatible API), else v1. Other versions are returned unchanged.
/// @param note receives how the choice was made, for the start-up log.
api_version resolve_version(const influx_config& config, std::string* note = nullptr);

/// What one GET /ping said about the API (resolve_version() with more detail).
struct version_probe {
  api_version version = api_version::v1;  ///< as resolve_version() chooses it
  bool answered = false;  ///< InfluxDB answered (any HTTP status); false: no connection, timeout
  std::string note;       ///< how the choice was made, for the log
};

/// Asks `GET <url>/ping` for an `automatic` version (else returns it, answered).
version_probe probe_version(const influx_config& config);

/// The writers of `config` for a sender's lanes (one per call). With an `automatic` version and
/// an InfluxDB that did not answer the probe at start, the choice is not kept: before each write
/// the writers ask GET /ping again (each write is a retry until then), and the first answer
/// decides the API for every lane, logged once through `log` ("InfluxDB answered at …").
/// @param start the probe made at start (its version is used when it got an answer).
std::function<std::unique_ptr<output::batch_writer>()> make_writer_factory(
    const influx_config& config, const version_probe& start, log_callback log);

}  // namespace dial_analytics::influx
