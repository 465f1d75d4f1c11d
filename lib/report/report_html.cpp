// SPDX-License-Identifier: Apache-2.0
// The report as one HTML page: inline CSS and SVG only, so it opens offline, mails as one file
// and prints on A4.
#include <dial_analytics/report.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/report_format.hpp"

namespace dial_analytics::report {
namespace {

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\n':
        out += ' ';
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

/// 1234567 → "1,234,567"
std::string grouped(std::uint64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  const std::size_t n = digits.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i && (n - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

/// Money with as many decimals as small amounts need.
std::string money(double v) {
  if (v >= 100) return "$" + grouped(static_cast<std::uint64_t>(std::llround(v)));
  if (v >= 1) return fmt::format("${:.2f}", v);
  if (v == 0) return "$0";
  if (v < 0.0001) return "<$0.0001";
  return fmt::format("${:.4f}", v);
}

std::string short_name(std::string_view s, std::size_t max = 40) {
  if (s.size() <= max) return std::string(s);
  std::size_t cut = max - 1;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
    --cut;  // whole UTF-8 characters
  return std::string(s.substr(0, cut)) + "…";
}

const char* const palette[] = {"#2563eb", "#0891b2", "#16a34a", "#ca8a04", "#ea580c",
                               "#db2777", "#7c3aed", "#4b5563", "#0d9488", "#9333ea"};

/// Horizontal bars of `value(row)`, labelled with the name and `label(row)`.
template <typename Value, typename Label>
std::string bars(const std::vector<breakdown_row>& rows, Value value, Label label,
                 std::size_t max_rows = 10) {
  const std::size_t n = std::min(rows.size(), max_rows);
  if (n == 0) return "<p class=\"empty\">No data in this period.</p>";
  double top = 0;
  for (std::size_t i = 0; i < n; ++i) top = std::max(top, value(rows[i]));
  const int row_h = 26, width = 560, label_w = 190, bar_w = 250;
  std::string svg = fmt::format(
      "<svg class=\"bars\" viewBox=\"0 0 {} {}\" role=\"img\" "
      "xmlns=\"http://www.w3.org/2000/svg\">",
      width, static_cast<int>(n) * row_h + 4);
  for (std::size_t i = 0; i < n; ++i) {
    const breakdown_row& r = rows[i];
    const double v = value(r);
    const int w = top > 0 ? std::max(1, static_cast<int>(std::lround(v / top * bar_w))) : 1;
    const int y = static_cast<int>(i) * row_h + 2;
    svg += fmt::format(
        "<title>{}</title><text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"lbl\">{}</text>"
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"18\" rx=\"3\" fill=\"{}\"/>"
        "<text x=\"{}\" y=\"{}\" class=\"val\">{}</text>",
        html_escape(r.name), label_w - 8, y + 14, html_escape(short_name(r.name, 28)), label_w, y,
        w, palette[i % std::size(palette)], label_w + w + 6, y + 14, html_escape(label(r)));
  }
  svg += "</svg>";
  return svg;
}

std::string table(const std::vector<breakdown_row>& rows, std::string_view first, bool with_money,
                  std::size_t max_rows = 15) {
  if (rows.empty()) return {};
  std::string out = fmt::format("<table><thead><tr><th>{}</th><th>Requests</th>", first);
  out += with_money
             ? "<th>Prompt tokens</th><th>Completion tokens</th><th>Cost</th></tr></thead><tbody>"
             : "</tr></thead><tbody>";
  for (std::size_t i = 0; i < rows.size() && i < max_rows; ++i) {
    const breakdown_row& r = rows[i];
    out += fmt::format("<tr><td title=\"{}\">{}</td><td>{}</td>", html_escape(r.name),
                       html_escape(short_name(r.name)), grouped(r.requests));
    if (with_money) {
      out += fmt::format("<td>{}</td><td>{}</td><td>{}</td>", grouped(r.prompt_tokens),
                         grouped(r.completion_tokens), money(r.cost));
    }
    out += "</tr>";
  }
  if (rows.size() > max_rows) {
    out += fmt::format("<tr class=\"more\"><td colspan=\"{}\">and {} more</td></tr>",
                       with_money ? 5 : 2, rows.size() - max_rows);
  }
  out += "</tbody></table>";
  return out;
}

/// The smallest 1, 2, 2.5 or 5 × 10^k at least `v`, so that quarter marks are round numbers.
double nice_ceiling(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * p >= v) return m * p;
  }
  return 10 * p;
}

/// Requests per bucket as columns, cost as a line on its own scale.
std::string timeline(const summary& s) {
  if (s.over_time.empty()) return "<p class=\"empty\">No requests in this period.</p>";
  const int width = 1080, height = 220, left = 56, right = 64, top = 12, bottom = 34;
  const int plot_w = width - left - right, plot_h = height - top - bottom;
  std::uint64_t most = 1;
  double max_cost = 0;
  for (const time_bucket& b : s.over_time) {
    most = std::max(most, b.requests);
    max_cost = std::max(max_cost, b.cost);
  }
  // A whole number of requests per grid step: 1, 2, 3, 4, 5, 6, 8 × 10^k.
  std::uint64_t grid = 1;
  for (std::uint64_t p = 1; grid * 4 < most; p *= 10) {
    for (const std::uint64_t m : {1u, 2u, 3u, 4u, 5u, 6u, 8u}) {
      grid = m * p;
      if (grid * 4 >= most) break;
    }
  }
  const std::uint64_t max_req = grid * 4;
  if (max_cost > 0) max_cost = nice_ceiling(max_cost);
  const double step = static_cast<double>(plot_w) / static_cast<double>(s.over_time.size());
  std::string svg = fmt::format(
      "<svg class=\"timeline\" viewBox=\"0 0 {} {}\" role=\"img\" "
      "xmlns=\"http://www.w3.org/2000/svg\">",
      width, height);
  for (int g = 0; g <= 4; ++g) {  // grid and the requests axis
    const int y = top + plot_h - plot_h * g / 4;
    svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"grid\"/>", left, y,
                       left + plot_w, y);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"axis\">{}</text>",
                       left - 6, y + 4, grouped(max_req * static_cast<std::uint64_t>(g) / 4));
    if (max_cost > 0) {
      svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"axis cost\">{}</text>", left + plot_w + 6,
                         y + 4, money(max_cost * g / 4));
    }
  }
  std::string line;
  for (std::size_t i = 0; i < s.over_time.size(); ++i) {
    const time_bucket& b = s.over_time[i];
    const double x = left + step * static_cast<double>(i);
    const double h = static_cast<double>(plot_h) * static_cast<double>(b.requests) /
                     static_cast<double>(max_req);
    svg += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
        "class=\"col\"><title>{}: {} requests, "
        "{}</title></rect>",
        x + step * 0.12, top + plot_h - h, std::max(step * 0.76, 0.5), h, iso_time(b.start_ns),
        b.requests, money(b.cost));
    if (max_cost > 0) {
      line += fmt::format("{}{:.1f},{:.1f}", line.empty() ? "" : " ", x + step / 2,
                          top + plot_h - plot_h * b.cost / max_cost);
    }
  }
  if (!line.empty()) svg += fmt::format("<polyline points=\"{}\" class=\"costline\"/>", line);
  // A few date labels along the bottom.
  const std::size_t labels = std::min<std::size_t>(s.over_time.size(), 8);
  for (std::size_t k = 0; k < labels; ++k) {
    const std::size_t i = labels == 1 ? 0 : k * (s.over_time.size() - 1) / (labels - 1);
    std::string when = iso_time(s.over_time[i].start_ns);
    when = s.bucket_ns < 24LL * 3600 * 1000000000 ? when.substr(5, 11).replace(5, 1, " ")
                                                  : when.substr(0, 10);
    svg +=
        fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" class=\"axis\">{}</text>",
                    left + step * (static_cast<double>(i) + 0.5), height - 12, when);
  }
  svg += "</svg>";
  return svg;
}

