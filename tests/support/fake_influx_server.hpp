// SPDX-License-Identifier: Apache-2.0
// A loopback HTTP server standing in for InfluxDB 2/3 (which Debian does not ship): it records
// every write request (method, target, auth, content headers, body) and answers from a script
// (status, Retry-After, body, or a hang); GET /ping answers with a configurable
// X-Influxdb-Version.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace test_support {

class fake_influx_server {
 public:
  struct request {
    std::string method, target, authorization, content_type, content_encoding, body;
  };
  struct reply {
    int status = 204;
    std::string body;
    std::string retry_after;
    std::chrono::milliseconds delay{0};  ///< answer this late (a hang beyond the client timeout)
    std::string version_header;          ///< X-Influxdb-Version on /ping
  };

  /// Listens on 127.0.0.1, `port` (0: a free one).
  explicit fake_influx_server(unsigned short port = 0);
  ~fake_influx_server();
  fake_influx_server(const fake_influx_server&) = delete;
  fake_influx_server& operator=(const fake_influx_server&) = delete;

  [[nodiscard]] std::string url() const;
  /// Queues answers for the next write requests; when empty, 204.
  void script(std::vector<reply> replies);
  /// The X-Influxdb-Version header of /ping (empty: no header).
  void ping_version(std::string v);
  [[nodiscard]] std::vector<request> requests() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace test_support
