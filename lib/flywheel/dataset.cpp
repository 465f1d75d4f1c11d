// SPDX-License-Identifier: Apache-2.0
// validate → split → format, in two passes over the records: the first parses each record once
// and keeps only a few flags and its deduplication key; the second re-reads the selected
// records. Memory stays proportional to the keys, not to the documents.
#include <dial_analytics/flywheel/dataset.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <istream>
#include <map>
#include <mutex>
#include <random>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "flywheel/blueprint.hpp"
#include "flywheel/py_json_value.hpp"
#include "flywheel/sampling.hpp"

namespace dial_analytics::flywheel {

namespace fs = std::filesystem;

std::string_view to_string(workload_type t) noexcept {
  return t == workload_type::tool_calling ? "tool_calling" : "generic";
}

// ---------------------------------------------------------------------------------------------
// record_set

struct record_set::impl {
  struct line {
    std::uint64_t offset;
    std::uint32_t length;
    std::size_t number;
  };
  std::vector<std::string> texts;  // in memory (add)
  int fd = -1;                     // on disk (open_file, read_stream)
  std::vector<line> lines;

  ~impl() {
    if (fd >= 0) ::close(fd);
  }

  /// Indexes the non-blank lines of `fd`.
  void index(const std::string& what) {
    std::vector<char> buf(1 << 20);
    std::uint64_t file_offset = 0;
    std::uint64_t line_start = 0;
    std::size_t number = 1;
    bool blank = true;
    while (true) {
      const ssize_t got = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(file_offset));
      if (got < 0) {
        if (errno == EINTR) continue;
        throw dataset_error(fmt::format("cannot read {}: {}", what, std::strerror(errno)));
      }
      if (got == 0) break;
      for (ssize_t i = 0; i < got; ++i) {
        const char c = buf[static_cast<std::size_t>(i)];
        if (c == '\n') {
          const std::uint64_t end = file_offset + static_cast<std::uint64_t>(i);
          add_line(line_start, end, number, blank, what);
          line_start = end + 1;
          ++number;
          blank = true;
        } else if (c != ' ' && c != '\t' && c != '\r') {
          blank = false;
        }
      }
      file_offset += static_cast<std::uint64_t>(got);
    }
    add_line(line_start, file_offset, number, blank, what);
  }

  void add_line(std::uint64_t start, std::uint64_t end, std::size_t number, bool blank,
                const std::string& what) {
    if (blank) return;
    if (end - start > 0xFFFFFFFFu)
      throw dataset_error(fmt::format("{} line {}: longer than 4 GiB", what, number));
    lines.push_back({start, static_cast<std::uint32_t>(end - start), number});
  }
};

record_set::record_set() : impl_(std::make_unique<impl>()) {}
record_set::~record_set() = default;
record_set::record_set(record_set&&) noexcept = default;
record_set& record_set::operator=(record_set&&) noexcept = default;

void record_set::add(std::string json) { impl_->texts.push_back(std::move(json)); }

record_set record_set::open_file(const fs::path& path) {
  record_set set;
  set.impl_->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (set.impl_->fd < 0)
    throw dataset_error(fmt::format("cannot open {}: {}", path.string(), std::strerror(errno)));
  set.impl_->index(path.string());
  return set;
}

record_set record_set::read_stream(std::istream& in, const fs::path& temp_dir) {
  record_set set;
  int fd = ::open(temp_dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    // File systems without O_TMPFILE: a named file, removed at once.
    std::string name = (temp_dir / "dial-analytics-input-XXXXXX").string();
    fd = ::mkstemp(name.data());
    if (fd >= 0) ::unlink(name.c_str());
  }
  if (fd < 0) {
    throw dataset_error(
        fmt::format("cannot create a temporary file in {}: {} (set TMPDIR to a writable directory)",
                    temp_dir.string(), std::strerror(errno)));
  }
  set.impl_->fd = fd;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    std::size_t done = 0;
    while (done < got) {
      const ssize_t w = ::write(fd, buf.data() + done, got - done);
      if (w < 0) {
        if (errno == EINTR) continue;
        throw dataset_error(fmt::format("cannot write the temporary copy of the input in {}: {}",
                                        temp_dir.string(), std::strerror(errno)));
      }
      done += static_cast<std::size_t>(w);
    }
  }
  if (in.bad()) throw dataset_error("cannot read the input stream");
  set.impl_->index("standard input");
  return set;
}

