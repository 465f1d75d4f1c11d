// SPDX-License-Identifier: Apache-2.0
#include "bench_data.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>

#include "support/json.hpp"

namespace bench {
namespace {

using test_support::json;

const char* const english[] = {
    "Can you summarise the attached quarterly report and list the three biggest risks?",
    "Write a Python function that parses ISO-8601 timestamps without external libraries.",
    "Explain the difference between at-least-once and exactly-once delivery in log pipelines.",
    "Our InfluxDB cardinality keeps growing; which tags should we move into fields?",
    "Draft a polite email to the customer explaining the delay in the shipment.",
};
const char* const other_languages[] = {
    "Pouvez-vous expliquer comment fonctionne la facturation par jeton pour ce modèle ?",
    "Bitte fasse die wichtigsten Punkte des Vertrags in drei Sätzen zusammen.",
    "Объясните, пожалуйста, почему запрос к модели занимает так много времени.",
    "请帮我把这段文字翻译成英文，并保持正式的语气。",
    "هل يمكنك تلخيص هذا المستند في فقرة واحدة؟",
    "कृपया इस लेख का सारांश तीन वाक्यों में लिखिए।",
};
const char* const answer =
    "Here is a structured answer. First, the context: the system processes requests in batches, "
    "each batch is validated, enriched and written to the time-series store. Second, the risks: "
    "schema drift, unbounded tag cardinality and silent data loss on retries. Third, the plan: "
    "keep identifiers in fields, batch writes, and spool to disk before acknowledging. ";

struct rng {
  std::mt19937_64 engine;
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(engine() % n); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(engine) < p; }
};

std::string text_of_size(rng& r, std::size_t bytes) {
  std::string s;
  const bool foreign = r.chance(0.2);
  while (s.size() < bytes) {
    s += foreign ? other_languages[r.below(6)] : english[r.below(5)];
    s += ' ';
    s += answer;
  }
  return s;
}

std::string hex_id(rng& r, int digits) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < digits; ++i) s.push_back(hex[r.below(16)]);
  return s;
}

json usage(rng& r, bool priced) {
  const auto prompt = static_cast<std::int64_t>(50 + r.below(20000));
  const auto completion = static_cast<std::int64_t>(10 + r.below(2000));
  json u = json::obj(
      {{"prompt_tokens", prompt},
       {"completion_tokens", completion},
       {"total_tokens", prompt + completion},
       {"prompt_tokens_details",
        json::obj({{"cached_tokens", static_cast<std::int64_t>(r.below(2) ? prompt / 2 : 0)},
                   {"cache_write_tokens", 0}})},
       {"completion_tokens_details",
        json::obj({{"reasoning_tokens",
                    static_cast<std::int64_t>(r.below(3) == 0 ? completion / 2 : 0)}})}});
  if (priced) {
    const double price =
        static_cast<double>(prompt) * 2.5e-06 + static_cast<double>(completion) * 1e-05;
    u["deployment_price"] = price;
    u["price"] = price;
  }
  return u;
}

json base(rng& r, const std::string& uri, const std::string& deployment, std::int64_t ms) {
  const auto seconds = 1732266900 + ms / 1000;
  const std::time_t t = seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char time[64];
  std::snprintf(time, sizeof time, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return json::obj(
      {{"apiType", "DialOpenAI"},
       {"chat", json::obj({{"id", "chat-" + hex_id(r, 8)}})},
       {"project", json::obj({{"id", std::string("project-") + char('a' + r.below(8))}})},
       {"user", json::obj({{"id", hex_id(r, 32)},
                           {"title", r.chance(0.5) ? "Engineer" : "Data Scientist"}})},
       {"deployment", deployment},
       {"trace", json::obj({{"trace_id", hex_id(r, 32)}, {"core_span_id", hex_id(r, 16)}})},
       {"execution_path", json::arr({deployment})},
       {"request",
        json::obj({{"protocol", "HTTP/1.1"}, {"method", "POST"}, {"uri", uri}, {"time", time}})},
       {"response", json::obj({{"status", "200"},
                               {"upstream_uri", "https://upstream.example.com/" + deployment}})}});
}

}  // namespace

