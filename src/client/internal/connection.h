#pragma once
// Connection: one pipelined RESP connection to one node (private to libcairn).
//
// Requests are encoded and appended to one output buffer as they are sent;
// a single write is in flight at a time and carries everything queued, so
// many requests travel per syscall. Replies are matched to requests in order
// (a FIFO of callbacks); RESP3 pushes are handed to the push handler instead.
//
// Failure: when the socket fails, or the oldest request passes its deadline
// (replies cannot be skipped, so the connection is closed), every waiting
// request fails: those never written with kUnavailable (safe to retry); those
// written with kDeadlineExceeded if they were writes (outcome unknown) and
// kUnavailable if they were reads. The close handler runs once, after that.
//
// TLS: given an ssl::context, the connection does a TLS handshake (checking
// the server's certificate against the host name) after connecting, within
// the same connect timeout, and everything after travels inside TLS.
//
// Thread-safety: none. Every method, and every callback, runs on the
// io_context thread that owns the connection.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>  // before Asio (Boost 1.74)
#include <vector>

#include "common/status.h"
#include "resp/reply_parser.h"
#include "resp/value.h"

namespace cairn::client::internal {

namespace asio = boost::asio;

// A reply or the Status that replaced it (never a Result: Asio handlers need
// default-constructible arguments).
struct Outcome {
  Status status;
  resp::Value value;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Callback = std::function<void(Outcome)>;
  using PushHandler = std::function<void(const resp::Value&)>;
  using CloseHandler = std::function<void(const Status&)>;

  // `tls` (may be null: plain TCP) must outlive the connection.
  Connection(asio::io_context& io, std::string host, std::uint16_t port,
             std::chrono::milliseconds request_timeout, asio::ssl::context* tls = nullptr);

  // Connects (bounded by connect_timeout); requests sent before it finishes
  // are queued and written once connected.
  void Start(std::chrono::milliseconds connect_timeout);
  // Queues one command. `is_write` decides what a lost reply means.
  void Send(const std::vector<std::string>& args, bool is_write, Callback done);
  // Closes with `why`; fails everything waiting (see above).
  void Close(const Status& why);

  void set_push_handler(PushHandler h) { on_push_ = std::move(h); }
  void set_close_handler(CloseHandler h) { on_close_ = std::move(h); }
  bool closed() const { return closed_; }
  std::size_t in_flight() const { return pending_.size(); }
  const std::string& address() const { return address_; }

 private:
  struct Pending {
    Callback done;
    bool is_write = false;
    bool written = false;
    std::chrono::steady_clock::time_point deadline;
  };
  asio::awaitable<void> ConnectAndRead(std::chrono::milliseconds connect_timeout);
  asio::awaitable<void> Watchdog();
  void Flush();
  void OnReply(resp::Value v);

  asio::ip::tcp::socket& tcp() { return tls_ ? tls_->next_layer() : socket_; }

  asio::io_context& io_;
  asio::ip::tcp::socket socket_;                                   // plain connections
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>> tls_;  // TLS ones
  asio::steady_timer watchdog_;
  const std::string host_;
  const std::uint16_t port_;
  const std::string address_;
  const std::chrono::milliseconds request_timeout_;
  resp::ReplyParser parser_;
  std::deque<Pending> pending_;   // oldest first
  std::size_t unwritten_ = 0;     // trailing entries of pending_ not yet in a write
  std::string out_;               // encoded requests not yet handed to the socket
  std::string writing_;           // the buffer of the write in flight
  bool connected_ = false;
  bool write_in_flight_ = false;
  bool closed_ = false;
  PushHandler on_push_;
  CloseHandler on_close_;
};

}  // namespace cairn::client::internal
