// SPDX-License-Identifier: Apache-2.0
#include "support/fake_es_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#ifndef DIAL_ANALYTICS_FAKE_ES_SCRIPT
#error "DIAL_ANALYTICS_FAKE_ES_SCRIPT must name tests/support/fake_es/fake_es.py"
#endif

extern char** environ;  // NOLINT: POSIX

namespace dial_analytics::test {

namespace {

constexpr const char* python = "/usr/bin/python3";
constexpr auto start_timeout = std::chrono::seconds(10);

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string tail(const std::string& text, std::size_t n = 2000) {
  return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

// Closes a file descriptor on scope exit.
struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

fake_es_process::fake_es_process(std::vector<std::string> extra_args) {
  std::string pattern = (std::filesystem::temp_directory_path() / "fake-es-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "fake_es_process: mkdtemp");
  }
  dir_ = pattern;
  const std::string port_file = (dir_ / "port").string();
  const std::string log_file = (dir_ / "fake_es.log").string();

  std::vector<std::string> args{python, DIAL_ANALYTICS_FAKE_ES_SCRIPT, "--port-file", port_file};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const int rc = ::posix_spawn(&pid_, python, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw std::system_error(rc, std::generic_category(),
                            std::string("fake_es_process: cannot spawn ") + python);
  }

  const auto deadline = std::chrono::steady_clock::now() + start_timeout;
  std::string why;
  while (true) {
    // The double writes the port to a temporary file and renames it: a present file is whole.
    if (std::filesystem::exists(port_file)) {
      const int port = std::atoi(read_file(port_file).c_str());
      if (port > 0 && port < 65536) {
        port_ = static_cast<unsigned short>(port);
        return;
      }
      why = "its port file holds no port";
      break;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      why = "it exited";
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      why = "it did not listen within 10 s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
  const std::string log_text = read_file(log_file);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  throw std::runtime_error("fake_es_process: the Elasticsearch test double (" +
                           std::string(DIAL_ANALYTICS_FAKE_ES_SCRIPT) + ") did not start: " + why +
                           "; its log:\n" + tail(log_text));
}

fake_es_process::~fake_es_process() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void fake_es_process::stop() noexcept {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

std::string fake_es_process::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string fake_es_process::log() const { return read_file(dir_ / "fake_es.log"); }

fake_es_process::response fake_es_process::request(std::string_view method, std::string_view path,
                                                   std::string_view body) {
  const std::string what = std::string(method) + " " + std::string(path);
  fd_guard sock{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (sock.fd < 0) {
    throw std::system_error(errno, std::generic_category(), "fake_es_process: socket");
  }
  timeval timeout{};
  timeout.tv_sec = 10;  // the double answers at once; health waits are capped at 2 s
  ::setsockopt(sock.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(sock.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(sock.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::system_error(errno, std::generic_category(), "fake_es_process: connect for " + what);
  }

  // HTTP/1.0: the double closes the connection after its answer, so the body is "until EOF".
  std::string req = what + " HTTP/1.0\r\nHost: 127.0.0.1:" + std::to_string(port_) + "\r\n";
  if (!body.empty()) req += "Content-Type: application/json\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  req += body;
  for (std::size_t sent = 0; sent < req.size();) {
    const ssize_t n = ::send(sock.fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      throw std::system_error(errno, std::generic_category(), "fake_es_process: send " + what);
    }
    sent += static_cast<std::size_t>(n);
  }

  std::string raw;
  char buf[8192];
  while (true) {
    const ssize_t n = ::recv(sock.fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      throw std::system_error(errno, std::generic_category(), "fake_es_process: recv " + what);
    }
    if (n == 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }

  // "HTTP/1.1 200 OK\r\n...headers...\r\n\r\nbody"
  const auto head_end = raw.find("\r\n\r\n");
  const auto space = raw.find(' ');
  if (head_end == std::string::npos || space == std::string::npos || space > head_end) {
    throw std::runtime_error("fake_es_process: no HTTP answer to " + what + ": " + tail(raw, 500));
  }
  response out;
  out.status = std::atoi(raw.c_str() + space + 1);
  out.body = raw.substr(head_end + 4);
  return out;
}

std::string fake_es_process::control(std::string_view method, std::string_view path,
                                     std::string_view body) {
  response r = request(method, path, body);
  if (r.status < 200 || r.status >= 300) {
    throw std::runtime_error("fake_es_process: " + std::string(method) + " " + std::string(path) +
                             " answered " + std::to_string(r.status) + ": " + r.body);
  }
  return std::move(r.body);
}

}  // namespace dial_analytics::test
