// SPDX-License-Identifier: Apache-2.0
// Rollups: the raw `analytics` points of each aligned window aggregated in memory, written back
// as the reference's aggregate measurements (and the monthly ones), deterministically.
#include <dial_analytics/rollup.hpp>

#include <dial_analytics/analytics/line_protocol.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "report/points.hpp"

namespace dial_analytics::rollup {
namespace {

using report::lp::integer_of;
using report::lp::number_of;
using report::lp::text_of;

constexpr std::int64_t day_ns = 24 * hour_ns;

/// A sum of doubles with Neumaier's compensation: closer to the exact sum than adding in turn.
struct float_sum {
  double sum = 0, compensation = 0;
  void add(double x) {
    const double t = sum + x;
    compensation += std::fabs(sum) >= std::fabs(x) ? (sum - t) + x : (x - t) + sum;
    sum = t;
  }
  [[nodiscard]] double value() const { return sum + compensation; }
};

/// The values one point contributes.
struct raw_values {
  std::int64_t prompt = 0, completion = 0, messages = 0;
  double price = 0, deployment_price = 0;
};

struct stats_acc {
  std::vector<std::string> tags;
  std::int64_t prompt = 0, completion = 0, messages = 0, requests = 0;
  float_sum price, deployment_price;
  std::unordered_set<std::string> users;
};

struct topic_acc {
  std::vector<std::string> tags;
  std::int64_t prompt = 0, completion = 0, messages = 0, requests = 0;
  float_sum price;
};

struct class_acc {
  std::int64_t classes[6] = {};
  std::int64_t requests = 0, messages = 0;
};

struct kpi_acc {
  std::vector<std::string> tags;
  std::int64_t prompt = 0, completion = 0, requests = 0;
  float_sum cost;
};

struct window_acc {
  std::uint64_t points = 0;
  std::map<std::string, stats_acc> stats;
  std::map<std::string, topic_acc> topics;
  std::map<std::string, class_acc> classes;  // by user_type
  std::map<std::string, kpi_acc> kpi;
  std::map<std::string, std::int64_t> chats;
};

struct user_total {
  float_sum cost;
  std::int64_t requests = 0;
};

struct month_acc {
  std::uint64_t points = 0;
  std::int64_t requests = 0;
  float_sum cost;
  std::map<std::string, user_total> projects, users;
  std::map<std::string, float_sum> models;
};

/// The reference's prompt-token classes: class_1 >= 50000, class_2 > 10000, class_3 > 5000,
/// class_4 > 1000, class_5 > 100, class_6 the rest (every value in exactly one class).
int token_class(std::int64_t prompt) {
  if (prompt >= 50000) return 0;
  if (prompt > 10000) return 1;
  if (prompt > 5000) return 2;
  if (prompt > 1000) return 3;
  if (prompt > 100) return 4;
  return 5;
}

/// The tag values joined into a map key ('\0' cannot occur in InfluxDB tags).
std::string key_of(const std::vector<std::string>& values) {
  std::string key;
  for (const std::string& v : values) {
    key += v;
    key.push_back('\0');
  }
  return key;
}

/// Writes one point: `measurement,tag=value,... field=value,... time`.
class line_writer {
 public:
  line_writer(std::string& out, std::string_view measurement) : out_(out) {
    out_.append(measurement);
  }
  /// A tag (in key order; empty values are left out, as the service leaves them out).
  line_writer& tag(std::string_view key, std::string_view value) {
    // A trailing backslash would escape the separator after it (InfluxDB refuses the line):
    // dropped, as Telegraf does.
    while (!value.empty() && value.back() == '\\') value.remove_suffix(1);
    if (value.empty()) return *this;
    out_.push_back(',');
    out_.append(key);
    out_.push_back('=');
    append_escaped_tag(out_, value);
    return *this;
  }
  line_writer& integer(std::string_view key, std::int64_t v) {
    next(key);
    out_ += fmt::format("{}i", v);
    return *this;
  }
  line_writer& real(std::string_view key, double v) {
    next(key);
    append_field_float(out_, std::isfinite(v) ? v : 0.0);
    return *this;
  }
  line_writer& text(std::string_view key, std::string_view v) {
    next(key);
    out_.push_back('"');
    append_escaped_string(out_, v);
    out_.push_back('"');
    return *this;
  }
  void end(std::int64_t time) { out_ += fmt::format(" {}\n", time); }

