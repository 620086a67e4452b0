#pragma once
// Checkers: Raft's safety properties, judged from events the simulator
// reports while a run goes on, incrementally (no per-tick log comparison).
//
// The events use only what a driver can see through RawNode's public API and
// the Ready batches; unit tests feed hand-made histories to the same methods.
//
//   election-safety      at most one leader per term.
//   log-matching         two logs holding an entry with the same index and
//                        term hold the same entry and the same entry term
//                        just before it (so, by induction, the same prefix).
//   leader-completeness  an entry committed while the cluster was at term T is
//                        in the log of every leader of a later term.
//   state-machine-safety no two nodes apply different entries at one index;
//                        a node applies in index order, only committed
//                        entries, and each command at most once per
//                        incarnation. With snapshots: a snapshot holds
//                        exactly what was applied at its indexes, a node's
//                        state machine never jumps back to an older
//                        snapshot (goes back in time), and a restarted node
//                        restores from its latest durable snapshot.
//   monotonic            a node's commit index never decreases within an
//                        incarnation; its term never decreases, and after a
//                        restart it is at least the last term it synced.
//   client-outcomes      a proposal reported kCommitted is, at the end, at its
//                        index in every live node's state machine; one
//                        reported kDropped is never applied anywhere.
//   linearizable-reads   a read (ReadIndex or lease) returns an index at or
//                        above every index any node knew committed when the
//                        read was asked: it reflects every finished write.
//   convergence          (reported by the simulator) the cluster elects a
//                        leader and applies everything after the faults heal.
//
// Thread-safety: none.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "raft/types.h"

namespace cairn::sim {

enum class CheckerId : std::uint8_t {
  kElectionSafety = 0,
  kLogMatching,
  kLeaderCompleteness,
  kStateMachineSafety,
  kMonotonic,
  kClientOutcomes,
  kLinearizableReads,
  kConvergence,
  kCount,
};
inline constexpr int kCheckerCount = static_cast<int>(CheckerId::kCount);
std::string_view CheckerName(CheckerId id);

// An entry's command for messages: "c1-4", (noop), or hex escapes for
// bytes that do not print (configuration entries).
std::string QuoteCommand(std::string_view data);

struct Violation {
  CheckerId checker;
  std::uint64_t at_ms;
  std::string detail;
  std::string ToString() const;
};

// One applied entry of a node's state machine.
struct AppliedEntry {
  raft::Term term = 0;
  raft::Index index = 0;
  std::string data;
};

class Checkers {
 public:
  void set_now(std::uint64_t now_ms) { now_ms_ = now_ms; }

  // Node `n` became leader of `term`; `log_terms[i-1]` is the term of its
  // entry at index i.
  void OnLeader(raft::NodeId n, raft::Term term, const std::vector<raft::Term>& log_terms);
  // Node `n` (in incarnation `inc`) is now at `term`.
  void OnTerm(raft::NodeId n, std::uint32_t inc, raft::Term term);
  // Node `n` synced a hard state with `term` (the lower bound after restart).
  void OnSynced(raft::NodeId n, raft::Term term);
  // Node `n`'s commit index is now `commit`.
  void OnCommitIndex(raft::NodeId n, std::uint32_t inc, raft::Index commit);
  // Node `n`, at `node_term`, learnt that `e` is committed.
  void OnCommitted(raft::NodeId n, raft::Term node_term, const raft::Entry& e);
  // Node `n` wrote `entries`; `prev_term` is the term of its entry just
  // before entries[0] (0 at index 1).
  void OnWritten(raft::NodeId n, raft::Term prev_term, const std::vector<raft::Entry>& entries);
  // Node `n` (incarnation `inc`, a fresh state machine per incarnation)
  // applied `e` while its commit index was `commit`.
  void OnApply(raft::NodeId n, std::uint32_t inc, const raft::Entry& e, raft::Index commit);
  // Node `n`'s state machine is now the snapshot `state` (entries 1..index,
  // the last of term `term`): it took it itself (kTaken, at its applied
  // index), installed one received from the leader (kInstalled, durable),
  // or restarted from its durable one (kRestored, a fresh incarnation).
  enum class SnapshotEvent : std::uint8_t { kTaken, kInstalled, kRestored };
  void OnSnapshot(raft::NodeId n, std::uint32_t inc, SnapshotEvent event, raft::Index index,
                  raft::Term term, const std::vector<AppliedEntry>& state);
  void OnOutcome(raft::ProposalId id, std::string_view data, raft::ProposalOutcome::Kind kind);
  // A client asked node `n` for a linearizable read while `committed` was the
  // highest index known committed anywhere.
  void OnReadRequest(std::uint64_t request_id, raft::NodeId n, raft::Index committed);
  // Node `n` answered the read at `index`.
  void OnReadState(raft::NodeId n, std::uint64_t request_id, raft::Index index);
  std::uint64_t reads_answered() const { return reads_answered_; }
  // End of run: `state_machines[k]` is what live node k applied, in order.
  void Final(const std::vector<std::vector<AppliedEntry>>& state_machines);
  // For the simulator's own findings (convergence).
  void Report(CheckerId checker, std::string detail);

  bool ok() const { return violations_.empty(); }
  const std::vector<Violation>& violations() const { return violations_; }
  std::uint64_t committed_count() const { return committed_.size(); }

 private:
  struct Known {  // what the cluster holds at one (index, term)
    raft::Term prev_term;
    std::string data;
  };
  struct Committed {
    raft::Term term = 0;
    raft::Term commit_term = 0;  // the lowest node term that saw it committed
    std::string data;
    bool set = false;
  };
  struct NodeIncarnation {
    std::uint32_t inc = 0;
    raft::Index commit = 0;
    raft::Index applied = 0;
    std::unordered_set<std::string> commands;
  };

  NodeIncarnation& Incarnation(raft::NodeId n, std::uint32_t inc);

  std::uint64_t now_ms_ = 0;
  std::vector<Violation> violations_;
  std::map<raft::Term, raft::NodeId> leaders_;
  std::unordered_map<raft::NodeId, raft::Term> term_seen_;     // per node, all incarnations
  std::unordered_map<raft::NodeId, raft::Term> term_synced_;
  std::unordered_map<raft::NodeId, NodeIncarnation> incarnations_;
  std::unordered_map<raft::NodeId, raft::Index> durable_snapshot_;  // per node, latest
  std::map<std::pair<raft::Index, raft::Term>, Known> known_;
  std::vector<Committed> committed_;                // [index - 1]
  std::vector<AppliedEntry> applied_;               // first apply per index, [index - 1]
  std::unordered_set<std::string> applied_commands_;  // every incarnation, every node
  std::unordered_set<std::string> dropped_;
  std::vector<std::pair<raft::ProposalId, std::string>> committed_outcomes_;
  std::unordered_map<std::uint64_t, raft::Index> reads_;  // request id -> floor
  std::uint64_t reads_answered_ = 0;
};

}  // namespace cairn::sim
