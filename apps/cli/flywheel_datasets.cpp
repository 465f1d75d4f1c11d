// SPDX-License-Identifier: Apache-2.0
// `dial-analytics flywheel export|validate|datasets`: the blueprint's record exporter, data
// validator and dataset creator (docs/flywheel.md, "From records to datasets").
#include <dial_analytics/flywheel/dataset.hpp>
#include <dial_analytics/flywheel/exporter.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "args.hpp"
#include "cli.hpp"

namespace dial_analytics::cli {
namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t n = b < 0x80                 ? 1
                          : b >= 0xC2 && b <= 0xDF ? 2
                          : b >= 0xE0 && b <= 0xEF ? 3
                          : b >= 0xF0 && b <= 0xF4 ? 4
                                                   : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// ---- flywheel export -------------------------------------------------------------------------

constexpr std::string_view export_description =
    R"(Writes the records of one client and workload as JSONL on standard output, newest first,
at most 2 x --limit of them: what the blueprint's exporter hands to validation.

The source is Elasticsearch (--elasticsearch-url or ELASTICSEARCH_URL; credentials from
ELASTICSEARCH_USERNAME/PASSWORD, ELASTICSEARCH_API_KEY or ELASTICSEARCH_BEARER_TOKEN; CA bundle
from ELASTICSEARCH_CA_FILE), read with the scroll API past the 10,000-hit window, or the
Flywheel JSONL files of a data directory (--data-dir: DIR/flywheel/flywheel-*.jsonl as the
server writes them, or DIR/flywheel-*.jsonl as 'flywheel load --data-dir' writes them).)";

struct export_options {
  std::string client_id, workload_id;
  std::int64_t limit = 1000;
  std::string data_dir;
  std::string url;
  std::string index = env_or("ES_COLLECTION_NAME", "flywheel");
};

int run_export(const export_options& o) {
  std::string url = o.url;
  if (o.data_dir.empty() && url.empty()) url = env_or("ELASTICSEARCH_URL", "");
  if (!o.data_dir.empty() && !o.url.empty())
    throw apps::usage_error("give --data-dir or --elasticsearch-url, not both");
  if (o.data_dir.empty() && url.empty()) {
    throw apps::usage_error(
        "give --data-dir DIR or --elasticsearch-url URL (or set ELASTICSEARCH_URL)");
  }
  for (const std::string* id : {&o.client_id, &o.workload_id}) {
    if (!valid_utf8(*id))
      throw apps::usage_error("--client-id and --workload-id must be UTF-8 text");
  }
  const flywheel::export_query query{o.client_id, o.workload_id, o.limit};
  // Held until the export is complete: a failed export prints nothing on stdout, so that
  // `export | datasets` never builds datasets from part of the records.
  std::string buffer;
  const auto sink = [&](std::string_view record) {
    buffer.append(record);
    buffer.push_back('\n');
  };
  std::size_t n = 0, skipped = 0;
  std::string source;
  try {
    if (!o.data_dir.empty()) {
      n = flywheel::export_from_files(o.data_dir, query, sink, &skipped);
      source = o.data_dir;
    } else {
      const elasticsearch::es_config cfg = flywheel_es_config(url, o.index, false);
      source = elasticsearch::describe(cfg);
      n = flywheel::export_from_elasticsearch(cfg, query, sink);
    }
  } catch (const flywheel::dataset_error& e) {
    return fail(e.what());
  } catch (const std::exception& e) {  // config_error: conflicting credentials
    return fail(e.what());
  }
  std::fwrite(buffer.data(), 1, buffer.size(), stdout);
  if (std::fflush(stdout) != 0) return fail("cannot write the records to standard output");
  fmt::print(stderr,
             "dial-analytics: Found {} records for client_id {} and workload_id {} in {}{}\n", n,
             o.client_id, o.workload_id, source,
             skipped ? fmt::format(" ({} line(s) that are not JSON objects skipped)", skipped)
                     : std::string());
  return 0;
}

class export_command final : public command {
 public:
  explicit export_command(CLI::App& parent)
      : app_(parent.add_subcommand("export", std::string(export_description))) {
    apps::configure_app(*app_, version_line());
    app_->add_option("--client-id", o_.client_id, "the client_id to export (exact match)")
        ->required();
    app_->add_option("--workload-id", o_.workload_id, "the workload_id to export (exact match)")
        ->required();
    app_->add_option("--limit", o_.limit, "the blueprint's limit: at most 2 x N records come out")
        ->check(apps::whole_number(1))
        ->capture_default_str();
    app_->add_option("--data-dir", o_.data_dir,
                     "read the Flywheel JSONL files of this data directory")
        ->type_name("DIR");
    app_->add_option("--elasticsearch-url", o_.url, "read from Elasticsearch (or OpenSearch)")
        ->type_name("URL")
        ->default_str("ELASTICSEARCH_URL");
    app_->add_option("--index", o_.index, "the index to read")
        ->type_name("NAME")
        ->default_str(o_.index);
  }
  [[nodiscard]] bool selected() const override { return app_->parsed(); }
  int run() override { return run_export(o_); }

