// SPDX-License-Identifier: Apache-2.0
// `dial-analytics flywheel records|load`: DIAL logs → Data Flywheel records, and the blueprint's
// test-data loader (docs/flywheel.md).
#include <dial_analytics/elasticsearch/es_writer.hpp>
#include <dial_analytics/error.hpp>
#include <dial_analytics/flywheel/document.hpp>
#include <dial_analytics/flywheel/flywheel_stage.hpp>
#include <dial_analytics/flywheel/loader.hpp>
#include <dial_analytics/input/batch.hpp>
#include <dial_analytics/output/spooled_output.hpp>
#include <dial_analytics/pipeline.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "args.hpp"
#include "cli.hpp"
#include "gzip.hpp"

namespace dial_analytics::cli {
namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

constexpr std::string_view records_description =
    R"(Turns a DIAL Core log into Data Flywheel records: one JSON document per line on standard
output, exactly what the server stores with FLYWHEEL_ENABLED=true.

Only successful (200) chat completions whose request and assembled response are whole JSON
objects become records; the others are counted by reason on standard error. PII in message
texts and tool arguments is replaced by <EMAIL>, <PHONE>, ... unless --no-redact.

Input: as for 'replay' (a Vector JSON array or NDJSON of events or raw DIAL records; gzip read).)";

constexpr std::string_view load_description =
    R"(Loads a JSONL file into the Flywheel index, as the blueprint's load_test_data.py does.

When the first line has a non-empty workload_id, every line is a flywheel document
(--workload-id and --client-id replace its ids); otherwise every line is a conversation
{"messages": [...], "tools": [...]} turned into a request/response document.

The target is Elasticsearch (--elasticsearch-url or ELASTICSEARCH_URL; credentials from
ELASTICSEARCH_USERNAME/PASSWORD, ELASTICSEARCH_API_KEY or ELASTICSEARCH_BEARER_TOKEN; CA bundle
from ELASTICSEARCH_CA_FILE) or the JSONL files of a data directory (--data-dir). Documents are
written in bulk with ids from their content, so loading a log-format file twice stores each
document once.)";

struct mapping_flags {
  std::string client_id = "dial";
  std::string workload_from = "route";
  std::string workload_header;
  std::string deployments, exclude_deployments;  // comma-separated
  std::string only_after;
  bool keep_extensions = false;
  bool no_redact = false;
  std::string redact_types;  // comma-separated
};

flywheel::mapping_options mapping_of(const mapping_flags& f) {
  flywheel::mapping_options m;
  m.default_client_id = f.client_id;
  m.workload = flywheel::parse_workload_source(f.workload_from).value_or(m.workload);
  m.workload_header = f.workload_header;
  m.include_deployments = apps::split_list(f.deployments);
  m.exclude_deployments = apps::split_list(f.exclude_deployments);
  m.only_after = f.only_after;
  m.strip_dial_extensions = !f.keep_extensions;
  m.redact = !f.no_redact;
  if (!f.redact_types.empty()) {
    m.redaction.enabled.fill(false);
    for (const std::string& t : apps::split_list(f.redact_types)) {
      const auto type = flywheel::parse_pii_type(t);
      if (!type) {
        throw apps::usage_error(fmt::format(
            "--redact-types takes email, phone, credit_card, iban, ip_address, credential, "
            "us_ssn, not '{}'",
            t));
      }
      m.redaction.enabled[static_cast<std::size_t>(*type)] = true;
    }
  }
  return m;
}

