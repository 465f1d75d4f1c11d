// SPDX-License-Identifier: Apache-2.0
// A real http_server on a loopback port for a test, and a raw blocking client that sends bytes
// as given (to hold connections open, send half a request or malformed framing).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <string_view>
#include <thread>

#include "app.hpp"
#include "http_server.hpp"
#include "support/temp_dir.hpp"

namespace test_support {

/// A client socket connected to 127.0.0.1:port.
class raw_connection {
 public:
  /// @param fd a socket to use, or -1 for a new one
  explicit raw_connection(unsigned short port, int fd = -1)
      : fd_(fd >= 0 ? fd : ::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~raw_connection() { close(); }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  [[nodiscard]] bool connected() const { return connected_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  /// What arrives until the server closes, or `timeout` passes without a byte.
  std::string read_until_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::string out;
    while (read_some(out, timeout) > 0) {
    }
    return out;
  }
  /// One response: the header and a Content-Length body.
  std::string read_response(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::string out;
    for (;;) {
      const auto end = out.find("\r\n\r\n");
      if (end != std::string::npos) {
        const auto cl = out.find("Content-Length: ");
        const std::size_t length = cl == std::string::npos ? 0 : std::stoul(out.substr(cl + 16));
        if (out.size() >= end + 4 + length) return out;
      }
      if (read_some(out, timeout) <= 0) return out;
    }
  }
  /// True when the server closes the connection within `timeout` (without sending anything).
  bool closed_within(std::chrono::milliseconds timeout) {
    std::string out;
    return read_some(out, timeout) == 0;
  }

 private:
  // >0: bytes read; 0: closed by the server; <0: timeout or error.
  ssize_t read_some(std::string& out, std::chrono::milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) out.append(buf, static_cast<std::size_t>(n));
    return n;
  }

  int fd_;
  bool connected_ = false;
};

/// The status code of a response ("HTTP/1.1 503 …" → 503), 0 without one.
inline int status_of(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

/// The whole exchange on a new connection.
inline std::string http_exchange(unsigned short port, std::string_view request) {
  raw_connection c(port);
  c.send(request);
  return c.read_response();
}

/// An app and its http_server on 127.0.0.1 and a free port, serving on a thread.
class running_server {
 public:
  /// `config`'s host, port and data_dir are set here.
  running_server(dial_analytics::server::server_config config,
                 const dial_analytics::server::logger& log)
      : config_([&] {
          config.host = "127.0.0.1";
          config.port = 0;
          config.data_dir = (dir_.path() / "data").string();
          config.spool_sync = false;
          return config;
        }()),
        app_(config_, log),
        server_(config_, app_, log),
        thread_([this] { server_.run(); }) {}
  ~running_server() { stop(); }
  running_server(const running_server&) = delete;
  running_server& operator=(const running_server&) = delete;

  [[nodiscard]] unsigned short port() const { return server_.port(); }
  [[nodiscard]] const dial_analytics::server::server_config& config() const { return config_; }
  void stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }

 private:
  temp_dir dir_;
  dial_analytics::server::server_config config_;
  dial_analytics::server::app app_;
  dial_analytics::server::http_server server_;
  std::thread thread_;
};

}  // namespace test_support
