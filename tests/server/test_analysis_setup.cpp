// SPDX-License-Identifier: Apache-2.0
// The analysis set-up shared by the server and the command line tool.
#include "analysis_setup.hpp"

#include <catch2/catch.hpp>

#include <dial_analytics/error.hpp>

namespace apps = dial_analytics::apps;

TEST_CASE("language modes read and print as the settings spell them", "[apps]") {
  for (const auto mode :
       {apps::language_mode::cld2, apps::language_mode::cld2_only, apps::language_mode::none}) {
    CHECK(apps::parse_language_mode(apps::to_string(mode)) == mode);
  }
  CHECK_FALSE(apps::parse_language_mode("langid").has_value());
  CHECK_FALSE(apps::parse_language_mode("CLD2").has_value());
}

TEST_CASE("the command line tool's settings give an echo topic and no prices without a table",
          "[apps]") {
  apps::analysis_settings s;
  s.language = apps::language_mode::none;
  s.topic_model = "echo";
  const apps::setting_names cli{"--language", "--topic-model", "--model-rates"};
  const apps::analysis_objects a = apps::make_analysis(s, cli);
  CHECK(a.language == nullptr);
  REQUIRE(a.topic != nullptr);
  CHECK(a.topic->classify("what a model sees") == "what a model sees");
  CHECK(a.prices == nullptr);
  CHECK(a.analyzer().topic == a.topic.get());
  CHECK(a.notes.front() == "prices: as DIAL Core logs them (no --model-rates)");
  s.always_price = true;
  CHECK(apps::make_analysis(s, cli).prices != nullptr);
}

TEST_CASE("a rate table error names the setting as the caller spells it", "[apps]") {
  apps::analysis_settings s;
  s.language = apps::language_mode::none;
  s.model_rates_json = R"({"gpt-4": {"prompt_price": "free"}})";
  CHECK_THROWS_WITH(apps::make_analysis(s, {"--language", "--topic-model", "--model-rates"}),
                    Catch::StartsWith("--model-rates: entry \"gpt-4\""));
  s.model_rates_json.clear();
  s.model_rates_file = "/nonexistent/rates.json";
  CHECK_THROWS_AS(apps::make_analysis(s), dial_analytics::config_error);
  CHECK_THROWS_WITH(apps::make_analysis(s),
                    "MODEL_RATES: cannot read the rate table file /nonexistent/rates.json");
}
