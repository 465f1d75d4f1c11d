// SPDX-License-Identifier: Apache-2.0
// Validation and dataset building as the NVIDIA Data Flywheel blueprint does them
// (docs/flywheel.md, "From records to datasets"): the OpenAI format rule, the tool-calling
// quality filter, argument parsing, deduplication on user queries, random selection, and the
// eval / train / validation split with the blueprint's formats.
//
// Every record the functions return is the text Python's `json.dumps` prints for the record the
// blueprint would hold: ASCII-only with \uXXXX escapes, ", " and ": " separators, keys in input
// order, numbers as Python prints them after `json.loads`.
//
// Thread-safety: a record_set may be read from several threads; the functions keep no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dial_analytics::flywheel {

/// The blueprint's workload classes.
enum class workload_type { generic, tool_calling };

/// "generic" or "tool_calling".
[[nodiscard]] std::string_view to_string(workload_type t) noexcept;

/// The blueprint's `DataSplitConfig`, with the defaults of its shipped config.yaml.
struct split_config {
  std::int64_t eval_size = 100;
  double val_ratio = 0.1;  ///< 0 <= val_ratio < 1; 0 gives an empty validation set
  std::int64_t min_total_records = 50;
  std::int64_t limit = 1000;
  /// Seeds the selection (Python's `random`) and the split (numpy's `RandomState`); unset: a
  /// seed is drawn and reported, so the run can be repeated.
  std::optional<std::uint32_t> random_seed;
  bool parse_function_arguments = true;
};

/// The blueprint's six validation statistics, with its meaning.
struct validation_stats {
  std::size_t total_records = 0;
  std::size_t valid_openai_format = 0;
  std::size_t invalid_format = 0;
  std::size_t removed_quality_filters = 0;
  std::size_t deduplicated_queries = 0;
  std::size_t final_selected = 0;
};

/// A refusal the blueprint also makes (too few records, eval size larger than the record count,
/// limit below the minimum, too few valid records, a split that cannot be made), or input that
/// cannot be read. what() is the message, the blueprint's words where it has them.
class dataset_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Records as JSON texts, one per record, kept in memory or read back from a file on demand (a
/// million records need not fit in memory as documents).
class record_set {
 public:
  record_set();
  ~record_set();
  record_set(record_set&&) noexcept;
  record_set& operator=(record_set&&) noexcept;

  /// Adds one record's JSON text (kept in memory).
  void add(std::string json);

  /// The lines of a JSONL file, read back from the file when needed; blank lines are skipped.
  /// @throws dataset_error when the file cannot be read.
  [[nodiscard]] static record_set open_file(const std::filesystem::path& path);

  /// The lines of a JSONL stream (standard input), copied to an unnamed temporary file in
  /// `temp_dir` (deleted on close) so memory stays small; blank lines are skipped.
  [[nodiscard]] static record_set read_stream(std::istream& in,
                                              const std::filesystem::path& temp_dir);

  [[nodiscard]] std::size_t size() const noexcept;
  /// Record `i`'s JSON text (without its newline).
  [[nodiscard]] std::string text(std::size_t i) const;
  /// Where record `i` came from: its 1-based line number in the file or stream (for add(): i + 1).
  [[nodiscard]] std::size_t line_number(std::size_t i) const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// How validate_records() runs.
struct validate_options {
  split_config split;
  /// The workload type; unset: detected as the blueprint does (tool_calling as soon as one
  /// record's first choice has tool calls).
  std::optional<workload_type> workload;
  /// Skip lines that are not JSON (counted in `unparseable_lines`) instead of failing on the first.
  bool skip_unparseable = false;
  /// Called now and then with (records read, total), for progress reports on large inputs.
  std::function<void(std::size_t, std::size_t)> progress;
};

/// What validation selected.
struct validated_records {
  workload_type workload = workload_type::generic;
  bool workload_detected = false;  ///< true when the type was detected, not given
  validation_stats stats;
  std::size_t unparseable_lines = 0;  ///< with skip_unparseable
  std::uint32_t seed = 0;             ///< the seed used (given or drawn)
  bool seed_given = false;
  /// Indices into the record_set, in the blueprint's selection order (a random permutation).
  std::vector<std::size_t> selected;
  /// The selected records after validation's in-place changes (tool-calling: string tool-call
  /// arguments of the response parsed into JSON values), as json.dumps prints them.
  std::vector<std::string> records;
};

/// Validates `records` as the blueprint's DataValidator does. Records that are JSON but not
/// objects count as invalid format.
/// @throws dataset_error with the blueprint's message when it refuses, or "line N: …" for a
///         line that is not JSON (unless skip_unparseable).
[[nodiscard]] validated_records validate_records(const record_set& records,
                                                 const validate_options& options);

/// How many records of one class (the first tool call's name, "no_tool" without tool calls)
/// each part received.
struct label_count {
  std::string label;
  std::size_t eval = 0, train = 0, validation = 0;
};

/// The three datasets, as the blueprint's DatasetCreator writes them.
struct datasets {
  workload_type workload = workload_type::generic;
  /// Evaluation records: whole records, request-side tool arguments turned back into strings.
  std::vector<std::string> eval;
  /// Training and validation records: {"messages": [...]} or, for tool calling,
  /// {"tools": [...], "messages": [...]} with the response's content emptied.
  std::vector<std::string> train, validation;
  /// Records the split put into train / validation that the training format drops (no
  /// `request.tools` in a tool-calling workload, a message without role, ...), as the blueprint
  /// drops them.
  std::size_t train_dropped = 0, validation_dropped = 0;
  bool stratified = false;            ///< the eval split was stratified by class
  std::vector<std::string> warnings;  ///< e.g. the fallback to an unstratified split
  std::vector<label_count> labels;    ///< sorted by label
};

/// Splits and formats validated records as the blueprint does (scikit-learn's
/// `train_test_split`, stratified by the first tool call's name when it can be), with the seed
/// validation used. Where scikit-learn refuses a stratified split, falls back to an
/// unstratified one and says so in `warnings`.
/// @throws dataset_error when no split is possible (eval size not below the record count, an
///         empty training set, eval size 0).
[[nodiscard]] datasets build_datasets(const validated_records& validated,
                                      const split_config& config);

/// Writes DIR/eval_data.jsonl, DIR/training/train_data.jsonl, DIR/validation/val_data.jsonl
/// (lines joined by "\n", no newline after the last, as the blueprint writes them) and
/// DIR/manifest.json, creating the directories. Files are written whole and renamed into place.
/// @throws dataset_error when a file cannot be written.
void write_datasets(const std::filesystem::path& dir, const datasets& sets,
                    const validated_records& validated, const split_config& config);

/// The manifest: workload type, sizes, seed, validation statistics, label counts, warnings.
[[nodiscard]] std::string manifest_json(const datasets& sets, const validated_records& validated,
                                        const split_config& config);

/// The six statistics as one JSON object, in the blueprint's key order.
[[nodiscard]] std::string stats_json(const validation_stats& stats);

}  // namespace dial_analytics::flywheel