std::size_t record_set::size() const noexcept {
  return impl_->fd >= 0 ? impl_->lines.size() : impl_->texts.size();
}

std::string record_set::text(std::size_t i) const {
  if (impl_->fd < 0) return impl_->texts.at(i);
  const impl::line& l = impl_->lines.at(i);
  std::string out(l.length, '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t got = ::pread(impl_->fd, out.data() + done, out.size() - done,
                                static_cast<off_t>(l.offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0)
      throw dataset_error(fmt::format("cannot read line {} again: {}", l.number,
                                      got < 0 ? std::strerror(errno) : "the file shrank"));
    done += static_cast<std::size_t>(got);
  }
  return out;
}

std::size_t record_set::line_number(std::size_t i) const noexcept {
  return impl_->fd >= 0 ? impl_->lines[i].number : i + 1;
}

// ---------------------------------------------------------------------------------------------
// validation

namespace {

enum flag : std::uint8_t {
  parsed = 1,
  valid_format = 2,
  detects_tool_calls = 4,
  quality_ok = 8,
  arguments_ok = 16,
};

void check_counts(std::size_t n, const split_config& c) {
  const auto count = static_cast<std::int64_t>(n);
  if (count < c.min_total_records) {
    throw dataset_error(
        fmt::format("Not enough records found for the given workload. A minimum of {} records is "
                    "required, but only {} were found.",
                    c.min_total_records, count));
  }
  if (c.eval_size > count) {
    throw dataset_error(
        fmt::format("eval_size cannot be larger than the total number of records. eval_size is {}, "
                    "but only {} records were found.",
                    c.eval_size, count));
  }
  if (c.limit < c.min_total_records) {
    throw dataset_error(
        fmt::format("limit cannot be less than the minimum number of records. limit is {}, but the "
                    "minimum number of records is {}.",
                    c.limit, c.min_total_records));
  }
}

/// Pass 1 over every record: parse, classify, key. Records are independent, so blocks of them
/// are shared out to a few threads; each writes only its records' slots.
void first_pass(const record_set& records, const validate_options& options,
                std::vector<std::uint8_t>& flags, std::vector<std::optional<std::string>>& keys) {
  const std::size_t n = records.size();
  constexpr std::size_t block = 512;
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::atomic<std::size_t> first_bad{n};  // the lowest unparseable record, when not skipping
  std::mutex error_mutex;
  std::string first_error;
  const auto work = [&](bool report) {
    pyjson::value record;
    std::string error;
    while (true) {
      const std::size_t from = next.fetch_add(block);
      if (from >= n || from > first_bad.load()) return;
      const std::size_t to = std::min(n, from + block);
      for (std::size_t i = from; i < to; ++i) {
        if (!pyjson::parse(records.text(i), record, error)) {
          if (!options.skip_unparseable) {
            std::lock_guard lock(error_mutex);
            if (i < first_bad.load()) {
              first_bad = i;
              first_error = error;
            }
            break;
          }
          continue;  // flags[i] stays 0: not parsed
        }
        std::uint8_t f = parsed;
        if (blueprint::detect_tool_calls(record) == blueprint::detection::tool_calls)
          f |= detects_tool_calls;
        if (blueprint::valid_chat_completion_format(record)) {
          f |= valid_format;
          keys[i] = blueprint::dedup_key(record);
          if (blueprint::has_tool_calls(record)) {
            f |= quality_ok;
            if (blueprint::parse_function_arguments(record)) f |= arguments_ok;
          }
        }
        flags[i] = f;
      }
      const std::size_t now = done.fetch_add(to - from) + (to - from);
      if (report && options.progress) options.progress(now, n);
    }
  };
  std::exception_ptr failure;  // the first exception of any thread (a read error, no memory)
  const auto guarded = [&](bool report) {
    try {
      work(report);
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!failure) failure = std::current_exception();
      next = n;  // the others stop at their next block
    }
  };
  const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
  std::vector<std::thread> helpers;
  if (n > 4 * block) {
    for (unsigned t = 1; t < threads; ++t) {
      try {
        helpers.emplace_back(guarded, false);
      } catch (const std::system_error&) {
        break;  // no more threads: the ones running (and this one) do the work
      }
    }
  }
  guarded(true);
  for (std::thread& t : helpers) t.join();
  if (failure) std::rethrow_exception(failure);
  if (first_bad.load() < n) {
    throw dataset_error(
        fmt::format("line {}: not a JSON record: {} (fix or remove the line, or skip such lines "
                    "with --skip-invalid-json)",
                    records.line_number(first_bad.load()), first_error));
  }
  if (options.progress) options.progress(n, n);
}

