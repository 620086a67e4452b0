#include "server/client_conn.h"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <string>

#include "net/read_when_ready.h"

namespace cairn::server {

namespace asio = boost::asio;
using boost::system::error_code;

// The TLS stream and its one receive in flight. Pending operations hold a
// shared_ptr to this, so it outlives the ClientConn if they complete late.
struct ClientConn::Tls : std::enable_shared_from_this<Tls> {
  Tls(asio::ip::tcp::socket socket, asio::ssl::context& ctx) : stream(std::move(socket), ctx) {}

  asio::ssl::stream<asio::ip::tcp::socket> stream;
  char buf[16 << 10];
  // Bytes of the last receive that its reader had no room for: the next
  // reader takes them first.
  std::string leftover;
  bool reading = false;
  // Who gets the receive in flight (replaced when Read takes over a watch's).
  std::function<void(error_code, std::string_view)> on_read;

  void StartRead() {
    if (reading) return;
    reading = true;
    stream.async_read_some(asio::buffer(buf),
                           [self = shared_from_this()](error_code ec, std::size_t n) {
                             self->reading = false;
                             auto deliver = std::move(self->on_read);
                             self->on_read = nullptr;
                             if (deliver) deliver(ec, std::string_view(self->buf, n));
                           });
  }
};

ClientConn::ClientConn(asio::ip::tcp::socket socket)
    : socket_(std::make_unique<asio::ip::tcp::socket>(std::move(socket))) {
  // Flush writes synchronously first; it must never block the loop.
  error_code ec;
  socket_->non_blocking(true, ec);
}

ClientConn::ClientConn(asio::ip::tcp::socket socket, asio::ssl::context& ctx)
    : tls_(std::make_shared<Tls>(std::move(socket), ctx)) {}

ClientConn::~ClientConn() = default;

asio::ip::tcp::socket& ClientConn::tcp() { return tls_ ? tls_->stream.next_layer() : *socket_; }
const asio::ip::tcp::socket& ClientConn::tcp() const {
  return tls_ ? tls_->stream.next_layer() : *socket_;
}

asio::awaitable<void> ClientConn::Handshake(error_code& ec) {
  ec = {};
  if (!tls_) co_return;
  auto keep = tls_;
  co_await keep->stream.async_handshake(asio::ssl::stream_base::server,
                                        asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<std::size_t> ClientConn::Read(asio::mutable_buffer buf, bool* speculate,
                                              error_code& ec) {
  if (!tls_) return net::ReadWhenReady(*socket_, buf, speculate, ec);
  return ReadTls(buf, ec);
}

asio::awaitable<std::size_t> ClientConn::ReadTls(asio::mutable_buffer buf, error_code& ec) {
  ec = {};
  auto t = tls_;
  if (!t->leftover.empty()) {
    std::size_t n = std::min(t->leftover.size(), buf.size());
    std::memcpy(buf.data(), t->leftover.data(), n);
    t->leftover.erase(0, n);
    co_return n;
  }
  if (!t->reading) {
    // The common case: nothing in flight, so the receive lands in the
    // caller's buffer. `reading` keeps a watch from starting another.
    t->reading = true;
    std::size_t n =
        co_await t->stream.async_read_some(buf, asio::redirect_error(asio::use_awaitable, ec));
    t->reading = false;
    if (!ec && n == 0) ec = asio::error::eof;  // a clean close_notify
    co_return ec ? 0 : n;
  }
  // A watch's receive is in flight: take it over and wait for its bytes.
  std::string got;
  auto initiate = [t, &got](auto handler) {
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    t->on_read = [h, &got](error_code e, std::string_view bytes) {
      got.assign(bytes);
      (*h)(e);
    };
  };
  auto token = asio::redirect_error(asio::use_awaitable, ec);
  co_await asio::async_initiate<decltype(token), void(error_code)>(initiate, token);
  if (ec) co_return 0;
  if (got.empty()) {  // a clean close_notify ends the stream like a FIN
    ec = asio::error::eof;
    co_return 0;
  }
  std::size_t n = std::min(got.size(), buf.size());
  std::memcpy(buf.data(), got.data(), n);
  if (n < got.size()) t->leftover.assign(got, n);
  co_return n;
}

void ClientConn::WatchRead(std::function<bool()> wanted, WatchHandler on_bytes) {
  if (tls_) {
    auto t = tls_;
    if (!t->leftover.empty()) {
      asio::post(t->stream.get_executor(),
                 [t, wanted = std::move(wanted), on_bytes = std::move(on_bytes)] {
                   if (!wanted() || t->leftover.empty()) return;
                   std::string bytes = std::move(t->leftover);
                   t->leftover.clear();
                   on_bytes({}, bytes);
                 });
      return;
    }
    t->on_read = [t, wanted = std::move(wanted), on_bytes = std::move(on_bytes)](
                     error_code ec, std::string_view bytes) {
      if (!wanted()) {
        if (!ec) t->leftover.append(bytes);  // the next Read's
        return;
      }
      if (!ec && bytes.empty()) ec = asio::error::eof;
      on_bytes(ec, bytes);
    };
    t->StartRead();
    return;
  }
  // The owner's handlers keep the owner, and so this connection, alive.
  socket_->async_wait(
      asio::ip::tcp::socket::wait_read,
      [this, wanted = std::move(wanted), on_bytes = std::move(on_bytes)](error_code ec) mutable {
        if (!wanted()) return;  // Run reads again: the bytes are its
        char buf[16 << 10];
        std::size_t n = 0;
        if (!ec) n = socket_->read_some(asio::buffer(buf), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
          return WatchRead(std::move(wanted), std::move(on_bytes));
        }
        if (!ec && n == 0) ec = asio::error::eof;
        on_bytes(ec, std::string_view(buf, n));
      });
}

std::size_t ClientConn::TryWrite(asio::const_buffer buf, error_code& ec) {
  if (tls_) {
    ec = asio::error::would_block;
    return 0;
  }
  return socket_->write_some(buf, ec);
}

void ClientConn::AsyncWrite(asio::const_buffer buf,
                            std::function<void(error_code, std::size_t)> done) {
  if (tls_) {
    asio::async_write(
        tls_->stream, buf,
        [t = tls_, done = std::move(done)](error_code ec, std::size_t n) { done(ec, n); });
    return;
  }
  asio::async_write(*socket_, buf, std::move(done));
}

void ClientConn::ShutdownReceive() {
  error_code ec;
  tcp().shutdown(asio::ip::tcp::socket::shutdown_receive, ec);
}

void ClientConn::Close() {
  error_code ec;
  tcp().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  tcp().close(ec);
}

asio::ip::tcp::endpoint ClientConn::RemoteEndpoint(error_code& ec) const {
  return tcp().remote_endpoint(ec);
}

}  // namespace cairn::server
