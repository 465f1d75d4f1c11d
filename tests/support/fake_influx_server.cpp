// SPDX-License-Identifier: Apache-2.0
#include "fake_influx_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sys/socket.h>

#include <atomic>
#include <thread>

namespace test_support {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct fake_influx_server::impl {
  explicit impl(unsigned short port)
      : acceptor{ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), port)} {}
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::thread thread;
  std::atomic<bool> stopping{false};
  mutable std::mutex mutex;
  std::deque<reply> script;
  std::vector<request> seen;
  std::string version;
  std::vector<std::thread> connections;
  std::vector<int> fds;  // to unblock readers at shutdown

  void serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    while (!stopping) {
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) break;
      reply r;
      const bool is_ping = req.target() == "/ping";
      {
        std::lock_guard lock(mutex);
        if (is_ping) {
          r.version_header = version;
        } else {
          seen.push_back({std::string(req.method_string()), std::string(req.target()),
                          std::string(req[http::field::authorization]),
                          std::string(req[http::field::content_type]),
                          std::string(req[http::field::content_encoding]), req.body()});
          if (!script.empty()) {
            r = script.front();
            script.pop_front();
          }
        }
      }
      if (r.delay.count() > 0) std::this_thread::sleep_for(r.delay);
      http::response<http::string_body> res(static_cast<http::status>(r.status), req.version());
      if (!r.retry_after.empty()) res.set(http::field::retry_after, r.retry_after);
      if (!r.version_header.empty()) res.set("X-Influxdb-Version", r.version_header);
      res.body() = r.body;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      http::write(socket, res, ec);
      if (ec || !req.keep_alive()) break;
    }
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }
};

fake_influx_server::fake_influx_server(unsigned short port) : impl_(std::make_unique<impl>(port)) {
  impl_->thread = std::thread([this] {
    while (!impl_->stopping) {
      beast::error_code ec;
      tcp::socket socket(impl_->ioc);
      impl_->acceptor.accept(socket, ec);
      if (ec || impl_->stopping) break;
      {
        std::lock_guard lock(impl_->mutex);
        impl_->fds.push_back(socket.native_handle());
      }
      impl_->connections.emplace_back(
          [this, s = std::move(socket)]() mutable { impl_->serve(std::move(s)); });
    }
  });
}

fake_influx_server::~fake_influx_server() {
  impl_->stopping = true;
  beast::error_code ec;
  // Wake the blocking accept with a connection of our own.
  tcp::socket poke(impl_->ioc);
  poke.connect(impl_->acceptor.local_endpoint(), ec);
  impl_->thread.join();
  poke.close(ec);
  impl_->acceptor.close(ec);
  {
    std::lock_guard lock(impl_->mutex);
    for (int fd : impl_->fds) ::shutdown(fd, SHUT_RDWR);  // unblocks readers; serve() closes
  }
  for (auto& t : impl_->connections) t.join();
}

std::string fake_influx_server::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());
}

void fake_influx_server::script(std::vector<reply> replies) {
  std::lock_guard lock(impl_->mutex);
  impl_->script.assign(replies.begin(), replies.end());
}

void fake_influx_server::ping_version(std::string v) {
  std::lock_guard lock(impl_->mutex);
  impl_->version = std::move(v);
}

std::vector<fake_influx_server::request> fake_influx_server::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->seen;
}

}  // namespace test_support