 private:
  CLI::App* app_;
  export_options o_;
};

// ---- flywheel validate / datasets ------------------------------------------------------------

constexpr std::string_view validate_description =
    R"(Validates Flywheel records as the blueprint's DataValidator does and writes the selected
records as JSONL on standard output.

Steps: count checks on the raw records; the OpenAI chat format rule; for tool-calling
workloads the quality filter (the first choice with tool calls has only calls of type
"function") and the parsing of string tool-call arguments; deduplication on the user
messages (the first record of a query is kept); a random selection of min(limit, n) records.
Statistics and the workload type go to standard error (and to --stats). Where the blueprint
refuses (too few records, ...) the command exits with 1 and the blueprint's message.

Input: JSONL (one record per line; blank lines skipped), a file or - for standard input.)";

constexpr std::string_view datasets_description =
    R"(Validates the records (as 'flywheel validate') and splits them as the blueprint's
DatasetCreator does: eval (stratified by the first tool call's name where scikit-learn can),
then train and validation. Writes DIR/eval_data.jsonl, DIR/training/train_data.jsonl,
DIR/validation/val_data.jsonl (lines joined by newlines, none after the last, as the
blueprint writes them) and DIR/manifest.json (workload type, sizes, seed, statistics, label
counts, warnings). With --random-seed the selection and the split are the blueprint's for
that seed; without it a seed is drawn and written to the manifest.)";

struct validate_flags {
  std::string input;
  std::string workload = "auto";
  std::int64_t eval_size = 100, min_total_records = 50, limit = 1000;
  std::optional<std::uint64_t> seed;
  bool no_parse_arguments = false;
  bool skip_invalid_json = false;
  std::string stats;
  // datasets only
  std::string output;
  double val_ratio = 0.1;
};

void add_validate_options(CLI::App& app, validate_flags& f) {
  app.add_option("--input", f.input, "the records (JSONL), or - for standard input")
      ->type_name("FILE|-")
      ->required();
  app.add_option("--workload-type", f.workload,
                 "auto (detect as the blueprint does), generic or tool_calling")
      ->check(apps::one_of({"auto", "generic", "tool_calling"}))
      ->capture_default_str();
  app.add_option("--eval-size", f.eval_size, "records for the evaluation set")
      ->check(apps::whole_number(0))
      ->capture_default_str();
  app.add_option("--min-total-records", f.min_total_records,
                 "fewer records (raw, or valid) is an error")
      ->check(apps::whole_number(0))
      ->capture_default_str();
  app.add_option("--limit", f.limit, "at most this many records are selected")
      ->check(apps::whole_number(0))
      ->capture_default_str();
  app.add_option("--random-seed", f.seed, "seed of the selection and the split (0 to 4294967295)")
      ->check(apps::whole_number_u64(0))
      ->type_name("S");
  app.add_flag("--no-parse-function-arguments", f.no_parse_arguments,
               "keep string tool-call arguments of tool-calling responses as strings");
  app.add_flag("--skip-invalid-json", f.skip_invalid_json,
               "skip lines that are not JSON (counted) instead of stopping at the first");
  app.add_option("--stats", f.stats, "also write the six validation statistics as JSON to FILE")
      ->type_name("FILE");
}

/// Progress on standard error every 2 s, for inputs large enough to take that long.
class progress_report {
 public:
  void operator()(std::size_t done, std::size_t total) {
    const auto now = clock_type::now();
    if (now - last_ < std::chrono::seconds(2)) return;
    last_ = now;
    fmt::print(stderr, "dial-analytics: validated {} of {} record(s)\n", done, total);
  }

 private:
  clock_type::time_point last_ = clock_type::now();
};

struct validation_run {
  flywheel::record_set records;
  flywheel::validated_records result;
  flywheel::split_config config;
};

