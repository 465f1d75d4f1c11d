// SPDX-License-Identifier: Apache-2.0
#include "influx/refusals.hpp"

#include <array>

namespace dial_analytics::influx {
namespace {

struct known_refusal {
  std::string_view pattern;  // in InfluxDB's answer
  std::string_view remedy;
};

constexpr std::string_view resend =
    "then resend the dead letters (restart dial-analytics-server with RESEND_DEAD_LETTERS=true)";

constexpr std::array<known_refusal, 4> known = {{
    {"field type conflict",
     "cause: a field changed type (InfluxDB keeps the first type of a field per shard; this "
     "server writes each field with one type since its latest version, so the conflict is with "
     "older data); remedy: drop or rename the conflicting field, or drop the shard holding the "
     "old type (DROP SHARD), "},
    {"max-values-per-tag limit exceeded",
     "cause: a tag has more distinct values than InfluxDB's max-values-per-tag (100000 by "
     "default); remedy: raise max-values-per-tag in the [data] section of influxdb.conf (0: no "
     "limit), restart InfluxDB, "},
    {"max-series-per-database limit exceeded",
     "cause: the database holds more series than InfluxDB's max-series-per-database (1000000 by "
     "default); remedy: raise max-series-per-database in the [data] section of influxdb.conf (0: "
     "no limit), restart InfluxDB, "},
    {"unable to parse",
     "cause: InfluxDB cannot parse a line this server wrote; remedy: this is a bug, please report "
     "it with the dead-letter file; "},
}};

}  // namespace

std::string refusal_remedy(std::string_view message) {
  for (const known_refusal& k : known) {
    if (message.find(k.pattern) != std::string_view::npos) {
      std::string out(k.remedy);
      out += resend;
      return out;
    }
  }
  return {};
}

}  // namespace dial_analytics::influx
