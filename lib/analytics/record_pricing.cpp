// SPDX-License-Identifier: Apache-2.0
// Price fields of a record: Core's prices, or MODEL_RATES and child-span roll-up
// (docs/pricing.md).
#include "analytics/record_pricing.hpp"

#include <string_view>

#include <fmt/format.h>

#include "analytics/text_features.hpp"

namespace dial_analytics::detail {

namespace {

[[nodiscard]] std::string_view str_or_empty(const py_value& v) { return v.is_str() ? v.str() : ""; }

// A token count as the price calculator takes it: a number clamped to [0, 1e15], 0 for
// anything else.
[[nodiscard]] std::int64_t count_of(const py_value& v) {
  if (v.is_none() || v.is_str()) return 0;
  try {
    const double d = py_float(v);
    return d >= 1e15 ? static_cast<std::int64_t>(1e15) : d > 0 ? static_cast<std::int64_t>(d) : 0;
  } catch (...) {
    return 0;
  }
}

[[nodiscard]] usage_counts counts_of(const py_value& usage) {
  usage_counts u;
  if (!usage.is_dict()) return u;
  u.prompt_tokens = count_of(usage.get("prompt_tokens"));
  u.completion_tokens = count_of(usage.get("completion_tokens"));
  const py_value details = usage.get("prompt_tokens_details");
  if (details.is_dict()) {
    u.cached_prompt_tokens = count_of(details.get("cached_tokens"));
    u.cache_write_prompt_tokens = count_of(details.get("cache_write_tokens"));
  }
  return u;
}

// Characters without whitespace of "\n".join(pieces): each separator counts as one.
[[nodiscard]] std::int64_t chars_of(const pieces& text) {
  std::int64_t n = text.empty() ? 0 : static_cast<std::int64_t>(text.size()) - 1;
  for (std::string_view piece : text) n += chars_without_spaces(piece);
  return n;
}

// Core's prices, as `reading` says, or 0.
void read_core_prices(const py_value& usage, core_price_reading reading, double& price,
                      double& deployment_price) {
  price = 0;
  deployment_price = 0;
  if (reading == core_price_reading::price_gates_both) {
    if (!usage.is_none() && !usage.get("price").is_none()) {
      price = py_float(usage["price"]);
      deployment_price =
          usage.contains("deployment_price") ? py_float(usage["deployment_price"]) : 0.0;
    }
    return;
  }
  if (!usage.truthy()) return;
  const py_value core_price = usage.get("price");
  price = core_price.is_none() ? 0.0 : py_float(core_price);
  const py_value core_deployment_price = usage.get("deployment_price");
  deployment_price = core_deployment_price.is_none() ? 0.0 : py_float(core_deployment_price);
}

}  // namespace

void record_pricing::add_price_fields(point_builder& out, const record_view& record,
                                      record_type type, const record_bodies& bodies,
                                      const py_value& usage, core_price_reading reading) {
  double price = 0;
  double deployment_price = 0;
  read_core_prices(usage, reading, price, deployment_price);
  apply_rates(record, type, bodies, usage, price, deployment_price);
  out.add_field("price", field_value::floating(price));
  out.add_field("deployment_price", field_value::floating(deployment_price));
}

// Leaves Core's prices as they are when it gave them; otherwise prices the record from the rate
// table and adds the prices of child spans seen before it.
void record_pricing::apply_rates(const record_view& record, record_type type,
                                 const record_bodies& bodies, const py_value& usage, double& price,
                                 double& deployment_price) {
  if (prices_ == nullptr) return;
  span_ids span;
  if (record.trace.is_dict()) {
    span.trace_id = str_or_empty(record.trace.get("trace_id"));
    span.span_id = str_or_empty(record.trace.get("core_span_id"));
    span.parent_span_id = str_or_empty(record.trace.get("core_parent_span_id"));
  }
  if (usage.truthy() && !usage.get("price").is_none()) {
    prices_->observe_core_price(span, price, deployment_price);
    return;
  }
  usage_counts u = counts_of(usage);
  const std::string_view deployment = str_or_empty(record.deployment);
  const std::string_view model = str_or_empty(bodies.model);
  const model_rate* rate = prices_->table().find(deployment, model);
  if (rate != nullptr && rate->unit == rate_unit::char_without_whitespace) {
    // The reference does not price by characters: this extraction must not add log lines to
    // the ones the labels' extraction writes.
    static const extraction_log silent = [](bool, std::string_view) {};
    request_pieces_.clear();
    response_pieces_.clear();
    extract_texts(type, bodies.request, bodies.response, request_pieces_, response_pieces_, silent);
    u.prompt_chars = chars_of(request_pieces_);
    u.completion_chars = chars_of(response_pieces_);
  }
  // Without any rates there is nothing to compute and nothing to roll up.
  const price_calculator::result r =
      prices_->table().empty() ? price_calculator::result{} : prices_->price(span, rate, u);
  if (rate == nullptr && !r.has_children && (u.prompt_tokens > 0 || u.completion_tokens > 0) &&
      prices_->count_unpriced(deployment) && log_.wants(log_level::warning)) {
    log_.log(log_level::warning,
             fmt::format("no price from DIAL Core and no MODEL_RATES entry for deployment '{}' "
                         "(model '{}'): its prices are written as 0 (docs/pricing.md)",
                         deployment, model));
  }
  if (rate == nullptr && !r.has_children) return;
  deployment_price = r.deployment_price.to_double();
  price = r.price.to_double();
}

}  // namespace dial_analytics::detail
