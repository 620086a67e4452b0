// Scenario tests: elections. Each test scripts its faults on a Cluster and
// ends by checking that no checker fired.

#include <gtest/gtest.h>

#include <set>

#include "sim/cluster.h"
#include "sim/test_seed.h"

namespace cairn::sim {
namespace {

using raft::NodeId;
using raft::Role;

class Election : public ::testing::Test {
 protected:
  void TearDown() override {
    if (cluster_) {
      EXPECT_TRUE(cluster_->checkers().ok()) << cluster_->Violations();
    }
  }
  Cluster& Make(std::uint32_t n) {
    const std::uint64_t seed = TestSeed(1);
    RecordProperty("seed", static_cast<int>(seed));
    cluster_ = std::make_unique<Cluster>(n, seed);
    return *cluster_;
  }
  std::unique_ptr<Cluster> cluster_;
};

TEST_F(Election, InitialElectionPicksOneLeaderThatStays) {
  Cluster& c = Make(3);
  const NodeId l = c.WaitLeader(1000);
  ASSERT_NE(l, raft::kNoNode);
  const raft::Term term = c.node(l).term();
  c.RunFor(3000);  // no faults: no spurious election
  EXPECT_EQ(c.Leader(), l);
  for (NodeId n = 1; n <= 3; ++n) {
    EXPECT_EQ(c.node(n).term(), term);
    EXPECT_EQ(c.node(n).leader(), l);
  }
}

TEST_F(Election, ReElectionAfterLeaderLoss) {
  Cluster& c = Make(3);
  const NodeId l1 = c.WaitLeader();
  ASSERT_NE(l1, raft::kNoNode);
  c.Isolate(l1);
  ASSERT_TRUE(c.TickUntil([&] { return c.Leader() != raft::kNoNode && c.Leader() != l1; }, 2000));
  const NodeId l2 = c.Leader();
  EXPECT_GT(c.node(l2).term(), c.node(l1).term() - 0);
  // The old leader rejoins: it must not disturb the new one (PreVote).
  c.Heal();
  c.RunFor(1000);
  EXPECT_EQ(c.Leader(), l2);
  EXPECT_EQ(c.node(l1).role(), Role::kFollower);
  // Without a majority, nobody leads.
  const NodeId other = l2 % 3 + 1;
  c.Crash(l2);
  c.Crash(other);
  c.RunFor(2000);
  for (NodeId n = 1; n <= 3; ++n) {
    if (c.up(n)) {
      EXPECT_NE(c.node(n).role(), Role::kLeader);
    }
  }
  c.Restart(other);
  EXPECT_NE(c.WaitLeader(3000), raft::kNoNode);
}

TEST_F(Election, ManyElectionsUnderChurn) {
  Cluster& c = Make(5);
  Xoshiro256 rng(TestSeed(1));
  std::set<raft::Term> terms;
  for (int round = 0; round < 20; ++round) {
    // Cut up to two random nodes off; a majority always remains connected.
    const NodeId a = 1 + rng.Uniform(5);
    const NodeId b = 1 + rng.Uniform(5);
    c.Isolate(a);
    if (round % 2 == 0) c.Isolate(b);
    auto connected_leader = [&] {
      const NodeId l = c.Leader();
      return l != raft::kNoNode && l != a && (round % 2 != 0 || l != b);
    };
    ASSERT_TRUE(c.TickUntil(connected_leader, 3000)) << "round " << round;
    const NodeId l = c.Leader();
    terms.insert(c.node(l).term());
    c.Heal();
    c.RunFor(rng.Range(50, 400));
  }
  EXPECT_GE(terms.size(), 5u);  // leadership really moved
  ASSERT_TRUE(c.Converge());
}

TEST_F(Election, MessageCountOfAnElectionIsBounded) {
  Cluster& c = Make(5);
  ASSERT_NE(c.WaitLeader(), raft::kNoNode);
  // A fresh election may need a second round after a split vote; each round
  // costs PreVote + Vote to and from every peer: 4 (n - 1) messages.
  EXPECT_LE(c.ElectionMessages(), 2u * 4u * 4u);
  // Leadership moves once: one more round at most.
  const std::uint64_t before = c.ElectionMessages();
  c.Crash(c.Leader());
  ASSERT_NE(c.WaitLeader(), raft::kNoNode);
  EXPECT_LE(c.ElectionMessages() - before, 2u * 4u * 4u);
  // A stable leader sends no election messages at all (once the last vote
  // answers of its election have gone).
  c.RunFor(100);
  const std::uint64_t stable = c.ElectionMessages();
  c.RunFor(2000);
  EXPECT_EQ(c.ElectionMessages(), stable);
}

}  // namespace
}  // namespace cairn::sim
