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

// Once TimeoutNow has left, the target may win a forced election (whose
// votes ignore the leader lease) at any time, even after the transfer was
// abandoned here: the old leader must not serve lease reads from then on.
// Found by the simulator (seed 227, --snapshot-every 5 --ticks 10000).
TEST(TransferTest, NoLeaseReadsAfterTimeoutNowLeftEvenIfTheTransferIsAbandoned) {
  TestCluster c(3);
  c.TickAll(30);
  const NodeId leader = c.Leader();
  const NodeId target = leader == 3 ? 1 : leader + 1;
  ASSERT_TRUE(c.node(leader).Propose("x").ok());
  c.Settle();
  ASSERT_TRUE(c.node(leader).TransferLeadership(target).ok());
  // TimeoutNow leaves (up to date target) and is held up in the network.
  Ready rd = c.node(leader).GetReady();
  std::vector<Message> held;
  for (const Message& m : rd.messages) {
    if (m.type == MessageType::kTimeoutNow) held.push_back(m);
  }
  c.node(leader).Advance(rd);
  ASSERT_EQ(held.size(), 1u);
  c.TickAll(5);  // heartbeats keep the leader's lease fresh
  c.Isolate(leader);
  ASSERT_TRUE(c.node(target).Step(held.front()).ok());  // the target wins without the leader knowing
  c.TickAll(5);
  ASSERT_EQ(c.Leader(), target);
  ASSERT_EQ(c.node(leader).role(), Role::kLeader);
  ASSERT_EQ(c.node(leader).transfer_target(), kNoNode);  // abandoned after an election timeout
  EXPECT_FALSE(c.node(leader).LeaseReadIndexNow().has_value());
  ASSERT_TRUE(c.node(leader).LeaseRead(7).ok());
  Ready after = c.node(leader).GetReady();
  EXPECT_TRUE(after.read_states.empty()) << "a lease read was served by a leader that may be deposed";
  c.node(leader).Advance(after);
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
