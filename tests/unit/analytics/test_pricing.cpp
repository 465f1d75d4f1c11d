// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/analytics/pricing.hpp>

#include <catch2/catch.hpp>

#include <string>

#include "support/records.hpp"

namespace da = dial_analytics;
using test_support::json;

namespace {

// The rates of the reference's old tests (ai-dial-analytics-realtime's old rate-table tests;
// docs/pricing.md).
const char* reference_rates = R"({
  "gpt-4": {"unit": "token", "prompt_price": "0.00003", "completion_price": "0.00006"},
  "gpt-35-turbo": {"unit": "token", "prompt_price": "0.0000015", "completion_price": "0.000002"},
  "chat-bison@001": {"unit": "char_without_whitespace", "prompt_price": "0.0000005",
                     "completion_price": "0.0000005"},
  "chat-bison": {"unit": "char_without_whitespace", "prompt_price": "0.00005",
                 "completion_price": "0.00005"}
})";

std::string cost(const da::rate_table& t, const char* name, da::usage_counts u) {
  const da::model_rate* r = t.find(name, "");
  REQUIRE(r != nullptr);
  return da::compute_cost(*r, u).to_string();
}

da::decimal dec(const char* s) { return da::decimal::parse(s).value(); }

// A chat record for `deployment` with 2 prompt and 1 completion tokens and no price from Core
// (`token_usage` wins over the usage in the answer).
json unpriced_chat(const std::string& deployment, const std::string& user = "hi",
                   const std::string& assistant = "hello") {
  json r = test_support::chat_record_with(user, assistant);
  r["deployment"] = deployment;
  r["token_usage"] = json::obj({{"prompt_tokens", 2}, {"completion_tokens", 1}});
  return r;
}

// The line of `deployment` among sorted output lines.
const std::string& line_of(const std::vector<std::string>& lines, const std::string& deployment) {
  for (const std::string& l : lines)
    if (l.find(",deployment=" + deployment + ",") != std::string::npos) return l;
  FAIL("no line for " << deployment);
  throw;
}

std::string field(const std::string& line, const std::string& key) {
  const auto at = line.find("," + key + "=") != std::string::npos ? line.find("," + key + "=") + 1
                                                                  : line.find(" " + key + "=") + 1;
  const auto start = at + key.size() + 1;
  return line.substr(start, line.find_first_of(", ", start) - start);
}

}  // namespace

TEST_CASE("the reference's worked price examples come out exactly", "[pricing]") {
  const auto t = da::rate_table::parse(reference_rates);
  CHECK(cost(t, "gpt-4", {.prompt_tokens = 2, .completion_tokens = 1}) == "0.00012");
  CHECK(cost(t, "gpt-35-turbo", {.prompt_tokens = 2, .completion_tokens = 1}) == "0.000005");
  CHECK(cost(t, "chat-bison@001", {.prompt_chars = 2, .completion_chars = 5}) == "0.0000035");
  CHECK(cost(t, "chat-bison", {.prompt_chars = 2, .completion_chars = 5}) == "0.00035");
  CHECK(t.find("unknown-deployment", "unknown-model") == nullptr);
  CHECK(t.find("unknown-deployment", "gpt-4") == t.find("gpt-4", ""));  // then by model
}

TEST_CASE("records without Core prices are priced through the pipeline", "[pricing]") {
  da::price_calculator prices(da::rate_table::parse(reference_rates));
  json bison = unpriced_chat("chat-bison@001", "hi", "hello");
  json gpt4 = unpriced_chat("gpt-4");
  json unknown = unpriced_chat("mystery-model");
  const auto r = test_support::run_with({gpt4, bison, unknown, unknown}, nullptr, nullptr, &prices);
  REQUIRE(r.lines.size() == 4);
  CHECK(field(line_of(r.lines, "gpt-4"), "deployment_price") == "0.00012");
  CHECK(field(line_of(r.lines, "gpt-4"), "price") == "0.00012");
  CHECK(field(line_of(r.lines, "chat-bison@001"), "deployment_price") ==
        "3.5e-06");  // Python's repr of 0.0000035
  CHECK(field(line_of(r.lines, "mystery-model"), "price") == "0");
  std::vector<std::string> warnings;
  for (const std::string& log : r.logs)
    if (log.starts_with("WARNING ")) warnings.push_back(log);
  const auto stats = prices.stats();
  CHECK(stats.computed == 2);
  REQUIRE(stats.unpriced.count("mystery-model") == 1);
  CHECK(stats.unpriced.at("mystery-model") == 2);
  REQUIRE(warnings.size() == 1);  // once per deployment
  CHECK(warnings[0].find("mystery-model") != std::string::npos);
}

