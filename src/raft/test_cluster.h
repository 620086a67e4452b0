#pragma once
// A minimal in-process driver for RawNode unit tests: every message is
// delivered at once (unless a node is down or isolated) and every Ready is
// persisted at once. Fault schedules belong to the simulator (sim/).

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <set>

#include "common/random.h"
#include "raft/raw_node.h"

namespace cairn::raft {

struct TestNode {
  std::unique_ptr<Xoshiro256> rng;
  std::unique_ptr<RawNode> node;
  std::vector<Entry> applied;
  std::vector<ProposalOutcome> outcomes;
  std::vector<ReadState> read_states;
  HardState durable_hs;
  std::vector<Entry> durable_log;  // entries after the durable snapshot
  std::optional<SnapshotMeta> durable_snapshot;
  // The "state machine" is the list of applied entries; a snapshot of it is
  // that list up to the snapshot's index.
  std::vector<Entry> snapshot_data;
  std::vector<Entry> incoming_snapshot_data;  // streamed by the "transport"
};

class TestCluster {
 public:
  explicit TestCluster(int n, std::uint64_t seed = 1) {
    for (int i = 1; i <= n; ++i) ids_.push_back(static_cast<NodeId>(i));
    for (NodeId id : ids_) Start(id, seed);
    all_ = ids_;
  }

  void Start(NodeId id, std::uint64_t seed = 7) {
    auto& tn = nodes_[id];
    Config c;
    c.id = id;
    c.voters = ids_;
    tn.rng = std::make_unique<Xoshiro256>(seed * 100 + id);
    Index applied = 0;
    tn.applied.clear();
    if (tn.durable_snapshot) {
      tn.applied = tn.snapshot_data;
      applied = tn.durable_snapshot->index;
    }
    tn.node = std::make_unique<RawNode>(
        c, *tn.rng, RestoredState{tn.durable_hs, tn.durable_log, tn.durable_snapshot, applied});
  }

  // A node that is not among the bootstrap voters: it waits to be added.
  void AddNode(NodeId id) {
    extra_.push_back(id);
    auto& tn = nodes_[id];
    Config c;
    c.id = id;
    c.voters = ids_;
    tn.rng = std::make_unique<Xoshiro256>(id * 977);
    tn.node = std::make_unique<RawNode>(c, *tn.rng);
    all_.push_back(id);
  }

  // Snapshots node `id`'s state machine at its applied index and compacts.
  void Compact(NodeId id) {
    auto& tn = nodes_.at(id);
    const Index applied = tn.node->log().applied();
    ASSERT_TRUE(tn.node->CompactLog(applied).ok());
    tn.snapshot_data.assign(tn.applied.begin(), tn.applied.end());
    tn.durable_snapshot = tn.node->snapshot();
    const Index base = tn.durable_snapshot->index;
    std::vector<Entry> rest;
    for (auto& e : tn.durable_log) {
      if (e.index > base) rest.push_back(e);
    }
    tn.durable_log = rest;
  }

  RawNode& node(NodeId id) { return *nodes_.at(id).node; }
  TestNode& test_node(NodeId id) { return nodes_.at(id); }

  // Processes Ready batches and delivers messages until nothing moves.
  void Settle() {
    for (int round = 0; round < 10000; ++round) {
      bool moved = false;
      for (NodeId id : all_) moved = ProcessReady(id) || moved;
      moved = DeliverQueued() > 0 || moved;
      if (!moved) return;
    }
    FAIL() << "cluster did not settle";
  }

  // One node's Ready, if it has one: persisted at once, its messages queued
  // (not delivered). Returns whether there was one.
  bool ProcessReady(NodeId id) {
    auto& tn = nodes_[id];
    if (!tn.node || !tn.node->HasReady()) return false;
    Ready rd = tn.node->GetReady();
    for (auto& m : rd.messages) queue_.push_back(m);
    if (rd.hard_state) tn.durable_hs = *rd.hard_state;
    if (rd.snapshot) {
      tn.durable_snapshot = rd.snapshot;
      tn.durable_log.clear();
      tn.snapshot_data = tn.incoming_snapshot_data;
      tn.applied = tn.snapshot_data;
    }
    if (!rd.entries.empty()) {
      const Index base = tn.durable_snapshot ? tn.durable_snapshot->index : 0;
      tn.durable_log.resize(rd.entries.front().index - 1 - base);
      for (auto& e : rd.entries) tn.durable_log.push_back(e);
    }
    for (auto& m : rd.messages_after_persist) queue_.push_back(m);
    for (auto& e : rd.committed_entries) tn.applied.push_back(e);
    for (auto& o : rd.outcomes) tn.outcomes.push_back(o);
    for (auto& r : rd.read_states) tn.read_states.push_back(r);
    tn.node->Advance(rd);
    return true;
  }

  // Delivers every queued message (not the ones their handling queues).
  // Returns how many left the queue.
  std::size_t DeliverQueued() {
    std::size_t n = 0;
    while (!queue_.empty()) {
      ++n;
      Message m = std::move(queue_.front());
      queue_.pop_front();
      auto it = nodes_.find(m.to);
      if (it != nodes_.end() && it->second.node && !down_.count(m.to) && !isolated_.count(m.to) &&
          !isolated_.count(m.from)) {
        ++delivered_;
        if (m.type == MessageType::kSnapshot) {
          it->second.incoming_snapshot_data = nodes_.at(m.from).snapshot_data;
        }
        Status st = it->second.node->Step(m);
        if (!st.ok()) ++rejected_;
        if (!allow_rejections_) {
          EXPECT_TRUE(st.ok()) << st.ToString();
        }
      }
    }
    return n;
  }
  std::size_t queued() const { return queue_.size(); }
  void DropQueued() { queue_.clear(); }

  void TickAll(int ticks) {
    for (int t = 0; t < ticks; ++t) {
      for (NodeId id : all_) {
        if (!down_.count(id)) node(id).Tick();
      }
      Settle();
    }
  }

  NodeId Leader() {
    NodeId found = kNoNode;
    for (NodeId id : all_) {
      if (!down_.count(id) && node(id).role() == Role::kLeader) {
        if (found == kNoNode || node(id).term() > node(found).term()) found = id;
      }
    }
    return found;
  }

  void Down(NodeId id) { down_.insert(id); }
  // Messages to and from an isolated node are lost; it keeps ticking.
  void Isolate(NodeId id) { isolated_.insert(id); }
  void Heal(NodeId id) { isolated_.erase(id); }
  void ResetDelivered() { delivered_ = 0; }
  // Messages a node refuses (e.g. from a removed node) are counted, not
  // test failures.
  void AllowRejections() { allow_rejections_ = true; }
  std::size_t rejected() const { return rejected_; }
  std::size_t delivered() const { return delivered_; }
  const std::vector<NodeId>& ids() const { return ids_; }

 private:
  std::vector<NodeId> ids_;    // bootstrap voters
  std::vector<NodeId> extra_;  // added later
  std::vector<NodeId> all_;
  std::map<NodeId, TestNode> nodes_;
  std::deque<Message> queue_;
  std::set<NodeId> down_;
  std::set<NodeId> isolated_;
  std::size_t delivered_ = 0;
  std::size_t rejected_ = 0;
  bool allow_rejections_ = false;
};

}  // namespace cairn::raft
