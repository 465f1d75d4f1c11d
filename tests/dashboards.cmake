# Grafana dashboards (InfluxQL), the InfluxDB 1.x rollups (rollups.iql and `dial-analytics rollup`) run on a real
# InfluxDB; included inside the integration section of tests/CMakeLists.txt.
add_test(NAME grafana_influxql_dashboards_and_rollups_run_on_influxdb_and_match_the_raw_points
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/dashboards_influxdb.sh
                 $<TARGET_FILE:dial-analytics-server> ${PROJECT_SOURCE_DIR}/examples/data/vector-batch.json
                 ${PROJECT_SOURCE_DIR}/examples/data/chats-batch.json $<TARGET_FILE:dial-analytics>)
set_tests_properties(grafana_influxql_dashboards_and_rollups_run_on_influxdb_and_match_the_raw_points
  PROPERTIES LABELS integration TIMEOUT 300)
# The same dashboards and rollups on the compact schema (SCHEMA=compact: the request ids are fields).
add_test(NAME grafana_influxql_dashboards_and_rollups_work_the_same_on_the_compact_schema
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/dashboards_influxdb.sh
                 $<TARGET_FILE:dial-analytics-server> ${PROJECT_SOURCE_DIR}/examples/data/vector-batch.json
                 ${PROJECT_SOURCE_DIR}/examples/data/chats-batch.json $<TARGET_FILE:dial-analytics>)
set_tests_properties(grafana_influxql_dashboards_and_rollups_work_the_same_on_the_compact_schema
  PROPERTIES LABELS integration TIMEOUT 300 ENVIRONMENT SCHEMA=compact)

# The report read back from a real InfluxDB 1.x equals the report of the same points' file.
add_test(NAME report_from_a_real_influxdb_equals_the_report_from_the_same_points_file
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/report_influxdb.sh $<TARGET_FILE:dial-analytics>
                 ${PROJECT_SOURCE_DIR}/examples/data/vector-batch.json ${PROJECT_SOURCE_DIR}/examples/data/chats-batch.json)
set_tests_properties(report_from_a_real_influxdb_equals_the_report_from_the_same_points_file
                     PROPERTIES LABELS integration TIMEOUT 120)