void add_mapping_flags(CLI::App& app, mapping_flags& f) {
  app.add_option("--client-id", f.client_id, "client_id of records without a DIAL project")
      ->type_name("ID")
      ->capture_default_str();
  app.add_option("--workload-id-from", f.workload_from,
                 "route: parent_deployment/deployment (deployment without a parent); "
                 "deployment; execution_path: the path without its first element")
      ->type_name("SOURCE")
      ->check(apps::one_of({"route", "deployment", "execution_path"}))
      ->capture_default_str();
  app.add_option("--workload-header", f.workload_header,
                 "a request header logged by DIAL Core whose value overrides the workload_id")
      ->type_name("NAME");
  app.add_option("--deployments", f.deployments, "only these deployments (comma-separated)")
      ->type_name("LIST");
  app.add_option("--exclude-deployments", f.exclude_deployments,
                 "never these deployments (comma-separated)")
      ->type_name("LIST");
  app.add_option("--only-after", f.only_after,
                 "only records whose execution path contains this deployment")
      ->type_name("DEPLOYMENT");
  app.add_flag("--keep-dial-extensions", f.keep_extensions,
               "keep custom_content, custom_fields, addons and statistics");
  app.add_flag("--no-redact", f.no_redact, "store texts as they are (no PII redaction)");
  app.add_option("--redact-types", f.redact_types,
                 "the PII types to redact (default: all): email, phone, credit_card, iban, "
                 "ip_address, credential, us_ssn")
      ->type_name("LIST");
}

// ---- flywheel records ------------------------------------------------------------------------

struct records_options {
  std::string input, file;
  mapping_flags mapping;
  bool with_ids = false;
};

class record_writer {
 public:
  record_writer(const records_options& o)
      : stage_(mapping_of(o.mapping), o.with_ids ? flywheel::line_format::id_and_document
                                                 : flywheel::line_format::document),
        pipeline_(stage_) {}

  bool ingest(std::string_view body, input_format format) {
    stage_.clear();
    const ingest_result result = pipeline_.ingest(body, format, &statuses_);
    const std::string& lines = stage_.lines();
    if (std::fwrite(lines.data(), 1, lines.size(), stdout) != lines.size() ||
        std::fflush(stdout) != 0) {
      fail(fmt::format("cannot write the output: {}", std::strerror(errno)));
      return false;
    }
    if (result.ec) {
      fail(fmt::format("unreadable input: {}", result.message));
      return false;
    }
    for (const event_status& s : statuses_) unreadable_ += s.ok ? 0 : 1;
    return true;
  }

  void summary() const {
    const flywheel::mapping_stats& s = stage_.stats();
    std::string skipped;
    for (std::size_t i = 0; i < flywheel::skip_reason_count; ++i) {
      if (s.skipped[i] == 0) continue;
      skipped +=
          fmt::format("{}{} {}", skipped.empty() ? "" : ", ",
                      flywheel::to_string(static_cast<flywheel::skip_reason>(i)), s.skipped[i]);
    }
    if (unreadable_ > 0) {
      skipped += fmt::format("{}unreadable_event {}", skipped.empty() ? "" : ", ", unreadable_);
    }
    std::string redacted;
    for (std::size_t i = 0; i < flywheel::pii_type_count; ++i) {
      if (s.redactions.by_type[i] == 0) continue;
      redacted += fmt::format("{}{} {}", redacted.empty() ? "" : ", ",
                              flywheel::to_string(static_cast<flywheel::pii_type>(i)),
                              s.redactions.by_type[i]);
    }
    fmt::print(stderr, "dial-analytics: {} flywheel record(s); skipped: {}; redacted: {}\n",
               s.documents, skipped.empty() ? "none" : skipped,
               redacted.empty() ? "nothing" : redacted);
  }

 private:
  flywheel::flywheel_stage stage_;
  pipeline pipeline_;
  std::vector<event_status> statuses_;
  std::size_t unreadable_ = 0;
};

