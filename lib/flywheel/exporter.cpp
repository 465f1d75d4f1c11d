// SPDX-License-Identifier: Apache-2.0
// The blueprint's RecordExporter: one query, newest first, at most 2 × limit records.
#include <dial_analytics/flywheel/exporter.hpp>

#include <dial_analytics/flywheel/dataset.hpp>
#include <dial_analytics/flywheel/document.hpp>
#include <dial_analytics/input/timestamp.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <queue>
#include <vector>

#include "detail/curl_http.hpp"
#include "elasticsearch/es_http.hpp"
#include "flywheel/py_json_value.hpp"

namespace dial_analytics::flywheel {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t max_page = 1000;     // the blueprint's page size cap
constexpr const char* scroll_keep = "2m";  // the blueprint's scroll keep-alive

std::size_t max_records_of(const export_query& q) {
  if (q.client_id.empty() || q.workload_id.empty()) {
    throw dataset_error(
        "both a client id and a workload id are needed (--client-id, --workload-id)");
  }
  if (q.limit <= 0) throw dataset_error(fmt::format("the limit must be positive, not {}", q.limit));
  return static_cast<std::size_t>(q.limit) * 2;
}

/// Delivers the `_source` of the first `room` hits of a search or scroll answer; returns how
/// many hits the page had.
std::size_t deliver_hits(const pyjson::value& answer, std::size_t room, const record_sink& sink,
                         std::size_t& delivered) {
  const pyjson::value* hits = answer.find("hits");
  const pyjson::value* list = hits ? hits->find("hits") : nullptr;
  if (!list || !list->is_list()) throw dataset_error("Elasticsearch answered without hits.hits");
  for (std::size_t i = 0; i < list->items.size() && i < room; ++i) {
    const pyjson::value* source = list->items[i].find("_source");
    if (!source)
      throw dataset_error("Elasticsearch returned a hit without _source (is _source disabled?)");
    sink(pyjson::dumps(*source));
    ++delivered;
  }
  return list->items.size();
}

pyjson::value parse_answer(const detail::http_response& r, std::string_view what) {
  if (r.status == 0) throw dataset_error(fmt::format("Elasticsearch {} failed: {}", what, r.error));
  if (r.status != 200) {
    throw dataset_error(fmt::format("Elasticsearch {} failed with HTTP {}: {}", what, r.status,
                                    elasticsearch::wire::error_text(r.body)));
  }
  pyjson::value answer;
  std::string error;
  if (!pyjson::parse(r.body, answer, error) || !answer.is_dict()) {
    throw dataset_error(
        fmt::format("Elasticsearch {} answer is not a JSON object: {}", what, error));
  }
  return answer;
}

}  // namespace

std::size_t export_from_elasticsearch(const elasticsearch::es_config& cfg,
                                      const export_query& query, const record_sink& sink) {
  const std::size_t max_records = max_records_of(query);
  const std::size_t page = std::min(max_page, max_records);
  const auto at = elasticsearch::wire::resolve_endpoint(cfg);
  const auto headers = elasticsearch::wire::request_headers(cfg, at, false);
  auto options = elasticsearch::wire::client_options(cfg);
  options.max_body_bytes = std::size_t{1} << 31;  // a page of 1000 whole documents
  detail::http_client http(options);

  const std::string body = fmt::format(
      "{{\"query\": {{\"bool\": {{\"must\": [{{\"match\": {{\"client_id\": {}}}}}, {{\"match\": "
      "{{\"workload_id\": "
      "{}}}}}]}}}}, \"sort\": [{{\"timestamp\": {{\"order\": \"desc\"}}}}], \"size\": {}}}",
      pyjson::quote(query.client_id), pyjson::quote(query.workload_id), page);
  const std::string search_url =
      fmt::format("{}/{}/_search?scroll={}", at.base, detail::url_escape(cfg.index), scroll_keep);
  const pyjson::value first = parse_answer(http.post(search_url, body, headers), "search");

  std::size_t delivered = 0;
  std::string scroll_id;
  if (const pyjson::value* id = first.find("_scroll_id"); id && id->is_str()) scroll_id = id->text;
  const auto clear = [&] {
    if (scroll_id.empty()) return;
    (void)http.send_body(at.base + "/_search/scroll",
                         fmt::format("{{\"scroll_id\": {}}}", pyjson::quote(scroll_id)), headers,
                         "DELETE");  // best effort, as the blueprint: the context expires anyway
  };
  try {
    std::size_t last = deliver_hits(first, max_records, sink, delivered);
    // Stop at a short page: the scroll has no more hits (the blueprint asks once more).
    while (!scroll_id.empty() && last == page && delivered < max_records) {
      const pyjson::value next =
          parse_answer(http.post(at.base + "/_search/scroll",
                                 fmt::format("{{\"scroll\": \"{}\", \"scroll_id\": {}}}",
                                             scroll_keep, pyjson::quote(scroll_id)),
                                 headers),
                       "scroll");
      last = deliver_hits(next, max_records - delivered, sink, delivered);
      const pyjson::value* id = next.find("_scroll_id");
      if (!id || !id->is_str()) break;  // scroll context lost: keep what was read
      scroll_id = id->text;
    }
  } catch (...) {
    clear();
    throw;
  }
  clear();
  return delivered;
}

