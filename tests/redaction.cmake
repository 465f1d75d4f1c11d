# PII redaction of Flywheel records (docs/pii-redaction.md): precision and recall per type on the
# labelled set tests/data/pii/cases.tsv (cases from Presidio's recognizer tests and gitleaks' rule
# tests), throughput, and PII-free prose that must come out unchanged.
add_executable(dial_analytics_pii_eval tools/pii_eval.cpp)
# simdjson only for the parse-speed comparison printed next to the redaction speed.
target_link_libraries(dial_analytics_pii_eval PRIVATE dial_analytics::dial_analytics simdjson::simdjson)
target_compile_definitions(dial_analytics_pii_eval PRIVATE
  DIAL_ANALYTICS_PII_CASES="${CMAKE_CURRENT_SOURCE_DIR}/data/pii/cases.tsv")
dial_analytics_set_warnings(dial_analytics_pii_eval)
add_test(NAME pii_redaction_meets_its_precision_and_recall_on_the_labelled_set
         COMMAND dial_analytics_pii_eval ${CMAKE_CURRENT_SOURCE_DIR}/data/pii/cases.tsv)
set_tests_properties(pii_redaction_meets_its_precision_and_recall_on_the_labelled_set
                     PROPERTIES LABELS unit)