 private:
  void next(std::string_view key) {
    out_.push_back(first_ ? ' ' : ',');
    first_ = false;
    out_.append(key);
    out_.push_back('=');
  }
  std::string& out_;
  bool first_ = true;
};

bool is_user(std::string_view user_hash) { return !user_hash.empty() && user_hash != "undefined"; }

/// Days since 1970-01-01 of a civil date, and back (Howard Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

void write_deciles(std::string& out, std::int64_t time,
                   const std::map<std::string, user_total>& users) {
  struct entry {
    std::string_view name;
    double cost;
    std::int64_t requests;
  };
  std::vector<entry> by_cost;
  by_cost.reserve(users.size());
  double total_cost = 0;
  std::int64_t total_requests = 0;
  for (const auto& [name, u] : users) {
    by_cost.push_back({name, u.cost.value(), u.requests});
    total_requests += u.requests;
  }
  if (by_cost.empty()) return;
  std::vector<entry> by_requests = by_cost;
  std::sort(by_cost.begin(), by_cost.end(), [](const entry& a, const entry& b) {
    if (a.cost != b.cost) return a.cost > b.cost;
    if (a.requests != b.requests) return a.requests > b.requests;
    return a.name < b.name;
  });
  std::sort(by_requests.begin(), by_requests.end(), [](const entry& a, const entry& b) {
    if (a.requests != b.requests) return a.requests > b.requests;
    if (a.cost != b.cost) return a.cost > b.cost;
    return a.name < b.name;
  });
  float_sum all;
  for (const entry& e : by_cost) all.add(e.cost);
  total_cost = all.value();
  const std::size_t n = by_cost.size();
  const auto ceil_div = [](std::size_t a, std::size_t b) { return (a + b - 1) / b; };
  const auto write = [&](std::string_view name, std::size_t lo, std::size_t hi) {
    float_sum cost;
    std::int64_t requests = 0;
    for (std::size_t i = lo; i < hi; ++i) {
      cost.add(by_cost[i].cost);
      requests += by_requests[i].requests;
    }
    line_writer(out, "default_agg_user_deciles")
        .tag("decile", name)
        .real("cost", cost.value())
        .real("cost_share", total_cost > 0 ? cost.value() / total_cost : 0.0)
        .integer("request_count", requests)
        .real("request_share", total_requests > 0 ? static_cast<double>(requests) /
                                                        static_cast<double>(total_requests)
                                                  : 0.0)
        .integer("user_count", static_cast<std::int64_t>(hi - lo))
        .end(time);
  };
  for (std::size_t k = 1; k <= 10; ++k)
    write(fmt::format("d{:02}", k), ceil_div((k - 1) * n, 10), ceil_div(k * n, 10));
  write("top1pct", 0, ceil_div(n, 100));
}

}  // namespace

std::int64_t window_floor(std::int64_t t, std::int64_t window_ns) {
  return floor_div(t, window_ns) * window_ns;
}

std::int64_t month_floor(std::int64_t t) {
  std::int64_t y = 0;
  unsigned m = 0;
  civil_from_days(floor_div(t, day_ns), y, m);
  return days_from_civil(y, m, 1) * day_ns;
}

std::int64_t next_month(std::int64_t month_start) {
  std::int64_t y = 0;
  unsigned m = 0;
  civil_from_days(floor_div(month_start, day_ns), y, m);
  return (m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1)) * day_ns;
}

struct builder::state {
  std::int64_t from = 0, to = 0, window = six_hours_ns;
  std::map<std::int64_t, window_acc> windows;
  std::map<std::int64_t, month_acc> months;  // only months wholly inside the range
  std::uint64_t points = 0, unreadable = 0;
  report::lp::point p;
};

builder::builder(std::int64_t from_ns, std::int64_t to_ns, std::int64_t window_ns)
    : s_(std::make_unique<state>()) {
  if (window_ns <= 0 || day_ns % window_ns != 0 || window_ns % hour_ns != 0)
    throw std::invalid_argument("the window must be a whole number of hours that divides 24");
  if (to_ns <= from_ns)
    throw std::invalid_argument("the range is empty: the end is not after the start");
  if (window_floor(from_ns, window_ns) != from_ns || window_floor(to_ns, window_ns) != to_ns)
    throw std::invalid_argument("the range must start and end on window boundaries");
  s_->from = from_ns;
  s_->to = to_ns;
  s_->window = window_ns;
  for (std::int64_t m = month_floor(from_ns); m < to_ns; m = next_month(m)) {
    if (m >= from_ns && next_month(m) <= to_ns) s_->months.emplace(m, month_acc{});
  }
}

