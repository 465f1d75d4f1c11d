// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/input/router.hpp>

#include <catch2/catch.hpp>

namespace da = dial_analytics;
using da::record_type;

TEST_CASE("routes URIs in the reference's order", "[router]") {
  struct row {
    const char* uri;
    record_type type;
  };
  const row rows[] = {
      {"/v1/gpt-4/rate", record_type::rate},
      {"/v1/deployments/a/route/rates", record_type::rate},   // "/v1/<x>/rate" anywhere wins
      {"/v1/deployments/a/route/x/rate", record_type::rate},  // RATE is unanchored and first
      {"/v1/deployments/a/route/x/mcp", record_type::mcp},    // MCP is tried before ROUTES
      {"/openai/deployments/ID/chat/completions", record_type::chat_completion},
      {"/openai/deployments/ID/chat/embeddings/abc/efg", record_type::embedding},
      {"/openai/deployments//chat/completions", record_type::unsupported},
      {"/openai/v1/responses", record_type::responses},
      {"///openai/v1/responses?x=1", record_type::responses},
      {"/openai/v1/responses\n", record_type::responses},  // `$` matches before a final newline
      {"/openai/v1/responses/x", record_type::unsupported},
      {"/anthropic/v1/messages", record_type::anthropic_messages},
      {"x/anthropic/v1/messages", record_type::unsupported},
      {"/openai/deployments/a\nb/embeddings", record_type::unsupported},  // `.` excludes newline
      {"/v1/toolset/ID/mcp", record_type::mcp},
      {"/v1/deployments/APP/mcp", record_type::mcp},
      {"/v1/deployments/ID/route/", record_type::unsupported},
      {"", record_type::unsupported},
  };
  for (const row& r : rows) {
    CAPTURE(r.uri);
    CHECK(da::route_uri(r.uri).type == r.type);
  }
}

TEST_CASE("a route keeps everything after the first /route/ as its path", "[router]") {
  CHECK(da::route_uri("/v1/deployments/ID/route/PATH1").route_tail == "PATH1");
  CHECK(da::route_uri("/v1/deployments/ID1/ID2/route/PATH1/PATH2?q=1").route_tail ==
        "PATH1/PATH2?q=1");
  CHECK(da::route_uri("/v1/deployments/ID/route/a/route/b").route_tail == "a/route/b");
  CHECK(da::route_uri("/v1/deployments/ID/route/p\n").route_tail == "p");
}
