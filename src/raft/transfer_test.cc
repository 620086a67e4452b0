#include <gtest/gtest.h>

#include "raft/test_cluster.h"

namespace cairn::raft {
namespace {

TEST(TransferTest, UpToDateTargetTakesOver) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  NodeId target = leader == 3 ? 1 : leader + 1;
  ASSERT_TRUE(c.node(leader).Propose("before").ok());
  c.Settle();
  const Term before = c.node(leader).term();
  ASSERT_TRUE(c.node(leader).TransferLeadership(target).ok());
  c.Settle();
  EXPECT_EQ(c.Leader(), target);
  EXPECT_EQ(c.node(target).term(), before + 1);
  EXPECT_EQ(c.node(leader).role(), Role::kFollower);
  EXPECT_EQ(c.node(leader).leader(), target);
}

TEST(TransferTest, LaggingTargetIsCaughtUpFirst) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  NodeId target = leader == 3 ? 1 : leader + 1;
  c.Isolate(target);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.node(leader).Propose("x" + std::to_string(i)).ok());
  c.Settle();
  c.Heal(target);
  ASSERT_TRUE(c.node(leader).TransferLeadership(target).ok());
  EXPECT_EQ(c.node(leader).Propose("during").status().code(), StatusCode::kUnavailable);
  c.TickAll(4);
  EXPECT_EQ(c.Leader(), target);
  EXPECT_EQ(c.node(target).log().last_index(), c.node(leader).log().last_index());
}

TEST(TransferTest, UnreachableTargetIsAbandonedAfterElectionTimeout) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  NodeId target = leader == 3 ? 1 : leader + 1;
  c.Isolate(target);
  ASSERT_TRUE(c.node(leader).Propose("x").ok());
  c.Settle();
  ASSERT_TRUE(c.node(leader).TransferLeadership(target).ok());
  EXPECT_EQ(c.node(leader).transfer_target(), target);
  c.TickAll(10);
  EXPECT_EQ(c.node(leader).transfer_target(), kNoNode);
  EXPECT_EQ(c.node(leader).role(), Role::kLeader);
  EXPECT_TRUE(c.node(leader).Propose("after").ok());
}

TEST(TransferTest, RejectsBadTargets) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  EXPECT_EQ(c.node(leader).TransferLeadership(leader).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.node(leader).TransferLeadership(42).code(), StatusCode::kInvalidArgument);
  NodeId f = leader == 1 ? 2 : 1;
  EXPECT_EQ(c.node(f).TransferLeadership(leader).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace cairn::raft