int run_records(const records_options& o, const std::string& path) {
  apps::input_file in(path);
  std::string buffer;
  std::size_t first = std::string::npos;
  while (first == std::string::npos && in.read(buffer, 1u << 16))
    first = buffer.find_first_not_of(" \t\r\n");
  if (!in.error().empty()) return fail(in.error());
  if (first == std::string::npos) return 0;
  const input_format format = detect_format(buffer);
  if (format == input_format::ndjson && buffer[first] != '{')
    return fail(fmt::format(
        "unreadable input: neither a JSON array ('[') nor NDJSON ('{{'), it starts with '{}'",
        buffer[first]));
  std::unique_ptr<record_writer> writer;
  try {
    writer = std::make_unique<record_writer>(o);
  } catch (const config_error& e) {
    return fail(e.what());
  }
  constexpr std::size_t block_bytes = 8u << 20;
  if (format == input_format::json_array) {
    while (in.read(buffer, block_bytes)) {
    }
    if (!in.error().empty()) return fail(in.error());
    if (!writer->ingest(buffer, format)) return 1;
  } else {
    for (bool more = true; more;) {
      more = in.read(buffer, block_bytes);
      const std::size_t take = more ? complete_lines_size(buffer) : buffer.size();
      if (take == 0) continue;
      if (!writer->ingest(std::string_view(buffer).substr(0, take), format)) return 1;
      buffer.erase(0, take);
    }
    if (!in.error().empty()) return fail(in.error());
  }
  writer->summary();
  return 0;
}

class records_command final : public command {
 public:
  explicit records_command(CLI::App& parent)
      : app_(parent.add_subcommand("records", std::string(records_description))) {
    apps::configure_app(*app_, version_line());
    app_->add_option("FILE", o_.file, "where to read from, as --input");
    app_->add_option("--input", o_.input, "a file, or '-' for standard input (the default)")
        ->type_name("PATH|-");
    add_mapping_flags(*app_, o_.mapping);
    app_->add_flag("--with-ids", o_.with_ids,
                   "prefix each line with its document id and a tab (the Elasticsearch output's "
                   "spool lines)");
  }
  [[nodiscard]] bool selected() const override { return app_->parsed(); }
  int run() override {
    if (!o_.file.empty() && !o_.input.empty())
      throw apps::usage_error("give the input as FILE or as --input, not both");
    const std::string path = !o_.file.empty() ? o_.file : !o_.input.empty() ? o_.input : "-";
    mapping_of(o_.mapping);  // usage errors before any input is read
    return run_records(o_, path);
  }

 private:
  CLI::App* app_;
  records_options o_;
};

// ---- flywheel load ---------------------------------------------------------------------------

struct load_options {
  std::string input;
  std::string workload_id, client_id;
  std::string url = env_or("ELASTICSEARCH_URL", "");
  std::string index = env_or("ES_COLLECTION_NAME", "flywheel");
  std::string data_dir;
  std::string mapping = "blueprint";
  std::size_t batch_documents = 1000;
  unsigned timeout_s = 300;
};

elasticsearch::es_config es_config_of(const load_options& o) {
  return flywheel_es_config(o.url, o.index, o.mapping == "nat_compat");
}

void progress(const output::spooled_output& out, std::uint64_t appended, bool force = false) {
  static auto last = clock_type::now();
  if (!force && clock_type::now() - last < std::chrono::seconds(2)) return;
  last = clock_type::now();
  const output::output_stats s = out.stats();
  fmt::print(stderr, "dial-analytics: {} of {} document(s) stored\n",
             s.lines_written + s.lines_rejected, appended);
}

