// SPDX-License-Identifier: Apache-2.0
#include "analysis_setup.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <utility>

#include <dial_analytics/analytics/cld2_language_detector.hpp>
#include <dial_analytics/analytics/fasttext_topic_classifier.hpp>
#include <dial_analytics/error.hpp>

namespace dial_analytics::apps {
namespace {

// Rate table errors start with "MODEL_RATES: "; the caller's own name for the setting replaces it.
std::string_view without_rates_prefix(std::string_view what) {
  constexpr std::string_view prefix = "MODEL_RATES: ";
  if (what.starts_with(prefix)) what.remove_prefix(prefix.size());
  return what;
}

rate_table load_rates(const analysis_settings& s, const setting_names& names) {
  if (!s.model_rates_file.empty()) {
    std::ifstream in(s.model_rates_file);
    if (!in) {
      throw config_error(fmt::format("{}: cannot read the rate table file {}", names.model_rates,
                                     s.model_rates_file));
    }
    std::stringstream text;
    text << in.rdbuf();
    try {
      return rate_table::parse(text.str());
    } catch (const rate_table_error& e) {
      throw config_error(fmt::format("{}: {}: {}", names.model_rates, s.model_rates_file,
                                     without_rates_prefix(e.what())));
    }
  }
  if (s.model_rates_json.empty()) return {};
  try {
    return rate_table::parse(s.model_rates_json);
  } catch (const rate_table_error& e) {
    throw config_error(fmt::format("{}: {}", names.model_rates, without_rates_prefix(e.what())));
  }
}

void set_up_prices(const analysis_settings& s, const setting_names& names, analysis_objects& out) {
  rate_table rates = load_rates(s, names);
  out.notes.push_back(rates.empty()
                          ? fmt::format("prices: as DIAL Core logs them (no {})", names.model_rates)
                          : fmt::format("prices: {} {} entries for records without Core prices; "
                                        "roll-up keeps {} entries for {} s",
                                        rates.size(), names.model_rates, s.rollup.max_entries,
                                        s.rollup.max_age.count()));
  if (s.always_price || !rates.empty()) {
    out.prices = std::make_unique<price_calculator>(std::move(rates), s.rollup);
  }
}

void set_up_language(const analysis_settings& s, const setting_names& names,
                     analysis_objects& out) {
  if (s.language == language_mode::none) {
    out.notes.push_back(
        fmt::format("language detection: off ({}=none), language=undefined", names.language));
    return;
  }
  cld2_options options;
  options.use_model = s.language == language_mode::cld2;
  try {
    out.language = std::make_unique<cld2_language_detector>(options);
  } catch (const topic_model_error& e) {
    throw config_error(fmt::format("{}: {}", names.language, e.what()));
  }
  out.notes.push_back(
      options.use_model
          ? fmt::format("language detection: CLD2 + built-in fastText model ({}=cld2)",
                        names.language)
          : fmt::format("language detection: CLD2 alone ({}=cld2-only)", names.language));
}

void set_up_topics(const analysis_settings& s, const setting_names& names, analysis_objects& out) {
  if (s.topic_model.empty() || s.topic_model == "none") {
    out.notes.push_back(fmt::format("topics: off ({}{}), topic=undefined", names.topic_model,
                                    s.topic_model.empty() ? " unset" : "=none"));
    return;
  }
  if (s.topic_model == "echo") {
    out.topic = std::make_unique<echo_topic_classifier>();
    out.notes.push_back("topics: echo (the topic is the text a model would see)");
    return;
  }
  try {
    auto model = std::make_unique<fasttext_topic_classifier>(
        s.topic_model, fasttext_topic_options{.min_confidence = s.topic_min_confidence});
    out.notes.push_back(fmt::format("topics: {} ({} topics, min confidence {})", s.topic_model,
                                    model->labels().size(), s.topic_min_confidence));
    out.topic = std::move(model);
  } catch (const topic_model_error& e) {
    throw config_error(fmt::format("{}: {}", names.topic_model, e.what()));
  }
}

}  // namespace

std::optional<language_mode> parse_language_mode(std::string_view text) noexcept {
  if (text == "cld2") return language_mode::cld2;
  if (text == "cld2-only") return language_mode::cld2_only;
  if (text == "none") return language_mode::none;
  return std::nullopt;
}

std::string_view to_string(language_mode mode) noexcept {
  switch (mode) {
    case language_mode::cld2:
      return "cld2";
    case language_mode::cld2_only:
      return "cld2-only";
    case language_mode::none:
      return "none";
  }
  return "cld2";
}

analyzer_options analysis_objects::analyzer() const {
  analyzer_options o;
  o.language = language.get();
  o.topic = topic.get();
  o.prices = prices.get();
  o.schema = schema;
  o.times = times.get();
  return o;
}

analysis_objects make_analysis(const analysis_settings& settings, const setting_names& names) {
  analysis_objects out;
  // The start-up log lists prices, then language, then topics.
  set_up_prices(settings, names, out);
  set_up_language(settings, names, out);
  set_up_topics(settings, names, out);
  out.schema = settings.schema;
  if (settings.schema == point_schema::compact) {
    out.times = std::make_unique<unique_timestamps>();
    out.notes.push_back(
        "schema: compact (response_id, trace_id, core_span_id and core_parent_span_id are fields; "
        "timestamps unique per series)");
  }
  return out;
}

}  // namespace dial_analytics::apps
