// SPDX-License-Identifier: Apache-2.0
// Points read back from InfluxDB: each row of `SELECT *` becomes a line of line protocol (every
// column a field) for the same readers the files go through (the report, the rollups).
#include <dial_analytics/report.hpp>

#include <simdjson.h>

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "detail/curl_http.hpp"
#include "report/points.hpp"

namespace dial_analytics::report {
namespace {

constexpr std::int64_t day_ns = 86400LL * 1000000000LL;

void append_escaped(std::string& out, std::string_view s, std::string_view special) {
  for (const char c : s) {
    if (special.find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
}

/// One series of an answer as line-protocol lines.
void add_series(simdjson::dom::object series, const std::function<void(std::string_view)>& into) {
  std::string_view name;
  simdjson::dom::array columns, rows;
  if (series["name"].get(name) || series["columns"].get(columns) || series["values"].get(rows))
    return;
  std::vector<std::string_view> cols;
  for (simdjson::dom::element c : columns) {
    std::string_view text;
    cols.push_back(c.get(text) ? std::string_view() : text);
  }
  std::string line;
  for (simdjson::dom::element row : rows) {
    simdjson::dom::array values;
    if (row.get(values)) continue;
    line.clear();
    append_escaped(line, name, ", ");
    std::int64_t time = 0;
    bool first = true;
    std::size_t i = 0;
    for (simdjson::dom::element v : values) {
      const std::string_view col = i < cols.size() ? cols[i] : std::string_view();
      ++i;
      if (col == "time") {
        if (v.get(time) != simdjson::SUCCESS) time = 0;
        continue;
      }
      if (v.is_null() || col.empty()) continue;
      line.push_back(first ? ' ' : ',');
      first = false;
      append_escaped(line, col, ",= ");
      line.push_back('=');
      if (v.is_string()) {
        line.push_back('"');
        append_escaped(line, v.get_string().value_unsafe(), "\"\\");
        line.push_back('"');
      } else if (v.is_bool()) {
        line += v.get_bool().value_unsafe() ? "true" : "false";
      } else if (v.is_int64()) {
        line += std::to_string(v.get_int64().value_unsafe());
      } else if (v.is_uint64()) {
        line += std::to_string(v.get_uint64().value_unsafe());
      } else {
        line += fmt::format("{}", v.get_double().value_unsafe());
      }
    }
    if (first) continue;  // no values
    line += fmt::format(" {}", time);
    into(line);
  }
}

}  // namespace

namespace lp {

void read_influxdb_lines(const influx_source& source, std::int64_t from_ns, std::int64_t to_ns,
                         std::int64_t step_ns, const std::vector<std::string>& measurements,
                         const std::function<void(std::string_view)>& into,
                         const std::function<void(std::size_t, std::size_t)>& progress) {
  if (to_ns <= from_ns) throw std::runtime_error("the range is empty (--to must be after --from)");
  detail::http_client_options options;
  options.timeout = std::chrono::minutes(5);
  options.max_body_bytes = std::size_t{1} << 31;
  detail::http_client http(options);
  simdjson::dom::parser parser;
  const std::string base =
      detail::trim_slash(source.url) +
      "/query?epoch=ns&chunked=true&chunk_size=10000&db=" + detail::url_escape(source.database) +
      (source.username.empty() ? std::string()
                               : "&u=" + detail::url_escape(source.username) +
                                     "&p=" + detail::url_escape(source.password));
  const auto steps = static_cast<std::size_t>((to_ns - from_ns + step_ns - 1) / step_ns);
  std::size_t done = 0;
  for (std::int64_t start = from_ns; start < to_ns; start += step_ns) {
    const std::int64_t end = std::min(to_ns, start + step_ns);
    for (const std::string& m : measurements) {
      const std::string q =
          fmt::format("SELECT * FROM \"{}\" WHERE time >= {} AND time < {}", m, start, end);
      const detail::http_response r = http.get(base + "&q=" + detail::url_escape(q));
      if (r.status == 0)
        throw std::runtime_error(
            fmt::format("cannot reach InfluxDB at {}: {}", source.url, r.error));
      // Chunked: one JSON document per chunk of at most 10,000 rows, each but the last marked
      // "partial" (a max-row-limit does not apply to chunked queries). An answer whose last
      // document is still partial was cut short.
      const simdjson::padded_string body(r.body);
      simdjson::dom::document_stream docs;
      if (parser.parse_many(body, std::max<std::size_t>(body.size(), 1u << 20)).get(docs)) {
        throw std::runtime_error(
            fmt::format("InfluxDB answered HTTP {} with something that is not JSON: {}", r.status,
                        r.body.substr(0, 200)));
      }
      bool partial = false, any = false;
      for (auto d : docs) {
        simdjson::dom::element doc;
        if (d.get(doc)) {
          throw std::runtime_error(
              fmt::format("InfluxDB answered HTTP {} with something that is not JSON: {}", r.status,
                          r.body.substr(0, 200)));
        }
        any = true;
        std::string_view error;
        if (!doc["error"].get(error)) throw std::runtime_error(fmt::format("InfluxDB: {}", error));
        simdjson::dom::array results;
        if (doc["results"].get(results)) continue;
        partial = false;
        for (simdjson::dom::element result : results) {
          if (!result["error"].get(error)) {
            throw std::runtime_error(
                fmt::format("InfluxDB: {} (database {})", error, source.database));
          }
          bool cut = false;
          if (!result["partial"].get(cut) && cut) partial = true;
          simdjson::dom::array series;
          if (result["series"].get(series)) continue;
          for (simdjson::dom::element s : series) {
            simdjson::dom::object o;
            if (s.get(o)) continue;
            if (!o["partial"].get(cut) && cut) partial = true;
            add_series(o, into);
          }
        }
      }
      if (!any) {
        throw std::runtime_error(fmt::format("InfluxDB answered HTTP {} without a body{}", r.status,
                                             r.body.empty() ? "" : ": " + r.body));
      }
      if (partial) {
        throw std::runtime_error(
            fmt::format("InfluxDB cut its answer for {} between {} and {} short (partial "
                        "results); stopped there: check InfluxDB's log and its query limits",
                        m, start, end));
      }
      if (r.status != 200)
        throw std::runtime_error(fmt::format("InfluxDB answered HTTP {}", r.status));
    }
    if (progress) progress(++done, steps);
  }
}

}  // namespace lp

void read_influxdb(const influx_source& source, std::int64_t from_ns, std::int64_t to_ns,
                   aggregator& into,
                   const std::function<void(std::size_t, std::size_t)>& progress) {
  static const std::vector<std::string> measurements = {
      "analytics",        "rate_analytics",      "mcp_analytics",
      "routes_analytics", "responses_analytics", "anthropic_messages_analytics"};
  if (to_ns <= from_ns)
    throw std::runtime_error("the report's range is empty (--to must be after --from)");
  lp::read_influxdb_lines(
      source, from_ns, to_ns, day_ns, measurements,
      [&into](std::string_view line) { into.add_line(line); }, progress);
}

}  // namespace dial_analytics::report
