// SPDX-License-Identifier: Apache-2.0
// Turns the analysis settings shared by the server and the command line tool (language
// detection, topic model, rate table) into the objects an analyzer uses. The library never opens
// configuration files; this is the one place the apps do it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dial_analytics/analytics/analyzer.hpp>
#include <dial_analytics/analytics/classifiers.hpp>
#include <dial_analytics/analytics/pricing.hpp>

namespace dial_analytics::apps {

/// LANGUAGE_DETECTION / --language.
enum class language_mode {
  cld2,       ///< "cld2": CLD2 with the built-in fastText model's second opinion (default)
  cld2_only,  ///< "cld2-only": CLD2 alone
  none,       ///< "none": language=undefined
};

/// "cld2", "cld2-only" or "none"; nothing for other text.
[[nodiscard]] std::optional<language_mode> parse_language_mode(std::string_view text) noexcept;
[[nodiscard]] std::string_view to_string(language_mode mode) noexcept;

/// What the user asked for.
struct analysis_settings {
  language_mode language = language_mode::cld2;
  /// A fastText model path; "echo" (the topic is the text a model would see); empty or "none":
  /// no topic model.
  std::string topic_model;
  double topic_min_confidence = 0.5;
  std::string model_rates_file;  ///< a MODEL_RATES table file (wins over model_rates_json)
  std::string model_rates_json;  ///< a MODEL_RATES table as text
  /// Make a price calculator even without a rate table (the server: it counts unpriced records).
  bool always_price = false;
  rollup_options rollup;
  point_schema schema = point_schema::reference;  ///< SCHEMA / --schema
};

/// The analysis objects, owned; shareable by several threads (docs/topics.md, docs/pricing.md).
struct analysis_objects {
  std::unique_ptr<language_detector> language;
  std::unique_ptr<topic_classifier> topic;
  std::unique_ptr<price_calculator> prices;  ///< null without a table unless always_price
  point_schema schema = point_schema::reference;
  std::unique_ptr<unique_timestamps> times;  ///< the compact schema's, shared by every analyzer
  std::vector<std::string> notes;            ///< one line per choice, for the start-up log

  /// Options pointing at these objects (ids, log and threshold left default).
  [[nodiscard]] analyzer_options analyzer() const;
};

/// How errors and notes name the settings: {"LANGUAGE_DETECTION", "TOPIC_MODEL", "MODEL_RATES"}
/// for the server (the defaults), {"--language", "--topic-model", "--model-rates"} for the
/// command line tool.
struct setting_names {
  std::string_view language = "LANGUAGE_DETECTION";
  std::string_view topic_model = "TOPIC_MODEL";
  std::string_view model_rates = "MODEL_RATES";
};

/// Loads the models and the rate table; the notes say what was chosen, e.g. "topics: off
/// (TOPIC_MODEL unset), topic=undefined".
/// @throws config_error naming the setting and the file, e.g. "TOPIC_MODEL: topic model 'x' is
///         not a file …" or "MODEL_RATES: rates.json: entry \"gpt-4\": …".
[[nodiscard]] analysis_objects make_analysis(const analysis_settings& settings,
                                             const setting_names& names = {});

}  // namespace dial_analytics::apps
