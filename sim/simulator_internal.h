#pragma once
// Private to sim/: the per-node and per-client state of a Simulator.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "common/random.h"
#include "raft/raw_node.h"
#include "sim/checkers.h"
#include "sim/disk.h"
#include "sim/simulator.h"

namespace cairn::sim {

struct Simulator::Node {
  raft::NodeId id = raft::kNoNode;
  bool up = false;
  std::uint64_t paused_until_ms = 0;  // frozen (no ticks, no input) until then
  std::uint64_t missed_ticks = 0;     // ticks that fell in the freeze
  std::uint32_t incarnation = 0;     // 1 for the first boot
  std::uint32_t tick_phase_ms = 0;   // so nodes do not tick in lockstep
  std::unique_ptr<Xoshiro256> random;  // the RawNode's (election timeouts)
  std::unique_ptr<raft::RawNode> raft;
  SimDisk disk;                      // survives crashes (its durable part)
  // Readies taken and written, awaiting their sync, oldest first (more than
  // one when SimOptions::readies_in_flight_max > 1: ready.h rule 6).
  struct InflightReady {
    raft::Ready ready;
    std::uint64_t written = 0;  // SimDisk::written() after its write
    std::uint64_t done_ms = 0;  // its sync completes (never before an earlier one's)
  };
  std::deque<InflightReady> inflight;
  std::vector<AppliedEntry> applied;    // this incarnation's state machine
  // Snapshots received (InstallSnapshot) and not yet installed, by (index,
  // term); the one the core accepts comes back in Ready::snapshot.
  std::map<std::pair<raft::Index, raft::Term>, SnapshotPtr> received;
  SnapshotPtr installing;  // in the in-flight Ready, installed once durable
  bool crash_during_install = false;  // CrashDuringNextInstall (tests)
  // The leadership transfer this node (as leader) was last seen running,
  // and since when: it must finish or be abandoned within an election
  // timeout.
  raft::NodeId transfer_seen = raft::kNoNode;
  std::uint64_t transfer_since_ms = 0;
  // Last observed, to report changes to the checkers.
  raft::Role role = raft::Role::kFollower;
  raft::Term term = 0;
  raft::Index commit = 0;
};

// A snapshot on its way from `from` (incarnation `inc`) to `to`.
struct Simulator::Transfer {
  raft::NodeId from = raft::kNoNode;
  std::uint32_t inc = 0;
  raft::NodeId to = raft::kNoNode;
  raft::Index index = 0;
  std::uint64_t deadline_ms = 0;  // then the sender's transport gives up
  // The bytes arrived while the sender was frozen: its transport reports
  // the delivery when it wakes (a real one would, having finished sending).
  bool delivered = false;
};

struct Simulator::Client {
  std::uint32_t id = 0;
  std::uint64_t seq = 1;
  raft::NodeId target = 1;  // who it believes leads
  bool waiting = false;
  raft::ProposalId pending;
  std::uint64_t deadline_ms = 0;
  std::uint64_t next_try_ms = 0;
};

}  // namespace cairn::sim
