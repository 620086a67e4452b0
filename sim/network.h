#pragma once
// SimNetwork: a message bus with per-message random delay, loss, duplication
// and (through the delays) reordering, plus partitions.
//
// Links are directed: Block(a, b) cuts a -> b only (a one-way partition);
// Partition() cuts every link between two groups both ways. A message is
// checked against the links when sent and again when it would be delivered,
// so a partition also swallows what was in flight across it.
//
// Determinism: every random draw comes from the Random given at construction,
// and due messages leave in (deliver_at_ms, send order), so one seed gives one
// order of deliveries.
//
// Thread-safety: none.

#include <array>
#include <cstdint>
#include <queue>
#include <vector>

#include "common/random.h"
#include "raft/types.h"
#include "sim/snapshot.h"

namespace cairn::sim {

struct NetworkOptions {
  std::uint32_t delay_ms_min = 1;  // >= 1: nothing arrives in the tick it was sent
  std::uint32_t delay_ms_max = 8;
  double drop_rate = 0.0;       // each message independently
  double duplicate_rate = 0.0;  // a second copy with its own delay
  // A few messages are held up far longer (a stalled route, a retransmit
  // after a long timeout): they arrive after the cluster has moved on.
  double long_delay_rate = 0.0;
  std::uint32_t long_delay_ms_min = 100;
  std::uint32_t long_delay_ms_max = 600;
};

struct NetworkStats {
  std::uint64_t sent = 0;
  std::uint64_t delivered = 0;
  std::uint64_t dropped = 0;      // random loss or loss burst
  std::uint64_t cut = 0;          // blocked by a partition
  std::uint64_t duplicated = 0;
  std::array<std::uint64_t, raft::kMessageTypeCount> sent_by_type{};
  std::uint64_t append_rejects = 0;  // AppendResponses that refuse (log mismatch)
};

// What travels beside a Message: an InstallSnapshot's bytes (the core only
// sees the metadata) and the id of the transfer, so the sender's transport
// learns whether it arrived. Duplicates carry the same attachment.
struct Attachment {
  std::uint64_t transfer_id = 0;
  SnapshotPtr snapshot;
};

class SimNetwork {
 public:
  // Nodes are numbered 1..node_count.
  SimNetwork(Random& random, std::size_t node_count, NetworkOptions options = {});

  void set_options(const NetworkOptions& options) { options_ = options; }
  const NetworkOptions& options() const { return options_; }

  // `extra_delay_ms` holds the message back before its random delay starts
  // (a sender that froze while sending).
  void Send(std::uint64_t now_ms, raft::Message m, std::uint64_t extra_delay_ms = 0,
            Attachment attachment = {});
  // Takes the next message due at or before now; false when none is due.
  bool PopDue(std::uint64_t now_ms, raft::Message* out, Attachment* attachment = nullptr);
  std::size_t in_flight() const { return queue_.size(); }

  void Block(raft::NodeId from, raft::NodeId to);  // one way
  void Isolate(raft::NodeId n);                    // both ways, from everyone
  void Partition(const std::vector<raft::NodeId>& a, const std::vector<raft::NodeId>& b);
  void HealAll();
  bool blocked(raft::NodeId from, raft::NodeId to) const;
  bool any_blocked() const;

  // Until `until_ms`, messages are lost at `rate` on top of drop_rate.
  void LossBurst(double rate, std::uint64_t until_ms);

  const NetworkStats& stats() const { return stats_; }

 private:
  struct InFlight {
    std::uint64_t deliver_at_ms;
    std::uint64_t seq;
    raft::Message message;
    Attachment attachment;
  };
  struct Later {
    bool operator()(const InFlight& a, const InFlight& b) const {
      return a.deliver_at_ms != b.deliver_at_ms ? a.deliver_at_ms > b.deliver_at_ms : a.seq > b.seq;
    }
  };
  std::size_t LinkIndex(raft::NodeId from, raft::NodeId to) const;
  bool Lost(std::uint64_t now_ms);
  void Enqueue(std::uint64_t now_ms, raft::Message m, std::uint64_t extra_delay_ms, Attachment a);

  Random& random_;
  std::size_t node_count_;
  NetworkOptions options_;
  std::vector<bool> blocked_;  // node_count_ x node_count_, [from][to]
  double burst_rate_ = 0.0;
  std::uint64_t burst_until_ms_ = 0;
  std::uint64_t next_seq_ = 0;
  std::priority_queue<InFlight, std::vector<InFlight>, Later> queue_;
  NetworkStats stats_;
};

}  // namespace cairn::sim
