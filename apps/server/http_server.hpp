// SPDX-License-Identifier: Apache-2.0
// The HTTP plumbing (Boost.Beast 1.74, callback style as in Beast's advanced_server.cpp), with
// the limits that keep one client from exhausting the server (docs/http-api.md#limits):
// MAX_CONNECTIONS, IDLE_TIMEOUT_S, MAX_INFLIGHT_BODY_BYTES, a back-off when accept() runs out of
// file descriptors, 400/413/431 for malformed framing, and the bearer token (auth.hpp).
#pragma once

#include <memory>

#include "app.hpp"
#include "server_config.hpp"

namespace dial_analytics::server {

/// A server bound to HOST:PORT (PORT 0: any free port), serving from run() until stop().
class http_server {
 public:
  /// Binds and listens. @throws config_error (AUTH_TOKEN_FILE), std::exception (cannot listen).
  /// `config`, `application` and `log` must outlive the server.
  http_server(const server_config& config, app& application, const logger& log);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// The port listened on.
  [[nodiscard]] unsigned short port() const;
  /// Makes SIGINT and SIGTERM call stop(). Call before run().
  void stop_on_signals();
  /// Serves on this thread and THREADS - 1 more; returns once stop() has let the requests in
  /// flight finish (up to SHUTDOWN_REQUESTS_S).
  void run();
  /// Stops accepting and lets the requests in flight finish. Thread-safe.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Listens, serves until SIGINT/SIGTERM, then stops accepting, lets in-flight requests finish,
/// and returns (the caller shuts the app down). @return the process exit code.
int serve(const server_config& config, app& application, const logger& log);

}  // namespace dial_analytics::server