std::optional<validation_run> run_validation(const validate_flags& f) {
  if (f.seed && *f.seed > 0xFFFFFFFFu) {
    throw apps::usage_error(fmt::format(
        "--random-seed must be between 0 and 4294967295 (numpy's seeds: 0 to 2**32 - 1), not {}",
        *f.seed));
  }
  validation_run run;
  run.config.eval_size = f.eval_size;
  run.config.min_total_records = f.min_total_records;
  run.config.limit = f.limit;
  run.config.val_ratio = f.val_ratio;
  run.config.parse_function_arguments = !f.no_parse_arguments;
  if (f.seed) run.config.random_seed = static_cast<std::uint32_t>(*f.seed);
  flywheel::validate_options options;
  options.split = run.config;
  if (f.workload == "generic") options.workload = flywheel::workload_type::generic;
  if (f.workload == "tool_calling") options.workload = flywheel::workload_type::tool_calling;
  options.skip_unparseable = f.skip_invalid_json;
  options.progress = progress_report();
  if (f.input == "-") {
    std::error_code ec;
    const fs::path temp = fs::temp_directory_path(ec);
    if (ec) {
      throw flywheel::dataset_error(fmt::format(
          "no directory for the copy of standard input ({}): set TMPDIR to a writable directory",
          ec.message()));
    }
    run.records = flywheel::record_set::read_stream(std::cin, temp);
  } else {
    run.records = flywheel::record_set::open_file(f.input);
  }
  run.result = flywheel::validate_records(run.records, options);
  const flywheel::validation_stats& s = run.result.stats;
  fmt::print(stderr,
             "dial-analytics: {} record(s): {} in OpenAI format, {} invalid, {} removed by quality "
             "filters, {} "
             "duplicate queries; {} selected ({} workload{}, seed {}{}){}\n",
             s.total_records, s.valid_openai_format, s.invalid_format, s.removed_quality_filters,
             s.deduplicated_queries, s.final_selected, flywheel::to_string(run.result.workload),
             run.result.workload_detected ? ", detected" : "", run.result.seed,
             run.result.seed_given ? "" : ", drawn",
             run.result.unparseable_lines ? fmt::format("; {} line(s) that are not JSON skipped",
                                                        run.result.unparseable_lines)
                                          : std::string());
  if (!f.stats.empty()) {
    std::ofstream out(f.stats, std::ios::binary | std::ios::trunc);
    out << flywheel::stats_json(s) << '\n';
    out.flush();
    if (!out)
      throw flywheel::dataset_error(fmt::format("cannot write the statistics to {}", f.stats));
  }
  return run;
}

int run_validate(const validate_flags& f) {
  try {
    const std::optional<validation_run> run = run_validation(f);
    std::string buffer;
    for (const std::string& r : run->result.records) {
      buffer.append(r);
      buffer.push_back('\n');
      if (buffer.size() > (1u << 20)) {
        std::fwrite(buffer.data(), 1, buffer.size(), stdout);
        buffer.clear();
      }
    }
    std::fwrite(buffer.data(), 1, buffer.size(), stdout);
    if (std::fflush(stdout) != 0) return fail("cannot write the records to standard output");
    return 0;
  } catch (const flywheel::dataset_error& e) {
    return fail(e.what());
  }
}

int run_datasets(const validate_flags& f) {
  if (!(f.val_ratio >= 0 && f.val_ratio < 1)) {
    throw apps::usage_error(
        fmt::format("--val-ratio must be at least 0 and below 1, not {}", f.val_ratio));
  }
  try {
    const std::optional<validation_run> run = run_validation(f);
    const flywheel::datasets sets = flywheel::build_datasets(run->result, run->config);
    flywheel::write_datasets(f.output, sets, run->result, run->config);
    for (const std::string& w : sets.warnings)
      fmt::print(stderr, "dial-analytics: warning: {}\n", w);
    fmt::print(
        stderr,
        "dial-analytics: wrote {}: eval_data.jsonl {} record(s), training/train_data.jsonl {}, "
        "validation/val_data.jsonl {}{}, manifest.json\n",
        f.output, sets.eval.size(), sets.train.size(), sets.validation.size(),
        sets.train_dropped + sets.validation_dropped
            ? fmt::format(" ({} record(s) the training format drops)",
                          sets.train_dropped + sets.validation_dropped)
            : std::string());
    return 0;
  } catch (const flywheel::dataset_error& e) {
    return fail(e.what());
  }
}

class validate_command final : public command {
 public:
  explicit validate_command(CLI::App& parent)
      : app_(parent.add_subcommand("validate", std::string(validate_description))) {
    apps::configure_app(*app_, version_line());
    add_validate_options(*app_, f_);
  }
  [[nodiscard]] bool selected() const override { return app_->parsed(); }
  int run() override { return run_validate(f_); }

 private:
  CLI::App* app_;
  validate_flags f_;
};

class datasets_command final : public command {
 public:
  explicit datasets_command(CLI::App& parent)
      : app_(parent.add_subcommand("datasets", std::string(datasets_description))) {
    apps::configure_app(*app_, version_line());
    add_validate_options(*app_, f_);
    app_->add_option("--output", f_.output, "the directory to write the datasets into (created)")
        ->type_name("DIR")
        ->required();
    app_->add_option("--val-ratio", f_.val_ratio,
                     "share of the non-eval records for validation (0 <= R < 1)")
        ->check(apps::probability())
        ->capture_default_str();
  }
  [[nodiscard]] bool selected() const override { return app_->parsed(); }
  int run() override { return run_datasets(f_); }

 private:
  CLI::App* app_;
  validate_flags f_;
};

}  // namespace

std::vector<std::unique_ptr<command>> add_flywheel_dataset_commands(CLI::App& flywheel) {
  std::vector<std::unique_ptr<command>> out;
  out.push_back(std::make_unique<export_command>(flywheel));
  out.push_back(std::make_unique<validate_command>(flywheel));
  out.push_back(std::make_unique<datasets_command>(flywheel));
  return out;
}

}  // namespace dial_analytics::cli
