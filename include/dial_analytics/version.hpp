// SPDX-License-Identifier: Apache-2.0
// Version of the dial-analytics library: the one place the version number is written (CMake
// reads it from here).
#pragma once

#define DIAL_ANALYTICS_VERSION_MAJOR 0
#define DIAL_ANALYTICS_VERSION_MINOR 1
#define DIAL_ANALYTICS_VERSION_PATCH 0

namespace dial_analytics {
#define DIAL_ANALYTICS_STRINGIFY_(x) #x
#define DIAL_ANALYTICS_STRINGIFY(x) DIAL_ANALYTICS_STRINGIFY_(x)

/// The library version as "MAJOR.MINOR.PATCH".
inline constexpr const char* version_string =
    DIAL_ANALYTICS_STRINGIFY(DIAL_ANALYTICS_VERSION_MAJOR) "." DIAL_ANALYTICS_STRINGIFY(
        DIAL_ANALYTICS_VERSION_MINOR) "." DIAL_ANALYTICS_STRINGIFY(DIAL_ANALYTICS_VERSION_PATCH);
}  // namespace dial_analytics
