#pragma once
// Configuration of one Raft core. Units are in the names: a tick is one call
// to RawNode::Tick(), whose real duration the driver chooses.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "raft/bugs.h"
#include "raft/types.h"

namespace cairn::raft {

struct Config {
  NodeId id = kNoNode;
  // Voters of a fresh cluster. Ignored when restarting from persisted state
  // that already has a configuration.
  std::vector<NodeId> voters;

  // A follower campaigns after a random timeout in [min, max] ticks without
  // hearing from a leader. max > min keeps split votes rare.
  std::uint32_t election_timeout_ticks_min = 10;
  std::uint32_t election_timeout_ticks_max = 20;
  std::uint32_t heartbeat_interval_ticks = 2;

  // PreVote: a node asks whether it could win before it bumps its term, so a
  // partitioned node rejoining does not depose a healthy leader.
  bool pre_vote = true;
  // CheckQuorum: a leader that has not heard from a quorum within an election
  // timeout steps down; followers that hear from a live leader ignore votes.
  bool check_quorum = true;

  // Lease reads trust that a follower's ticks run no faster than the
  // leader's by more than this margin over one election timeout. The lease
  // lasts election_timeout_ticks_min - lease_drift_ticks from the tick the
  // confirming heartbeat left. Must be < election_timeout_ticks_min.
  std::uint32_t lease_drift_ticks = 2;

  // Replication flow control per follower.
  std::size_t append_entries_max = 512;           // entries per Append message
  std::size_t append_bytes_max = 1u << 20;        // payload bytes per Append
  std::size_t inflight_appends_max = 64;          // unacknowledged Appends
  // ... and their payload bytes (progress.h): what a heartbeat may queue
  // behind on the follower's connection.
  std::size_t inflight_bytes_max = 4u << 20;
  // Inbound Appends larger than this are rejected as malformed.
  std::size_t inbound_entries_max = 1u << 16;
  std::size_t inbound_bytes_max = 64u << 20;
  // Bound on proposals accepted but not yet committed or dropped.
  std::size_t pending_proposals_max = 1u << 20;
  // Bound on one entry's payload; larger proposals are rejected.
  std::size_t entry_bytes_max = 8u << 20;

  // Test-only: known Raft bugs to inject (see bugs.h). Empty in production.
  BugSet bugs;
};

}  // namespace cairn::raft