/// The blueprint renames classes that occur once to "others".
bool is_singleton(const std::unordered_map<std::string, std::size_t>& counts,
                  const blueprint::class_label& c) {
  return counts.at(c.key) == 1;
}

std::unordered_map<std::string, std::size_t> python_counts(
    const std::vector<blueprint::class_label>& classes) {
  std::unordered_map<std::string, std::size_t> counts;
  for (const auto& c : classes) ++counts[c.key];
  return counts;
}

/// len(set(labels)) after the renaming, with Python's equality.
std::size_t python_class_count(const std::vector<blueprint::class_label>& classes) {
  const auto counts = python_counts(classes);
  std::string others;
  blueprint::append_hashable(others, pyjson::value::make_string("others"));
  std::unordered_set<std::string> distinct;
  for (const auto& c : classes) distinct.insert(is_singleton(counts, c) ? others : c.key);
  return distinct.size();
}

/// The labels as scikit-learn sees them once numpy made an array of them: all strings (a number
/// becomes its str()) when any label is a string, else numbers, which sort and compare as
/// numbers. The returned keys sort and compare the way numpy's np.unique does.
std::vector<std::string> stratification_labels(const std::vector<blueprint::class_label>& classes) {
  const auto counts = python_counts(classes);
  std::vector<std::string> out(classes.size());
  bool any_string = false;
  for (const auto& c : classes) any_string = any_string || !c.numeric || is_singleton(counts, c);
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const blueprint::class_label& c = classes[i];
    if (is_singleton(counts, c)) {
      out[i] = "others";
    } else if (any_string) {
      out[i] = c.text;
    } else {
      // An order-preserving byte key of the double: flip the sign bit of positives, every bit
      // of negatives; big-endian hex sorts as the numbers do.
      double d = c.number == 0 ? 0.0 : c.number;
      std::uint64_t bits = 0;
      std::memcpy(&bits, &d, sizeof bits);
      bits = (bits >> 63) ? ~bits : bits | (std::uint64_t{1} << 63);
      out[i] = fmt::format("{:016x}", bits);
    }
  }
  return out;
}

std::uint32_t draw_seed() {
  std::random_device device;
  return device();
}

}  // namespace

