// SPDX-License-Identifier: Apache-2.0
// The HTTP plumbing (Boost.Beast 1.74, callback style as in Beast's advanced_server.cpp).
#pragma once

#include "app.hpp"
#include "server_config.hpp"

namespace dial_analytics::server {

/// Listens, serves until SIGINT/SIGTERM, then stops accepting, lets in-flight requests finish,
/// and returns (the caller shuts the app down). @return the process exit code.
int serve(const server_config& config, app& application, const logger& log);

}  // namespace dial_analytics::server
