# flywheel export CLI tests (tests/cli/flywheel_export.sh); included inside the cli section of
# tests/CMakeLists.txt. The Elasticsearch cases start the test double (tests/support/fake_es).
dial_analytics_cli_test(flywheel_export_from_a_data_dir_matches_a_model_of_the_blueprint_exporter
                        flywheel_export.sh data_dir_golden)
dial_analytics_cli_test(flywheel_export_from_elasticsearch_after_load_pipes_into_validate
                        flywheel_export.sh elasticsearch_then_validate)
dial_analytics_cli_test(flywheel_export_reports_a_missing_index_a_dead_server_and_an_empty_data_dir
                        flywheel_export.sh source_errors)
dial_analytics_cli_test(flywheel_export_refuses_no_source_both_sources_and_bad_flags_with_status_2
                        flywheel_export.sh usage_errors)
