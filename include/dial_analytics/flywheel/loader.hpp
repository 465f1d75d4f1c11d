// SPDX-License-Identifier: Apache-2.0
// The Data Flywheel blueprint's test-data loader, line by line: a JSONL file of either flywheel
// documents ("log format": the first line has a non-empty `workload_id`) or conversations
// (`{"messages": [...], "tools": [...]}`), each line turned into a document to index
// (`dial-analytics flywheel load`, docs/flywheel.md).
//
// Log format: the document as it is, with `workload_id` and `client_id` replaced when the
// options give them (keys keep their order; a missing one is added at the end).
// Conversation format: request = {"model":"not-a-model", "messages": all but the last message,
// "temperature":0.7, "max_tokens":1000, "tools" when non-empty}; response = a chat.completion
// whose one choice is the last message, with whitespace-word counts of the first two messages'
// contents as prompt and completion tokens; timestamp = now; then workload_id (always) and
// client_id (when given).
//
// Thread-safety: a loader is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace dial_analytics::flywheel {

struct loader_options {
  std::string workload_id;  ///< overrides (log format) or sets (conversations); may be empty
  std::string client_id;    ///< overrides or sets when not empty
  std::int64_t now = 0;     ///< the timestamp of converted conversations (epoch seconds)
};

/// Which kind of file is being loaded; decided by its first line.
enum class loader_format { undecided, log, conversation };

class loader {
 public:
  explicit loader(loader_options options);
  ~loader();
  loader(loader&&) noexcept;
  loader& operator=(loader&&) noexcept;

  /// Converts one line (without its newline) and appends the document (no newline) to `out`.
  /// The first line decides the format for the whole file.
  /// @return errc::malformed_json (not a JSON object) or errc::record_rejected (a conversation
  ///         without two messages with text contents); `message` says what is wrong.
  [[nodiscard]] std::error_code convert(std::string_view line, std::string& out,
                                        std::string& message);
  [[nodiscard]] loader_format format() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace dial_analytics::flywheel
