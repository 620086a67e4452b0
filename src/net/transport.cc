#include "net/transport.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <deque>
#include <set>
#include <unordered_map>
#include <utility>  // before Asio (Boost 1.74's awaitable.hpp needs it)

#include "common/sha1.h"
#include "net/read_when_ready.h"

namespace cairn::net {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
// Boost 1.74 lacks as_tuple: errors come back through an error_code.
inline auto NoThrow(boost::system::error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

namespace {

struct OutboundPeer {
  PeerAddress address;
  std::deque<std::string> queue;  // framed bytes
  std::unique_ptr<asio::steady_timer> wake;  // cancelled when the queue fills
  std::unique_ptr<tcp::socket> socket;
  bool connected = false;
  bool removed = false;  // RemovePeer: its coroutine ends
};

}  // namespace

std::string PeerProof(std::string_view secret) {
  return Sha1Hex("cairn peer hello\n" + std::string(secret));
}

struct Transport::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io_in, raft::NodeId self_in, TransportOptions options_in,
       FrameHandler handler)
      : io(io_in),
        self(self_in),
        options(options_in),
        expected_proof(options.secret.empty() ? std::string() : PeerProof(options.secret)),
        on_frame(std::move(handler)),
        acceptor(io) {}

  awaitable<void> Accept();
  awaitable<void> Receive(std::shared_ptr<tcp::socket> socket);
  awaitable<void> RunPeer(std::shared_ptr<OutboundPeer> peer);
  awaitable<bool> Connect(OutboundPeer* peer);
  void Retire(OutboundPeer* peer);
  bool Live(const OutboundPeer* peer) const { return !stopped && !peer->removed; }

  asio::io_context& io;
  const raft::NodeId self;
  const TransportOptions options;
  const std::string expected_proof;               // PeerProof(options.secret), or empty
  // One warning per claimed id, for the first kWarnedIdsMax ids: a stranger
  // claiming ids without end must not grow this (or the log) without end.
  static constexpr std::size_t kWarnedIdsMax = 64;
  std::set<raft::NodeId> warned_unauthenticated;
  FrameHandler on_frame;
  HelloHandler on_hello;
  std::string self_address;  // sent in kHello when known
  tcp::acceptor acceptor;
  bool started = false;
  std::unordered_map<raft::NodeId, std::shared_ptr<OutboundPeer>> peers;
  std::vector<std::weak_ptr<tcp::socket>> inbound;
  TransportStats stats;
  bool stopped = false;
};

Transport::Transport(asio::io_context& io, raft::NodeId self, std::vector<PeerAddress> peers,
                     FrameHandler on_frame, TransportOptions options)
    : impl_(std::make_shared<Impl>(io, self, options, std::move(on_frame))) {
  for (auto& p : peers) {
    if (p.id == self) {
      impl_->self_address = p.host + ":" + std::to_string(p.port);
      continue;
    }
    auto peer = std::make_shared<OutboundPeer>();
    peer->address = p;
    peer->wake = std::make_unique<asio::steady_timer>(io);
    impl_->peers[p.id] = std::move(peer);
  }
}

void Transport::AddPeer(const PeerAddress& p) {
  if (p.id == impl_->self || p.id == raft::kNoNode || impl_->stopped) return;
  std::deque<std::string> queued;
  if (auto it = impl_->peers.find(p.id); it != impl_->peers.end()) {
    const PeerAddress& old = it->second->address;
    if (old.host == p.host && old.port == p.port) return;
    queued = std::move(it->second->queue);
    impl_->Retire(it->second.get());
    impl_->peers.erase(it);
  }
  auto peer = std::make_shared<OutboundPeer>();
  peer->address = p;
  peer->queue = std::move(queued);
  peer->wake = std::make_unique<asio::steady_timer>(impl_->io);
  impl_->peers[p.id] = peer;
  if (impl_->started) asio::co_spawn(impl_->io, impl_->RunPeer(peer), asio::detached);
}

