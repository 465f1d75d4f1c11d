// SPDX-License-Identifier: Apache-2.0
// Line protocol in, totals out: one pass, maps keyed by the names the dashboards group by.
#include <dial_analytics/report.hpp>

#include <dial_analytics/input/timestamp.hpp>
#include <dial_analytics/json.hpp>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "report/points.hpp"
#include "report/report_format.hpp"

namespace dial_analytics::report {
namespace {

using lp::lookup;
using lp::number_of;
using lp::parse_line;
using lp::point;
using lp::text_of;

constexpr std::int64_t hour_ns = 3600LL * 1000000000LL;
constexpr std::int64_t day_ns = 24 * hour_ns;

struct tally {
  std::uint64_t requests = 0, prompt = 0, completion = 0;
  double cost = 0;
  void add(std::uint64_t p, std::uint64_t c, double money) {
    ++requests;
    prompt += p;
    completion += c;
    cost += money;
  }
};

std::vector<breakdown_row> rows(const std::unordered_map<std::string, tally>& m, bool by_cost,
                                std::size_t top = 0) {
  std::vector<breakdown_row> out;
  out.reserve(m.size());
  for (const auto& [name, t] : m)
    out.push_back({lp::valid_utf8(name), t.requests, t.prompt, t.completion, t.cost});
  std::sort(out.begin(), out.end(), [by_cost](const breakdown_row& a, const breakdown_row& b) {
    if (by_cost && a.cost != b.cost) return a.cost > b.cost;
    if (a.requests != b.requests) return a.requests > b.requests;
    return a.name < b.name;
  });
  if (top && out.size() > top) out.resize(top);
  return out;
}

std::int64_t floor_to(std::int64_t t, std::int64_t step) {
  return t >= 0 ? t - t % step : t - ((t % step) + step) % step;
}

}  // namespace

struct aggregator::state {
  std::optional<std::int64_t> from, to;
  summary totals;
  std::unordered_map<std::string, tally> models, deployments, projects, users, languages, topics,
      mcp, routes, apis;
  std::unordered_set<std::string> user_set;
  std::map<std::int64_t, time_bucket> hours;
  point p;
};

aggregator::aggregator(std::optional<std::int64_t> from_ns, std::optional<std::int64_t> to_ns)
    : s_(std::make_unique<state>()) {
  s_->from = from_ns;
  s_->to = to_ns;
}
aggregator::~aggregator() = default;
aggregator::aggregator(aggregator&&) noexcept = default;
aggregator& aggregator::operator=(aggregator&&) noexcept = default;

void aggregator::add_text(std::string_view text) {
  lp::for_each_line(text, [this](std::string_view line) { add_line(line); });
}

void aggregator::add_line(std::string_view line) {
  line = lp::content_of(line);
  if (line.empty()) return;
  state& s = *s_;
  point& p = s.p;
  if (!parse_line(line, p)) {
    ++s.totals.unreadable_lines;
    return;
  }
  if ((s.from && p.time < *s.from) || (s.to && p.time >= *s.to)) return;
  ++s.totals.points;
  summary& t = s.totals;
  const auto field = [&](std::string_view name) { return lookup(p.fields, name); };
  // A tag, or a field of that name (points read back from InfluxDB carry every column as a field).
  const auto tag = [&](std::string_view name) {
    const std::string_view raw = lookup(p.tags, name);
    return text_of(raw.empty() ? lookup(p.fields, name) : raw);
  };
  if (p.measurement == "analytics") {
    const auto prompt = static_cast<std::uint64_t>(number_of(field("prompt_tokens")));
    const auto completion = static_cast<std::uint64_t>(number_of(field("completion_tokens")));
    const double price = number_of(field("price"));
    ++t.requests;
    t.prompt_tokens += prompt;
    t.completion_tokens += completion;
    t.cost += price;
    if (t.requests == 1 || p.time < t.first_ns) t.first_ns = p.time;
    if (t.requests == 1 || p.time > t.last_ns) t.last_ns = p.time;
    s.models[tag("model")].add(prompt, completion, price);
    s.deployments[tag("deployment")].add(prompt, completion, price);
    s.projects[tag("project_id")].add(prompt, completion, price);
    const std::string user = text_of(field("user_hash"));
    if (user.empty() || user == "undefined") {
      ++t.api_requests;
    } else {
      s.users[user].add(prompt, completion, price);
      s.user_set.insert(user);
    }
    if (std::string language = tag("language"); !language.empty() && language != "undefined")
      s.languages[language].add(prompt, completion, price);
    if (std::string topic = tag("topic"); !topic.empty() && topic != "undefined")
      s.topics[topic].add(prompt, completion, price);
    time_bucket& b = s.hours[floor_to(p.time, hour_ns)];
    ++b.requests;
    b.tokens += prompt + completion;
    b.cost += price;
  } else if (p.measurement == "rate_analytics") {
    t.likes += static_cast<std::uint64_t>(number_of(field("like_count")));
    t.dislikes += static_cast<std::uint64_t>(number_of(field("dislike_count")));
  } else if (p.measurement == "mcp_analytics") {
    std::string name = tag("mcp_method");
    const std::string tool = text_of(field("mcp_tool_call_name"));
    if (!tool.empty() && tool != "undefined") name += " " + tool;
    s.mcp[name].add(0, 0, 0);
  } else if (p.measurement == "routes_analytics") {
    std::string route = tag("route_path");
    if (route.empty()) route = text_of(field("route_path"));
    s.routes[route.empty() ? std::string("undefined") : route].add(0, 0, 0);
  } else if (p.measurement == "responses_analytics" ||
             p.measurement == "anthropic_messages_analytics") {
    s.apis[std::string(p.measurement)].add(
        static_cast<std::uint64_t>(number_of(field("prompt_tokens"))),
        static_cast<std::uint64_t>(number_of(field("completion_tokens"))),
        number_of(field("deployment_price")));
  }
}

summary aggregator::finish() const {
  const state& s = *s_;
  summary out = s.totals;
  out.from_ns = s.from.value_or(0);
  out.to_ns = s.to.value_or(0);
  out.unique_users = s.user_set.size();
  out.by_model = rows(s.models, true);
  out.by_deployment = rows(s.deployments, true);
  out.by_project = rows(s.projects, true);
  out.top_users = rows(s.users, true, 10);
  out.languages = rows(s.languages, false);
  out.topics = rows(s.topics, false, 20);
  out.mcp_tools = rows(s.mcp, false);
  out.routes = rows(s.routes, false);
  out.other_apis = rows(s.apis, true);
  if (!s.hours.empty()) {
    // Hours for up to 3 days, days for up to 120, else weeks: a readable number of bars.
    const std::int64_t first = s.hours.begin()->first, last = s.hours.rbegin()->first;
    const std::int64_t span = last - first;
    out.bucket_ns = span <= 3 * day_ns ? hour_ns : span <= 120 * day_ns ? day_ns : 7 * day_ns;
    const std::int64_t start = floor_to(first, out.bucket_ns);
    const std::int64_t end = floor_to(last, out.bucket_ns);
    for (std::int64_t b = start; b <= end; b += out.bucket_ns)
      out.over_time.push_back({b, 0, 0, 0});
    for (const auto& [hour, h] : s.hours) {
      time_bucket& b = out.over_time[static_cast<std::size_t>(
          (floor_to(hour, out.bucket_ns) - start) / out.bucket_ns)];
      b.requests += h.requests;
      b.tokens += h.tokens;
      b.cost += h.cost;
    }
  }
  return out;
}

std::optional<std::int64_t> parse_time(std::string_view text) {
  std::int64_t ns = 0;
  if (parse_timestamp(text, ns)) return std::nullopt;
  return ns;
}

// ---------------------------------------------------------------------------------------------

namespace {

void append_rows(std::string& out, std::string_view key, const std::vector<breakdown_row>& rs) {
  out += fmt::format(",\n  \"{}\": [", key);
  for (std::size_t i = 0; i < rs.size(); ++i) {
    const breakdown_row& r = rs[i];
    out += i ? ",\n    {\"name\": " : "\n    {\"name\": ";
    dial_analytics::append_json_string(out, r.name);
    out += fmt::format(
        ", \"requests\": {}, \"prompt_tokens\": {}, \"completion_tokens\": {}, \"cost\": {}}}",
        r.requests, r.prompt_tokens, r.completion_tokens, r.cost);
  }
  out += rs.empty() ? "]" : "\n  ]";
}

}  // namespace

std::string iso_time(std::int64_t ns) {
  const std::time_t seconds = floor_to(ns, 1000000000) / 1000000000;
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", tm);
}

std::string to_json(const summary& s) {
  std::string out = "{\n";
  out += fmt::format(
      "  \"requests\": {},\n  \"unique_users\": {},\n  \"prompt_tokens\": {},\n"
      "  \"completion_tokens\": {},\n  \"cost\": {},\n  \"api_requests\": {},\n",
      s.requests, s.unique_users, s.prompt_tokens, s.completion_tokens, s.cost, s.api_requests);
  out += fmt::format("  \"first_point\": {},\n  \"last_point\": {},\n",
                     s.requests ? "\"" + iso_time(s.first_ns) + "\"" : "null",
                     s.requests ? "\"" + iso_time(s.last_ns) + "\"" : "null");
  out += fmt::format("  \"from\": {},\n  \"to\": {},\n",
                     s.from_ns ? "\"" + iso_time(s.from_ns) + "\"" : "null",
                     s.to_ns ? "\"" + iso_time(s.to_ns) + "\"" : "null");
  out += fmt::format(
      "  \"likes\": {},\n  \"dislikes\": {},\n  \"points\": {},\n  \"unreadable_lines\": {}",
      s.likes, s.dislikes, s.points, s.unreadable_lines);
  append_rows(out, "by_model", s.by_model);
  append_rows(out, "by_deployment", s.by_deployment);
  append_rows(out, "by_project", s.by_project);
  append_rows(out, "top_users", s.top_users);
  append_rows(out, "languages", s.languages);
  append_rows(out, "topics", s.topics);
  append_rows(out, "mcp_tools", s.mcp_tools);
  append_rows(out, "routes", s.routes);
  append_rows(out, "other_apis", s.other_apis);
  out += fmt::format(",\n  \"bucket_seconds\": {},\n  \"over_time\": [", s.bucket_ns / 1000000000);
  for (std::size_t i = 0; i < s.over_time.size(); ++i) {
    const time_bucket& b = s.over_time[i];
    out +=
        fmt::format("{}\n    {{\"start\": \"{}\", \"requests\": {}, \"tokens\": {}, \"cost\": {}}}",
                    i ? "," : "", iso_time(b.start_ns), b.requests, b.tokens, b.cost);
  }
  out += s.over_time.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

std::string to_text(const summary& s) {
  std::string out;
  out += fmt::format("DIAL usage {} .. {}\n", s.requests ? iso_time(s.first_ns) : "-",
                     s.requests ? iso_time(s.last_ns) : "-");
  out += fmt::format(
      "  requests {}  (API keys {})   unique users {}   prompt tokens {}   completion tokens {}   "
      "cost {:.4f}\n",
      s.requests, s.api_requests, s.unique_users, s.prompt_tokens, s.completion_tokens, s.cost);
  if (s.likes || s.dislikes)
    out += fmt::format("  ratings: {} likes, {} dislikes\n", s.likes, s.dislikes);
  const auto table = [&](std::string_view title, const std::vector<breakdown_row>& rs, bool money) {
    if (rs.empty()) return;
    out += fmt::format("\n{}\n", title);
    std::size_t width = 4;
    for (const auto& r : rs) width = std::max(width, std::min<std::size_t>(r.name.size(), 48));
    for (const auto& r : rs) {
      const std::string name = r.name.size() > 48 ? r.name.substr(0, 47) + "~" : r.name;
      if (money) {
        out += fmt::format("  {:<{}}  {:>8} req  {:>10} prompt  {:>10} completion  {:>12.4f}\n",
                           name, width, r.requests, r.prompt_tokens, r.completion_tokens, r.cost);
      } else {
        out += fmt::format("  {:<{}}  {:>8}\n", name, width, r.requests);
      }
    }
  };
  table("by model (cost)", s.by_model, true);
  table("by deployment (cost)", s.by_deployment, true);
  table("by project (cost)", s.by_project, true);
  table("top users (cost)", s.top_users, true);
  table("languages (requests)", s.languages, false);
  table("topics (requests)", s.topics, false);
  table("MCP calls", s.mcp_tools, false);
  table("routes", s.routes, false);
  table("Responses / Anthropic Messages (cost = deployment price)", s.other_apis, true);
  if (s.unreadable_lines)
    out +=
        fmt::format("\n{} line(s) were not line protocol and were skipped\n", s.unreadable_lines);
  return out;
}

}  // namespace dial_analytics::report