validated_records validate_records(const record_set& records, const validate_options& options) {
  const split_config& config = options.split;
  const std::size_t n_lines = records.size();
  if (!options.skip_unparseable) check_counts(n_lines, config);  // fail before reading

  std::vector<std::uint8_t> flags(n_lines, 0);
  std::vector<std::optional<std::string>> keys(n_lines);
  first_pass(records, options, flags, keys);
  const auto unparseable = static_cast<std::size_t>(
      std::count_if(flags.begin(), flags.end(), [](std::uint8_t f) { return !(f & parsed); }));
  pyjson::value record;
  std::string error;

  validated_records out;
  out.unparseable_lines = unparseable;
  const std::size_t n = n_lines - unparseable;
  out.stats.total_records = n;
  if (options.skip_unparseable) check_counts(n, config);

  if (options.workload) {
    out.workload = *options.workload;
  } else {
    out.workload_detected = true;
    out.workload = std::any_of(flags.begin(), flags.end(),
                               [](std::uint8_t f) { return (f & detects_tool_calls) != 0; })
                       ? workload_type::tool_calling
                       : workload_type::generic;
  }
  const bool tool_calling = out.workload == workload_type::tool_calling;

  std::size_t n_valid = 0, n_filtered = 0;
  std::vector<std::size_t> unique;  // record indices after deduplication, in input order
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < n_lines; ++i) {
    const std::uint8_t f = flags[i];
    if (!(f & parsed)) continue;
    if (!(f & valid_format)) {
      ++out.stats.invalid_format;
      continue;
    }
    ++n_valid;
    if (tool_calling) {
      if (!(f & quality_ok) || (config.parse_function_arguments && !(f & arguments_ok))) {
        ++out.stats.removed_quality_filters;
        continue;
      }
    }
    ++n_filtered;
    if (keys[i]) {
      if (!seen.insert(std::move(*keys[i])).second) {
        ++out.stats.deduplicated_queries;
        continue;
      }
    }
    unique.push_back(i);
  }
  out.stats.valid_openai_format = n_valid;
  keys.clear();
  seen.clear();

  const auto n_dedup = static_cast<std::int64_t>(unique.size());
  if (n_dedup < config.min_total_records) {
    throw dataset_error(fmt::format(
        "Insufficient valid records. Found {} but need {}. Total records: {}, valid OpenAI "
        "format: {}, after quality filters: {}. Please provide more valid records.",
        n_dedup, config.min_total_records, n, n_valid, n_filtered));
  }
  const std::int64_t k = std::min(config.limit, n_dedup);
  if (k < 0) throw dataset_error("Sample larger than population or is negative");

  out.seed_given = config.random_seed.has_value();
  out.seed = config.random_seed ? *config.random_seed : draw_seed();
  const std::vector<std::size_t> picks =
      detail::python_sample(unique.size(), static_cast<std::size_t>(k), out.seed);
  out.selected.reserve(picks.size());
  out.records.reserve(picks.size());
  for (const std::size_t p : picks) {
    const std::size_t i = unique[p];
    out.selected.push_back(i);
    if (!pyjson::parse(records.text(i), record, error)) {
      throw dataset_error(
          fmt::format("line {} changed while it was read: {}", records.line_number(i), error));
    }
    if (tool_calling && config.parse_function_arguments)
      (void)blueprint::parse_function_arguments(record);
    out.records.push_back(pyjson::dumps(record));
  }
  out.stats.final_selected = out.records.size();
  return out;
}

// ---------------------------------------------------------------------------------------------
// split and formats

