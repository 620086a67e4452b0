#pragma once
// Simulator: N real raft::RawNodes in one thread, with a seeded PRNG, a
// virtual clock in milliseconds, a SimNetwork, a SimDisk per node, a client
// workload and a random fault schedule. Checkers judge every event.
//
// Each node's driver follows ready.h exactly: `messages` are sent when the
// Ready is taken, the write goes to the node's disk, the sync completes after
// a simulated fsync latency, and only then are `messages_after_persist` sent,
// `committed_entries` applied and Advance() called. A crash drops the node's
// RawNode, its in-flight Ready and its state machine, and loses the disk's
// unsynced writes; a restart builds a RestoredState from the durable part and
// re-applies the log from index 1.
//
// Two ways to use it: Run() plays the random schedule (faults, then a heal
// period in which the cluster must converge); tests use the manual API
// (Crash, Partition, RunUntil...) with faults and workload disabled.
//
// Thread-safety: none.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/random.h"
#include "common/status.h"
#include "raft/raw_node.h"
#include "sim/checkers.h"
#include "sim/disk.h"
#include "sim/network.h"
#include "sim/options.h"
#include "sim/trace.h"

namespace cairn::sim {

struct RunStats {
  std::uint64_t end_ms = 0;
  std::uint64_t elections = 0;       // distinct (term, leader) pairs
  std::uint64_t committed = 0;       // distinct committed indexes
  std::uint64_t crashes = 0;
  std::uint64_t partitions = 0;
  std::uint64_t proposals = 0;       // accepted by a leader
  std::uint64_t outcomes_committed = 0;
  std::uint64_t outcomes_dropped = 0;
  std::uint64_t timeouts = 0;        // indeterminate proposals
  std::uint64_t reads = 0;           // reads accepted by a leader
  std::uint64_t messages = 0;
  std::uint64_t snapshots_taken = 0;
  std::uint64_t snapshots_sent = 0;       // InstallSnapshot messages
  std::uint64_t snapshots_installed = 0;  // durable on the receiver
  std::uint64_t snapshot_failures = 0;    // ReportSnapshot(peer, false)
  std::uint64_t transfers = 0;            // leadership transfers started
  std::uint64_t pipelined_readies = 0;    // taken while an earlier one was still being written
};

struct RunResult {
  std::uint64_t seed = 0;
  bool ok = true;
  std::vector<Violation> violations;
  std::uint64_t trace_hash = 0;
  RunStats stats;
  std::vector<std::string> trace_tail;
  std::vector<std::string> final_state;  // Describe() at the end
  std::uint64_t reads_answered = 0;
};

class Simulator {
 public:
  explicit Simulator(SimOptions options);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // The random run: faults and workload for fault_ms, then heal and wait for
  // convergence (at most heal_ms), then the final checks.
  RunResult Run();

  // --- manual control (tests) ---
  void RunFor(std::uint64_t ms);
  // Steps until pred() holds (checked after each ms); false after max_ms.
  bool RunUntil(const std::function<bool()>& pred, std::uint64_t max_ms);
  void Crash(raft::NodeId n);
  void Restart(raft::NodeId n);
  void Isolate(raft::NodeId n);
  void Partition(const std::vector<raft::NodeId>& a, const std::vector<raft::NodeId>& b);
  void BlockOneWay(raft::NodeId from, raft::NodeId to);
  void Heal();
  void set_network(const NetworkOptions& o) { network_.set_options(o); }
  // Asks node n for a linearizable read (ReadIndex, or LeaseRead with
  // `lease`); the answer is judged by the linearizable-reads checker.
  Status Read(raft::NodeId n, bool lease = false);
  // Proposes on node n now (no network hop).
  Result<raft::ProposalId> Propose(raft::NodeId n, std::string data);
  // Snapshots node n's state machine at its applied index and compacts its
  // log there (what SnapshotOptions does on its own). Errors: Unavailable if
  // n is down or between a Ready and its Advance; FailedPrecondition if
  // nothing was applied since its last snapshot.
  Status TakeSnapshot(raft::NodeId n);
  // Asks leader n to hand leadership to `target` (RawNode::TransferLeadership).
  Status TransferLeadership(raft::NodeId n, raft::NodeId target);
  // Proposes a membership change on node n now (RawNode::ProposeConfChange).
  Result<raft::ProposalId> ProposeConfChange(raft::NodeId n, const raft::ConfChange& cc);
  // Node n crashes when it next starts writing a received snapshot, before
  // the write is durable (it stays down until Restart).
  void CrashDuringNextInstall(raft::NodeId n);
  // Heals, restarts every node and runs until converged; then final checks.
  bool Converge(std::uint64_t max_ms);