constexpr std::string_view style = R"(
:root { --ink:#111827; --muted:#6b7280; --line:#e5e7eb; --accent:#2563eb; --card:#f9fafb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); background: #fff; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 24px 48px; }
header { display: flex; justify-content: space-between; align-items: baseline; flex-wrap: wrap;
         border-bottom: 3px solid var(--accent); padding-bottom: 10px; margin-bottom: 20px; }
h1 { font-size: 24px; margin: 0; letter-spacing: -0.01em; }
header .period { color: var(--muted); }
h2 { font-size: 16px; margin: 28px 0 10px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; }
.kpi { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.kpi .v { font-size: 24px; font-weight: 650; }
.kpi .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 28px; }
section { break-inside: avoid; }
svg { width: 100%; height: auto; display: block; }
svg text { font: 12px -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
svg .axis { fill: var(--muted); font-size: 11px; }
svg .cost { fill: #ea580c; }
svg .grid { stroke: var(--line); }
svg .col { fill: var(--accent); opacity: .85; }
svg .costline { fill: none; stroke: #ea580c; stroke-width: 2; }
svg .val { fill: var(--muted); }
.legend { color: var(--muted); font-size: 12px; margin: 4px 0 0; }
.legend b.req { color: var(--accent); } .legend b.cost { color: #ea580c; }
table { width: 100%; border-collapse: collapse; margin-top: 8px; font-variant-numeric: tabular-nums; }
th, td { text-align: right; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th:first-child, td:first-child { text-align: left; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
tr.more td { color: var(--muted); font-style: italic; }
.empty { color: var(--muted); font-style: italic; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media (max-width: 800px) { .grid2 { grid-template-columns: 1fr; } }
@media print { main { padding: 0; } .kpi { border-color: #ccc; } h2 { margin-top: 18px; } }
)";

}  // namespace

std::string to_html(const summary& s) {
  std::string period = s.requests ? iso_time(s.first_ns).substr(0, 16) + " – " +
                                        iso_time(s.last_ns).substr(0, 16) + " UTC"
                                  : "no requests";
  if (s.from_ns || s.to_ns) {
    period =
        fmt::format("{} – {} UTC (points {})", s.from_ns ? iso_time(s.from_ns).substr(0, 16) : "…",
                    s.to_ns ? iso_time(s.to_ns).substr(0, 16) : "…", period);
  }
  const std::string bucket = s.bucket_ns >= 7LL * 24 * 3600 * 1000000000 ? "week"
                             : s.bucket_ns >= 24LL * 3600 * 1000000000   ? "day"
                                                                         : "hour";
  std::string out;
  out.reserve(64 * 1024);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>DIAL usage and cost report</title><style>";
  out += style;
  out += "</style></head><body><main>\n";
  out +=
      fmt::format("<header><h1>DIAL usage and cost</h1><div class=\"period\">{}</div></header>\n",
                  html_escape(period));
  const auto kpi = [&](std::string_view key, const std::string& value, std::string_view id) {
    out += fmt::format(
        "<div class=\"kpi\"><div class=\"v\" id=\"{}\">{}</div><div class=\"k\">{}</div></div>", id,
        html_escape(value), key);
  };
  out += "<div class=\"kpis\">";
  kpi("Cost", money(s.cost), "total-cost");
  kpi("Requests", grouped(s.requests), "total-requests");
  kpi("Unique users", grouped(s.unique_users), "unique-users");
  kpi("Prompt tokens", grouped(s.prompt_tokens), "prompt-tokens");
  kpi("Completion tokens", grouped(s.completion_tokens), "completion-tokens");
  kpi("API-key requests", grouped(s.api_requests), "api-requests");
  if (s.likes || s.dislikes)
    kpi("Likes / dislikes", fmt::format("{} / {}", s.likes, s.dislikes), "ratings");
  out += "</div>\n";

  out += fmt::format(
      "<section><h2>Usage and cost per {}</h2>{}<p class=\"legend\"><b class=\"req\">■</b> "
      "requests "
      "(left axis) &nbsp; <b class=\"cost\">━</b> cost (right axis)</p></section>\n",
      bucket, timeline(s));

  const auto by_cost = [](const breakdown_row& r) { return r.cost; };
  const auto cost_label = [](const breakdown_row& r) { return money(r.cost); };
  const auto by_requests = [](const breakdown_row& r) { return static_cast<double>(r.requests); };
  const auto requests_label = [](const breakdown_row& r) { return grouped(r.requests) + " req"; };
  out += "<div class=\"grid2\">";
  out += fmt::format("<section><h2>Cost by model</h2>{}</section>",
                     bars(s.by_model, by_cost, cost_label));
  out += fmt::format("<section><h2>Cost by project</h2>{}</section>",
                     bars(s.by_project, by_cost, cost_label));
  out += "</div>\n";
  out += fmt::format("<section><h2>Models</h2>{}</section>\n", table(s.by_model, "Model", true));
  out += fmt::format("<section><h2>Deployments</h2>{}</section>\n",
                     table(s.by_deployment, "Deployment", true));
  out +=
      fmt::format("<section><h2>Projects</h2>{}</section>\n", table(s.by_project, "Project", true));
  out += fmt::format("<section><h2>Top users by cost (user hashes)</h2>{}</section>\n",
                     s.top_users.empty()
                         ? std::string("<p class=\"empty\">No user requests in this period.</p>")
                         : table(s.top_users, "User", true, 10));
  out += "<div class=\"grid2\">";
  out += fmt::format("<section><h2>Languages</h2>{}</section>",
                     bars(s.languages, by_requests, requests_label));
  out += fmt::format("<section><h2>Topics</h2>{}</section>",
                     bars(s.topics, by_requests, requests_label));
  out += "</div>\n";
  if (!s.mcp_tools.empty() || !s.routes.empty()) {
    out += "<div class=\"grid2\">";
    out += fmt::format("<section><h2>MCP calls</h2>{}</section>",
                       bars(s.mcp_tools, by_requests, requests_label));
    out += fmt::format("<section><h2>Routes</h2>{}</section>",
                       bars(s.routes, by_requests, requests_label));
    out += "</div>\n";
  }
  if (!s.other_apis.empty()) {
    out += fmt::format(
        "<section><h2>Responses and Anthropic Messages APIs (cost = deployment "
        "price)</h2>{}</section>\n",
        table(s.other_apis, "API", true));
  }
  out += fmt::format(
      "<footer>Made by dial-analytics report from {} points{}. Cost is the sum of each request's "
      "price as DIAL "
      "Core logged it (or as MODEL_RATES priced it); unique users are distinct user hashes, API "
      "keys left "
      "out.</footer>\n",
      grouped(s.points),
      s.unreadable_lines
          ? fmt::format(" ({} unreadable lines skipped)", grouped(s.unreadable_lines))
          : std::string());
  out += "</main></body></html>\n";
  return out;
}

}  // namespace dial_analytics::report