datasets build_datasets(const validated_records& validated, const split_config& config) {
  datasets out;
  out.workload = validated.workload;
  const std::size_t n = validated.records.size();

  // Records are parsed again where needed rather than kept as documents: a document takes
  // several times the memory of its text.
  pyjson::value record;
  const auto parse = [&](std::size_t i) -> const pyjson::value& {
    std::string error;
    if (!pyjson::parse(validated.records[i], record, error)) {
      throw dataset_error(fmt::format("validated record {} is not JSON: {}", i + 1, error));
    }
    return record;
  };
  std::vector<blueprint::class_label> classes(n);
  std::vector<std::string> labels(n);  // Python's str() of each class, for the manifest
  for (std::size_t i = 0; i < n; ++i) {
    classes[i] = blueprint::tool_class(parse(i));
    labels[i] = classes[i].text;
  }
  const std::vector<std::string> strata = stratification_labels(classes);
  const std::size_t n_classes = python_class_count(classes);
  const std::int64_t test_size =
      std::min<std::int64_t>(config.eval_size, static_cast<std::int64_t>(n));
  if (test_size <= 0) {
    throw dataset_error(fmt::format(
        "test_size={} should be either positive and smaller than the number of samples {} "
        "or a float in the (0, 1) range",
        test_size, n));
  }
  const bool stratify = n_classes > 1 && static_cast<std::size_t>(test_size) >= n_classes;
  detail::train_test_indices first;
  try {
    first = detail::sklearn_split_count(n, static_cast<std::size_t>(test_size),
                                        stratify ? &strata : nullptr, validated.seed);
    out.stratified = stratify;
  } catch (const detail::split_error& e) {
    if (!stratify) throw dataset_error(e.what());
    out.warnings.push_back(
        fmt::format("the eval split is not stratified: scikit-learn refuses a stratified split "
                    "here ({}), where the blueprint fails",
                    e.what()));
    try {
      first = detail::sklearn_split_count(n, static_cast<std::size_t>(test_size), nullptr,
                                          validated.seed);
    } catch (const detail::split_error& e2) {
      throw dataset_error(e2.what());
    }
  }

  std::vector<std::size_t> train_idx, val_idx;
  if (config.val_ratio == 0) {
    train_idx = first.train;
  } else {
    if (!(config.val_ratio > 0 && config.val_ratio < 1)) {
      throw dataset_error(
          fmt::format("val_ratio must be at least 0 and below 1, not {}", config.val_ratio));
    }
    detail::train_test_indices second;
    try {
      second = detail::sklearn_split_fraction(first.train.size(), config.val_ratio, nullptr,
                                              validated.seed);
    } catch (const detail::split_error& e) {
      throw dataset_error(e.what());
    }
    for (const std::size_t p : second.train) train_idx.push_back(first.train[p]);
    for (const std::size_t p : second.test) val_idx.push_back(first.train[p]);
  }

  std::map<std::string, label_count> per_label;
  for (const std::size_t i : first.test) {
    std::string line;
    blueprint::format_eval_record(parse(i), line);
    out.eval.push_back(std::move(line));
    ++per_label[labels[i]].eval;
  }
  const auto format_part = [&](const std::vector<std::size_t>& idx, std::vector<std::string>& lines,
                               std::size_t& dropped, std::size_t label_count::*counter) {
    for (const std::size_t i : idx) {
      std::string line;
      if (blueprint::format_training_record(parse(i), validated.workload, line)) {
        lines.push_back(std::move(line));
        ++(per_label[labels[i]].*counter);
      } else {
        ++dropped;
      }
    }
  };
  format_part(train_idx, out.train, out.train_dropped, &label_count::train);
  format_part(val_idx, out.validation, out.validation_dropped, &label_count::validation);
  for (auto& [label, c] : per_label) {
    c.label = label;
    out.labels.push_back(c);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// files

namespace {

void write_file(const fs::path& path, const std::vector<std::string>& lines) {
  const fs::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw dataset_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
  std::string buf;
  const auto flush = [&] {
    std::size_t done = 0;
    while (done < buf.size()) {
      const ssize_t w = ::write(fd, buf.data() + done, buf.size() - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        const int err = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        throw dataset_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(err)));
      }
      done += static_cast<std::size_t>(w);
    }
    buf.clear();
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i) buf.push_back('\n');
    buf.append(lines[i]);
    if (buf.size() > (1u << 20)) flush();
  }
  flush();
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw dataset_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(err)));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw dataset_error(fmt::format("cannot write {}: {}", path.string(), ec.message()));
  }
}

}  // namespace

