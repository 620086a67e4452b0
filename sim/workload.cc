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
