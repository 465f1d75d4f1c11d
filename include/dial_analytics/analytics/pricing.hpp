// SPDX-License-Identifier: Apache-2.0
// Prices for records DIAL Core logs without them (issue #5, docs/pricing.md): a rate table
// (`MODEL_RATES`), exact decimal arithmetic, and the roll-up of child spans' prices into their
// parent's `price`.
//
// Thread-safety: a `rate_table` is immutable after parsing. `price_calculator` is safe to share
// between threads (one mutex around its roll-up state and counters).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dial_analytics {

/// An exact, non-negative decimal amount with 18 fractional digits (value = units × 10⁻¹⁸).
class decimal {
 public:
  __extension__ using units_type = unsigned __int128;
  static constexpr int scale = 18;

  constexpr decimal() = default;
  /// Parses `123`, `0.00003`, `3E-5`; nullopt for anything else, a negative number, more than
  /// 18 fractional digits or more than 10^18.
  static std::optional<decimal> parse(std::string_view text);

  /// The shortest exact decimal text: `0.00012`, `5`, `0`.
  [[nodiscard]] std::string to_string() const;
  /// The nearest double (as Python's float(Decimal)); only for encoding.
  [[nodiscard]] double to_double() const;

  /// `*this × n` (n < 0 counts as 0; saturates instead of overflowing).
  [[nodiscard]] decimal times(std::int64_t n) const;
  decimal& operator+=(decimal other);
  friend decimal operator+(decimal a, decimal b) { return a += b; }
  friend bool operator==(decimal a, decimal b) { return a.units_ == b.units_; }
  [[nodiscard]] bool is_zero() const { return units_ == 0; }

 private:
  units_type units_ = 0;
};

/// What a rate counts: tokens, or characters other than the ASCII space.
enum class rate_unit { token, char_without_whitespace };

/// Prices per unit. Cached and cache-write prompt prices default to the prompt price.
struct rate_prices {
  decimal prompt;
  decimal completion;
  decimal cached_prompt;
  decimal cache_write_prompt;
};

/// A context tier: applies when the request's prompt tokens are above `above_prompt_tokens`.
struct rate_tier {
  std::int64_t above_prompt_tokens = 0;
  rate_prices prices;
};

struct model_rate {
  rate_unit unit = rate_unit::token;
  rate_prices prices;
  std::vector<rate_tier> tiers;  ///< ascending thresholds

  /// The prices for a request with `prompt_tokens`: the tier with the largest threshold below
  /// them, else the base prices.
  [[nodiscard]] const rate_prices& prices_for(std::int64_t prompt_tokens) const;
};

/// A `MODEL_RATES` table that cannot be used; what() names the entry and the problem.
class rate_table_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Rates by deployment or model name.
class rate_table {
 public:
  rate_table() = default;
  /// Parses the JSON object of `MODEL_RATES` (docs/pricing.md). Throws rate_table_error.
  static rate_table parse(std::string_view json);

  /// The rate of `deployment`, else of `model`, else null (the reference's lookup order).
  [[nodiscard]] const model_rate* find(std::string_view deployment, std::string_view model) const;
  [[nodiscard]] std::size_t size() const { return rates_.size(); }
  [[nodiscard]] bool empty() const { return rates_.empty(); }

 private:
  std::map<std::string, model_rate, std::less<>> rates_;
};

/// What one record used: token counts from `token_usage` (prompt tokens include cached and
/// cache-write tokens) and, for character rates, the characters of request and response text.
struct usage_counts {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t cached_prompt_tokens = 0;
  std::int64_t cache_write_prompt_tokens = 0;
  std::int64_t prompt_chars = 0;
  std::int64_t completion_chars = 0;
};

/// The cost of one request at `rate`: cached and cache-write tokens at their prices, the rest of
/// the prompt at the prompt price, completion tokens at the completion price.
decimal compute_cost(const model_rate& rate, const usage_counts& usage);

/// Characters other than U+0020 (code points of UTF-8 text), as the reference counts them.
std::int64_t chars_without_spaces(std::string_view text);

/// Bounds of the roll-up state (docs/pricing.md).
struct rollup_options {
  std::size_t max_entries = 100000;   ///< pending parents and completed spans, each
  std::chrono::seconds max_age{600};  ///< an entry older than this expires
};

/// Counters of a price_calculator.
struct price_stats {
  std::uint64_t computed = 0;          ///< records priced from the rate table
  std::uint64_t rolled_up = 0;         ///< records whose price includes child spans
  std::uint64_t children_claimed = 0;  ///< child prices added to a parent's price
  std::uint64_t children_expired = 0;  ///< child prices whose parent never came (age/size)
  std::uint64_t late_children = 0;     ///< children logged after their parent: not rolled up
  std::uint64_t core_price_below_deployment_price = 0;         ///< Core's price < deployment_price
  std::map<std::string, std::uint64_t, std::less<>> unpriced;  ///< by deployment
};

/// A span of an execution path: ids from the record's `trace`.
struct span_ids {
  std::string_view trace_id;
  std::string_view span_id;
  std::string_view parent_span_id;  ///< empty for a root span
};

/// Computes prices for records without Core prices and rolls child spans' prices up.
class price_calculator {
 public:
  explicit price_calculator(rate_table table, rollup_options options = {});
  ~price_calculator();
  price_calculator(const price_calculator&) = delete;
  price_calculator& operator=(const price_calculator&) = delete;

  [[nodiscard]] const rate_table& table() const noexcept { return table_; }

  struct result {
    decimal deployment_price;   ///< this span's cost (0 without a rate)
    decimal price;              ///< plus the prices of its children seen before it
    bool has_children = false;  ///< some child span's price was added
  };
  /// A record without a Core price, with `rate` from table().find() — null for a span without
  /// a rate of its own, typically an application whose cost is its children's. Returns its
  /// prices and remembers its price for its parent span.
  result price(const span_ids& span, const model_rate* rate, const usage_counts& usage);

  /// A record with Core's prices: they stay as they are; the price is remembered for the parent
  /// and children waiting for this span are claimed. Counts price < deployment_price.
  void observe_core_price(const span_ids& span, double price, double deployment_price);

  /// A record with tokens but neither a Core price nor a rate. True the first time for this
  /// deployment (the caller warns once).
  bool count_unpriced(std::string_view deployment);

  [[nodiscard]] price_stats stats() const;

 private:
  struct state;
  rate_table table_;
  std::unique_ptr<state> state_;
};

}  // namespace dial_analytics
