// SPDX-License-Identifier: Apache-2.0
// Umbrella header: the whole public API of the dial-analytics library.
#pragma once

#include <dial_analytics/analyzer.hpp>
#include <dial_analytics/classifiers.hpp>
#include <dial_analytics/cld2_language_detector.hpp>
#include <dial_analytics/error.hpp>
#include <dial_analytics/fasttext_topic_classifier.hpp>
#include <dial_analytics/influx/influx_config.hpp>
#include <dial_analytics/influx/influx_writer.hpp>
#include <dial_analytics/influx/sender.hpp>
#include <dial_analytics/line_protocol.hpp>
#include <dial_analytics/log_parser.hpp>
#include <dial_analytics/pipeline.hpp>
#include <dial_analytics/point.hpp>
#include <dial_analytics/point_sink.hpp>
#include <dial_analytics/pricing.hpp>
#include <dial_analytics/router.hpp>
#include <dial_analytics/spool.hpp>
#include <dial_analytics/timestamp.hpp>
#include <dial_analytics/version.hpp>
