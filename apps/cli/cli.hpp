// SPDX-License-Identifier: Apache-2.0
// Shared pieces of the dial-analytics command line tool.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dial_analytics::cli {

/// Prints "dial-analytics: <message>" and a hint to stderr, exits with status 2.
[[noreturn]] void usage_error(const std::string& message);

/// A number in [0, 1] given to `option`, or a usage error.
double parse_probability(std::string_view option, std::string_view value);

/// A whole number >= `min` given to `option`, or a usage error.
int parse_int(std::string_view option, std::string_view value, int min);

/// A number > 0 given to `option`, or a usage error.
double parse_positive(std::string_view option, std::string_view value);

/// `dial-analytics topics ...`: train, predict, test. Returns the exit status.
int topics_main(const std::vector<std::string_view>& args);

}  // namespace dial_analytics::cli
