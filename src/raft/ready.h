#pragma once
// Ready: everything a RawNode asks its driver to do, in one batch.
//
// THE PERSISTENCE CONTRACT (read this before writing a driver):
//   1. `messages` may be sent at once, before or while the batch is written.
//      They are the leader's Appends and Heartbeats (a leader counts its own
//      log toward a quorum only after Advance() says it is durable, so sending
//      first is safe and lets disk and network work in parallel), and a
//      follower's heartbeat answers, which carry no index and promise
//      nothing durable: held behind a write, they would tell the leader
//      nothing for as long as an fsync of megabytes takes, and CheckQuorum
//      would depose it.
//   2. `hard_state` and `entries` must be durable (fdatasync'd when
//      `must_sync` is true) before anything in `messages_after_persist` is
//      sent. Those messages (votes, vote grants, append acks) promise that the
//      sender remembers its term, vote and log.
//   3. `entries[0].index` may be at or below the last index written earlier:
//      the stored log is then truncated from that index before appending (a
//      follower replacing a conflicting suffix).
//   4. `committed_entries` are applied in order. They never include an entry
//      that is not yet durable here, so they may be applied while this
//      batch's own entries are still being written (the node does, to answer
//      clients one fsync sooner); with a `snapshot`, only after it is installed.
//   5. Advance(ready) is called once the batch is durable.
//   6. Pipelining: GetReady() may be called again before earlier batches are
//      Advanced, so the next batch's Appends leave while this one is still
//      being written. The driver then writes the batches in the order it
//      took them, sends each one's `messages_after_persist` only once it
//      and every earlier batch are durable (an acknowledgement in a later
//      batch may vouch for entries written by an earlier one), and
//      Advances them in that order. A batch with a `snapshot` is handed out
//      only when none is in flight, and none after it until it is Advanced.
//      A driver that Advances each batch before taking the next never sees
//      any of this.

#include <cstdint>
#include <optional>
#include <vector>

#include "raft/types.h"

namespace cairn::raft {

// Observable, non-durable state: who leads, and this node's role.
struct SoftState {
  NodeId leader = kNoNode;
  Role role = Role::kFollower;
  friend bool operator==(const SoftState&, const SoftState&) = default;
};

// A linearizable read may be served once the state machine has applied
// `index`: it reflects every write committed before the read was requested.
// `request_id` is the caller's, echoed back.
struct ReadState {
  std::uint64_t request_id = 0;
  Index index = 0;
  friend bool operator==(const ReadState&, const ReadState&) = default;
};

struct Ready {
  std::optional<SoftState> soft_state;    // set when role or leader changed
  std::optional<HardState> hard_state;    // set when term, vote or commit changed
  // A snapshot received from the leader (its bytes are with the transport):
  // install it in the state machine and reset the durable log to start
  // after it, durably, before applying committed_entries (rule 2 applies).
  std::optional<SnapshotMeta> snapshot;
  std::vector<Entry> entries;             // to append to the durable log
  bool must_sync = false;                 // term/vote changed or entries non-empty
  std::vector<Message> messages;          // send now (rule 1)
  std::vector<Message> messages_after_persist;  // send after the write (rule 2)
  std::vector<Entry> committed_entries;   // apply in order (rule 4)
  std::vector<ProposalOutcome> outcomes;  // fates of this leader's proposals
  std::vector<ReadState> read_states;     // reads confirmed by this leader

  bool empty() const {
    return !soft_state && !hard_state && !snapshot && entries.empty() && messages.empty() &&
           messages_after_persist.empty() && committed_entries.empty() && outcomes.empty() &&
           read_states.empty();
  }
};

}  // namespace cairn::raft