int run_load(const load_options& o) {
  const bool to_es = o.data_dir.empty();
  if (to_es && o.url.empty())
    throw apps::usage_error("give --elasticsearch-url (or ELASTICSEARCH_URL) or --data-dir");
  apps::input_file in(o.input);
  std::optional<scratch_dir> scratch;
  output::spooled_output_options so;
  so.spool.segment_prefix = flywheel::spool_segment_prefix;
  so.spool.segment_extension = flywheel::spool_segment_extension;
  so.spool.max_bytes = std::uint64_t(1) << 40;  // the file's size bounds it
  so.spool.sync = false;
  so.when_full = output::overflow_policy::refuse;
  so.sender.linger = std::chrono::milliseconds(0);
  so.sender.batch_lines = o.batch_documents;
  so.sender.retry_max = std::chrono::seconds(10);
  so.sender.log = [](log_level level, std::string_view m) {
    if (level >= log_level::warning) fmt::print(stderr, "dial-analytics: {}\n", m);
  };
  std::unique_ptr<output::spooled_output> out;
  try {
    if (to_es) {
      scratch.emplace("load");
      so.dir = scratch->path();
      so.lanes = 1;
      so.dead_letter_dir = scratch->path() / "dead-letter";
      out = std::make_unique<output::spooled_output>(
          so, elasticsearch::make_writer_factory(es_config_of(o), so.sender.log));
    } else {
      so.dir = o.data_dir;
      so.spool.sync = true;
      out = std::make_unique<output::spooled_output>(so, nullptr);
    }
  } catch (const config_error& e) {
    return fail(e.what());
  }
  flywheel::loader convert({.workload_id = o.workload_id,
                            .client_id = o.client_id,
                            .now = std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count()});
  std::string line, batch, document, message;
  std::uint64_t line_number = 0, appended = 0, bad = 0;
  auto flush = [&] {
    if (batch.empty()) return true;
    if (const std::error_code ec = out->append(batch)) {
      fail(fmt::format("cannot store the documents: {}", ec.message()));
      return false;
    }
    batch.clear();
    return true;
  };
  while (in.read_line(line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank line
    document.clear();
    if (convert.convert(line, document, message)) {
      ++bad;
      fmt::print(stderr, "dial-analytics: {}:{}: {}\n", o.input, line_number, message);
      continue;
    }
    batch += document;
    batch += '\n';
    ++appended;
    if (appended % o.batch_documents == 0 && !flush()) return 1;
    if (to_es) progress(*out, appended);
  }
  if (!in.error().empty()) return fail(in.error());
  if (!flush()) return 1;
  if (to_es) {
    const auto deadline = clock_type::now() + std::chrono::seconds(o.timeout_s);
    while (out->pending_bytes() > 0 && clock_type::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      progress(*out, appended);
    }
    out->stop(std::chrono::milliseconds(0));
    const output::output_stats s = out->stats();
    if (out->pending_bytes() > 0) {
      scratch->keep();
      return fail(
          fmt::format("Elasticsearch stored {} of {} document(s) in {} s; the rest are in {} (is "
                      "Elasticsearch up? see the messages above)",
                      s.lines_written, appended, o.timeout_s, scratch->path().string()));
    }
    if (s.lines_rejected > 0) {
      scratch->keep();
      fmt::print(stderr,
                 "dial-analytics: Elasticsearch refused {} document(s); they and the reasons are "
                 "in {}\n",
                 s.lines_rejected, (scratch->path() / "dead-letter").string());
    }
    fmt::print("Data loaded successfully: {} document(s) stored in {}{}\n", s.lines_written,
               elasticsearch::describe(es_config_of(o)),
               bad ? fmt::format(", {} line(s) skipped", bad) : std::string());
    return bad > 0 || s.lines_rejected > 0 ? 1 : 0;
  }
  fmt::print("Data loaded successfully: {} document(s) written to {}/flywheel-*.jsonl{}\n",
             appended, o.data_dir, bad ? fmt::format(", {} line(s) skipped", bad) : std::string());
  return bad > 0 ? 1 : 0;
}

class load_command final : public command {
 public:
  explicit load_command(CLI::App& parent)
      : app_(parent.add_subcommand("load", std::string(load_description))) {
    apps::configure_app(*app_, version_line());
    app_->add_option("--input", o_.input, "the JSONL file (gzip read)")
        ->type_name("FILE")
        ->required();
    app_->add_option("--workload-id", o_.workload_id,
                     "the workload_id of converted conversations; replaces a document's own");
    app_->add_option("--client-id", o_.client_id, "replaces (or sets) every document's client_id");
    app_->add_option("--elasticsearch-url", o_.url, "Elasticsearch (or OpenSearch) to load into")
        ->type_name("URL")
        ->default_str("ELASTICSEARCH_URL");
    app_->add_option("--index", o_.index, "the index (created with the blueprint's mapping)")
        ->type_name("NAME")
        ->capture_default_str();
    app_->add_option("--mapping", o_.mapping,
                     "the mapping of a new index: blueprint, or nat_compat (with NeMo Agent "
                     "Toolkit's fields)")
        ->check(apps::one_of({"blueprint", "nat_compat"}))
        ->capture_default_str();
    app_->add_option("--data-dir", o_.data_dir,
                     "write JSONL files DIR/flywheel-*.jsonl instead of Elasticsearch")
        ->type_name("DIR");
    app_->add_option("--batch-documents", o_.batch_documents, "documents per bulk request")
        ->check(apps::whole_number(1))
        ->capture_default_str();
    app_->add_option("--timeout", o_.timeout_s,
                     "seconds to wait for Elasticsearch to store everything")
        ->check(apps::whole_number(1))
        ->capture_default_str();
  }
  [[nodiscard]] bool selected() const override { return app_->parsed(); }
  int run() override { return run_load(o_); }

 private:
  CLI::App* app_;
  load_options o_;
};

// ---- flywheel --------------------------------------------------------------------------------

class flywheel_command final : public command {
 public:
  explicit flywheel_command(CLI::App& root)
      : app_(root.add_subcommand(
            "flywheel",
            "Data Flywheel records: from DIAL logs, into Elasticsearch, and on to datasets.")) {
    apps::configure_app(*app_, version_line());
    app_->require_subcommand(1);
    commands_.push_back(std::make_unique<records_command>(*app_));
    commands_.push_back(std::make_unique<load_command>(*app_));
    for (auto& c : add_flywheel_dataset_commands(*app_)) commands_.push_back(std::move(c));
  }
  [[nodiscard]] bool selected() const override { return app_->parsed(); }
  int run() override {
    for (auto& c : commands_) {
      if (c->selected()) return c->run();
    }
    return 1;  // not reached: CLI11 requires a subcommand
  }

 private:
  CLI::App* app_;
  std::vector<std::unique_ptr<command>> commands_;
};

}  // namespace

