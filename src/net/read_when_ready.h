#pragma once
// A receive that skips Boost's speculative read when it would fail.
//
// Boost.Asio's async_read_some first tries the receive at once and only
// then waits for the socket (epoll, edge-triggered). A server that has just
// read a client's batch and answered (or is about to answer) it nearly
// always finds nothing more there: the client is waiting for its replies.
// That attempt is a wasted recvfrom per request, EAGAIN, on the hottest path.
//
// ReadWhenReady waits first and receives after, unless `speculate` says
// that bytes may already be waiting unseen:
//   - after the last read filled the whole buffer (more is likely queued);
//   - on the first read, and after the caller suspended on anything other
//     than this socket since its last read. The readiness edge of bytes
//     that came meanwhile may have been reported while no read was queued,
//     and an edge-triggered wait would then not see them until more came.
// Right after a read completes, no epoll wait can run before the caller
// queues the next one (the caller does not suspend in between), so bytes
// that come after that read raise an edge the queued wait sees.
//
// The socket must be in non-blocking mode (a wait can end spuriously; the
// receive then reports would_block, and the wait is made again).
//
// Thread-safety: as the socket's (one strand). Errors: in `ec`.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstddef>

namespace cairn::net {

// Reads up to buf.size() bytes; sets *speculate for the next call (true
// when this one filled the buffer). The caller sets *speculate = true after
// suspending on anything else.
template <class Socket>
boost::asio::awaitable<std::size_t> ReadWhenReady(Socket& socket, boost::asio::mutable_buffer buf,
                                                  bool* speculate, boost::system::error_code& ec) {
  namespace asio = boost::asio;
  for (;;) {
    ec = {};
    if (!*speculate) {
      co_await socket.async_wait(asio::socket_base::wait_read,
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return 0;
    }
    std::size_t n = socket.read_some(buf, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      *speculate = false;
      continue;
    }
    *speculate = !ec && n == buf.size();
    co_return n;
  }
}

}  // namespace cairn::net
