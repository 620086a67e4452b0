#pragma once
// Progress: a leader's view of one follower's log.
//
//   match: highest index known to be replicated on the follower.
//   next:  next index to send. Invariant: match < next.
//   kProbe: the leader does not know where the logs diverge; it sends one
//           Append at a time and waits for the answer (or a heartbeat reply).
//   kReplicate: the logs agree up to match; Appends are pipelined, up to
//           inflight_appends_max unacknowledged at once, and only while
//           the unacknowledged ones carry fewer than inflight_bytes_max
//           payload bytes (one Append may pass that bound on its own).
//           The byte bound keeps a follower's connection from filling with
//           megabytes of entries that a heartbeat would queue behind for
//           longer than an election timeout.
//   kSnapshot: a snapshot is being streamed; nothing else is sent until the
//           follower acknowledges it or the transport reports failure.
//
// Thread-safety: none (owned by one RawNode).

#include <cstddef>
#include <deque>

#include "raft/types.h"

namespace cairn::raft {

class Progress {
 public:
  enum class State : unsigned char { kProbe, kReplicate, kSnapshot };

  Progress(Index next, std::size_t inflight_max, std::size_t inflight_bytes_max)
      : next_(next), inflight_max_(inflight_max), inflight_bytes_max_(inflight_bytes_max) {}

  Index match() const { return match_; }
  Index next() const { return next_; }
  State state() const { return state_; }
  bool recent_active() const { return recent_active_; }
  void set_recent_active(bool v) { recent_active_ = v; }
  std::size_t inflight() const { return inflight_.size(); }
  std::size_t inflight_bytes() const { return inflight_bytes_; }

  // True when no Append should be sent now.
  bool paused() const {
    switch (state_) {
      case State::kProbe: return probe_sent_;
      case State::kReplicate:
        return inflight_.size() >= inflight_max_ || inflight_bytes_ >= inflight_bytes_max_;
      case State::kSnapshot: return true;
    }
    return true;
  }
  Index pending_snapshot() const { return pending_snapshot_; }

  // An Append covering up to `last`, with `bytes` of entry payload, was sent.
  void OnSent(Index last, bool has_entries, std::size_t bytes);
  // The follower acknowledged up to `index`. Returns true if match grew.
  bool OnAck(Index index);
  // The follower rejected prev index `rejected`; resume probing at
  // `next_probe`. Returns false if the rejection is stale.
  bool OnReject(Index rejected, Index next_probe);
  // Heartbeat reply: a probe may be sent again.
  void Unpause() { probe_sent_ = false; }
  void FreeFirstInflight();

  void BecomeProbe();
  void BecomeReplicate();
  void BecomeSnapshot(Index snapshot_index);
  // The transport delivered the snapshot: probe from just after it, paused
  // until the follower's answer (OnAck) or a heartbeat reply (Unpause).
  void OnSnapshotDelivered();

 private:
  Index match_ = 0;
  Index next_;
  State state_ = State::kProbe;
  bool probe_sent_ = false;
  bool recent_active_ = false;
  Index pending_snapshot_ = 0;
  std::size_t inflight_max_;
  std::size_t inflight_bytes_max_;
  struct Inflight {
    Index last;         // the Append's last index
    std::size_t bytes;  // its entries' payload bytes
  };
  std::deque<Inflight> inflight_;   // the unacknowledged Appends, oldest first
  std::size_t inflight_bytes_ = 0;  // their bytes, summed
  void ClearInflight() {
    inflight_.clear();
    inflight_bytes_ = 0;
  }
};

}  // namespace cairn::raft
