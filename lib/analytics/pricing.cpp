// SPDX-License-Identifier: Apache-2.0
// MODEL_RATES price calculator and execution-path roll-up (issue #5).
#include <dial_analytics/analytics/pricing.hpp>

#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "detail/utf8.hpp"

namespace dial_analytics {
namespace {

using units_type = decimal::units_type;

constexpr units_type pow10(int n) {
  units_type v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}
constexpr units_type one = pow10(decimal::scale);
constexpr units_type max_units = one * pow10(18);  // 10^18 as a price: more is an error
constexpr units_type saturated = ~units_type{0};

}  // namespace

// ---- decimal ------------------------------------------------------------------------------------

std::optional<decimal> decimal::parse(std::string_view text) {
  // digits [. digits] [(e|E) [+|-] digits]
  std::size_t i = 0;
  units_type digits = 0;
  int fraction_digits = 0, significant = 0;
  bool any = false, dot = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any = true;
    if (significant > 0 || c != '0') ++significant;
    if (significant > 36) return std::nullopt;  // beyond any price we accept
    digits = digits * 10 + static_cast<units_type>(c - '0');
    if (dot) ++fraction_digits;
  }
  if (!any) return std::nullopt;
  int exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    if (i == text.size()) return std::nullopt;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      exponent = exponent * 10 + (text[i] - '0');
      if (exponent > 100) return std::nullopt;
    }
    if (negative) exponent = -exponent;
  }
  if (i != text.size()) return std::nullopt;
  // value = digits × 10^(exponent − fraction_digits); units = value × 10^18
  int shift = scale + exponent - fraction_digits;
  if (shift < 0) {
    // Only trailing zeros may be dropped: more than 18 fractional digits is an error.
    for (; shift < 0; ++shift) {
      if (digits % 10 != 0) return std::nullopt;
      digits /= 10;
    }
  }
  for (; shift > 0; --shift) {
    if (digits > max_units) return std::nullopt;
    digits *= 10;
  }
  if (digits > max_units) return std::nullopt;
  decimal d;
  d.units_ = digits;
  return d;
}

std::string decimal::to_string() const {
  auto integer = units_ / one;
  auto fraction = units_ % one;
  std::string int_text;
  do {
    int_text.insert(int_text.begin(), static_cast<char>('0' + static_cast<int>(integer % 10)));
    integer /= 10;
  } while (integer != 0);
  if (fraction == 0) return int_text;
  std::string frac_text(scale, '0');
  for (int k = scale - 1; k >= 0; --k) {
    frac_text[static_cast<std::size_t>(k)] =
        static_cast<char>('0' + static_cast<int>(fraction % 10));
    fraction /= 10;
  }
  while (frac_text.back() == '0') frac_text.pop_back();
  return int_text + "." + frac_text;
}

double decimal::to_double() const { return std::strtod(to_string().c_str(), nullptr); }

decimal decimal::times(std::int64_t n) const {
  decimal d;
  if (n <= 0) return d;
  if (__builtin_mul_overflow(units_, static_cast<units_type>(n), &d.units_)) d.units_ = saturated;
  return d;
}

decimal& decimal::operator+=(decimal other) {
  if (__builtin_add_overflow(units_, other.units_, &units_)) units_ = saturated;
  return *this;
}

// ---- rates --------------------------------------------------------------------------------------

const rate_prices& model_rate::prices_for(std::int64_t prompt_tokens) const {
  const rate_prices* chosen = &prices;
  for (const rate_tier& t : tiers)
    if (prompt_tokens > t.above_prompt_tokens) chosen = &t.prices;
  return *chosen;
}

