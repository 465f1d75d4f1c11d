// SPDX-License-Identifier: Apache-2.0
// What InfluxDB's refusals (400/422 answers) mean and what the operator does about them, for the
// ERROR log line of a refused write (docs/operations.md, "InfluxDB limits").
#pragma once

#include <string>
#include <string_view>

namespace dial_analytics::influx {

/// The cause and the remedy of a refusal whose answer body is `message`: field type conflict,
/// max-values-per-tag, max-series-per-database, unable to parse; empty for any other message.
/// Thread-safety: pure.
[[nodiscard]] std::string refusal_remedy(std::string_view message);

}  // namespace dial_analytics::influx
