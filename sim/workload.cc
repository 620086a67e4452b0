// The client workload: clients propose unique commands "c<client>-<seq>" to
// the node they believe leads, follow leader hints, and give up on a
// proposal after a timeout (its fate is then unknown to them).

#include <string>

#include "sim/simulator.h"
#include "sim/simulator_internal.h"

namespace cairn::sim {

void Simulator::WorkloadStep() {
  const WorkloadOptions& w = options_.workload;
  for (auto& cl : clients_) {
    if (cl->waiting) {
      if (now_ms_ < cl->deadline_ms) continue;
      cl->waiting = false;
      ++stats_.timeouts;
    }
    if (now_ms_ < cl->next_try_ms) continue;
    if (w.read_chance_per_ms > 0 && random_.Chance(w.read_chance_per_ms)) {
      // Fire and forget: the answer (if any) is checked when it arrives.
      (void)Read(cl->target, w.lease_reads && random_.OneIn(2));
    }
    if (!random_.Chance(w.propose_chance_per_ms)) continue;
    Node& nd = at(cl->target);
    if (!awake(nd)) {
      cl->target = 1 + random_.Uniform(options_.nodes);
      cl->next_try_ms = now_ms_ + 10;
      continue;
    }
    std::string data = "c" + std::to_string(cl->id) + "-" + std::to_string(cl->seq);
    auto r = Propose(cl->target, data);
    if (r.ok()) {
      cl->waiting = true;
      cl->pending = *r;
      cl->deadline_ms = now_ms_ + w.timeout_ms;
      ++cl->seq;
      continue;
    }
    // Not the leader: follow the hint, or try someone else a bit later.
    const raft::NodeId hint = nd.raft->leader();
    cl->target = hint != raft::kNoNode ? hint : 1 + random_.Uniform(options_.nodes);
    cl->next_try_ms = now_ms_ + (hint != raft::kNoNode ? 1 : 20);
  }
}

void Simulator::ConfChangeStep() {
  const double chance = options_.workload.conf_change_chance_per_ms;
  if (chance <= 0 || !random_.Chance(chance)) return;
  const raft::NodeId l = Leader();
  if (l == raft::kNoNode || !awake(at(l))) return;
  Node& nd = at(l);
  const raft::Membership& m = nd.raft->membership();
  const raft::NodeId target = 1 + random_.Uniform(options_.nodes);
  raft::ConfChange cc;
  cc.node = target;
  if (!m.Contains(target)) {
    cc.type = raft::ConfChangeType::kAddLearner;
  } else if (m.IsLearner(target)) {
    cc.type = random_.OneIn(4) ? raft::ConfChangeType::kRemoveNode : raft::ConfChangeType::kAddVoter;
  } else {
    // Keep at least three voters, so that one crash does not stop the cluster.
    if (m.voters.size() <= 3 || target == l) return;
    cc.type = raft::ConfChangeType::kRemoveNode;
  }
  auto r = nd.raft->ProposeConfChange(cc);
  Observe(nd);
  if (!r.ok()) return;
  static constexpr const char* kNames[] = {"", "add voter", "add learner", "remove"};
  Line("n" + std::to_string(l) + " proposes " + kNames[static_cast<int>(cc.type)] + " n" +
       std::to_string(target) + " at idx=" + std::to_string(r->index));
}

void Simulator::OnOutcome(const raft::ProposalOutcome& o) {
  auto it = proposals_.find({o.id.term, o.id.index});
  if (it == proposals_.end()) return;
  const std::string& data = it->second;
  outcomes_[data] = o.kind;
  checkers_.OnOutcome(o.id, data, o.kind);
  if (o.kind == raft::ProposalOutcome::Kind::kCommitted) {
    ++stats_.outcomes_committed;
  } else {
    ++stats_.outcomes_dropped;
  }
  for (auto& cl : clients_) {
    if (cl->waiting && cl->pending == o.id) cl->waiting = false;
  }
  proposals_.erase(it);
}

}  // namespace cairn::sim
