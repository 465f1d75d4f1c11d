// SPDX-License-Identifier: Apache-2.0
// Listener and sessions after Beast 1.74's example/advanced/server/advanced_server.cpp: a strand
// per connection, a request_parser with a body limit, keep-alive, signal_set; plus the limits of
// docs/http-api.md#limits.
#include "http_server.hpp"

#include <fmt/format.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <dial_analytics/error.hpp>

#include "auth.hpp"
#include "http_limits.hpp"
#include "routes.hpp"

namespace dial_analytics::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;

// How long an error reply waits for the client to stop sending before the socket closes.
constexpr std::chrono::seconds linger_time{2};

struct shared_state {
  shared_state(const server_config& c, app& a, const logger& l)
      : config(c),
        application(a),
        log(l),
        auth(authenticator::from_config(c)),
        max_connections(connection_cap(c, l)),
        budget(std::max(c.max_inflight_body_bytes, c.max_body_bytes)),
        workers(c.workers) {}
  const server_config& config;
  app& application;
  const logger& log;
  const authenticator auth;
  const std::uint64_t max_connections;
  byte_budget budget;
  std::atomic<int> in_flight{0};
  std::atomic<std::uint64_t> connections{0};
  std::atomic<bool> stopping{false};
  net::thread_pool workers;  // last: joined before the rest goes
};

using beast_response = std::shared_ptr<http::response<http::string_body>>;

// The one place a reply becomes a Beast response.
beast_response to_beast(http_response out, unsigned version, bool keep_alive) {
  auto res = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(out.status), version);
  res->set(http::field::server, "dial-analytics");
  res->set(http::field::content_type, out.content_type);
  for (const auto& [k, v] : out.headers) res->set(k, v);
  res->keep_alive(keep_alive);
  res->body() = std::move(out.body);
  res->prepare_payload();
  return res;
}

