#include "sim/checkers.h"

#include <string>

namespace cairn::sim {
namespace {

std::string Quote(std::string_view data) { return QuoteCommand(data); }

std::string At(raft::Index i, raft::Term t) {
  return "idx=" + std::to_string(i) + " term=" + std::to_string(t);
}

}  // namespace

std::string QuoteCommand(std::string_view data) {
  if (data.empty()) return "(noop)";
  std::string out = "\"";
  for (unsigned char ch : data) {
    if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') {
      out += static_cast<char>(ch);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out + "\"";
}

std::string_view CheckerName(CheckerId id) {
  switch (id) {
    case CheckerId::kElectionSafety: return "election-safety";
    case CheckerId::kLogMatching: return "log-matching";
    case CheckerId::kLeaderCompleteness: return "leader-completeness";
    case CheckerId::kStateMachineSafety: return "state-machine-safety";
    case CheckerId::kMonotonic: return "monotonic";
    case CheckerId::kClientOutcomes: return "client-outcomes";
    case CheckerId::kLinearizableReads: return "linearizable-reads";
    case CheckerId::kConvergence: return "convergence";
    case CheckerId::kCount: break;
  }
  return "unknown";
}

std::string Violation::ToString() const {
  return "[" + std::string(CheckerName(checker)) + "] t=" + std::to_string(at_ms) + " " + detail;
}

void Checkers::Report(CheckerId checker, std::string detail) {
  violations_.push_back(Violation{checker, now_ms_, std::move(detail)});
}

Checkers::NodeIncarnation& Checkers::Incarnation(raft::NodeId n, std::uint32_t inc) {
  NodeIncarnation& ni = incarnations_[n];
  if (ni.inc != inc) ni = NodeIncarnation{inc, 0, 0, {}};  // a restart: fresh state machine
  return ni;
}

void Checkers::OnLeader(raft::NodeId n, raft::Term term, const std::vector<raft::Term>& log_terms) {
  auto [it, fresh] = leaders_.emplace(term, n);
  if (!fresh && it->second != n) {
    Report(CheckerId::kElectionSafety, "two leaders in term " + std::to_string(term) + ": n" +
                                           std::to_string(it->second) + " and n" + std::to_string(n));
  }
  for (raft::Index i = 1; i <= committed_.size(); ++i) {
    const Committed& c = committed_[i - 1];
    if (!c.set || c.commit_term >= term) continue;
    const bool has = i <= log_terms.size() && log_terms[i - 1] == c.term;
    if (!has) {
      Report(CheckerId::kLeaderCompleteness,
             "n" + std::to_string(n) + " leads term " + std::to_string(term) + " without committed " +
                 At(i, c.term) + " " + Quote(c.data) + " (committed by term " +
                 std::to_string(c.commit_term) + ")");
      return;  // one report per election is enough
    }
  }
}

void Checkers::OnTerm(raft::NodeId n, std::uint32_t inc, raft::Term term) {
  auto [it, fresh] = term_seen_.emplace(n, term);
  const bool restarted = incarnations_[n].inc != inc;
  Incarnation(n, inc);
  if (!fresh && !restarted && term < it->second) {
    Report(CheckerId::kMonotonic, "n" + std::to_string(n) + " term went back from " +
                                      std::to_string(it->second) + " to " + std::to_string(term));
  }
  auto synced = term_synced_.find(n);
  if (restarted && synced != term_synced_.end() && term < synced->second) {
    Report(CheckerId::kMonotonic, "n" + std::to_string(n) + " restarted at term " + std::to_string(term) +
                                      " below its synced term " + std::to_string(synced->second));
  }
  it->second = term;
}

void Checkers::OnSynced(raft::NodeId n, raft::Term term) {
  raft::Term& t = term_synced_[n];
  if (term > t) t = term;
}

void Checkers::OnCommitIndex(raft::NodeId n, std::uint32_t inc, raft::Index commit) {
  NodeIncarnation& ni = Incarnation(n, inc);
  if (commit < ni.commit) {
    Report(CheckerId::kMonotonic, "n" + std::to_string(n) + " commit index went back from " +
                                      std::to_string(ni.commit) + " to " + std::to_string(commit));
  }
  ni.commit = commit;
}

void Checkers::OnCommitted(raft::NodeId n, raft::Term node_term, const raft::Entry& e) {
  if (e.index > committed_.size()) committed_.resize(e.index);
  Committed& c = committed_[e.index - 1];
  if (!c.set) {
    c = Committed{e.term, node_term, e.data.str(), true};
    return;
  }
  if (c.term != e.term || c.data != e.data) {
    Report(CheckerId::kStateMachineSafety,
           "n" + std::to_string(n) + " committed " + At(e.index, e.term) + " " + Quote(e.data) +
               " but " + At(e.index, c.term) + " " + Quote(c.data) + " was committed before");
    return;
  }
  if (node_term < c.commit_term) c.commit_term = node_term;
}

void Checkers::OnWritten(raft::NodeId n, raft::Term prev_term, const std::vector<raft::Entry>& entries) {
  for (const raft::Entry& e : entries) {
    auto [it, fresh] = known_.try_emplace({e.index, e.term}, Known{prev_term, e.data.str()});
    if (!fresh && (it->second.prev_term != prev_term || it->second.data != e.data)) {
      Report(CheckerId::kLogMatching,
             "n" + std::to_string(n) + " holds " + At(e.index, e.term) + " " + Quote(e.data) +
                 " after term " + std::to_string(prev_term) + "; another log holds " +
                 Quote(it->second.data) + " after term " + std::to_string(it->second.prev_term));
      return;
    }
    prev_term = e.term;
  }
}

void Checkers::OnApply(raft::NodeId n, std::uint32_t inc, const raft::Entry& e, raft::Index commit) {
  NodeIncarnation& ni = Incarnation(n, inc);
  const std::string who = "n" + std::to_string(n) + " applied " + At(e.index, e.term) + " " + Quote(e.data);
  if (e.index != ni.applied + 1) {
    Report(CheckerId::kStateMachineSafety, who + " right after idx=" + std::to_string(ni.applied));
  }
  ni.applied = e.index;
  if (e.index > commit) {
    Report(CheckerId::kStateMachineSafety, who + " beyond its commit index " + std::to_string(commit));
  }
  if (e.index > applied_.size()) applied_.resize(e.index);
  AppliedEntry& first = applied_[e.index - 1];
  if (first.index == 0) {
    first = AppliedEntry{e.term, e.index, e.data.str()};
  } else if (first.term != e.term || first.data != e.data) {
    Report(CheckerId::kStateMachineSafety, who + " but another node applied " + At(e.index, first.term) +
                                               " " + Quote(first.data) + " there");
  }
  // No-ops and configuration changes are not client commands (the same
  // change, e.g. "add learner n5", may legitimately be applied twice).
  if (e.type != raft::EntryType::kNormal || e.data.empty()) return;
  if (!ni.commands.insert(e.data.str()).second) {
    Report(CheckerId::kStateMachineSafety, who + " a second time in one incarnation");
  }
  applied_commands_.insert(e.data.str());
  if (dropped_.count(e.data.str()) != 0) {
    Report(CheckerId::kClientOutcomes, who + " although it was reported dropped");
  }
}

void Checkers::OnSnapshot(raft::NodeId n, std::uint32_t inc, SnapshotEvent event, raft::Index index,
                          raft::Term term, const std::vector<AppliedEntry>& state) {
  static constexpr const char* kVerb[] = {"took", "installed", "restarted from"};
  NodeIncarnation& ni = Incarnation(n, inc);
  const std::string who = "n" + std::to_string(n) + " " + kVerb[static_cast<int>(event)] +
                          " snapshot " + At(index, term);
  raft::Index& durable = durable_snapshot_[n];
  if (event == SnapshotEvent::kRestored && index < durable) {
    Report(CheckerId::kStateMachineSafety,
           who + " older than its durable snapshot idx=" + std::to_string(durable) + " (went back in time)");
    return;
  }
  if (event == SnapshotEvent::kTaken && index != ni.applied) {
    Report(CheckerId::kStateMachineSafety, who + " but its state machine is at idx=" + std::to_string(ni.applied));
    return;
  }
  if (event == SnapshotEvent::kInstalled && index < ni.applied) {
    Report(CheckerId::kStateMachineSafety,
           who + " although its state machine was at idx=" + std::to_string(ni.applied) + " (went back in time)");
    return;
  }
  if (state.size() != index || (index > 0 && state.back().term != term)) {
    Report(CheckerId::kStateMachineSafety, who + " whose content does not end at that index and term");
    return;
  }
  durable = index;
  if (event == SnapshotEvent::kTaken) return;  // every entry in it was checked when applied
  // The state machine jumps to the snapshot: it must hold what everybody
  // applied at those indexes, and each command once.
  std::unordered_set<std::string> commands;
  for (raft::Index i = 1; i <= index; ++i) {
    const AppliedEntry& e = state[i - 1];
    if (e.index != i) {
      Report(CheckerId::kStateMachineSafety, who + " holding idx=" + std::to_string(e.index) + " at position " +
                                                 std::to_string(i));
      return;
    }
    if (i > applied_.size()) applied_.resize(i);
    AppliedEntry& first = applied_[i - 1];
    if (first.index == 0) {
      first = e;
    } else if (first.term != e.term || first.data != e.data) {
      Report(CheckerId::kStateMachineSafety, who + " holding " + At(i, e.term) + " " + Quote(e.data) +
                                                 " but " + At(i, first.term) + " " + Quote(first.data) +
                                                 " was applied there");
      return;
    }
    if (e.data.empty() || !commands.insert(e.data).second) continue;
    applied_commands_.insert(e.data);
    if (dropped_.count(e.data) != 0) {
      Report(CheckerId::kClientOutcomes, who + " holding " + Quote(e.data) + " although it was reported dropped");
      return;
    }
  }
  ni.applied = index;
  ni.commands = std::move(commands);
}

void Checkers::OnOutcome(raft::ProposalId id, std::string_view data, raft::ProposalOutcome::Kind kind) {
  const std::string what = Quote(data) + " at " + At(id.index, id.term);
  if (kind == raft::ProposalOutcome::Kind::kDropped) {
    dropped_.insert(std::string(data));
    if (applied_commands_.count(std::string(data)) != 0) {
      Report(CheckerId::kClientOutcomes, what + " reported dropped but was applied");
    }
    return;
  }
  committed_outcomes_.emplace_back(id, std::string(data));
  if (id.index <= applied_.size() && applied_[id.index - 1].index != 0) {
    const AppliedEntry& a = applied_[id.index - 1];
    if (a.term != id.term || a.data != data) {
      Report(CheckerId::kClientOutcomes, what + " reported committed but " + Quote(a.data) +
                                             " was applied there");
    }
  }
}

void Checkers::OnReadRequest(std::uint64_t request_id, raft::NodeId, raft::Index committed) {
  reads_[request_id] = committed;
}

void Checkers::OnReadState(raft::NodeId n, std::uint64_t request_id, raft::Index index) {
  auto it = reads_.find(request_id);
  if (it == reads_.end()) return;  // not a read we asked for (or answered twice)
  ++reads_answered_;
  if (index < it->second) {
    Report(CheckerId::kLinearizableReads,
           "n" + std::to_string(n) + " answered read #" + std::to_string(request_id) + " at idx=" +
               std::to_string(index) + " but idx=" + std::to_string(it->second) +
               " was committed before the read was asked (stale read)");
  }
  reads_.erase(it);
}

void Checkers::Final(const std::vector<std::vector<AppliedEntry>>& state_machines) {
  for (const auto& [id, data] : committed_outcomes_) {
    for (std::size_t k = 0; k < state_machines.size(); ++k) {
      const auto& sm = state_machines[k];
      const bool has = id.index <= sm.size() && sm[id.index - 1].term == id.term &&
                       sm[id.index - 1].data == data;
      if (!has) {
        Report(CheckerId::kClientOutcomes, "committed " + Quote(data) + " at " + At(id.index, id.term) +
                                               " is missing from state machine #" + std::to_string(k));
        return;
      }
    }
  }
}

}  // namespace cairn::sim
