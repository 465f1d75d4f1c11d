// SPDX-License-Identifier: Apache-2.0
// Listener and sessions after Beast 1.74's example/advanced/server/advanced_server.cpp: a strand
// per connection, a request_parser with a body limit, a read timeout, keep-alive, signal_set.
#include "http_server.hpp"

#include <fmt/format.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace dial_analytics::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct shared_state {
  const server_config& config;
  app& application;
  const logger& log;
  net::thread_pool& workers;
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
};

class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket&& socket, shared_state& state) : stream_(std::move(socket)), state_(state) {
    // Beast reads at most the buffer's free capacity (and at least 512 bytes): without room,
    // a 1 MB body would arrive in 512-byte reads.
    buffer_.reserve(1 << 16);
  }

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&session::do_read, shared_from_this()));
  }

 private:
  void do_read() {
    if (state_.stopping) return do_close();
    parser_.emplace();
    parser_->body_limit(state_.config.max_body_bytes);
    stream_.expires_after(state_.config.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&session::on_header, shared_from_this()));
  }

  // Clients such as curl send `Expect: 100-continue` and wait for it before the body.
  void on_header(beast::error_code ec, std::size_t bytes) {
    if (ec) return on_read(ec, bytes);
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      auto res = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                    parser_->get().version());
      http::async_write(stream_, *res,
                        [self = shared_from_this(), res](beast::error_code wec, std::size_t) {
                          if (wec) return self->do_close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted) {
      return do_close();
    }
    if (ec == http::error::body_limit) {
      return write(error_response(http::status::payload_too_large,
                                  R"({"detail":"request body larger than MAX_BODY_BYTES"})"));
    }
    if (ec) {
      state_.log(log_level::debug, "read: " + ec.message());
      return do_close();
    }
    ++state_.in_flight;
    http::request<http::string_body> req = parser_->release();
    auto r = std::make_shared<http_request>();
    r->method = std::string(req.method_string());
    r->target = std::string(req.target());
    r->content_type = std::string(req[http::field::content_type]);
    r->content_encoding = std::string(req[http::field::content_encoding]);
    r->body = std::move(req.body());
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    const bool head = req.method() == http::verb::head;
    // Analysis (and, later, language and topic models) runs on the worker pool, never on an
    // I/O thread; the reply is written back on this connection's strand.
    net::post(state_.workers, [self = shared_from_this(), r, version, keep_alive, head] {
      http_response out;
      try {
        out = self->state_.application.handle(std::move(*r));
      } catch (const std::exception& e) {
        // Nothing escapes a handler: an unexpected failure is a 500 (Vector retries it).
        self->state_.log(log_level::error, std::string("request failed: ") + e.what());
        out.status = 500;
        out.body = R"({"detail":"internal error"})";
      }
      auto res = std::make_shared<http::response<http::string_body>>(
          static_cast<http::status>(out.status), version);
      res->set(http::field::server, "dial-analytics");
      res->set(http::field::content_type, out.content_type);
      for (const auto& [k, v] : out.headers) res->set(k, v);
      res->keep_alive(keep_alive && !self->state_.stopping);
      res->body() = head ? std::string() : std::move(out.body);
      res->prepare_payload();
      net::post(self->stream_.get_executor(), [self, res] {
        --self->state_.in_flight;
        self->write(res);
      });
    });
  }

  std::shared_ptr<http::response<http::string_body>> error_response(http::status status,
                                                                    std::string body) {
    auto res = std::make_shared<http::response<http::string_body>>(status, 11);
    res->set(http::field::server, "dial-analytics");
    res->set(http::field::content_type, "application/json");
    res->keep_alive(false);
    res->body() = std::move(body);
    res->prepare_payload();
    return res;
  }

  void write(std::shared_ptr<http::response<http::string_body>> res) {
    const bool close = !res->keep_alive();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, close](beast::error_code ec, std::size_t) {
                        if (ec || close) return self->do_close();
                        self->do_read();
                      });
  }

  void do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  shared_state& state_;
};

class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(net::io_context& ioc, tcp::endpoint endpoint, shared_state& state)
      : ioc_(ioc), acceptor_(net::make_strand(ioc)), state_(state) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
  }
  void run() { do_accept(); }
  void stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }

 private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&listener::on_accept, shared_from_this()));
  }
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!acceptor_.is_open()) return;
      state_.log(log_level::warning, "accept: " + ec.message());
    } else {
      // Without TCP_NODELAY the reply's second segment waits for the client's delayed ACK
      // (~40 ms per request).
      beast::error_code opt_ec;
      socket.set_option(tcp::no_delay(true), opt_ec);
      std::make_shared<session>(std::move(socket), state_)->run();
    }
    if (acceptor_.is_open()) do_accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  shared_state& state_;
};

}  // namespace

int serve(const server_config& config, app& application, const logger& log) {
  net::io_context ioc(static_cast<int>(config.threads));
  net::thread_pool workers(config.workers);
  shared_state state{config, application, log, workers};
  std::shared_ptr<listener> l;
  try {
    l = std::make_shared<listener>(
        ioc, tcp::endpoint(net::ip::make_address(config.host), config.port), state);
  } catch (const std::exception& e) {
    log(log_level::error,
        fmt::format("cannot listen on {}:{}: {}", config.host, config.port, e.what()));
    return 1;
  }
  l->run();
  log(log_level::info, fmt::format("listening on {}:{} with {} I/O threads and {} workers",
                                   config.host, l->port(), config.threads, config.workers));

  // SIGINT/SIGTERM: stop accepting, let in-flight requests finish (up to 30 s), then stop.
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  net::steady_timer drain_timer(ioc);
  int waited_ms = 0;
  std::function<void(beast::error_code)> check_drained = [&](beast::error_code) {
    if (state.in_flight == 0 || waited_ms >= 30000) return ioc.stop();
    waited_ms += 50;
    drain_timer.expires_after(std::chrono::milliseconds(50));
    drain_timer.async_wait(check_drained);
  };
  signals.async_wait([&](beast::error_code, int sig) {
    log(log_level::info, fmt::format("signal {}: stopping (finishing in-flight requests)", sig));
    state.stopping = true;
    l->stop();
    check_drained({});
  });

  std::vector<std::thread> threads;
  for (unsigned i = 1; i < config.threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  workers.join();
  return 0;
}

}  // namespace dial_analytics::server