// ---------------------------------------------------------------------------------------------
// local files

namespace {

/// The record's `timestamp` for sorting: epoch seconds, or -inf when missing or unreadable
/// (sorted last, as Elasticsearch sorts missing values).
double timestamp_of(const pyjson::value& doc) {
  const pyjson::value* t = doc.find("timestamp");
  if (!t) return -std::numeric_limits<double>::infinity();
  switch (t->type) {
    case pyjson::kind::integer:
      return std::strtod(t->text.c_str(), nullptr);
    case pyjson::kind::real:
      return std::isnan(t->real) ? -std::numeric_limits<double>::infinity() : t->real;
    case pyjson::kind::string: {
      std::int64_t ns = 0;
      return parse_timestamp(t->text, ns) ? -std::numeric_limits<double>::infinity()
                                          : static_cast<double>(ns) / 1e9;
    }
    default:
      return -std::numeric_limits<double>::infinity();
  }
}

struct candidate {
  double timestamp;
  std::size_t order;  // write order: later written first among equal timestamps
  std::string text;
};

/// "Newer" ranks first: larger timestamp, then later write.
bool newer(const candidate& a, const candidate& b) {
  if (a.timestamp != b.timestamp) return a.timestamp > b.timestamp;
  return a.order > b.order;
}

std::vector<fs::path> segment_files(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const fs::path& d : {dir / "flywheel", dir}) {
    if (!fs::is_directory(d, ec)) continue;
    for (const auto& entry : fs::directory_iterator(d, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with(spool_segment_prefix) && name.ends_with(spool_segment_extension) &&
          entry.is_regular_file(ec)) {
        files.push_back(entry.path());
      }
    }
    if (!files.empty()) break;
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::size_t export_from_files(const fs::path& data_dir, const export_query& query,
                              const record_sink& sink, std::size_t* skipped) {
  const std::size_t max_records = max_records_of(query);
  const std::vector<fs::path> files = segment_files(data_dir);
  if (files.empty()) {
    throw dataset_error(fmt::format("no Flywheel files ({}*{}) in {} or {}/flywheel",
                                    spool_segment_prefix, spool_segment_extension,
                                    data_dir.string(), data_dir.string()));
  }
  // A bounded heap of the newest candidates: the oldest kept one on top.
  const auto older_on_top = [](const candidate& a, const candidate& b) { return newer(a, b); };
  std::priority_queue<candidate, std::vector<candidate>, decltype(older_on_top)> kept(older_on_top);
  std::size_t order = 0, bad = 0;
  std::string line, error;
  pyjson::value doc;
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
      throw dataset_error(fmt::format("cannot read {}: {}", file.string(), std::strerror(errno)));
    while (std::getline(in, line)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const spool_line parts = split_spool_line(line);
      ++order;
      if (!pyjson::parse(parts.document, doc, error) || !doc.is_dict()) {
        ++bad;
        continue;
      }
      const pyjson::value* client = doc.find("client_id");
      const pyjson::value* workload = doc.find("workload_id");
      if (!client || !workload || !client->equals(query.client_id) ||
          !workload->equals(query.workload_id))
        continue;
      candidate c{timestamp_of(doc), order, {}};
      if (kept.size() == max_records && !newer(c, kept.top())) continue;
      c.text = pyjson::dumps(doc);
      kept.push(std::move(c));
      if (kept.size() > max_records) kept.pop();
    }
    if (in.bad())
      throw dataset_error(fmt::format("cannot read {}: {}", file.string(), std::strerror(errno)));
  }
  std::vector<candidate> out;
  out.reserve(kept.size());
  while (!kept.empty()) {
    out.push_back(std::move(const_cast<candidate&>(kept.top())));
    kept.pop();
  }
  std::reverse(out.begin(), out.end());  // newest first
  for (const candidate& c : out) sink(c.text);
  if (skipped) *skipped = bad;
  return out.size();
}

}  // namespace dial_analytics::flywheel
