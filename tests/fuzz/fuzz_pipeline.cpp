// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: any body, in each framing, through the whole pipeline (framing, record
// decoding, routing, analysis with language, echo topics and prices, line protocol). The pipeline
// promises never to throw and never to crash on bad data; the sanitizers check memory and UB.
#include <dial_analytics/dial_analytics.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace da = dial_analytics;

namespace {

constexpr std::string_view rates = R"({"gpt-4":{"unit":"token","prompt_price":"0.00003",
"completion_price":"0.00006","tiers":[{"above_prompt_tokens":1000,"prompt_price":"0.00006",
"completion_price":"0.0001"}]},"chat-bison":{"unit":"char_without_whitespace",
"prompt_price":"1E-7","completion_price":"2E-7"}})";

struct harness {
  da::cld2_language_detector language{da::cld2_options{.use_model = false}};
  da::echo_topic_classifier topic;
  da::sequential_id_generator ids;
  da::price_calculator prices{da::rate_table::parse(rates)};
  da::line_buffer_sink sink;
  da::pipeline pipeline{sink, options()};
  std::vector<da::event_status> statuses;
  std::string reply;

  da::pipeline_options options() {
    da::pipeline_options o;
    o.analysis.language = &language;
    o.analysis.topic = &topic;
    o.analysis.ids = &ids;
    o.analysis.prices = &prices;
    o.analysis.log = [](da::log_level, std::string_view) {};
    o.max_logged_errors = 3;
    return o;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static harness h;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (auto format :
       {da::input_format::auto_detect, da::input_format::json_array, da::input_format::ndjson}) {
    h.sink.clear();
    const da::ingest_result r = h.pipeline.ingest(body, format, &h.statuses);
    h.reply.clear();
    for (const da::event_status& s : h.statuses) da::append_status_json(h.reply, s);
    if (!r.ec && h.statuses.size() != r.stats.events) __builtin_trap();
  }
  return 0;
}