class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket&& socket, shared_state& state, bool counted)
      : stream_(std::move(socket)), state_(state), counted_(counted) {
    if (counted_) ++state_.connections;
    // Beast reads at most the buffer's free capacity (and at least 512 bytes): without room,
    // a 1 MB body would arrive in 512-byte reads.
    buffer_.reserve(1 << 16);
    // Chunked bodies are counted against MAX_INFLIGHT_BODY_BYTES as they arrive.
    chunk_body_ = [this](std::uint64_t, beast::string_view data,
                         beast::error_code& ec) -> std::size_t {
      if (!take_body_bytes(data.size())) {
        over_budget_ = true;
        ec = net::error::no_buffer_space;
        return 0;
      }
      parser_->get().body().append(data.data(), data.size());
      return data.size();
    };
  }
  ~session() {
    state_.budget.give(held_);
    if (counted_) --state_.connections;
  }

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&session::do_read, shared_from_this()));
  }

  // Over MAX_CONNECTIONS: 503 without reading the request, then close.
  void refuse() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->reply_and_close(busy("too many connections (MAX_CONNECTIONS); retry later"));
    });
  }

 private:
  void do_read() {
    if (state_.stopping) return do_close();
    parser_.emplace();
    parser_->body_limit(state_.config.max_body_bytes);
    parser_->on_chunk_body(chunk_body_);
    path_label_ = "other";
    over_budget_ = false;
    // Waiting for a request and reading its header: IDLE_TIMEOUT_S; the body: READ_TIMEOUT_S.
    stream_.expires_after(state_.config.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t bytes) {
    if (ec) return on_read(ec, bytes);
    const auto& req = parser_->get();
    const auto view = [](beast::string_view v) { return std::string_view(v.data(), v.size()); };
    const route_match match = match_route(view(req.method_string()), view(req.target()));
    path_label_ = match.path_label;
    if (!state_.auth.allows(match.to, view(req[http::field::authorization]))) {
      state_.log(log_level::debug,
                 fmt::format("401 for {} {}", view(req.method_string()), path_label_));
      return reply_and_close(unauthorized());
    }
    if (const auto length = parser_->content_length(); length && !take_body_bytes(*length)) {
      return reply_and_close(
          busy("too many request bodies in flight (MAX_INFLIGHT_BODY_BYTES); retry later"));
    }
    stream_.expires_after(state_.config.read_timeout);
    // Clients such as curl send `Expect: 100-continue` and wait for it before the body.
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      auto res = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                    req.version());
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
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == beast::error::timeout || ec == net::error::operation_aborted) {
      return do_close();
    }
    if (over_budget_) {
      return reply_and_close(
          busy("too many request bodies in flight (MAX_INFLIGHT_BODY_BYTES); retry later"));
    }
    if (auto reply = framing_error(ec)) return reply_and_close(std::move(*reply));
    if (ec) {
      state_.log(log_level::debug, "read: " + ec.message());
      return do_close();
    }
    handle();
  }

  void handle() {
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
    const std::uint64_t held = std::exchange(held_, 0);  // given back once the body is gone
    // Analysis runs on the worker pool, never on an I/O thread; the reply is written back on
    // this connection's strand.
    net::post(state_.workers, [self = shared_from_this(), r, version, keep_alive, head, held] {
      http_response out;
      try {
        out = self->state_.application.handle(std::move(*r));
      } catch (const std::exception& e) {
        // Nothing escapes a handler: an unexpected failure is a 500 (Vector retries it).
        self->state_.log(log_level::error, std::string("request failed: ") + e.what());
        out = json_response(500, R"({"detail":"internal error"})");
      }
      r->body = std::string();
      self->state_.budget.give(held);
      if (head) out.body.clear();
      auto res = to_beast(std::move(out), version, keep_alive && !self->state_.stopping);
      net::post(self->stream_.get_executor(), [self, res] {
        --self->state_.in_flight;
        self->write(res, false);
      });
    });
  }

  // A reply the HTTP layer makes itself; the rest of the request is not read.
  void reply_and_close(http_response out) {
    state_.application.count_response(path_label_, out.status);
    const bool head =
        parser_ && parser_->is_header_done() && parser_->get().method() == http::verb::head;
    if (head) out.body.clear();
    const unsigned version = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
    write(to_beast(std::move(out), version, false), true);
  }

  void write(beast_response res, bool linger) {
    const bool close = !res->keep_alive();
    http::async_write(
        stream_, *res,
        [self = shared_from_this(), res, close, linger](beast::error_code ec, std::size_t) {
          if (ec) return self->do_close();
          if (linger) return self->linger_close();
          if (close) return self->do_close();
          self->do_read();
        });
  }

  void do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  // Closing with unread request bytes would reset the connection and could destroy the reply
  // before the client reads it: half-close, then discard what still arrives for a moment.
  void linger_close() {
    do_close();
    state_.budget.give(std::exchange(held_, 0));
    parser_.reset();
    stream_.expires_after(linger_time);
    discard();
  }
  void discard() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(buffer_.capacity()),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (!ec) self->discard();
                            });
  }

  bool take_body_bytes(std::uint64_t n) {
    if (!state_.budget.try_take(n)) return false;
    held_ += n;
    return true;
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::function<std::size_t(std::uint64_t, beast::string_view, beast::error_code&)> chunk_body_;
  shared_state& state_;
  const bool counted_;
  std::string path_label_ = "other";  // of dial_analytics_http_responses_total
  std::uint64_t held_ = 0;            // bytes of MAX_INFLIGHT_BODY_BYTES this request holds
  bool over_budget_ = false;
};

class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(net::io_context& ioc, tcp::endpoint endpoint, shared_state& state)
      : ioc_(ioc),
        acceptor_(net::make_strand(ioc)),
        pause_(acceptor_.get_executor()),
        state_(state) {
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
      self->pause_.cancel();
    });
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }

 private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&listener::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
        ec == net::error::no_memory || ec == boost::system::errc::too_many_files_open_in_system) {
      return pause(ec);
    }
    if (ec) {
      accept_warning_(state_.log, "accept: " + ec.message());
    } else {
      backoff_ = milliseconds(0);
      // Without TCP_NODELAY the reply's second segment waits for the client's delayed ACK
      // (~40 ms per request).
      beast::error_code opt_ec;
      socket.set_option(tcp::no_delay(true), opt_ec);
      if (state_.connections.load() >= state_.max_connections) {
        refuse_warning_(state_.log, fmt::format("{} connections open (MAX_CONNECTIONS): "
                                                "answering 503 to new ones",
                                                state_.connections.load()));
        std::make_shared<session>(std::move(socket), state_, false)->refuse();
      } else {
        std::make_shared<session>(std::move(socket), state_, true)->run();
      }
    }
    do_accept();
  }

  // Out of file descriptors: the pending connection stays pending, so accepting again at once
  // would fail at once, forever. Wait (50 ms, doubling up to 1 s) and say so once in a while.
  void pause(beast::error_code ec) {
    backoff_ = std::clamp(backoff_ * 2, milliseconds(50), milliseconds(1000));
    accept_warning_(state_.log, fmt::format("accept: {}: pausing accepting for {} ms (raise "
                                            "ulimit -n or lower MAX_CONNECTIONS)",
                                            ec.message(), backoff_.count()));
    pause_.expires_after(backoff_);
    pause_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec && self->acceptor_.is_open()) self->do_accept();
    });
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer pause_;
  shared_state& state_;
  milliseconds backoff_{0};
  rate_limited_warning accept_warning_;
  rate_limited_warning refuse_warning_;
};

}  // namespace