  // --- observation ---
  std::uint64_t now_ms() const { return now_ms_; }
  std::uint32_t node_count() const { return options_.nodes; }
  bool up(raft::NodeId n) const;
  // In the current leader's configuration (true when there is no leader).
  bool member(raft::NodeId n) const;
  // The node is up, leads, and no live node has a higher term.
  raft::NodeId Leader() const;
  const raft::RawNode* node(raft::NodeId n) const;  // nullptr when down
  const std::vector<AppliedEntry>& applied(raft::NodeId n) const;
  // The outcome a client saw for `data`, if any.
  std::optional<raft::ProposalOutcome::Kind> outcome(const std::string& data) const;
  bool Converged() const;
  const SimNetwork& network() const { return network_; }
  const Checkers& checkers() const { return checkers_; }
  Checkers& checkers() { return checkers_; }
  const Trace& trace() const { return trace_; }
  const RunStats& stats() const { return stats_; }
  const SimOptions& options() const { return options_; }
  void FinalChecks();
  // One line per node: role, term, log, commit, applied, and the leader's
  // view of each follower (for failure reports).
  std::vector<std::string> Describe() const;

 private:
  struct Node;
  struct Client;
  struct Transfer;
  struct PendingFault {
    std::uint64_t at_ms;
    enum class Kind { kRestart, kCrash, kHeal } kind;
    raft::NodeId node;
  };

  void Step();
  void DeliverDue();
  void WakeFrozen();
  void TickNodes();
  void Drive(Node& nd);
  void TakeReady(Node& nd);
  void CompleteReady(Node& nd);
  void Apply(Node& nd, const raft::Entry& e);
  raft::Term TermAt(const Node& nd, raft::Index i) const;  // also below the log's snapshot

  // snapshots.cc
  void SnapshotStep();
  void Snapshot(Node& nd);
  void SendSnapshot(Node& nd, raft::Message m, std::uint64_t stall_ms);
  void ReceiveSnapshot(Node& nd, const raft::Message& m, const Attachment& a);
  void StageInstall(Node& nd, const raft::Ready& rd);
  void FinishInstall(Node& nd);
  void TransfersStep();
  std::uint64_t SnapshotDelay(const SnapshotImage& s) const;
  void Observe(Node& nd);
  void CheckTransfers();
  void Boot(Node& nd);
  Node& at(raft::NodeId n);
  const Node& at(raft::NodeId n) const;
  void Line(const std::string& text);

  // faults.cc
  void FaultStep();
  void InjectFault();
  void RunPendingFaults();
  void OnVoteGranted(Node& nd);
  bool CrashBeforeSend(Node& nd, const raft::Ready& rd);
  std::uint64_t PauseBeforeSend(Node& nd, const raft::Ready& rd);
  bool awake(const Node& nd) const;
  void OnElected(Node& nd);
  std::uint32_t down_count() const;
  void HealEverything();

  // workload.cc
  void WorkloadStep();
  void OnOutcome(const raft::ProposalOutcome& o);
  void ConfChangeStep();
  void TransferStep();

  SimOptions options_;
  Xoshiro256 random_;       // faults, workload, disk tears
  Xoshiro256 net_random_;   // network delays and loss
  SimNetwork network_;
  Trace trace_;
  Checkers checkers_;
  RunStats stats_;
  std::uint64_t now_ms_ = 0;
  bool faults_on_ = false;
  bool workload_on_ = false;
  std::vector<std::unique_ptr<Node>> nodes_;  // [id - 1]
  std::vector<std::unique_ptr<Client>> clients_;
  std::vector<PendingFault> pending_faults_;
  std::uint64_t next_fault_ms_ = 0;
  std::map<std::pair<raft::Term, raft::Index>, std::string> proposals_;  // by ProposalId
  std::map<std::string, raft::ProposalOutcome::Kind> outcomes_;
  std::map<raft::Term, raft::NodeId> leaders_seen_;
  raft::Index committed_seen_ = 0;  // highest index any node reported committed
  std::uint64_t next_read_id_ = 1;
  std::map<std::uint64_t, Transfer> transfers_;  // snapshots in flight, by id
  std::uint64_t next_transfer_id_ = 1;
};

}  // namespace cairn::sim
