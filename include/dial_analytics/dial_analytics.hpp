// SPDX-License-Identifier: Apache-2.0
// Umbrella header: the whole public API of the dial-analytics library.
#pragma once

#include <dial_analytics/error.hpp>
#include <dial_analytics/json.hpp>
#include <dial_analytics/log.hpp>
#include <dial_analytics/pipeline.hpp>
#include <dial_analytics/record_sink.hpp>
#include <dial_analytics/version.hpp>

#include <dial_analytics/input/batch.hpp>
#include <dial_analytics/input/log_parser.hpp>
#include <dial_analytics/input/router.hpp>
#include <dial_analytics/input/timestamp.hpp>

#include <dial_analytics/analytics/analytics_stage.hpp>
#include <dial_analytics/analytics/analyzer.hpp>
#include <dial_analytics/analytics/classifiers.hpp>
#include <dial_analytics/analytics/cld2_language_detector.hpp>
#include <dial_analytics/analytics/fasttext_topic_classifier.hpp>
#include <dial_analytics/analytics/line_protocol.hpp>
#include <dial_analytics/analytics/point.hpp>
#include <dial_analytics/analytics/point_sink.hpp>
#include <dial_analytics/analytics/pricing.hpp>
#include <dial_analytics/analytics/response_ids.hpp>

#include <dial_analytics/output/batch_writer.hpp>
#include <dial_analytics/output/secret_string.hpp>
#include <dial_analytics/output/sender.hpp>
#include <dial_analytics/output/spool.hpp>
#include <dial_analytics/output/spooled_output.hpp>

#include <dial_analytics/influx/influx_config.hpp>
#include <dial_analytics/influx/influx_writer.hpp>