TEST_CASE("cached, cache-write and tiered prices", "[pricing]") {
  const auto t = da::rate_table::parse(R"({"claude": {
      "prompt_price": "0.000003", "completion_price": "0.000015",
      "cached_prompt_price": "0.0000003", "cache_write_prompt_price": "0.00000375",
      "tiers": [{"above_prompt_tokens": 200000, "prompt_price": "0.000006",
                 "completion_price": "0.0000225"}]}})");
  // 300 plain + 600 cached + 100 cache-write prompt tokens, 50 completion tokens.
  CHECK(cost(t, "claude",
             {.prompt_tokens = 1000,
              .completion_tokens = 50,
              .cached_prompt_tokens = 600,
              .cache_write_prompt_tokens = 100}) == "0.002205");
  // Exactly at the threshold: the base prices; above it: the tier's (its cached price defaults
  // to its own prompt price).
  CHECK(cost(t, "claude", {.prompt_tokens = 200000}) == "0.6");
  CHECK(cost(t, "claude", {.prompt_tokens = 250000, .completion_tokens = 1000}) == "1.5225");
  CHECK(cost(t, "claude", {.prompt_tokens = 250000, .cached_prompt_tokens = 50000}) == "1.5");
  // Without cached prices, cached tokens cost the prompt price (the old formula).
  const auto plain =
      da::rate_table::parse(R"({"m": {"prompt_price": "1", "completion_price": "2"}})");
  CHECK(cost(plain, "m",
             {.prompt_tokens = 10, .completion_tokens = 1, .cached_prompt_tokens = 4}) == "12");
}

TEST_CASE("decimal arithmetic is exact", "[pricing]") {
  CHECK((dec("0.1") + dec("0.2")).to_string() == "0.3");
  CHECK(dec("3E-5") == dec("0.00003"));
  CHECK(dec("1.50").to_string() == "1.5");
  CHECK(dec("0.000000000000000001").times(3).to_string() == "0.000000000000000003");
  CHECK(dec("0.00003").to_double() == 0.00003);
  for (const char* bad :
       {"", "-1", "abc", "1.2.3", "1e", "0.0000000000000000001", "1e30", "0x10"}) {
    CAPTURE(bad);
    CHECK_FALSE(da::decimal::parse(bad).has_value());
  }
  CHECK(da::chars_without_spaces("a b\tc\nd é") == 7);  // spaces only are skipped
}

TEST_CASE("a malformed rate table names the bad entry", "[pricing]") {
  using Catch::Contains;
  CHECK_THROWS_WITH(da::rate_table::parse("{"), Contains("not valid JSON"));
  CHECK_THROWS_WITH(da::rate_table::parse("[]"), Contains("must be a JSON object"));
  CHECK_THROWS_WITH(da::rate_table::parse(R"({"a": 1})"),
                    Contains("entry \"a\": must be an object"));
  CHECK_THROWS_WITH(da::rate_table::parse(R"({"a": {"unit": "word"}})"),
                    Contains("entry \"a\": unit \"word\""));
  CHECK_THROWS_WITH(da::rate_table::parse(R"({"a": {"prompt_price": "cheap"}})"),
                    Contains("entry \"a\": prompt_price \"cheap\""));
  CHECK_THROWS_WITH(da::rate_table::parse(R"({"a": {"prompt_price": "-0.1"}})"),
                    Contains("entry \"a\": prompt_price"));
  CHECK_THROWS_WITH(da::rate_table::parse(R"({"a": {"promt_price": "1"}})"),
                    Contains("unknown key \"promt_price\""));
  CHECK_THROWS_WITH(da::rate_table::parse(R"({"a": {"tiers": [{"prompt_price": "1"}]}})"),
                    Contains("above_prompt_tokens"));
  CHECK_THROWS_WITH(
      da::rate_table::parse(
          R"({"a": {"tiers": [{"above_prompt_tokens": 5}, {"above_prompt_tokens": 5}]}})"),
      Contains("two tiers above 5"));
  CHECK(da::rate_table::parse(R"({"a": {"prompt_price": 0.5}})").size() == 1);  // numbers too
}