namespace {

[[noreturn]] void bad_entry(std::string_view name, std::string_view problem) {
  throw rate_table_error(fmt::format("MODEL_RATES: entry \"{}\": {}", name, problem));
}

// A price given as a decimal string (or a JSON number, read through its shortest text).
decimal read_price(std::string_view name, std::string_view key, simdjson::dom::element v) {
  std::string text;
  std::string_view s;
  if (v.is_string()) {
    s = v.get_string().value_unsafe();
  } else if (v.is_int64() || v.is_uint64() || v.is_double()) {
    text = v.is_double() ? fmt::format("{}", v.get_double().value_unsafe())
                         : std::string(simdjson::minify(v));
    s = text;
  } else {
    bad_entry(name, fmt::format("{} must be a decimal string such as \"0.00003\"", key));
  }
  const auto d = decimal::parse(s);
  if (!d)
    bad_entry(name, fmt::format("{} \"{}\" is not a non-negative decimal number with at most 18 "
                                "decimal places",
                                key, s));
  return *d;
}

// Reads prices of an entry or a tier; `base` gives the defaults of missing keys.
rate_prices read_prices(std::string_view name, simdjson::dom::object obj, const rate_prices* base,
                        bool allow_tier_keys) {
  rate_prices p;
  bool has_prompt = false, has_cached = false, has_cache_write = false, has_completion = false;
  for (auto [key, value] : obj) {
    if (key == "prompt_price") {
      p.prompt = read_price(name, key, value);
      has_prompt = true;
    } else if (key == "completion_price") {
      p.completion = read_price(name, key, value);
      has_completion = true;
    } else if (key == "cached_prompt_price") {
      p.cached_prompt = read_price(name, key, value);
      has_cached = true;
    } else if (key == "cache_write_prompt_price") {
      p.cache_write_prompt = read_price(name, key, value);
      has_cache_write = true;
    } else if (!(allow_tier_keys ? key == "above_prompt_tokens"
                                 : (key == "unit" || key == "tiers"))) {
      bad_entry(name, fmt::format("unknown key \"{}\"", key));
    }
  }
  if (!has_prompt && base) p.prompt = base->prompt;
  if (!has_completion && base) p.completion = base->completion;
  // A missing cached or cache-write price: the tier's base's own, else the prompt price.
  if (!has_cached) p.cached_prompt = base && !has_prompt ? base->cached_prompt : p.prompt;
  if (!has_cache_write)
    p.cache_write_prompt = base && !has_prompt ? base->cache_write_prompt : p.prompt;
  return p;
}

}  // namespace

rate_table rate_table::parse(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (const auto error = parser.parse(padded).get(root))
    throw rate_table_error(
        fmt::format("MODEL_RATES is not valid JSON: {}", simdjson::error_message(error)));
  simdjson::dom::object entries;
  if (root.get_object().get(entries))
    throw rate_table_error("MODEL_RATES must be a JSON object: {\"<deployment or model>\": {...}}");
  rate_table table;
  for (auto [key, value] : entries) {
    const std::string name(key);
    simdjson::dom::object obj;
    if (value.get_object().get(obj)) bad_entry(name, "must be an object");
    model_rate rate;
    std::string_view unit = "token";
    if (auto u = obj["unit"]; u.error() == simdjson::SUCCESS) {
      if (!u.is_string()) bad_entry(name, "unit must be \"token\" or \"char_without_whitespace\"");
      unit = u.get_string().value_unsafe();
    }
    if (unit == "char_without_whitespace")
      rate.unit = rate_unit::char_without_whitespace;
    else if (unit != "token")
      bad_entry(name,
                fmt::format("unit \"{}\" is not \"token\" or \"char_without_whitespace\"", unit));
    rate.prices = read_prices(name, obj, nullptr, false);
    if (auto tiers = obj["tiers"]; tiers.error() == simdjson::SUCCESS) {
      simdjson::dom::array list;
      if (tiers.get_array().get(list)) bad_entry(name, "tiers must be a list");
      for (simdjson::dom::element t : list) {
        simdjson::dom::object tier_obj;
        if (t.get_object().get(tier_obj)) bad_entry(name, "each tier must be an object");
        std::int64_t above = 0;
        if (tier_obj["above_prompt_tokens"].get_int64().get(above) || above < 0)
          bad_entry(name, "each tier needs \"above_prompt_tokens\": a non-negative integer");
        rate.tiers.push_back({above, read_prices(name, tier_obj, &rate.prices, true)});
      }
      std::sort(rate.tiers.begin(), rate.tiers.end(), [](const rate_tier& a, const rate_tier& b) {
        return a.above_prompt_tokens < b.above_prompt_tokens;
      });
      for (std::size_t i = 1; i < rate.tiers.size(); ++i)
        if (rate.tiers[i].above_prompt_tokens == rate.tiers[i - 1].above_prompt_tokens)
          bad_entry(name, fmt::format("two tiers above {} prompt tokens",
                                      rate.tiers[i].above_prompt_tokens));
    }
    if (!table.rates_.emplace(name, std::move(rate)).second) bad_entry(name, "appears twice");
  }
  return table;
}

const model_rate* rate_table::find(std::string_view deployment, std::string_view model) const {
  if (auto it = rates_.find(deployment); it != rates_.end()) return &it->second;
  if (auto it = rates_.find(model); it != rates_.end()) return &it->second;
  return nullptr;
}

std::int64_t chars_without_spaces(std::string_view text) {
  const auto spaces = std::count(text.begin(), text.end(), ' ');
  return static_cast<std::int64_t>(detail::count_code_points(text)) - spaces;
}

decimal compute_cost(const model_rate& rate, const usage_counts& u) {
  if (rate.unit == rate_unit::char_without_whitespace) {
    const rate_prices& p = rate.prices;
    return p.prompt.times(u.prompt_chars) + p.completion.times(u.completion_chars);
  }
  const rate_prices& p = rate.prices_for(u.prompt_tokens);
  const std::int64_t cached = std::max<std::int64_t>(0, u.cached_prompt_tokens);
  const std::int64_t cache_write = std::max<std::int64_t>(0, u.cache_write_prompt_tokens);
  const std::int64_t plain = std::max<std::int64_t>(0, u.prompt_tokens - cached - cache_write);
  return p.prompt.times(plain) + p.cached_prompt.times(cached) +
         p.cache_write_prompt.times(cache_write) + p.completion.times(u.completion_tokens);
}

