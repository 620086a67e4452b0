#pragma once
// Progress: a leader's view of one follower's log.
//
//   match: highest index known to be replicated on the follower.
//   next:  next index to send. Invariant: match < next.
//   kProbe: the leader does not know where the logs diverge; it sends one
//           Append at a time and waits for the answer (or a heartbeat reply).
//   kReplicate: the logs agree up to match; Appends are pipelined, up to
//           inflight_appends_max unacknowledged at once.
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

  Progress(Index next, std::size_t inflight_max) : next_(next), inflight_max_(inflight_max) {}

  Index match() const { return match_; }
  Index next() const { return next_; }
  State state() const { return state_; }
  bool recent_active() const { return recent_active_; }
  void set_recent_active(bool v) { recent_active_ = v; }
  std::size_t inflight() const { return inflight_.size(); }

  // True when no Append should be sent now.
  bool paused() const {
    switch (state_) {
      case State::kProbe: return probe_sent_;
      case State::kReplicate: return inflight_.size() >= inflight_max_;
      case State::kSnapshot: return true;
    }
    return true;
  }
  Index pending_snapshot() const { return pending_snapshot_; }

  // An Append covering up to `last` was sent.
  void OnSent(Index last, bool has_entries);
  // The follower acknowledged up to `index`. Returns true if match grew.
  bool OnAck(Index index);
  // The follower rejected prev index `rejected`; resume probing at
  // `next_probe`. Returns false if the rejection is stale.
  bool OnReject(Index rejected, Index next_probe);
  // Heartbeat reply: a probe may be sent again.
  void Unpause() { probe_sent_ = false; }
  void FreeFirstInflight() {
    if (!inflight_.empty()) inflight_.pop_front();
  }

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
  std::deque<Index> inflight_;  // last index of each unacknowledged Append
};

}  // namespace cairn::raft
