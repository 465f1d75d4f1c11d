// SPDX-License-Identifier: Apache-2.0
// The one thing a backend implements: write one batch of '\n'-terminated records and say what
// the backend made of it. Everything else of delivery (spool, retries, backoff, splitting, lanes)
// is shared by every backend (output/sender.hpp, output/spooled_output.hpp, docs/outputs.md).
//
// Thread-safety: a writer is used by one thread at a time (it may hold a keep-alive connection);
// count_lines() is pure.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dial_analytics::output {

/// What to do after a write.
enum class write_outcome {
  written,      ///< every line stored (or, with per-line lists, every line not listed)
  rejected,     ///< some or all lines refused for good (e.g. InfluxDB 400/422); not resent
  too_large,    ///< the batch is too large (413): split it and resend the halves
  retry,        ///< 408/429/5xx/network/timeout: resend later, honouring retry_after
  unavailable,  ///< 401/403/404/other 4xx: a configuration problem; keep the data, resend later
};

/// One line of a batch that the backend refused for good, when it says which (Elasticsearch's
/// bulk items do; InfluxDB's answers do not).
struct line_refusal {
  std::size_t line = 0;  ///< 0-based index of the line in the batch written
  std::string reason;    ///< the backend's reason, e.g. "strict_dynamic_mapping_exception: …"
  int http_status = 0;   ///< the line's own status (e.g. 400); 0: the write's http_status
};

/// The classified result of one write.
///
/// A backend that answers per line returns `written` with `refused` and/or `retry_lines`: the
/// lines listed there are refused for good or to be resent, every other line is stored. Without
/// those lists a result covers the whole batch (`rejected_lines` only counts).
struct write_result {
  write_outcome outcome = write_outcome::written;
  int http_status = 0;                       ///< 0 for network errors
  std::size_t rejected_lines = 0;            ///< for `rejected`: how many lines were refused
  std::chrono::milliseconds retry_after{0};  ///< from `Retry-After`, when present
  std::string message;                       ///< server or transport error text (no secrets)
  std::vector<line_refusal> refused;         ///< lines refused for good (per-line answers)
  std::vector<std::size_t> retry_lines;      ///< lines to resend later (per-line answers), sorted

  write_result() = default;
  // A constructor rather than aggregate initialisation: `{outcome, status, n, retry_after,
  // message}` keeps working (without missing-initializer warnings) now that the per-line
  // lists follow.
  write_result(write_outcome o, int status = 0, std::size_t rejected = 0,
               std::chrono::milliseconds retry = std::chrono::milliseconds(0),
               std::string text = {})
      : outcome(o),
        http_status(status),
        rejected_lines(rejected),
        retry_after(retry),
        message(std::move(text)) {}

  /// The backend said line by line what it made of the batch.
  [[nodiscard]] bool per_line() const noexcept { return !refused.empty() || !retry_lines.empty(); }
};

/// What a backend calls one line and several, for log lines ("point"/"points").
struct line_noun {
  std::string_view singular = "line";
  std::string_view plural = "lines";
};

/// Writes batches to one backend.
class batch_writer {
 public:
  virtual ~batch_writer() = default;
  /// Posts `lines` (whole lines, '\n'-terminated) in one request; blocks until answered or timed
  /// out. Never throws for a backend's answer or a network failure: it classifies them.
  virtual write_result write(std::string_view lines) = 0;
  /// The backend's name for log lines, e.g. "InfluxDB" or "Elasticsearch".
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  /// What the backend's lines are, for log lines; "line"/"lines" unless overridden.
  [[nodiscard]] virtual line_noun noun() const noexcept { return {}; }
  /// The cause and the remedy of a refusal (`rejected`) with this message, for the ERROR log line
  /// (e.g. InfluxDB's "max-values-per-tag limit exceeded"); empty when the message is not known.
  [[nodiscard]] virtual std::string remedy(std::string_view message) const {
    static_cast<void>(message);
    return {};
  }
};

/// The number of '\n'-terminated lines in `lines`, plus one for an unterminated last line.
[[nodiscard]] std::size_t count_lines(std::string_view lines) noexcept;

}  // namespace dial_analytics::output