// ---- roll-up ------------------------------------------------------------------------------------

struct price_calculator::state {
  using clock = std::chrono::steady_clock;
  struct pending {
    decimal sum;
    std::uint64_t children = 0;
  };
  rollup_options options;
  std::mutex mutex;
  // (trace, parent span) → prices of children seen; and, separately, spans already completed
  // (so a child logged after its parent is counted, not left waiting).
  std::unordered_map<std::string, pending> waiting;
  std::deque<std::pair<clock::time_point, std::string>> waiting_order;
  std::unordered_set<std::string> completed;
  std::deque<std::pair<clock::time_point, std::string>> completed_order;
  price_stats stats;

  static std::string key(std::string_view trace, std::string_view span) {
    std::string k;
    k.reserve(trace.size() + span.size() + 1);
    k.append(trace).push_back('\x1f');
    k.append(span);
    return k;
  }

  void expire(clock::time_point now) {
    const auto too_old = [&](clock::time_point t) { return now - t > options.max_age; };
    while (!waiting_order.empty() &&
           (too_old(waiting_order.front().first) || waiting_order.size() > options.max_entries)) {
      if (auto it = waiting.find(waiting_order.front().second); it != waiting.end()) {
        stats.children_expired += it->second.children;
        waiting.erase(it);
      }
      waiting_order.pop_front();
    }
    while (!completed_order.empty() && (too_old(completed_order.front().first) ||
                                        completed_order.size() > options.max_entries)) {
      completed.erase(completed_order.front().second);
      completed_order.pop_front();
    }
  }

  // Adds the children waiting for `span`, then leaves `price` for its parent.
  decimal complete(const span_ids& span, decimal own_price, bool price_known) {
    const auto now = clock::now();
    expire(now);
    decimal children;
    if (span.trace_id.empty() || span.span_id.empty()) return children;
    std::string k = key(span.trace_id, span.span_id);
    if (auto it = waiting.find(k); it != waiting.end()) {
      children = it->second.sum;
      stats.children_claimed += it->second.children;
      ++stats.rolled_up;
      waiting.erase(it);  // its entry in waiting_order goes when it reaches the front
    }
    if (completed.insert(k).second) completed_order.emplace_back(now, std::move(k));
    if (!span.parent_span_id.empty() && price_known) {
      std::string parent = key(span.trace_id, span.parent_span_id);
      if (completed.count(parent)) {
        ++stats.late_children;
      } else {
        auto [it, inserted] = waiting.try_emplace(parent);
        it->second.sum += own_price + children;
        ++it->second.children;
        if (inserted) waiting_order.emplace_back(now, std::move(parent));
      }
    }
    expire(now);  // keep the bounds after adding
    return children;
  }
};

price_calculator::price_calculator(rate_table table, rollup_options options)
    : table_(std::move(table)), state_(std::make_unique<state>()) {
  state_->options = options;
}

price_calculator::~price_calculator() = default;

price_calculator::result price_calculator::price(const span_ids& span, const model_rate* rate,
                                                 const usage_counts& usage) {
  result r;
  if (rate != nullptr) r.deployment_price = compute_cost(*rate, usage);
  std::lock_guard lock(state_->mutex);
  if (rate != nullptr) ++state_->stats.computed;
  const auto before = state_->stats.rolled_up;
  r.price = r.deployment_price + state_->complete(span, r.deployment_price, true);
  r.has_children = state_->stats.rolled_up != before;
  return r;
}

void price_calculator::observe_core_price(const span_ids& span, double price,
                                          double deployment_price) {
  if (table_.empty()) {  // nothing is computed: no roll-up state to keep
    if (price < deployment_price) {
      std::lock_guard lock(state_->mutex);
      ++state_->stats.core_price_below_deployment_price;
    }
    return;
  }
  // Core's price as the decimal of its shortest text (what Python's repr would show).
  const auto as_decimal = decimal::parse(fmt::format("{}", price));
  std::lock_guard lock(state_->mutex);
  if (price < deployment_price) ++state_->stats.core_price_below_deployment_price;
  state_->complete(span, as_decimal.value_or(decimal()), as_decimal.has_value());
}

bool price_calculator::count_unpriced(std::string_view deployment) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->stats.unpriced.find(deployment);
  if (it == state_->stats.unpriced.end()) {
    state_->stats.unpriced.emplace(std::string(deployment), 1);
    return true;
  }
  ++it->second;
  return false;
}

price_stats price_calculator::stats() const {
  std::lock_guard lock(state_->mutex);
  return state_->stats;
}

}  // namespace dial_analytics