scratch_dir::scratch_dir(std::string_view purpose) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / fmt::format("dial-analytics-{}-XXXXXX", purpose))
          .string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw config_error(
        fmt::format("cannot create a temporary directory: {}", std::strerror(errno)));
  path_ = pattern;
}

scratch_dir::~scratch_dir() {
  if (!keep_) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
}

int fail(std::string_view message) {
  fmt::print(stderr, "dial-analytics: {}\n", message);
  return 1;
}

const char* env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

elasticsearch::es_config flywheel_es_config(const std::string& url, const std::string& index,
                                            bool nat_compat) {
  elasticsearch::es_config c;
  c.url = url;
  c.index = index;
  c.username = env_or("ELASTICSEARCH_USERNAME", "");
  c.password = output::secret_string(env_or("ELASTICSEARCH_PASSWORD", ""));
  c.api_key = output::secret_string(env_or("ELASTICSEARCH_API_KEY", ""));
  c.bearer_token = output::secret_string(env_or("ELASTICSEARCH_BEARER_TOKEN", ""));
  c.ca_file = env_or("ELASTICSEARCH_CA_FILE", "");
  c.mapping = nat_compat ? elasticsearch::index_mapping::nat_compat
                         : elasticsearch::index_mapping::blueprint;
  return c;
}

std::unique_ptr<command> add_flywheel_command(CLI::App& root) {
  return std::make_unique<flywheel_command>(root);
}

}  // namespace dial_analytics::cli
