// SPDX-License-Identifier: Apache-2.0
// Where and how points are written to InfluxDB (v1, v2 or v3), as plain values.
//
// The library never reads the environment: the server maps INFLUX_URL, INFLUX_API_TOKEN, … onto
// this struct. Tokens and passwords are `output::secret_string`s, printed as `***`.
#pragma once

#include <chrono>
#include <string>

#include <dial_analytics/output/secret_string.hpp>

namespace dial_analytics::influx {

using output::secret_string;

/// The write API to use.
enum class api_version {
  automatic,  ///< ask `GET /ping` (X-Influxdb-Version), else bucket → v2, database → v3, else v1
  v1,         ///< `/write?db=&rp=&precision=ns`, Basic auth (InfluxDB 1.x, Debian's 1.6.7)
  v2,         ///< `/api/v2/write?org=&bucket=&precision=ns`, `Authorization: Token`
  v3,         ///< `/api/v3/write_lp?db=&precision=nanosecond`, `Authorization: Bearer`
  v3_compat,  ///< v3 through `/api/v2/write?org=ignored&bucket=<db>` as the reference service does
};

/// The connection and target of the writer.
struct influx_config {
  std::string url;  ///< base URL, e.g. http://127.0.0.1:8086
  api_version version = api_version::automatic;
  secret_string token;                       ///< v2 `Token`, v3 `Bearer`; v1: the password if set
  std::string org;                           ///< v2 organisation
  std::string bucket;                        ///< v2 bucket
  std::string database;                      ///< v1 and v3 database
  std::string retention_policy;              ///< v1 `rp` (optional)
  std::string username;                      ///< v1 Basic auth user (optional)
  bool gzip = false;                         ///< compress request bodies
  std::chrono::milliseconds timeout{10000};  ///< whole request
  std::chrono::milliseconds connect_timeout{5000};
};

/// "v1", "v2", "v3", "v3 (v2-compatible API)" or "automatic".
const char* to_string(api_version v) noexcept;

/// A one-line description without secrets: "InfluxDB v1 at http://…, database dial".
std::string describe(const influx_config& config);

}  // namespace dial_analytics::influx