builder::~builder() = default;
builder::builder(builder&&) noexcept = default;
builder& builder::operator=(builder&&) noexcept = default;

void builder::add_text(std::string_view text) {
  report::lp::for_each_line(text, [this](std::string_view line) { add_line(line); });
}

void builder::add_line(std::string_view line) {
  line = report::lp::content_of(line);
  if (line.empty()) return;
  state& s = *s_;
  report::lp::point& p = s.p;
  if (!report::lp::parse_line(line, p)) {
    ++s.unreadable;
    return;
  }
  if (p.measurement != "analytics" || p.time < s.from || p.time >= s.to) return;
  ++s.points;
  const auto field = [&](std::string_view key) { return report::lp::lookup(p.fields, key); };
  const auto tag = [&](std::string_view key) { return text_of(p.tag_or_field(key)); };
  raw_values v;
  v.prompt = integer_of(field("prompt_tokens"));
  v.completion = integer_of(field("completion_tokens"));
  v.messages = integer_of(field("number_request_messages"));
  v.price = number_of(field("price"));
  v.deployment_price = number_of(field("deployment_price"));
  std::string user = text_of(field("user_hash"));
  if (user.empty()) user = "undefined";
  std::string chat = text_of(field("chat_id"));
  if (chat.empty()) chat = "undefined";
  const std::string deployment = tag("deployment"), model = tag("model"),
                    project = tag("project_id"), parent = tag("parent_deployment"),
                    language = tag("language"), title = tag("title"), topic = tag("topic");

  window_acc& w = s.windows[window_floor(p.time, s.window)];
  ++w.points;
  {
    std::vector<std::string> tags = {deployment, language, model, parent, project};
    stats_acc& a = w.stats[key_of(tags)];
    if (a.tags.empty()) a.tags = std::move(tags);
    a.prompt += v.prompt;
    a.completion += v.completion;
    a.messages += v.messages;
    ++a.requests;
    a.price.add(v.price);
    a.deployment_price.add(v.deployment_price);
    a.users.insert(user);
  }
  {
    std::vector<std::string> tags = {model, title, topic};
    topic_acc& a = w.topics[key_of(tags)];
    if (a.tags.empty()) a.tags = std::move(tags);
    a.prompt += v.prompt;
    a.completion += v.completion;
    a.messages += v.messages;
    ++a.requests;
    a.price.add(v.price);
  }
  {
    class_acc& a = w.classes[user == "undefined" ? "project" : "user"];
    ++a.classes[token_class(v.prompt)];
    ++a.requests;
    a.messages += v.messages;
  }
  {
    std::vector<std::string> tags = {parent, project, title, user};
    kpi_acc& a = w.kpi[key_of(tags)];
    if (a.tags.empty()) a.tags = std::move(tags);
    a.prompt += v.prompt;
    a.completion += v.completion;
    ++a.requests;
    a.cost.add(v.price);
  }
  ++w.chats[chat];

  const auto month = s.months.find(month_floor(p.time));
  if (month != s.months.end()) {
    month_acc& m = month->second;
    ++m.points;
    ++m.requests;
    m.cost.add(v.price);
    if (!project.empty() && project != "undefined") {
      user_total& t = m.projects[project];
      t.cost.add(v.price);
      ++t.requests;
    }
    if (!model.empty()) m.models[model].add(v.price);
    if (is_user(user)) {
      user_total& t = m.users[user];
      t.cost.add(v.price);
      ++t.requests;
    }
  }
}

std::vector<std::int64_t> builder::windows() const {
  std::vector<std::int64_t> out;
  for (std::int64_t t = s_->from; t < s_->to; t += s_->window) out.push_back(t);
  return out;
}

std::uint64_t builder::points_in(std::int64_t window_start) const {
  const auto it = s_->windows.find(window_start);
  return it == s_->windows.end() ? 0 : it->second.points;
}