TEST_CASE("a three-level trace arriving child-first rolls prices up to the root", "[pricing]") {
  da::price_calculator c(da::rate_table::parse(
      R"({"model": {"prompt_price": "0.001", "completion_price": "0"},
          "app": {"prompt_price": "0.0001", "completion_price": "0"}})"));
  const auto& model = *c.table().find("model", "");
  const auto& app = *c.table().find("app", "");
  // app A1 (root) → app A2 → model M; DIAL logs M first, then A2, then A1.
  const auto m = c.price({"t1", "M", "A2"}, &model, {.prompt_tokens = 1});
  CHECK(m.price.to_string() == "0.001");
  const auto a2 = c.price({"t1", "A2", "A1"}, &app, {.prompt_tokens = 2});
  CHECK(a2.deployment_price.to_string() == "0.0002");
  CHECK(a2.price.to_string() == "0.0012");
  const auto a1 = c.price({"t1", "A1", ""}, &app, {.prompt_tokens = 3});
  CHECK(a1.deployment_price.to_string() == "0.0003");
  CHECK(a1.price.to_string() == "0.0015");
  // A Core-priced child counts with Core's price.
  c.observe_core_price({"t2", "C", "P"}, 0.25, 0.25);
  CHECK(c.price({"t2", "P", ""}, &app, {.prompt_tokens = 10}).price.to_string() == "0.251");
  const auto s = c.stats();
  CHECK(s.rolled_up == 3);
  CHECK(s.children_claimed == 3);
  CHECK(s.late_children == 0);
  CHECK(s.children_expired == 0);
}

TEST_CASE("a trace arriving parent-first is not rolled up and is counted", "[pricing]") {
  da::price_calculator c(da::rate_table::parse(R"({"m": {"prompt_price": "1"}})"));
  const auto& m = *c.table().find("m", "");
  CHECK(c.price({"t", "P", ""}, &m, {.prompt_tokens = 1}).price.to_string() == "1");
  CHECK(c.price({"t", "C", "P"}, &m, {.prompt_tokens = 1}).price.to_string() == "1");
  CHECK(c.stats().late_children == 1);
  CHECK(c.stats().rolled_up == 0);
}

TEST_CASE("roll-up state is bounded and what expires unclaimed is counted", "[pricing]") {
  da::price_calculator c(da::rate_table::parse(R"({"m": {"prompt_price": "1"}})"),
                         {.max_entries = 2, .max_age = std::chrono::seconds(600)});
  const auto& m = *c.table().find("m", "");
  for (const char* parent : {"P1", "P2", "P3", "P4"})
    c.price({"t", std::string("child-of-") + parent, parent}, &m, {.prompt_tokens = 1});
  // P1 and P2 fell out when P3 and P4 arrived; P4's child is still there to claim.
  CHECK(c.stats().children_expired == 2);
  CHECK(c.price({"t", "P4", ""}, &m, {.prompt_tokens = 1}).price.to_string() == "2");
}

TEST_CASE("Core prices pass through unchanged and price below deployment price is counted",
          "[pricing]") {
  // The reference's default chat record carries Core prices; a rate for its deployment must not
  // change a byte.
  da::price_calculator prices(da::rate_table::parse(
      R"({"default-deployment": {"prompt_price": "1", "completion_price": "1"}})"));
  json priced = test_support::chat_record();
  priced["token_usage"] = test_support::full_token_usage();
  json cheaper = priced;
  cheaper["token_usage"]["price"] = 0.0001;  // below its deployment_price of 0.001
  const auto plain = test_support::run({priced});
  const auto with_rates = test_support::run_with({priced}, nullptr, nullptr, &prices);
  REQUIRE(plain.lines.size() == 1);
  CHECK(with_rates.lines == plain.lines);
  test_support::run_with({cheaper}, nullptr, nullptr, &prices);
  CHECK(prices.stats().core_price_below_deployment_price == 1);
  CHECK(prices.stats().computed == 0);
}

TEST_CASE("an application span without a rate of its own costs what its children cost",
          "[pricing]") {
  da::price_calculator c(da::rate_table::parse(R"({"model": {"prompt_price": "0.5"}})"));
  const auto& model = *c.table().find("model", "");
  c.price({"t", "M1", "APP"}, &model, {.prompt_tokens = 1});
  c.price({"t", "M2", "APP"}, &model, {.prompt_tokens = 2});
  const auto app = c.price({"t", "APP", ""}, nullptr, {.prompt_tokens = 3});
  CHECK(app.has_children);
  CHECK(app.deployment_price.is_zero());
  CHECK(app.price.to_string() == "1.5");
  const auto lonely = c.price({"t", "APP2", ""}, nullptr, {.prompt_tokens = 3});
  CHECK_FALSE(lonely.has_children);
  CHECK(lonely.price.is_zero());
  CHECK(c.stats().computed == 2);
}