std::string stats_json(const validation_stats& s) {
  return fmt::format(
      "{{\"total_records\": {}, \"valid_openai_format\": {}, \"invalid_format\": {}, "
      "\"removed_quality_filters\": {}, "
      "\"deduplicated_queries\": {}, \"final_selected\": {}}}",
      s.total_records, s.valid_openai_format, s.invalid_format, s.removed_quality_filters,
      s.deduplicated_queries, s.final_selected);
}

std::string manifest_json(const datasets& sets, const validated_records& v, const split_config& c) {
  std::string out = "{\n";
  const auto field = [&](std::string_view name, const std::string& value, bool last = false) {
    out += fmt::format("  {}: {}{}\n", pyjson::quote(name), value, last ? "" : ",");
  };
  field("workload_type", pyjson::quote(to_string(sets.workload)));
  field("workload_type_detected", v.workload_detected ? "true" : "false");
  field("random_seed", v.seed_given ? std::to_string(v.seed) : "null");
  field("seed_used", std::to_string(v.seed));
  field("eval_size", std::to_string(c.eval_size));
  std::string ratio;
  pyjson::value r;
  r.type = pyjson::kind::real;
  r.real = c.val_ratio;
  pyjson::dump(ratio, r);
  field("val_ratio", ratio);
  field("min_total_records", std::to_string(c.min_total_records));
  field("limit", std::to_string(c.limit));
  field("parse_function_arguments", c.parse_function_arguments ? "true" : "false");
  field("records",
        fmt::format("{{\"eval\": {}, \"train\": {}, \"validation\": {}, \"train_dropped\": {}, "
                    "\"validation_dropped\": {}}}",
                    sets.eval.size(), sets.train.size(), sets.validation.size(), sets.train_dropped,
                    sets.validation_dropped));
  field("files",
        "{\"eval\": \"eval_data.jsonl\", \"train\": \"training/train_data.jsonl\", \"validation\": "
        "\"validation/val_data.jsonl\"}");
  field("stratified", sets.stratified ? "true" : "false");
  field("validation", stats_json(v.stats));
  field("unparseable_lines", std::to_string(v.unparseable_lines));
  std::string labels = "{";
  for (std::size_t i = 0; i < sets.labels.size(); ++i) {
    const label_count& l = sets.labels[i];
    labels += fmt::format("{}\n    {}: {{\"eval\": {}, \"train\": {}, \"validation\": {}}}",
                          i ? "," : "", pyjson::quote(l.label), l.eval, l.train, l.validation);
  }
  labels += sets.labels.empty() ? "}" : "\n  }";
  field("labels", labels);
  std::string warnings = "[";
  for (std::size_t i = 0; i < sets.warnings.size(); ++i) {
    warnings += (i ? ", " : "") + pyjson::quote(sets.warnings[i]);
  }
  warnings += "]";
  field("warnings", warnings, true);
  out += "}\n";
  return out;
}

void write_datasets(const fs::path& dir, const datasets& sets, const validated_records& validated,
                    const split_config& config) {
  std::error_code ec;
  for (const fs::path& d : {dir, dir / "training", dir / "validation"}) {
    fs::create_directories(d, ec);
    if (ec) throw dataset_error(fmt::format("cannot create {}: {}", d.string(), ec.message()));
  }
  // The manifest goes last: a directory without one holds no complete datasets.
  fs::remove(dir / "manifest.json", ec);
  write_file(dir / "eval_data.jsonl", sets.eval);
  write_file(dir / "training" / "train_data.jsonl", sets.train);
  write_file(dir / "validation" / "val_data.jsonl", sets.validation);
  std::string manifest = manifest_json(sets, validated, config);
  manifest.pop_back();  // write_file joins lines; the manifest keeps its final newline below
  write_file(dir / "manifest.json", {manifest, ""});
}

}  // namespace dial_analytics::flywheel
