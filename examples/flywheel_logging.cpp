// SPDX-License-Identifier: Apache-2.0
// Logging chat calls as Data Flywheel records from a host program: the C++ counterpart of the
// blueprint's `log_chat` example. The recorder copies each request/response pair into a queue and
// returns at once; a background thread redacts PII, writes the blueprint's document to a durable
// spool and, with ELASTICSEARCH_URL set, delivers it to the `flywheel` index.
//
// Usage: flywheel_logging DATA_DIR
//   (ELASTICSEARCH_URL=http://localhost:9200 flywheel_logging DATA_DIR  to send to Elasticsearch)
#include <dial_analytics/flywheel/recorder.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace fw = dial_analytics::flywheel;

namespace {

// What an OpenAI-compatible client would send and receive; here made up.
std::string request_for(const std::string& question) {
  return R"({"model": "llama-3-70b-instruct", "messages": [{"role": "user", "content": ")" +
         question + R"("}], "temperature": 0.2, "max_tokens": 1024})";
}

std::string response_for(const std::string& answer) {
  return R"({"id": "chatcmpl-abc123", "object": "chat.completion", "created": 1715854074, )"
         R"("model": "llama-3-70b-instruct", "choices": [{"index": 0, "message": {"role": )"
         R"("assistant", "content": ")" +
         answer +
         R"("}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 15, "completion_tokens": )"
         R"(72, "total_tokens": 87}})";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: flywheel_logging DATA_DIR\n");
    return 2;
  }
  try {
    fw::recorder_options options;
    options.data_dir = argv[1];
    if (const char* url = std::getenv("ELASTICSEARCH_URL")) {
      dial_analytics::elasticsearch::es_config es;
      es.url = url;
      options.elasticsearch = es;
    }
    fw::recorder recorder(std::move(options));
    recorder.log_chat(request_for("What approvals do I need for paternity leave?"),
                      response_for("According to the HR policy you need your manager's approval."),
                      "hr_policy_qa", "acme-prod");
    recorder.log_chat(request_for("Please email the form to jane.doe@example.com"),
                      response_for("Done: the form was sent."), "hr_policy_qa", "acme-prod");
    recorder.flush();  // both documents are on disk now
    const fw::recorder_stats stats = recorder.stats();
    std::printf("%llu records stored, %llu redactions, %llu skipped\n",
                static_cast<unsigned long long>(stats.mapping.documents),
                static_cast<unsigned long long>(stats.mapping.redactions.total()),
                static_cast<unsigned long long>(stats.mapping.skipped_total()));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "flywheel_logging: %s\n", e.what());
    return 1;
  }
  return 0;
}
