// SPDX-License-Identifier: Apache-2.0
// Version of the dial-analytics library.
#pragma once

#define DIAL_ANALYTICS_VERSION_MAJOR 0
#define DIAL_ANALYTICS_VERSION_MINOR 1
#define DIAL_ANALYTICS_VERSION_PATCH 0

namespace dial_analytics {
/// The library version as "MAJOR.MINOR.PATCH".
inline constexpr const char* version_string = "0.1.0";
}  // namespace dial_analytics
