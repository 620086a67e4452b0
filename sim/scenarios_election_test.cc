// Scenario tests: elections. Each test scripts its faults on a Cluster and
// ends by checking that no checker fired.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
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
    if (HasFailure()) std::printf("replay with CAIRN_SEED=%llu\n", static_cast<unsigned long long>(TestSeed(1)));
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
    // Cut the leader off, and sometimes one more node: a majority always
    // remains connected and must elect a new leader among itself.
    const NodeId old = c.WaitLeader(3000);
    ASSERT_NE(old, raft::kNoNode) << "round " << round;
    const NodeId extra = 1 + rng.Uniform(5);
    const bool cut_extra = rng.OneIn(2);
    c.Isolate(old);
    if (cut_extra) c.Isolate(extra);
    auto connected_leader = [&] {
      const NodeId l = c.Leader();
      return l != raft::kNoNode && l != old && !(cut_extra && l == extra);
    };
    ASSERT_TRUE(c.TickUntil(connected_leader, 3000)) << "round " << round;
    terms.insert(c.node(c.Leader()).term());
    c.Heal();
    c.RunFor(rng.Range(50, 400));
  }
  EXPECT_EQ(terms.size(), 20u);  // a new term every round
  ASSERT_TRUE(c.Converge());
}

TEST_F(Election, MessageCountOfAnElectionIsBounded) {
  // One campaign costs PreVote + Vote to and from every peer: 4 (n - 1) = 8
  // messages in a 3-node cluster. Split votes, and after a crash a PreVote
  // refused by a follower still inside the old leader's lease, add
  // campaigns now and then; over 50 seeds the average stays near one.
  constexpr std::uint64_t kCampaign = 8;
  std::uint64_t initial_sum = 0, initial_max = 0, again_sum = 0, again_max = 0;
  constexpr int kSeeds = 50;
  for (int k = 0; k < kSeeds; ++k) {
    Cluster c(3, TestSeed(1) + static_cast<std::uint64_t>(k));
    ASSERT_NE(c.WaitLeader(), raft::kNoNode);
    const std::uint64_t initial = c.ElectionMessages();
    c.Crash(c.Leader());
    ASSERT_NE(c.WaitLeader(), raft::kNoNode);
    c.RunFor(100);
    const std::uint64_t again = c.ElectionMessages() - initial;
    // A stable leader sends no election messages at all.
    const std::uint64_t stable = c.ElectionMessages();
    c.RunFor(2000);
    EXPECT_EQ(c.ElectionMessages(), stable);
    EXPECT_TRUE(c.checkers().ok()) << c.Violations();
    initial_sum += initial;
    again_sum += again;
    initial_max = std::max(initial_max, initial);
    again_max = std::max(again_max, again);
  }
  std::printf("election messages over %d seeds: initial avg %.1f max %llu; after a leader crash avg %.1f max %llu\n",
              kSeeds, static_cast<double>(initial_sum) / kSeeds, static_cast<unsigned long long>(initial_max),
              static_cast<double>(again_sum) / kSeeds, static_cast<unsigned long long>(again_max));
  EXPECT_LE(initial_sum, kSeeds * kCampaign * 3 / 2);  // average <= 1.5 campaigns
  EXPECT_LE(again_sum, kSeeds * kCampaign * 2);        // average <= 2 campaigns
  EXPECT_LE(initial_max, 6 * kCampaign);
  EXPECT_LE(again_max, 6 * kCampaign);
}

}  // namespace
}  // namespace cairn::sim
