#pragma once
// ClientConn: the byte stream under one RESP connection, plain TCP or TLS.
//
// Session speaks RESP over this and never sees which it is. The two differ
// in how bytes move:
//   - Plain: reads wait for readability first (net::ReadWhenReady), and a
//     write is first tried at once without blocking (TryWrite), so most
//     replies leave with one send and no asynchronous operation.
//   - TLS (OpenSSL through asio::ssl::stream): every write is asynchronous
//     (TryWrite takes nothing: a non-blocking SSL write that stopped halfway
//     would lose bytes OpenSSL counts as sent), and at most one receive is
//     in flight, shared by Read and WatchRead: a watch's receive still
//     pending when Run reads again hands its bytes to that Read.
//
// Thread-safety: none; one io_context thread drives a connection.
// Errors: in the error_code arguments; after an error the caller closes.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>  // before Asio (Boost 1.74)

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace cairn::server {

class ClientConn {
 public:
  // A plain connection: the socket is put in non-blocking mode.
  explicit ClientConn(boost::asio::ip::tcp::socket socket);
  // A TLS connection over `socket`, configured by `ctx`, which must outlive
  // it. Handshake() must complete before anything else is called.
  ClientConn(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& ctx);
  ~ClientConn();
  ClientConn(ClientConn&&) = default;  // only before its first operation
  ClientConn& operator=(ClientConn&&) = delete;

  bool tls() const { return tls_ != nullptr; }

  // The TLS server handshake (plain: nothing). Sets `ec` on failure; the
  // caller bounds how long it may take (CloseNow ends it).
  boost::asio::awaitable<void> Handshake(boost::system::error_code& ec);

  // One receive of up to buf.size() bytes; 0 bytes with `ec` set on error
  // or end of stream. `speculate` as in net::ReadWhenReady (plain only).
  // (Not a coroutine itself: a plain read is net::ReadWhenReady's own
  // awaitable, with no second frame per read.)
  boost::asio::awaitable<std::size_t> Read(boost::asio::mutable_buffer buf, bool* speculate,
                                           boost::system::error_code& ec);

  // Watches for bytes while nothing else reads: once the next bytes (or an
  // error) come, and while `wanted()` still says so, `on_bytes` gets them.
  // When it no longer does, nothing is lost: a plain socket is not read,
  // and a TLS receive already made is kept for the next Read.
  using WatchHandler = std::function<void(boost::system::error_code, std::string_view)>;
  void WatchRead(std::function<bool()> wanted, WatchHandler on_bytes);

  // Sends what it can without blocking and returns how many bytes went;
  // `ec` is would_block when none could. TLS: always 0 and would_block.
  std::size_t TryWrite(boost::asio::const_buffer buf, boost::system::error_code& ec);
  // Sends all of `buf` (which must stay valid until `done` runs).
  void AsyncWrite(boost::asio::const_buffer buf,
                  std::function<void(boost::system::error_code, std::size_t)> done);

  void ShutdownReceive();
  void Close();
  boost::asio::ip::tcp::endpoint RemoteEndpoint(boost::system::error_code& ec) const;

 private:
  struct Tls;
  boost::asio::awaitable<std::size_t> ReadTls(boost::asio::mutable_buffer buf,
                                              boost::system::error_code& ec);
  boost::asio::ip::tcp::socket& tcp();
  const boost::asio::ip::tcp::socket& tcp() const;

  std::unique_ptr<boost::asio::ip::tcp::socket> socket_;  // plain only
  std::shared_ptr<Tls> tls_;  // TLS only (shared with its pending operations)
};

}  // namespace cairn::server
