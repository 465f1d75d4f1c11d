// SPDX-License-Identifier: Apache-2.0
// The InfluxDB backend: writes batches of line protocol (v1, v2 or v3 write API) and classifies
// the answer the way mature clients do (docs/outputs.md): done, rejected (never resend), too large
// (split), retry later, or a configuration problem (keep the data, shout).
//
// Thread-safety: a writer is used by one thread at a time (it holds one keep-alive connection).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <dial_analytics/influx/influx_config.hpp>
#include <dial_analytics/output/batch_writer.hpp>

namespace dial_analytics::influx {

/// Classifies an HTTP answer to a write of `lines` lines (exposed for tests and other clients).
output::write_result classify_response(int http_status, std::string_view body,
                                       std::string_view retry_after_header, std::size_t lines);

/// A libcurl writer for `config` (whose version must not be `automatic`: resolve it first).
/// @throws config_error for an unusable configuration (no URL, v1 without database, …).
std::unique_ptr<output::batch_writer> make_curl_writer(const influx_config& config);

/// Resolves `automatic`: `GET <url>/ping` and its X-Influxdb-Version (1.x → v1, 2.x → v2,
/// 3.x → v3); when that says nothing, the reference's rule: bucket → v2, database → v3 (through
/// the v2-compatible API), else v1. Other versions are returned unchanged.
/// @param note receives how the choice was made, for the start-up log.
api_version resolve_version(const influx_config& config, std::string* note = nullptr);

}  // namespace dial_analytics::influx
