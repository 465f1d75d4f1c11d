// SPDX-License-Identifier: Apache-2.0
// The `price` and `deployment_price` fields of a record: DIAL Core's prices when it logged them,
// otherwise (with a price calculator) the record priced from MODEL_RATES plus the prices of its
// child spans (docs/pricing.md).
#pragma once

#include <cstdint>

#include <dial_analytics/analytics/pricing.hpp>
#include <dial_analytics/input/router.hpp>

#include "analytics/diagnostics.hpp"
#include "analytics/point_builder.hpp"
#include "analytics/record_view.hpp"
#include "analytics/text_extraction.hpp"

namespace dial_analytics::detail {

/// How a measurement reads DIAL Core's prices from the usage. The reference reads them two ways,
/// which differ for a usage without `price`, with a null `deployment_price` or that is falsy but
/// not None.
enum class core_price_reading : std::uint8_t {
  /// analytics: `if usage is not None and usage.get("price") is not None`, then float(price) and
  /// float(deployment_price) when the key is present; both 0 otherwise.
  price_gates_both,
  /// responses and Anthropic Messages: each of `(token_usage or {}).get(key)` is float()-ed
  /// unless it is None, which gives 0.
  each_on_its_own,
};

/// Adds the price fields of records. One thread at a time.
class record_pricing {
 public:
  /// `prices` null: Core's prices as they are, 0 when absent.
  record_pricing(price_calculator* prices, const diagnostics& log) : prices_(prices), log_(log) {}
  record_pricing(const record_pricing&) = delete;
  record_pricing& operator=(const record_pricing&) = delete;

  /// Adds `price` then `deployment_price`. `usage` is the usage the measurement reads prices and
  /// token counts from. Raises (py_exception) where the reference's float() raises.
  void add_price_fields(point_builder& out, const record_view& record, record_type type,
                        const record_bodies& bodies, const py_value& usage,
                        core_price_reading reading);

 private:
  void apply_rates(const record_view& record, record_type type, const record_bodies& bodies,
                   const py_value& usage, double& price, double& deployment_price);

  price_calculator* prices_;
  const diagnostics& log_;
  pieces request_pieces_;  // reused for records priced per character
  pieces response_pieces_;
};

}  // namespace dial_analytics::detail
