// WAIT numreplicas timeout: how many replicas hold this connection's writes.
//
// In Cairn every acknowledged write is already durable on a majority, so
// WAIT is for a client that wants more than that (every member, say) or
// wants to know the count. A replica "holds" index i when it has
// acknowledged the log up to i to the leader, which it does only after
// fsyncing it: the count is of durable copies, the same promise Redis's WAIT
// makes about replicas' acknowledged offsets. Only the leader tracks what
// the others acknowledged, so a follower forwards WAIT there.

#include <limits>
#include <string>
#include <utility>

#include "net/raft_codec.h"
#include "server/node_impl.h"

namespace cairn::server {

namespace {
// Longer than this (about 31 years) is no limit: deadlines stay far from
// overflowing the millisecond clock.
constexpr std::int64_t kWaitTimeoutMaxMs = 1'000'000'000'000;
std::int64_t ClampTimeout(std::int64_t timeout_ms) {
  return timeout_ms > kWaitTimeoutMaxMs ? 0 : timeout_ms;
}
}  // namespace

void Node::Impl::WaitForReplicas(raft::Index index, std::int64_t replicas, std::int64_t timeout_ms,
                                 Done done) {
  timeout_ms = ClampTimeout(timeout_ms);
  if (is_leader()) return LeaderWaitForReplicas(index, replicas, timeout_ms, std::move(done));
  std::string body;
  net::ByteWriter w(&body);
  w.U64(index);
  w.U64(static_cast<std::uint64_t>(replicas));
  w.U64(static_cast<std::uint64_t>(timeout_ms));
  // The leader answers by the client's own deadline; the forward waits that
  // long plus the usual allowance for the round trip (or for ever with 0: a
  // leader change still ends it, see OnSoftState).
  Forward(ForwardKind::kWait, std::move(body), std::move(done), /*admin=*/false,
          timeout_ms == 0 ? -1 : timeout_ms);
}

void Node::Impl::OnForwardWait(std::string_view body, Done reply) {
  net::ByteReader r(body);
  std::uint64_t index = 0, replicas = 0, timeout_ms = 0;
  if (!r.U64(&index) || !r.U64(&replicas) || !r.U64(&timeout_ms) ||
      replicas > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
      timeout_ms > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return reply({resp::Value::Error("ERR bad forwarded WAIT"), 0});
  }
  LeaderWaitForReplicas(index, static_cast<std::int64_t>(replicas),
                        static_cast<std::int64_t>(timeout_ms), std::move(reply));
}

void Node::Impl::LeaderWaitForReplicas(raft::Index index, std::int64_t replicas,
                                       std::int64_t timeout_ms, Done done) {
  timeout_ms = ClampTimeout(timeout_ms);  // also what a follower forwarded
  const std::int64_t holding = ReplicasHolding(index);
  if (holding >= replicas) return done({resp::Value::Int(holding), 0});
  const std::int64_t deadline = timeout_ms > 0 ? MonoMs() + timeout_ms : 0;
  replica_waiters.push_back({index, replicas, deadline, holding, std::move(done)});
}

std::int64_t Node::Impl::ReplicasHolding(raft::Index index) const {
  if (!is_leader()) return 0;
  // A connection that wrote nothing waits for index 0, which every member
  // trivially holds; asking for index 1 counts those that ever acknowledged.
  const raft::Index wanted = index == 0 ? 1 : index;
  std::int64_t n = 0;
  const raft::Membership& m = raft->membership();
  for (const auto* ids : {&m.voters, &m.learners}) {
    for (raft::NodeId id : *ids) {
      if (id == opt.id) continue;
      const raft::Progress* p = raft->progress(id);
      if (p != nullptr && p->match() >= wanted) ++n;
    }
  }
  return n;
}

void Node::Impl::ServeReplicaWaiters(std::int64_t now_ms) {
  if (replica_waiters.empty()) return;
  if (!is_leader()) return ReleaseReplicaWaiters();
  // Answered after the scan: a reply can start the connection's next WAIT,
  // which appends to replica_waiters.
  std::vector<std::pair<Done, std::int64_t>> answers;
  std::erase_if(replica_waiters, [&](ReplicaWaiter& w) {
    w.seen = ReplicasHolding(w.index);
    const bool due = w.deadline_ms != 0 && now_ms >= w.deadline_ms;
    if (w.seen < w.replicas && !due) return false;
    answers.emplace_back(std::move(w.done), w.seen);
    return true;
  });
  for (auto& [done, n] : answers) done({resp::Value::Int(n), 0});
}

void Node::Impl::ReleaseReplicaWaiters() {
  std::vector<ReplicaWaiter> waiters;
  waiters.swap(replica_waiters);
  for (auto& w : waiters) w.done({resp::Value::Int(w.seen), 0});
}

}  // namespace cairn::server
