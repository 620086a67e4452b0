#pragma once
// Transport: framed TCP links between Raft peers (Boost.Asio, C++20 coroutines).
//
// Each node dials one outbound connection to every peer and sends on it only;
// it receives on the connections its peers dial to it. So a pair of nodes
// shares two TCP connections, one per direction, and neither side needs to
// arbitrate who dials (docs/formats/peer-protocol.md).
//
// Sending: Send() appends a frame to the peer's bounded queue and returns at
// once; a writer coroutine drains the whole queue in one write (pipelining).
// When the queue is full the frame is dropped and counted: Raft retransmits.
// A broken link is redialled with exponential backoff (backoff_ms_min doubling
// up to backoff_ms_max); frames queued meanwhile stay queued (still bounded).
//
// Receiving: the first frame on a connection must be kHello naming the sender
// (and, since membership changes, the sender's own listen address: a node
// that joins learns from it how to answer a leader it has not heard of;
// and with TransportOptions::secret, the proof that it is a member);
// every later frame is handed to `on_frame(from, frame)`. A framing or
// checksum error closes that connection (the sender redials).
//
// Thread-safety: every method, and every callback, runs on the io_context's
// single thread. Asio stays out of this header (pimpl).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "net/raft_codec.h"
#include "raft/types.h"

namespace boost::asio {
class io_context;
}

namespace cairn::net {

struct PeerAddress {
  raft::NodeId id = raft::kNoNode;
  std::string host;
  std::uint16_t port = 0;
};

struct TransportOptions {
  std::size_t send_queue_frames_max = 8192;
  std::size_t write_batch_bytes_max = 4u << 20;
  std::uint32_t backoff_ms_min = 20;
  std::uint32_t backoff_ms_max = 250;
  // A secret every member shares (the node's requirepass). Non-empty: this
  // node's kHello carries a proof of it (PeerProof), and a connection whose
  // kHello does not carry the same proof is closed before any other frame
  // of it is handed on. Empty: no proof is sent or asked for.
  std::string secret;
};

// What a kHello carries to show it comes from a member: a digest of the
// shared secret. It keeps out whoever reaches the Raft port without the
// secret; like a password sent without TLS, it does not stop someone who
// can read the traffic (docs/operations.md, Security).
std::string PeerProof(std::string_view secret);

struct TransportStats {
  std::uint64_t frames_sent = 0;
  std::uint64_t frames_dropped = 0;
  std::uint64_t frames_received = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t connects = 0;
  std::uint64_t bad_frames = 0;
  std::uint64_t unauthenticated = 0;  // connections closed for a missing or wrong proof
};

class Transport {
 public:
  using FrameHandler = std::function<void(raft::NodeId from, Frame frame)>;
  // A kHello that names its sender's address ("host:port", maybe empty).
  using HelloHandler = std::function<void(raft::NodeId from, const std::string& address)>;

  // `peers` may list this node itself: its address is then sent in every
  // kHello (it is not dialled).
  Transport(boost::asio::io_context& io, raft::NodeId self, std::vector<PeerAddress> peers,
            FrameHandler on_frame, TransportOptions options = {});
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Binds host:port (port 0 picks a free one) and accepts in the background;
  // starts dialling the peers. IOError if the address cannot be bound.
  Status Start(const std::string& host, std::uint16_t port);
  std::uint16_t listen_port() const;

  // Queues a frame for `to`. False if `to` is unknown or its queue is full.
  bool Send(raft::NodeId to, FrameType type, std::string_view payload);
  bool SendRaft(const raft::Message& m) { return Send(m.to, FrameType::kRaft, EncodeMessage(m)); }

  // True while the outbound link to `to` is connected.
  bool Connected(raft::NodeId to) const;

  // Membership at run time. AddPeer dials a new peer, or redials a known one
  // whose address changed (queued frames are kept); the same address again
  // is a no-op. RemovePeer drops the peer's queue and closes its outbound
  // link; frames for it are refused from then on. Inbound links are not
  // closed (the sender owns them; the node ignores what it should not hear).
  void AddPeer(const PeerAddress& peer);
  void RemovePeer(raft::NodeId id);
  bool HasPeer(raft::NodeId id) const;
  void SetHelloHandler(HelloHandler on_hello);

  // Closes every socket; coroutines end as the io_context runs on.
  void Stop();
  TransportStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace cairn::net
