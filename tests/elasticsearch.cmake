# The Elasticsearch output (lib/elasticsearch). The unit tests (in dial_analytics_unit_tests)
# compare JSON bodies by value, so they read JSON too. The integration tests run the bulk writer
# and a real spooled_output against the Elasticsearch test double (tests/support/fake_es).
target_link_libraries(dial_analytics_unit_tests PRIVATE simdjson::simdjson)

add_executable(dial_analytics_es_tests integration/test_es_output.cpp integration/test_recorder_es.cpp
                                      integration/test_exporter.cpp)
target_link_libraries(dial_analytics_es_tests PRIVATE dial_analytics_test_support Catch2::Catch2WithMain
                                              simdjson::simdjson)
dial_analytics_set_warnings(dial_analytics_es_tests)
catch_discover_tests(dial_analytics_es_tests PROPERTIES LABELS integration)