struct http_server::impl {
  impl(const server_config& config, app& application, const logger& log)
      : state(config, application, log),
        ioc(static_cast<int>(config.threads)),
        drain_timer(ioc),
        server(std::make_shared<listener>(
            ioc, tcp::endpoint(net::ip::make_address(config.host), config.port), state)) {}

  // Stops when nothing is in flight any more or at SHUTDOWN_REQUESTS_S.
  void check_drained() {
    if (state.in_flight == 0 || std::chrono::steady_clock::now() >= give_up) return ioc.stop();
    drain_timer.expires_after(milliseconds(50));
    drain_timer.async_wait([this](beast::error_code) { check_drained(); });
  }

  shared_state state;  // first: the sessions the io_context still holds use it when they go
  net::io_context ioc;
  net::steady_timer drain_timer;
  std::optional<net::signal_set> signals;
  std::chrono::steady_clock::time_point give_up;
  std::shared_ptr<listener> server;
};

http_server::http_server(const server_config& config, app& application, const logger& log)
    : impl_(std::make_unique<impl>(config, application, log)) {
  impl_->server->run();
}

http_server::~http_server() = default;

unsigned short http_server::port() const { return impl_->server->port(); }

void http_server::stop_on_signals() {
  impl_->signals.emplace(impl_->ioc, SIGINT, SIGTERM);
  impl_->signals->async_wait([this](beast::error_code ec, int sig) {
    if (ec) return;
    impl_->state.log(log_level::info,
                     fmt::format("signal {}: stopping (finishing in-flight requests)", sig));
    stop();
  });
}

void http_server::stop() {
  // SIGINT/SIGTERM: stop accepting, let in-flight requests finish (up to SHUTDOWN_REQUESTS_S),
  // then stop; the caller then drains the spool (SHUTDOWN_DRAIN_S).
  net::post(impl_->ioc, [this] {
    if (impl_->state.stopping.exchange(true)) return;
    impl_->server->stop();
    impl_->give_up = std::chrono::steady_clock::now() + impl_->state.config.in_flight_timeout;
    impl_->check_drained();
  });
}

void http_server::run() {
  const server_config& config = impl_->state.config;
  impl_->state.log(
      log_level::info,
      fmt::format("listening on {}:{} with {} I/O threads and {} workers; at most {} connections "
                  "and {} body bytes in flight",
                  config.host, port(), config.threads, config.workers, impl_->state.max_connections,
                  std::max(config.max_inflight_body_bytes, config.max_body_bytes)));
  impl_->state.log(log_level::info, impl_->state.auth.describe());
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < config.threads; ++i) {
    threads.emplace_back([this] { impl_->ioc.run(); });
  }
  impl_->ioc.run();
  for (auto& t : threads) t.join();
  impl_->state.workers.join();
}

int serve(const server_config& config, app& application, const logger& log) {
  std::optional<http_server> server;
  try {
    server.emplace(config, application, log);
  } catch (const config_error&) {
    throw;
  } catch (const std::exception& e) {
    log(log_level::error,
        fmt::format("cannot listen on {}:{}: {}", config.host, config.port, e.what()));
    return 1;
  }
  server->stop_on_signals();
  server->run();
  return 0;
}

}  // namespace dial_analytics::server
