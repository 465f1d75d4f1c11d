# flywheel validate/datasets CLI tests (tests/cli/flywheel_datasets.sh); included inside the cli section of tests/CMakeLists.txt.
# The expected outputs under tests/data/flywheel/datasets/expected/ come from the Python model of
# the blueprint, tests/tools/blueprint_datasets.py; `tests/tools/make_dataset_inputs.py inputs`
# and `... expected` rewrite the inputs and those files.

# One test per expected case: the tool's files equal the model's byte for byte.
foreach(case tool_calling_seed42 generic_seed7 tool_calling_lone_others_fallback
             tool_calling_small_train_fallback tool_calling_as_generic_no_validation
             validate_tool_calling_seed0 validate_without_argument_parsing
             validate_max_seed_eval_equal_to_count numeric_tool_names mixed_tool_names)
  dial_analytics_cli_test(flywheel_datasets_match_the_blueprint_model_for_${case}
                          flywheel_datasets.sh golden_${case})
endforeach()
foreach(case error_generic_as_tool_calling error_not_enough_records error_eval_size_above_count
             error_limit_below_minimum error_eval_size_not_below_selection error_empty_training_set)
  dial_analytics_cli_test(flywheel_datasets_refuse_like_the_blueprint_model_for_${case}
                          flywheel_datasets.sh golden_${case})
endforeach()

# Random inputs and options, the tool against the model run live (skipped without scikit-learn).
dial_analytics_cli_test(flywheel_datasets_match_the_blueprint_model_on_random_tool_calling_inputs
                        flywheel_datasets.sh randomized_tool_calling)
dial_analytics_cli_test(flywheel_datasets_match_the_blueprint_model_on_random_generic_inputs
                        flywheel_datasets.sh randomized_generic)
set_tests_properties(flywheel_datasets_match_the_blueprint_model_on_random_tool_calling_inputs
                     flywheel_datasets_match_the_blueprint_model_on_random_generic_inputs
                     PROPERTIES SKIP_RETURN_CODE 77)

dial_analytics_cli_test(flywheel_datasets_manifest_reports_the_validation_statistics
                        flywheel_datasets.sh manifest_stats)
