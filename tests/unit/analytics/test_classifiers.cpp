// SPDX-License-Identifier: Apache-2.0
#include <dial_analytics/analytics/classifiers.hpp>
#include <dial_analytics/analytics/response_ids.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <string>

namespace da = dial_analytics;

TEST_CASE("uuid4 ids are canonical lowercase version-4 UUIDs", "[classifiers]") {
  da::uuid4_generator g(12345);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id(g.next());
    REQUIRE(id.size() == 36);
    CHECK(id[8] == '-');
    CHECK(id[13] == '-');
    CHECK(id[14] == '4');
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);
    CHECK(id.find_first_not_of("0123456789abcdef-") == std::string::npos);
    seen.insert(id);
  }
  CHECK(seen.size() == 1000);
}

TEST_CASE("sequential ids count from one with their prefix", "[classifiers]") {
  da::sequential_id_generator g;
  CHECK(g.next() == "pseudo-uuid-1");
  CHECK(g.next() == "pseudo-uuid-2");
  da::sequential_id_generator h("id-");
  CHECK(h.next() == "id-1");
}

TEST_CASE("the echo classifier returns its input and the no-op ones nothing", "[classifiers]") {
  da::echo_topic_classifier echo;
  da::no_topic_classifier none;
  da::no_language_detector no_language;
  CHECK(echo.classify("text") == "text");
  CHECK(none.classify("text").empty());
  CHECK(no_language.detect("text").empty());
}

TEST_CASE("content ids are UUID-shaped, the same for the same record and different otherwise",
          "[response_ids][reliability]") {
  da::content_id_generator g;
  const std::string a(g.next_for(R"({"chat":{"id":"a"}})"));
  REQUIRE(a.size() == 36);
  for (std::size_t i : {8u, 13u, 18u, 23u}) CHECK(a[i] == '-');
  CHECK(a[14] == '8');                                          // version 8: custom
  CHECK(std::string("89ab").find(a[19]) != std::string::npos);  // RFC variant
  da::content_id_generator other;
  CHECK(other.next_for(R"({"chat":{"id":"a"}})") == a);
  std::set<std::string> ids{a};
  std::string text = R"({"chat":{"id":"a"}})";
  for (int i = 0; i < 20000; ++i) {
    text += static_cast<char>('a' + i % 26);
    ids.emplace(g.next_for(text));
    ids.emplace(g.next_for(text.substr(1)));
  }
  CHECK(ids.size() == 40001);
  const std::string three_zeros(g.next_for(std::string(3, '\0')));
  CHECK(three_zeros != g.next_for(std::string(4, '\0')));
}