void Transport::RemovePeer(raft::NodeId id) {
  auto it = impl_->peers.find(id);
  if (it == impl_->peers.end()) return;
  impl_->Retire(it->second.get());
  impl_->peers.erase(it);
}

bool Transport::HasPeer(raft::NodeId id) const { return impl_->peers.count(id) > 0; }

void Transport::SetHelloHandler(HelloHandler on_hello) { impl_->on_hello = std::move(on_hello); }

// The peer's coroutine holds its own reference and ends at its next wake-up.
void Transport::Impl::Retire(OutboundPeer* peer) {
  peer->removed = true;
  peer->queue.clear();
  peer->wake->cancel();
  boost::system::error_code ec;
  if (peer->socket) peer->socket->close(ec);
}

Transport::~Transport() { Stop(); }

Status Transport::Start(const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("bad listen address " + host);
  tcp::endpoint ep(addr, port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError("peer listen on " + host + ":" + std::to_string(port) + ": " +
                                 ec.message());
  asio::co_spawn(impl_->io, impl_->Accept(), asio::detached);
  impl_->started = true;
  for (auto& [id, peer] : impl_->peers) {
    asio::co_spawn(impl_->io, impl_->RunPeer(peer), asio::detached);
  }
  return Status::Ok();
}

std::uint16_t Transport::listen_port() const {
  boost::system::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

bool Transport::Send(raft::NodeId to, FrameType type, std::string_view payload) {
  auto it = impl_->peers.find(to);
  if (it == impl_->peers.end() || impl_->stopped) return false;
  OutboundPeer& peer = *it->second;
  if (peer.queue.size() >= impl_->options.send_queue_frames_max) {
    ++impl_->stats.frames_dropped;
    return false;
  }
  std::string frame;
  AppendFrame(type, payload, &frame);
  peer.queue.push_back(std::move(frame));
  peer.wake->cancel();
  return true;
}

bool Transport::Connected(raft::NodeId to) const {
  auto it = impl_->peers.find(to);
  return it != impl_->peers.end() && it->second->connected;
}

void Transport::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  for (auto& [id, peer] : impl_->peers) {
    peer->wake->cancel();
    if (peer->socket) peer->socket->close(ec);
  }
  for (auto& w : impl_->inbound) {
    if (auto s = w.lock()) s->close(ec);
  }
}

TransportStats Transport::stats() const { return impl_->stats; }

awaitable<void> Transport::Impl::Accept() {
  auto keep = shared_from_this();
  while (!stopped) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(NoThrow(ec));
    if (ec) {
      if (stopped) co_return;
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto s = std::make_shared<tcp::socket>(std::move(socket));
    std::erase_if(inbound, [](auto& w) { return w.expired(); });
    inbound.push_back(s);
    asio::co_spawn(io, Receive(s), asio::detached);
  }
}

awaitable<void> Transport::Impl::Receive(std::shared_ptr<tcp::socket> socket) {
  auto keep = shared_from_this();
  FrameReader reader;
  raft::NodeId from = raft::kNoNode;
  std::vector<char> buf(64 << 10);
  // This socket is only read (replies go out on this node's own connection
  // to the sender), so non-blocking mode changes nothing else.
  boost::system::error_code nb;
  socket->non_blocking(true, nb);
  bool speculate = true;
  while (!stopped) {
    boost::system::error_code ec;
    std::size_t n = co_await ReadWhenReady(*socket, asio::buffer(buf), &speculate, ec);
    if (ec) break;
    stats.bytes_in += n;
    reader.Feed(std::string_view(buf.data(), n));
    for (;;) {
      auto f = reader.Next();
      if (!f.ok()) {
        ++stats.bad_frames;
        boost::system::error_code ignored;
        socket->close(ignored);
        co_return;
      }
      if (!f->has_value()) break;
      Frame frame = std::move(**f);
      ++stats.frames_received;
      if (from == raft::kNoNode) {
        ByteReader r(frame.payload);
        if (frame.type != FrameType::kHello || !r.U64(&from) || from == raft::kNoNode) {
          ++stats.bad_frames;
          boost::system::error_code ignored;
          socket->close(ignored);
          co_return;
        }
        // Older peers send the id alone; the address is optional, and the
        // proof follows it (an empty address before a proof).
        std::string_view address, proof;
        if (r.remaining() > 0 && r.Bytes(&address) && r.remaining() > 0) r.Bytes(&proof);
        if (!options.secret.empty() && proof != expected_proof) {
          ++stats.unauthenticated;
          if (warned_unauthenticated.size() < kWarnedIdsMax &&
              warned_unauthenticated.insert(from).second) {
            spdlog::warn(
                "peer connection claiming node {} closed: its Hello {} the cluster's "
                "secret (requirepass must be the same on every node)",
                from, proof.empty() ? "lacks the proof of" : "has a wrong proof of");
          }
          boost::system::error_code ignored;
          socket->close(ignored);
          co_return;
        }
        if (!address.empty() && on_hello) {
          on_hello(from, std::string(address));
          if (stopped) co_return;
        }
        continue;
      }
      on_frame(from, std::move(frame));
      if (stopped) co_return;
    }
  }
}

awaitable<bool> Transport::Impl::Connect(OutboundPeer* peer) {
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = co_await resolver.async_resolve(
      peer->address.host, std::to_string(peer->address.port), NoThrow(ec));
  if (ec || !Live(peer)) co_return false;
  peer->socket = std::make_unique<tcp::socket>(io);
  co_await asio::async_connect(*peer->socket, results, NoThrow(ec));
  if (ec || !Live(peer)) co_return false;
  peer->socket->set_option(tcp::no_delay(true), ec);
  std::string hello_payload, hello;
  ByteWriter hw(&hello_payload);
  hw.U64(self);
  if (!self_address.empty() || !options.secret.empty()) hw.Bytes(self_address);
  if (!options.secret.empty()) hw.Bytes(expected_proof);
  AppendFrame(FrameType::kHello, hello_payload, &hello);
  std::size_t wn = co_await asio::async_write(*peer->socket, asio::buffer(hello), NoThrow(ec));
  if (ec) co_return false;
  stats.bytes_out += wn;
  ++stats.connects;
  co_return true;
}

awaitable<void> Transport::Impl::RunPeer(std::shared_ptr<OutboundPeer> peer_ref) {
  auto keep = shared_from_this();
  OutboundPeer* peer = peer_ref.get();
  std::uint32_t backoff_ms = options.backoff_ms_min;
  asio::steady_timer backoff(io);
  std::string batch;
  while (Live(peer)) {
    if (!co_await Connect(peer)) {
      if (!Live(peer)) co_return;
      backoff.expires_after(std::chrono::milliseconds(backoff_ms));
      boost::system::error_code ignored;
      co_await backoff.async_wait(NoThrow(ignored));
      backoff_ms = std::min(backoff_ms * 2, options.backoff_ms_max);
      continue;
    }
    backoff_ms = options.backoff_ms_min;
    peer->connected = true;
    while (Live(peer)) {
      if (peer->queue.empty()) {
        peer->wake->expires_at(asio::steady_timer::time_point::max());
        boost::system::error_code ignored;
        co_await peer->wake->async_wait(NoThrow(ignored));
        continue;
      }
      batch.clear();
      std::size_t frames = 0;
      while (!peer->queue.empty() && batch.size() < options.write_batch_bytes_max) {
        batch += peer->queue.front();
        peer->queue.pop_front();
        ++frames;
      }
      boost::system::error_code ec;
      std::size_t n = co_await asio::async_write(*peer->socket, asio::buffer(batch), NoThrow(ec));
      if (ec) break;  // the batch is lost; Raft retransmits
      stats.bytes_out += n;
      stats.frames_sent += frames;
    }
    peer->connected = false;
    boost::system::error_code ignored;
    peer->socket->close(ignored);
  }
}

}  // namespace cairn::net