generated generate(std::size_t records, std::uint64_t seed, std::size_t batch_bytes) {
  rng r{std::mt19937_64(seed)};
  generated out;
  std::string batch = "[";
  auto flush = [&] {
    batch += "]";
    out.bytes += batch.size();
    out.batches.push_back(std::move(batch));
    batch = "[";
  };
  for (std::size_t i = 0; i < records; ++i) {
    const auto ms = static_cast<std::int64_t>(i * 37);
    const std::size_t kind = r.below(100);
    // Target record size: log-uniform between 1 KB and 64 KB.
    const auto target = static_cast<std::size_t>(
        1024.0 * std::pow(64.0, std::uniform_real_distribution<double>(0, 1)(r.engine)));
    json rec;
    std::string measurement;
    if (kind < 70) {
      ++out.chats;
      const std::string model = r.chance(0.5) ? "gpt-4o" : "gpt-4o-mini";
      rec = base(r, "/openai/deployments/" + model + "/chat/completions", model, ms);
      json messages =
          json::arr({json::obj({{"role", "system"}, {"content", "You are a helpful assistant."}})});
      const std::size_t turns = 1 + r.below(6);
      const std::size_t per_turn = target / (2 * turns) + 1;
      for (std::size_t t = 0; t < turns; ++t) {
        messages.push(json::obj({{"role", "user"}, {"content", text_of_size(r, per_turn / 3)}}));
        if (t + 1 < turns) {
          if (r.chance(0.2)) {
            messages.push(json::obj(
                {{"role", "assistant"},
                 {"content", nullptr},
                 {"tool_calls",
                  json::arr({json::obj(
                      {{"id", "call_" + hex_id(r, 6)},
                       {"type", "function"},
                       {"function", json::obj({{"name", "search"},
                                               {"arguments", "{\"q\": \"status\"}"}})}})})}}));
            messages.push(json::obj({{"role", "tool"},
                                     {"tool_call_id", "call_x"},
                                     {"content", text_of_size(r, per_turn / 4)}}));
          } else {
            messages.push(
                json::obj({{"role", "assistant"}, {"content", text_of_size(r, per_turn / 3)}}));
          }
        }
      }
      const bool streamed = r.chance(0.5);
      json body = json::obj({{"model", model}, {"messages", messages}});
      if (streamed) body["stream"] = true;
      rec["request"]["body"] = body.dump();
      json choice = json::obj(
          {{"index", 0},
           {streamed ? "delta" : "message",
            json::obj({{"role", "assistant"}, {"content", text_of_size(r, per_turn / 2)}})},
           {"finish_reason", "stop"}});
      rec["assembled_response"] = json::obj({{"id", "chatcmpl-" + hex_id(r, 12)},
                                             {"object", "chat.completion"},
                                             {"model", model},
                                             {"choices", json::arr({choice})},
                                             {"usage", usage(r, false)}})
                                      .dump();
      rec["response"]["body"] = streamed ? std::string("data: {\"id\":\"x\"}\n\ndata: [DONE]\n")
                                         : std::string("{\"id\":\"x\"}");
      rec["token_usage"] = usage(r, true);
      measurement = "analytics";
    } else if (kind < 80) {
      rec = base(r, "/openai/deployments/text-embedding-3-small/embeddings",
                 "text-embedding-3-small", ms);
      json input = json::arr();
      for (std::size_t k = 0; k < 1 + r.below(8); ++k) input.push(text_of_size(r, target / 10));
      rec["request"]["body"] =
          json::obj({{"input", input}, {"model", "text-embedding-3-small"}}).dump();
      rec["response"]["body"] =
          json::obj({{"object", "list"},
                     {"usage", json::obj({{"prompt_tokens", 100}, {"total_tokens", 100}})}})
              .dump();
      rec["token_usage"] = usage(r, true);
      measurement = "analytics";
    } else if (kind < 84) {
      rec = base(r, "/v1/gpt-4o/rate", "gpt-4o", ms);
      rec["request"]["body"] =
          json::obj({{"responseId", "chatcmpl-" + hex_id(r, 12)}, {"rate", r.chance(0.7)}}).dump();
      measurement = "rate_analytics";
    } else if (kind < 88) {
      rec = base(r, "/v1/toolset/jira/mcp", "jira", ms);
      rec["request"]["body"] =
          json::obj({{"jsonrpc", "2.0"},
                     {"id", 1},
                     {"method", "tools/call"},
                     {"params",
                      json::obj({{"name", "search_issues"},
                                 {"arguments", json::obj({{"q", text_of_size(r, target / 4)}})}})}})
              .dump();
      measurement = "mcp_analytics";
    } else if (kind < 91) {
      rec = base(r, "/v1/deployments/support-agent/route/api/tickets", "support-agent", ms);
      rec["request"]["method"] = "GET";
      measurement = "routes_analytics";
    } else if (kind < 96) {
      rec = base(r, "/openai/v1/responses", "gpt-5", ms);
      rec["request"]["body"] =
          json::obj({{"model", "gpt-5"}, {"input", text_of_size(r, target / 2)}}).dump();
      rec["assembled_response"] =
          json::obj({{"id", "resp_" + hex_id(r, 10)},
                     {"object", "response"},
                     {"output",
                      json::arr({json::obj(
                          {{"type", "message"},
                           {"role", "assistant"},
                           {"content",
                            json::arr({json::obj({{"type", "output_text"},
                                                  {"text", text_of_size(r, target / 2)}})})}})})}})
              .dump();
      rec["token_usage"] = usage(r, true);
      measurement = "responses_analytics";
    } else {
      rec = base(r, "/anthropic/v1/messages", "claude-sonnet-4", ms);
      rec["request"]["body"] =
          json::obj(
              {{"model", "claude-sonnet-4"},
               {"max_tokens", 1024},
               {"messages", json::arr({json::obj(
                                {{"role", "user"}, {"content", text_of_size(r, target / 2)}})})}})
              .dump();
      rec["assembled_response"] =
          json::obj(
              {{"id", "msg_" + hex_id(r, 10)},
               {"type", "message"},
               {"content",
                json::arr({json::obj({{"type", "text"}, {"text", text_of_size(r, target / 2)}})})}})
              .dump();
      rec["token_usage"] = usage(r, true);
      measurement = "anthropic_messages_analytics";
    }
    if (r.chance(0.03)) {  // non-200: no point (rate records have no status gate)
      rec["response"]["status"] = r.chance(0.5) ? "429" : "500";
      if (measurement != "rate_analytics") measurement.clear();
    }
    std::string message = rec.dump();
    if (r.chance(0.01)) {  // malformed: a truncated log line
      message.resize(message.size() / 2);
      measurement.clear();
      ++out.malformed;
    }
    if (!measurement.empty()) out.expected_measurements.push_back(measurement);
    json event = json::obj({{"file", "/app/log/aidial.log"},
                            {"host", "dial-core-0"},
                            {"message", message},
                            {"source_type", "file"},
                            {"timestamp", "2024-11-22T09:20:00Z"}});
    if (batch.size() > 1) batch += ",";
    batch += event.dump();
    ++out.records;
    if (batch.size() >= batch_bytes) flush();
  }
  if (batch.size() > 1) flush();
  return out;
}

}  // namespace bench
