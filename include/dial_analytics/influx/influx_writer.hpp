// SPDX-License-Identifier: Apache-2.0
// Writes batches of line protocol to InfluxDB and classifies the answer the way mature clients
// do (protocols.md §A.9, §B.3): done, rejected (never resend), too large (split), retry later,
// or a configuration problem (keep the data, shout).
//
// Thread-safety: a writer is used by one thread at a time (it holds one keep-alive connection).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <dial_analytics/influx/influx_config.hpp>

namespace dial_analytics::influx {

/// What to do after a write.
enum class write_outcome {
  written,      ///< 2xx: every line stored
  rejected,     ///< 400/422: some or all lines refused for good; do not resend
  too_large,    ///< 413: split the batch and resend the halves
  retry,        ///< 408/429/5xx/network/timeout: resend later, honouring retry_after
  unavailable,  ///< 401/403/404/other 4xx: configuration problem; keep the data, resend later
};

/// The classified result of one write.
struct write_result {
  write_outcome outcome = write_outcome::written;
  int http_status = 0;                       ///< 0 for network errors
  std::size_t rejected_lines = 0;            ///< for `rejected`: how many lines were refused
  std::chrono::milliseconds retry_after{0};  ///< from `Retry-After`, when present
  std::string message;                       ///< server or transport error text (no secrets)
};

/// Classifies an HTTP answer to a write of `lines` lines (exposed for tests and other clients).
write_result classify_response(int http_status, std::string_view body,
                               std::string_view retry_after_header, std::size_t lines);

/// Writes line protocol; one implementation per transport.
class influx_writer {
 public:
  virtual ~influx_writer() = default;
  /// Posts `lines` (whole lines, '\n'-terminated) in one request; blocks until answered.
  virtual write_result write(std::string_view lines) = 0;
};

/// A libcurl writer for `config` (whose version must not be `automatic`: resolve it first).
/// @throws config_error for an unusable configuration (no URL, v1 without database, …).
std::unique_ptr<influx_writer> make_curl_writer(const influx_config& config);

/// Resolves `automatic`: `GET <url>/ping` and its X-Influxdb-Version (1.x → v1, 2.x → v2,
/// 3.x → v3); when that says nothing, the reference's rule: bucket → v2, database → v3 (through
/// the v2-compatible API), else v1. Other versions are returned unchanged.
/// @param note receives how the choice was made, for the start-up log.
api_version resolve_version(const influx_config& config, std::string* note = nullptr);

}  // namespace dial_analytics::influx
