#pragma once
// Options of one simulated run. A run is fully determined by its seed and
// these options.

#include <cstdint>
#include <iosfwd>

#include "raft/config.h"
#include "sim/network.h"

namespace cairn::sim {

// The random fault schedule ("nemesis"). One fault starts every
// [gap_ms_min, gap_ms_max]; the weights pick which.
struct FaultOptions {
  bool enabled = true;
  std::uint32_t gap_ms_min = 150;
  std::uint32_t gap_ms_max = 500;
  std::uint32_t weight_crash = 2;         // a random node
  std::uint32_t weight_crash_leader = 3;  // the current leader, if any
  std::uint32_t weight_isolate = 2;       // one node, both ways
  std::uint32_t weight_partition = 2;     // a random split in two groups
  std::uint32_t weight_one_way = 1;       // one directed link
  std::uint32_t weight_loss_burst = 1;    // heavy loss for a while
  std::uint32_t down_ms_min = 30;         // a crashed node restarts after
  std::uint32_t down_ms_max = 600;
  std::uint32_t cut_ms_min = 100;         // a partition heals after
  std::uint32_t cut_ms_max = 900;
  double loss_burst_rate = 0.5;
  bool torn_writes = true;  // a crash keeps a random prefix of unsynced writes
  // Chance that a node that just granted a vote crashes at once and restarts
  // a few ms later (exposes a forgotten vote).
  double crash_after_vote = 0.0;
  // Chance that a leader taking a Ready that sends entries dies right after
  // starting its write, before the Appends leave the machine (new entries
  // then live only on its own disk, if the torn write kept them).
  double crash_after_append = 0.0;
  // Chance that a new leader is crashed 3..25 ms after its election (half
  // way through replicating; with crash_after_append: Figure 8 shapes).
  double crash_after_election = 0.0;
  // Chance that a leader sending entries freezes (a GC pause, a stalled VM)
  // for pause_ms_min..max right after taking the Ready: its messages leave
  // only when it wakes, long after the cluster may have moved on.
  double pause_after_append = 0.0;
  std::uint32_t pause_ms_min = 150;
  std::uint32_t pause_ms_max = 600;
  // On waking, the node is first given the ticks it missed, as a runtime
  // driver that measures elapsed time on a monotonic clock would. Without
  // it, a frozen leader's lease outlives the freeze (see docs/simulator.md).
  bool catch_up_ticks_after_pause = true;
  // At most this many nodes down at once (0: a minority).
  std::uint32_t max_down = 0;
  // Chance that a node taking a Ready that installs a received snapshot
  // crashes right after starting the write, before it is durable (the torn
  // write keeps the old snapshot or the new one).
  double crash_during_install = 0.0;
};

struct WorkloadOptions {
  bool enabled = true;
  std::uint32_t clients = 3;
  double propose_chance_per_ms = 0.05;  // per idle client
  std::uint32_t timeout_ms = 400;       // then the proposal is indeterminate
  double read_chance_per_ms = 0.01;     // per client: a linearizable read
  // Membership changes (one client, on the leader): add a learner, promote
  // it, or remove a member, chosen at random. 0 disables them.
  double conf_change_chance_per_ms = 0.0;
  bool lease_reads = true;              // half of the reads use the lease
  // Chance per ms that the leader is asked to hand leadership to a random
  // other voter (TransferLeadership). 0 disables it.
  double transfer_chance_per_ms = 0.0;
};

// Snapshots of the simulated state machines and log compaction. Off unless
// every_entries or chance_per_ms is set.
struct SnapshotOptions {
  // A node snapshots its state machine (and compacts its log) once it has
  // applied this many entries since its last snapshot. 0: never by count.
  std::uint32_t every_entries = 0;
  // And, per node and ms, at random with this chance (if anything new).
  double chance_per_ms = 0.0;
  // Transfer and write speed: an InstallSnapshot arrives bytes/bytes_per_ms
  // ms later than a small message would, and its fsync takes that long too.
  std::uint32_t bytes_per_ms = 1024;
  // The sender's transport gives up on a transfer not delivered after this
  // (plus the transfer time) and calls ReportSnapshot(peer, false).
  std::uint32_t timeout_ms = 300;
  bool enabled() const { return every_entries > 0 || chance_per_ms > 0; }
};

struct SimOptions {
  std::uint64_t seed = 1;
  std::uint32_t nodes = 3;
  // Voters of the fresh cluster: nodes 1..initial_voters (0: all). The other
  // nodes start outside and join through membership changes.
  std::uint32_t initial_voters = 0;
  std::uint64_t fault_ms = 3000;  // faults and workload
  std::uint64_t heal_ms = 3000;   // at most; the run ends once converged
  std::uint32_t raft_tick_ms = 10;
  std::uint32_t fsync_ms_min = 1;
  std::uint32_t fsync_ms_max = 4;
  // Readies a node may have taken and not yet Advanced (ready.h rule 6).
  // 1: each Ready is durable before the next is taken. More: the next
  // one's messages leave while the disk still writes the earlier ones.
  std::uint32_t readies_in_flight_max = 1;
  // A deliberately broken pipelined driver (for the checkers' test): a
  // Ready with only messages to send after persisting completes at once, so
  // its acknowledgements leave before the earlier Readies' entries are
  // durable (breaks rule 6).
  bool bug_ack_before_earlier_writes = false;
  NetworkOptions network{1, 8, 0.02, 0.01};
  FaultOptions faults;
  WorkloadOptions workload;
  SnapshotOptions snapshots;
  raft::Config raft;  // id and voters are filled in per node
  bool keep_trace = false;        // every readable line (run --trace)
  std::ostream* echo = nullptr;   // print lines as they happen
};

// Options for the default randomized run (what `cairn-sim run` uses).
SimOptions DefaultOptions(std::uint64_t seed, std::uint32_t nodes);

}  // namespace cairn::sim
