// Scenario tests: agreement, persistence, backup, Figure 8, churn.

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "sim/cluster.h"
#include "sim/test_seed.h"

namespace cairn::sim {
namespace {

using raft::NodeId;
using Kind = raft::ProposalOutcome::Kind;

class Replication : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure()) std::printf("replay with CAIRN_SEED=%llu\n", static_cast<unsigned long long>(TestSeed(1)));
    if (cluster_) {
      EXPECT_TRUE(cluster_->checkers().ok()) << cluster_->Violations();
    }
  }
  Cluster& Make(std::uint32_t n) {
    seed_ = TestSeed(1);
    RecordProperty("seed", static_cast<int>(seed_));
    cluster_ = std::make_unique<Cluster>(n, seed_);
    return *cluster_;
  }
  // Proposes `data` on whoever leads until it is applied on every live node.
  bool Commit(Cluster& c, const std::string& data, std::uint64_t max_ms = 5000) {
    if (!c.ProposeOnLeader(data).ok()) return false;
    return c.WaitAppliedOnUp(data, max_ms);
  }
  std::uint64_t seed_ = 1;
  std::unique_ptr<Cluster> cluster_;
};

TEST_F(Replication, BasicAgreement) {
  Cluster& c = Make(3);
  for (int k = 1; k <= 5; ++k) {
    const std::string d = "cmd-" + std::to_string(k);
    ASSERT_TRUE(Commit(c, d));
    for (NodeId n = 2; n <= 3; ++n) EXPECT_EQ(c.AppliedIndex(n, d), c.AppliedIndex(1, d));
  }
}

TEST_F(Replication, MessageCountOfAgreementIsBounded) {
  Cluster& c = Make(3);
  ASSERT_TRUE(Commit(c, "warm-up"));
  c.RunFor(100);
  const std::uint64_t before = c.AppendMessages();
  ASSERT_TRUE(c.ProposeOnLeader("one").ok());
  ASSERT_TRUE(c.WaitAppliedOnUp("one"));
  c.RunFor(50);
  // Per follower: Append + ack, then the commit notice + ack, and at most
  // one more exchange when acks and the leader's own fsync interleave:
  // 6 (n - 1). Heartbeats are not counted.
  EXPECT_LE(c.AppendMessages() - before, 12u);
  RecordProperty("append_messages", static_cast<int>(c.AppendMessages() - before));
}

TEST_F(Replication, AgreementWithAFailedFollower) {
  Cluster& c = Make(3);
  const NodeId l = c.WaitLeader();
  const NodeId f = l % 3 + 1;
  c.Crash(f);
  ASSERT_TRUE(Commit(c, "while-down-1"));
  ASSERT_TRUE(Commit(c, "while-down-2"));
  c.Restart(f);
  ASSERT_TRUE(c.TickUntil([&] { return c.AppliedOn(f, "while-down-2"); }, 3000));
  ASSERT_TRUE(Commit(c, "after"));
}

TEST_F(Replication, NoAgreementWithoutAMajority) {
  Cluster& c = Make(5);
  const NodeId l = c.WaitLeader();
  ASSERT_TRUE(Commit(c, "before"));
  int crashed = 0;
  for (NodeId n = 1; n <= 5 && crashed < 3; ++n) {
    if (n != l) {
      c.Crash(n);
      ++crashed;
    }
  }
  auto id = c.Propose(l, "lonely");
  ASSERT_TRUE(id.ok());
  c.RunFor(2000);
  EXPECT_FALSE(c.AppliedAnywhere("lonely"));
  EXPECT_LT(c.node(l).log().committed(), id->index);
  ASSERT_TRUE(c.Converge());
}

TEST_F(Replication, ConcurrentProposalsAgreeOnOneOrder) {
  Cluster& c = Make(3);
  const NodeId l = c.WaitLeader();
  for (int k = 0; k < 20; ++k) ASSERT_TRUE(c.Propose(l, "p" + std::to_string(k)).ok());
  ASSERT_TRUE(c.TickUntil([&] { return c.AppliedOnAll("p19"); }, 3000));
  for (int k = 0; k < 20; ++k) {
    const std::string d = "p" + std::to_string(k);
    ASSERT_TRUE(c.AppliedOnAll(d));
    EXPECT_EQ(c.AppliedIndex(2, d), c.AppliedIndex(1, d));
    EXPECT_EQ(c.AppliedIndex(3, d), c.AppliedIndex(1, d));
    EXPECT_EQ(c.sim().outcome(d), Kind::kCommitted);
  }
}

TEST_F(Replication, RejoinOfAPartitionedLeader) {
  Cluster& c = Make(3);
  const NodeId l1 = c.WaitLeader();
  ASSERT_TRUE(Commit(c, "base"));
  c.Isolate(l1);
  for (int k = 0; k < 3; ++k) ASSERT_TRUE(c.Propose(l1, "stale" + std::to_string(k)).ok());
  ASSERT_TRUE(c.TickUntil([&] { return c.Leader() != raft::kNoNode && c.Leader() != l1; }, 3000));
  ASSERT_TRUE(c.ProposeOnLeader("new-leader").ok());
  ASSERT_TRUE(c.WaitAppliedExcept("new-leader", l1));
  c.Heal();
  ASSERT_TRUE(c.TickUntil([&] { return c.AppliedOn(l1, "new-leader"); }, 3000));
  for (int k = 0; k < 3; ++k) {
    EXPECT_FALSE(c.AppliedAnywhere("stale" + std::to_string(k)));
  }
  ASSERT_TRUE(Commit(c, "after-rejoin"));
  ASSERT_TRUE(c.Converge());
  // The old leader learnt that its proposals lost, once their indexes
  // committed with other entries.
  EXPECT_EQ(c.sim().outcome("stale0"), Kind::kDropped);
}