std::string builder::take_window(std::int64_t start) {
  const auto it = s_->windows.find(start);
  if (it == s_->windows.end()) return {};
  const window_acc w = std::move(it->second);
  s_->windows.erase(it);
  std::string out;
  for (const auto& [key, a] : w.stats) {
    line_writer(out, "default_agg_stats")
        .tag("deployment", a.tags[0])
        .tag("language", a.tags[1])
        .tag("model", a.tags[2])
        .tag("parent_deployment", a.tags[3])
        .tag("project_id", a.tags[4])
        .integer("completion_tokens", a.completion)
        .real("deployment_price", a.deployment_price.value())
        .integer("number_request_messages", a.messages)
        .real("price", a.price.value())
        .integer("prompt_tokens", a.prompt)
        .integer("request_count", a.requests)
        .integer("unique_user_count", static_cast<std::int64_t>(a.users.size()))
        .end(start);
  }
  for (const auto& [key, a] : w.topics) {
    line_writer(out, "default_agg_topic_2")
        .tag("model", a.tags[0])
        .tag("title", a.tags[1])
        .tag("topic", a.tags[2])
        .integer("completion_tokens", a.completion)
        .integer("number_request_messages", a.messages)
        .real("price", a.price.value())
        .integer("prompt_tokens", a.prompt)
        .integer("topic_count", a.requests)
        .end(start);
  }
  for (const auto& [user_type, a] : w.classes) {
    line_writer l(out, "default_agg_topic");
    l.tag("user_type", user_type);
    for (int c = 0; c < 6; ++c) l.integer(fmt::format("class_{}", c + 1), a.classes[c]);
    l.integer("number_request_messages", a.messages).integer("topic_count", a.requests).end(start);
  }
  for (const auto& [key, a] : w.kpi) {
    line_writer(out, "default_agg_kpi")
        .tag("parent_deployment", a.tags[0])
        .tag("project_id", a.tags[1])
        .tag("title", a.tags[2])
        .tag("user_hash", a.tags[3])
        .integer("completion_tokens", a.completion)
        .real("cost", a.cost.value())
        .integer("prompt_tokens", a.prompt)
        .integer("request_count", a.requests)
        .text("user", a.tags[3])
        .end(start);
  }
  for (const auto& [chat, count] : w.chats) {
    line_writer(out, "default_agg_chatid")
        .tag("chat_id", chat)
        .integer("request_count", count)
        .end(start);
  }
  return out;
}

std::vector<std::int64_t> builder::months() const {
  std::vector<std::int64_t> out;
  for (const auto& [start, m] : s_->months) out.push_back(start);
  return out;
}

std::string builder::month_lines(std::int64_t start) const {
  const auto it = s_->months.find(start);
  if (it == s_->months.end() || it->second.points == 0) return {};
  const month_acc& m = it->second;
  std::string out;
  line_writer l(out, "default_agg_month");
  float_sum api_cost, model_cost, user_cost;
  std::int64_t api_requests = 0;
  for (const auto& [name, t] : m.projects) {
    api_cost.add(t.cost.value());
    api_requests += t.requests;
  }
  for (const auto& [name, cost] : m.models) model_cost.add(cost.value());
  for (const auto& [name, t] : m.users) user_cost.add(t.cost.value());
  const auto apis = static_cast<std::int64_t>(m.projects.size());
  const auto models = static_cast<std::int64_t>(m.models.size());
  const auto users = static_cast<std::int64_t>(m.users.size());
  l.integer("active_apis", apis);
  if (apis > 0) {
    l.real("avg_cost_per_api", api_cost.value() / static_cast<double>(apis))
        .real("avg_rc_per_api", static_cast<double>(api_requests) / static_cast<double>(apis));
  }
  if (models > 0) l.real("avg_cost_per_model", model_cost.value() / static_cast<double>(models));
  if (users > 0) l.real("avg_cost_per_user", user_cost.value() / static_cast<double>(users));
  l.integer("request_count", m.requests)
      .real("total_cost", m.cost.value())
      .real("total_cost_per_api", api_cost.value())
      .real("total_cost_per_model", model_cost.value())
      .integer("total_rc_per_api", api_requests)
      .real("total_user_cost", user_cost.value())
      .integer("unique_users", users)
      .end(start);
  write_deciles(out, start, m.users);
  return out;
}

std::uint64_t builder::points() const { return s_->points; }
std::int64_t builder::from() const { return s_->from; }
std::int64_t builder::to() const { return s_->to; }
std::int64_t builder::window() const { return s_->window; }

void read_influxdb(const report::influx_source& source, builder& into,
                   const std::function<void(std::size_t)>& window_done) {
  report::lp::read_influxdb_lines(
      source, into.from(), into.to(), into.window(), {"analytics"},
      [&into](std::string_view line) { into.add_line(line); },
      [&window_done](std::size_t done, std::size_t) {
        if (window_done) window_done(done - 1);
      });
}
std::uint64_t builder::unreadable_lines() const { return s_->unreadable; }

}  // namespace dial_analytics::rollup
