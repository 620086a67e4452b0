// ReadIndex and lease reads, driven by the same minimal in-process cluster as
// raw_node_test.cc (instant delivery, instant persistence).

#include <gtest/gtest.h>

#include "raft/test_cluster.h"

namespace cairn::raft {
namespace {

TEST(ReadIndexTest, LeaderConfirmsWithOneRoundForManyReads) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  ASSERT_TRUE(c.node(leader).Propose("w").ok());
  c.Settle();
  const Index commit = c.node(leader).log().committed();
  c.ResetDelivered();
  for (std::uint64_t id = 1; id <= 50; ++id) ASSERT_TRUE(c.node(leader).ReadIndex(id).ok());
  c.Settle();
  auto& reads = c.test_node(leader).read_states;
  ASSERT_EQ(reads.size(), 50u);
  for (const auto& r : reads) EXPECT_EQ(r.index, commit);
  // One heartbeat round to two followers and their two answers.
  EXPECT_EQ(c.delivered(), 4u);
}

TEST(ReadIndexTest, ReadsDuringAnUnansweredRoundShareTheNextOne) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  ASSERT_TRUE(c.node(leader).Propose("w").ok());
  c.Settle();
  c.ResetDelivered();
  ASSERT_TRUE(c.node(leader).ReadIndex(1).ok());
  ASSERT_TRUE(c.ProcessReady(leader));
  ASSERT_EQ(c.queued(), 2u);  // round r to both followers, unanswered
  ASSERT_TRUE(c.node(leader).ReadIndex(2).ok());
  ASSERT_TRUE(c.node(leader).ReadIndex(3).ok());
  EXPECT_FALSE(c.node(leader).HasReady());  // no second round while r is out
  c.Settle();                               // r is confirmed, then one round for reads 2 and 3
  auto& reads = c.test_node(leader).read_states;
  ASSERT_EQ(reads.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(reads[i].request_id, i + 1);
  EXPECT_EQ(c.delivered(), 8u);  // two rounds: heartbeats and answers
}

TEST(ReadIndexTest, ALostRoundDoesNotStrandTheReadsBehindIt) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  ASSERT_TRUE(c.node(leader).Propose("w").ok());
  c.Settle();
  ASSERT_TRUE(c.node(leader).ReadIndex(1).ok());
  ASSERT_TRUE(c.ProcessReady(leader));
  c.DropQueued();  // the round's heartbeats are lost
  ASSERT_TRUE(c.node(leader).ReadIndex(2).ok());
  c.Settle();
  EXPECT_TRUE(c.test_node(leader).read_states.empty());
  // The periodic heartbeat is a new round; it confirms both.
  for (int t = 0; t < 4 && c.test_node(leader).read_states.size() < 2; ++t) {
    c.node(leader).Tick();
    c.Settle();
  }
  EXPECT_EQ(c.test_node(leader).read_states.size(), 2u);
}

TEST(ReadIndexTest, FollowerRefusesWithHint) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  NodeId f = leader == 1 ? 2 : 1;
  Status s = c.node(f).ReadIndex(7);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(c.node(f).leader(), leader);
}

TEST(ReadIndexTest, IsolatedLeaderNeverConfirms) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  c.Isolate(leader);
  ASSERT_TRUE(c.node(leader).ReadIndex(1).ok());
  c.Settle();
  c.TickAll(5);
  EXPECT_TRUE(c.test_node(leader).read_states.empty());
}

TEST(ReadIndexTest, LeaseReadIsLocalWhileLeaseHoldsAndStopsAfter) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  c.TickAll(3);  // a heartbeat round has been acknowledged
  c.ResetDelivered();
  ASSERT_TRUE(c.node(leader).LeaseRead(1).ok());
  c.Settle();
  ASSERT_EQ(c.test_node(leader).read_states.size(), 1u);
  EXPECT_EQ(c.delivered(), 0u);  // no round trip
  auto now = c.node(leader).LeaseReadIndexNow();
  ASSERT_TRUE(now.has_value());
  EXPECT_EQ(*now, c.test_node(leader).read_states[0].index);
  // Cut off, the lease runs out before the followers could elect anyone.
  // Either it has stepped down (CheckQuorum) or it must not answer locally.
  c.Isolate(leader);
  c.TickAll(8);
  c.test_node(leader).read_states.clear();
  EXPECT_FALSE(c.node(leader).LeaseReadIndexNow().has_value());
  Status s = c.node(leader).LeaseRead(2);
  c.Settle();
  EXPECT_TRUE(s.ok() || s.code() == StatusCode::kFailedPrecondition);
  EXPECT_TRUE(c.test_node(leader).read_states.empty());
}

// A leader whose own loop stalled: the ticks it missed age its lease, but
// they do not run CheckQuorum before it has read its followers' answers.
TEST(ReadIndexTest, SkippedTicksEndTheLeaseWithoutDeposingTheLeader) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  c.TickAll(3);  // a heartbeat round has been acknowledged
  ASSERT_TRUE(c.node(leader).LeaseReadIndexNow().has_value());
  // Far more than an election timeout (10-20 ticks) passed unseen.
  c.node(leader).SkipTicks(100);
  EXPECT_FALSE(c.node(leader).LeaseReadIndexNow().has_value()) << "the lease outlived the stall";
  EXPECT_EQ(c.node(leader).role(), Role::kLeader);
  // One real tick after the stall: still leader. The same ticks delivered
  // one by one (what the driver did before) step it down, its followers'
  // answers unread.
  c.node(leader).Tick();
  EXPECT_EQ(c.node(leader).role(), Role::kLeader);
  c.Settle();
  c.TickAll(3);
  EXPECT_TRUE(c.node(leader).LeaseReadIndexNow().has_value()) << "a new round renews the lease";
  for (int i = 0; i < 100; ++i) c.node(leader).Tick();
  EXPECT_NE(c.node(leader).role(), Role::kLeader);
}

TEST(ReadIndexTest, SingleNodeReadsAtOnce) {
  TestCluster c(1);
  c.TickAll(25);
  ASSERT_TRUE(c.node(1).ReadIndex(3).ok());
  c.Settle();
  ASSERT_EQ(c.test_node(1).read_states.size(), 1u);
  EXPECT_EQ(c.test_node(1).read_states[0].request_id, 3u);
}

}  // namespace
}  // namespace cairn::raft