TEST_F(Replication, FastBackupOverManyConflictingEntries) {
  Cluster& c = Make(5);
  const NodeId l1 = c.WaitLeader();
  ASSERT_TRUE(Commit(c, "base"));
  c.Isolate(l1);
  for (int k = 0; k < 50; ++k) ASSERT_TRUE(c.Propose(l1, "lost" + std::to_string(k)).ok());
  ASSERT_TRUE(c.TickUntil([&] { return c.Leader() != raft::kNoNode && c.Leader() != l1; }, 3000));
  for (int k = 0; k < 50; ++k) ASSERT_TRUE(c.ProposeOnLeader("won" + std::to_string(k)).ok());
  ASSERT_TRUE(c.WaitAppliedExcept("won49", l1));
  const std::uint64_t rejects_before = c.sim().network().stats().append_rejects;
  c.Heal();
  ASSERT_TRUE(c.TickUntil([&] { return c.AppliedOn(l1, "won49"); }, 3000));
  // One mismatch names the conflicting term, and the leader skips all 50
  // entries of it at once: a couple of rejections, not one per entry.
  const std::uint64_t rejects = c.sim().network().stats().append_rejects - rejects_before;
  EXPECT_LE(rejects, 4u);
  RecordProperty("append_rejects", static_cast<int>(rejects));
}

TEST_F(Replication, PersistenceAcrossCrashes) {
  Cluster& c = Make(3);
  ASSERT_TRUE(Commit(c, "a"));
  // Every node at once.
  for (NodeId n = 1; n <= 3; ++n) c.Crash(n);
  for (NodeId n = 1; n <= 3; ++n) c.Restart(n);
  ASSERT_TRUE(c.WaitAppliedOnUp("a"));
  ASSERT_TRUE(Commit(c, "b"));
  // The leader.
  const NodeId l = c.WaitLeader();
  c.Crash(l);
  ASSERT_TRUE(Commit(c, "c"));
  c.Restart(l);
  ASSERT_TRUE(c.TickUntil([&] { return c.AppliedOn(l, "c"); }, 3000));
  // A minority, repeatedly.
  for (int round = 0; round < 5; ++round) {
    const NodeId victim = 1 + static_cast<NodeId>(round) % 3;
    c.Crash(victim);
    ASSERT_TRUE(Commit(c, "m" + std::to_string(round)));
    c.Restart(victim);
  }
  ASSERT_TRUE(c.Converge());
  for (const char* d : {"a", "b", "c", "m4"}) EXPECT_TRUE(c.AppliedOnAll(d)) << d;
}

// Figure 8 of the Raft paper, as a random walk: leaders crash right after
// proposing, nodes come back at random; at the end everything agrees.
void Figure8(Cluster& c, std::uint64_t seed, bool unreliable) {
  Xoshiro256 rng(seed);
  if (unreliable) c.Unreliable();
  int up = static_cast<int>(c.size());
  for (int iter = 0; iter < 200; ++iter) {
    const NodeId l = c.Leader();
    if (l != raft::kNoNode) (void)c.Propose(l, "f8-" + std::to_string(iter));
    c.RunFor(rng.OneIn(10) ? rng.Range(100, 400) : rng.Range(1, 15));
    if (l != raft::kNoNode && c.up(l) && rng.OneIn(2)) {
      c.Crash(l);
      --up;
    }
    if (up < 3) {
      const NodeId n = 1 + rng.Uniform(c.size());
      if (!c.up(n)) {
        c.Restart(n);
        ++up;
      }
    }
  }
  c.Reliable();
  ASSERT_TRUE(c.Converge(10000)) << c.Violations();
  ASSERT_TRUE(c.ProposeOnLeader("f8-final").ok());
  EXPECT_TRUE(c.WaitAppliedOnUp("f8-final"));
}

TEST_F(Replication, Figure8Reliable) {
  Cluster& c = Make(5);
  Figure8(c, seed_, false);
}

TEST_F(Replication, Figure8Unreliable) {
  Cluster& c = Make(5);
  Figure8(c, seed_, true);
}

TEST_F(Replication, UnreliableAgreement) {
  Cluster& c = Make(5);
  c.Unreliable();
  for (int k = 0; k < 50; ++k) {
    (void)c.ProposeOnLeader("u" + std::to_string(k));
    c.RunFor(5);
  }
  c.RunFor(3000);
  c.Reliable();
  ASSERT_TRUE(c.Converge());
  int committed = 0;
  for (int k = 0; k < 50; ++k) committed += c.AppliedOnAll("u" + std::to_string(k)) ? 1 : 0;
  EXPECT_GE(committed, 40);  // losses may drop a few with their leader, not most
}

// Churn: the random fault schedule and client load of `cairn-sim run`, on a
// reliable and on an unreliable network.
void Churn(std::uint64_t seed, bool unreliable) {
  SimOptions o = DefaultOptions(seed, 5);
  o.fault_ms = 5000;
  o.network = unreliable ? NetworkOptions{1, 20, 0.1, 0.05, 0.02, 50, 300} : NetworkOptions{1, 5, 0, 0};
  Simulator sim(o);
  RunResult r = sim.Run();
  EXPECT_TRUE(r.ok) << (r.violations.empty() ? "" : r.violations.front().ToString());
  EXPECT_GT(r.stats.crashes, 3u);
  EXPECT_GT(r.stats.outcomes_committed, 50u);
}

TEST_F(Replication, ReliableChurn) { Churn(seed_, false); }
TEST_F(Replication, UnreliableChurn) { Churn(seed_, true); }

}  // namespace
}  // namespace cairn::sim
