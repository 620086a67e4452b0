#pragma once
// Cluster: a readable façade over Simulator for scenario tests. No random
// faults and no background clients: the test scripts every fault and every
// proposal; the network is reliable unless the test says otherwise.
//
//   Cluster c(3);
//   NodeId l = c.WaitLeader();
//   c.Isolate(l);
//   ASSERT_TRUE(c.TickUntil([&] { return c.Leader() != l && c.Leader() != 0; }, 2000));
//
// Thread-safety: none.

#include <functional>
#include <string>
#include <vector>

#include "sim/simulator.h"

namespace cairn::sim {

class Cluster {
 public:
  explicit Cluster(std::uint32_t nodes, std::uint64_t seed = 1) : sim_(Options(nodes, seed)) {}

  static SimOptions Options(std::uint32_t nodes, std::uint64_t seed) {
    SimOptions o = DefaultOptions(seed, nodes);
    o.faults.enabled = false;
    o.workload.enabled = false;
    o.network = NetworkOptions{1, 5, 0.0, 0.0};
    return o;
  }

  // Drops, duplicates and long delays on every link from now on.
  void Unreliable() { sim_.set_network(NetworkOptions{1, 20, 0.1, 0.05, 0.02, 50, 200}); }
  void Reliable() { sim_.set_network(NetworkOptions{1, 5, 0.0, 0.0}); }

  bool TickUntil(const std::function<bool()>& pred, std::uint64_t max_ms) { return sim_.RunUntil(pred, max_ms); }
  void RunFor(std::uint64_t ms) { sim_.RunFor(ms); }

  raft::NodeId Leader() const { return sim_.Leader(); }
  // Waits for a leader (kNoNode if none within max_ms).
  raft::NodeId WaitLeader(std::uint64_t max_ms = 3000) {
    TickUntil([this] { return Leader() != raft::kNoNode; }, max_ms);
    return Leader();
  }

  void Isolate(raft::NodeId n) { sim_.Isolate(n); }
  void Partition(const std::vector<raft::NodeId>& a, const std::vector<raft::NodeId>& b) { sim_.Partition(a, b); }
  void Heal() { sim_.Heal(); }
  void Crash(raft::NodeId n) { sim_.Crash(n); }
  void Restart(raft::NodeId n) { sim_.Restart(n); }
  // Snapshots n's state machine at its applied index and compacts its log.
  Status Snapshot(raft::NodeId n) { return sim_.TakeSnapshot(n); }
  // The index of n's latest snapshot (0: none, or n is down).
  raft::Index SnapshotIndex(raft::NodeId n) const { return up(n) ? node(n).snapshot().index : 0; }

  Result<raft::ProposalId> Propose(raft::NodeId n, const std::string& data) { return sim_.Propose(n, data); }
  // Proposes on the current leader, waiting for one first if needed.
  Result<raft::ProposalId> ProposeOnLeader(const std::string& data) {
    const raft::NodeId l = WaitLeader();
    if (l == raft::kNoNode) return Status::Unavailable("no leader");
    return Propose(l, data);
  }

  bool AppliedOn(raft::NodeId n, const std::string& data) const {
    if (!sim_.up(n)) return false;
    for (const auto& e : sim_.applied(n)) {
      if (e.data == data) return true;
    }
    return false;
  }
  // Index at which `data` was applied on n (0 if not).
  raft::Index AppliedIndex(raft::NodeId n, const std::string& data) const {
    for (const auto& e : sim_.applied(n)) {
      if (e.data == data) return e.index;
    }
    return 0;
  }
  bool AppliedOnAll(const std::string& data) const {
    for (raft::NodeId n = 1; n <= sim_.node_count(); ++n) {
      if (!AppliedOn(n, data)) return false;
    }
    return true;
  }
  bool AppliedOnUp(const std::string& data) const {
    for (raft::NodeId n = 1; n <= sim_.node_count(); ++n) {
      if (sim_.up(n) && !AppliedOn(n, data)) return false;
    }
    return true;
  }
  bool AppliedAnywhere(const std::string& data) const {
    for (raft::NodeId n = 1; n <= sim_.node_count(); ++n) {
      if (sim_.up(n) && AppliedOn(n, data)) return true;
    }
    return false;
  }
  // Waits until every node except `except` applied `data`.
  bool WaitAppliedExcept(const std::string& data, raft::NodeId except, std::uint64_t max_ms = 3000) {
    return TickUntil(
        [&] {
          for (raft::NodeId n = 1; n <= sim_.node_count(); ++n) {
            if (n != except && !AppliedOn(n, data)) return false;
          }
          return true;
        },
        max_ms);
  }
  bool WaitAppliedOnUp(const std::string& data, std::uint64_t max_ms = 3000) {
    return TickUntil([&] { return AppliedOnUp(data); }, max_ms);
  }

  std::uint64_t Sent(raft::MessageType t) const {
    return sim_.network().stats().sent_by_type[static_cast<std::size_t>(t)];
  }
  std::uint64_t ElectionMessages() const {
    using T = raft::MessageType;
    return Sent(T::kPreVote) + Sent(T::kPreVoteResponse) + Sent(T::kVote) + Sent(T::kVoteResponse);
  }
  std::uint64_t AppendMessages() const {
    return Sent(raft::MessageType::kAppend) + Sent(raft::MessageType::kAppendResponse);
  }

  const raft::RawNode& node(raft::NodeId n) const { return *sim_.node(n); }
  bool up(raft::NodeId n) const { return sim_.up(n); }
  std::uint32_t size() const { return sim_.node_count(); }
  Simulator& sim() { return sim_; }
  const Checkers& checkers() const { return sim_.checkers(); }
  std::string Violations() const {
    std::string s;
    for (const auto& v : sim_.checkers().violations()) s += v.ToString() + "\n";
    return s;
  }
  // Heals everything, restarts every node, waits for convergence, runs the
  // final checks; true if every checker passed.
  bool Converge(std::uint64_t max_ms = 5000) { return sim_.Converge(max_ms); }

 private:
  Simulator sim_;
};

}  // namespace cairn::sim
