// SPDX-License-Identifier: Apache-2.0
// Shared by the report's writers. Private to the library.
#pragma once

#include <cstdint>
#include <string>

namespace dial_analytics::report {

/// "2024-11-22T09:00:00Z"
std::string iso_time(std::int64_t ns);

}  // namespace dial_analytics::report
