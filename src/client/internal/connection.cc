#include "client/internal/connection.h"

#include <fmt/format.h>

#include "resp/writer.h"

namespace cairn::client::internal {

Connection::Connection(asio::io_context& io, std::string host, std::uint16_t port,
                       std::chrono::milliseconds request_timeout, asio::ssl::context* tls)
    : io_(io),
      socket_(io),
      tls_(tls ? std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(io, *tls) : nullptr),
      watchdog_(io),
      host_(std::move(host)),
      port_(port),
      address_(fmt::format("{}:{}", host_, port_)),
      request_timeout_(request_timeout) {}

void Connection::Start(std::chrono::milliseconds connect_timeout) {
  auto self = shared_from_this();
  asio::co_spawn(
      io_, [self, connect_timeout]() { return self->ConnectAndRead(connect_timeout); },
      asio::detached);
  asio::co_spawn(io_, [self]() { return self->Watchdog(); }, asio::detached);
}

void Connection::Send(const std::vector<std::string>& args, bool is_write, Callback done) {
  if (closed_) {
    return done({Status::Unavailable("connection to " + address_ + " is closed"), {}});
  }
  resp::Writer w(&out_, resp::Protocol::kResp2);
  w.ArrayHeader(args.size());
  for (const auto& a : args) w.Bulk(a);
  pending_.push_back(
      Pending{std::move(done), is_write, false, std::chrono::steady_clock::now() + request_timeout_});
  ++unwritten_;
  Flush();
}

void Connection::Flush() {
  if (!connected_ || write_in_flight_ || closed_ || out_.empty()) return;
  writing_.swap(out_);
  out_.clear();
  // Everything queued so far is in this write: a lost reply now means "maybe applied".
  for (std::size_t i = pending_.size() - unwritten_; i < pending_.size(); ++i) {
    pending_[i].written = true;
  }
  unwritten_ = 0;
  write_in_flight_ = true;
  auto done = [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
    self->write_in_flight_ = false;
    self->writing_.clear();
    if (ec) return self->Close(Status::Unavailable("write: " + ec.message()));
    self->Flush();
  };
  if (tls_) {
    asio::async_write(*tls_, asio::buffer(writing_), std::move(done));
  } else {
    asio::async_write(socket_, asio::buffer(writing_), std::move(done));
  }
}

asio::awaitable<void> Connection::ConnectAndRead(std::chrono::milliseconds connect_timeout) {
  auto self = shared_from_this();  // alive while reading
  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(io_);
  auto endpoints = co_await resolver.async_resolve(host_, std::to_string(port_),
                                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    Close(Status::Unavailable("resolve " + address_ + ": " + ec.message()));
    co_return;
  }
  // The connect deadline: closing the socket aborts the pending connect.
  asio::steady_timer deadline(io_, connect_timeout);
  deadline.async_wait([self](boost::system::error_code e) {
    if (!e && !self->connected_) {
      boost::system::error_code ignored;
      self->tcp().close(ignored);
    }
  });
  co_await asio::async_connect(tcp(), endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec || closed_) {
    Close(Status::Unavailable("connect " + address_ + ": " + (ec ? ec.message() : "closed")));
    co_return;
  }
  tcp().set_option(asio::ip::tcp::no_delay(true), ec);
  if (tls_) {
    // The certificate must name the host we dialled (an IP address or a
    // DNS name); SNI for names.
    tls_->set_verify_callback(asio::ssl::host_name_verification(host_));
    boost::system::error_code not_an_address;
    asio::ip::make_address(host_, not_an_address);
    if (not_an_address) SSL_set_tlsext_host_name(tls_->native_handle(), host_.c_str());
    co_await tls_->async_handshake(asio::ssl::stream_base::client,
                                   asio::redirect_error(asio::use_awaitable, ec));
    if (ec || closed_) {
      Close(Status::Unavailable("TLS handshake with " + address_ + ": " +
                                (ec ? ec.message() : "closed")));
      co_return;
    }
  }
  deadline.cancel();
  connected_ = true;
  Flush();
  std::vector<char> buf(64 << 10);
  while (!closed_) {
    std::size_t n = tls_ ? co_await tls_->async_read_some(
                               asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec))
                         : co_await socket_.async_read_some(
                               asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      Close(Status::Unavailable("read " + address_ + ": " + ec.message()));
      co_return;
    }
    parser_.Feed(std::string_view(buf.data(), n));
    while (!closed_) {
      resp::Value v;
      auto next = parser_.Next(&v);
      if (!next.ok()) {
        Close(Status::Unavailable("bad reply from " + address_ + ": " +
                                  std::string(next.status().message())));
        co_return;
      }
      if (!*next) break;
      OnReply(std::move(v));
    }
  }
}

void Connection::OnReply(resp::Value v) {
  if (v.type == resp::Type::kPush) {
    if (on_push_) on_push_(v);
    return;
  }
  if (pending_.empty()) {
    return Close(Status::Unavailable("reply without a request from " + address_));
  }
  Pending p = std::move(pending_.front());
  pending_.pop_front();
  p.done({Status::Ok(), std::move(v)});
}

asio::awaitable<void> Connection::Watchdog() {
  auto self = shared_from_this();
  while (!closed_) {
    auto now = std::chrono::steady_clock::now();
    if (!pending_.empty() && pending_.front().deadline <= now) {
      Close(Status::DeadlineExceeded(
          fmt::format("no reply from {} within {} ms", address_, request_timeout_.count())));
      co_return;
    }
    auto next = pending_.empty() ? now + std::chrono::milliseconds(100)
                                 : std::min(pending_.front().deadline,
                                            now + std::chrono::milliseconds(100));
    watchdog_.expires_at(next);
    boost::system::error_code ec;
    co_await watchdog_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

void Connection::Close(const Status& why) {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  tcp().close(ignored);
  watchdog_.cancel();
  std::deque<Pending> failed;
  failed.swap(pending_);
  unwritten_ = 0;
  for (auto& p : failed) {
    if (p.written && p.is_write) {
      p.done({Status::DeadlineExceeded("outcome unknown: " + std::string(why.message())), {}});
    } else {
      p.done({Status::Unavailable(why.message()), {}});
    }
  }
  if (on_close_) on_close_(why);
}

}  // namespace cairn::client::internal
