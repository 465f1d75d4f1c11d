// SPDX-License-Identifier: Apache-2.0
// Runs the Elasticsearch test double (tests/support/fake_es/fake_es.py) as a child process for
// one test: it listens on a free loopback port, is controlled through its /_double/ endpoints
// (faults, state, stored documents, reset) and is killed when the object goes away.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace dial_analytics::test {

class fake_es_process {
 public:
  /// A plain HTTP answer of the double.
  struct response {
    int status = 0;
    std::string body;
  };

  /// Starts `/usr/bin/python3 fake_es.py --port-file <tmp> extra_args...` and waits (up to 10 s)
  /// until it listens. Throws std::runtime_error with the tail of its log when it does not start.
  explicit fake_es_process(std::vector<std::string> extra_args = {});
  ~fake_es_process();
  fake_es_process(const fake_es_process&) = delete;
  fake_es_process& operator=(const fake_es_process&) = delete;

  /// http://127.0.0.1:<port>
  [[nodiscard]] std::string url() const;
  [[nodiscard]] unsigned short port() const { return port_; }
  /// The double's log: one `METHOD PATH STATUS` line per request.
  [[nodiscard]] std::string log() const;

  /// Sends a control request (e.g. POST /_double/faults with a JSON object, GET /_double/state,
  /// GET /_double/docs/<index>, POST /_double/reset) and returns the response body. Throws
  /// std::runtime_error when the double cannot be reached or answers with a status >= 300.
  std::string control(std::string_view method, std::string_view path, std::string_view body = {});

  /// Any request, without credentials, with `Content-Type: application/json` when a body is
  /// given; returns the status and body whatever the status is.
  response request(std::string_view method, std::string_view path, std::string_view body = {});

 private:
  void stop() noexcept;

  std::filesystem::path dir_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

}  // namespace dial_analytics::test
