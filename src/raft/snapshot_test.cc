#include <gtest/gtest.h>

#include "raft/test_cluster.h"

namespace cairn::raft {
namespace {

std::vector<std::string> Data(const std::vector<Entry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) {
    if (e.type == EntryType::kNormal) out.push_back(e.data);
  }
  return out;
}

TEST(SnapshotTest, CompactionDropsEntriesAndKeepsServing) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.node(leader).Propose("v" + std::to_string(i)).ok());
  c.TickAll(2);
  c.Compact(leader);
  EXPECT_EQ(c.node(leader).log().size(), 0u);
  EXPECT_EQ(c.node(leader).snapshot().index, 11u);
  EXPECT_EQ(c.node(leader).CompactLog(99).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(c.node(leader).Propose("after").ok());
  c.TickAll(2);
  for (NodeId id : c.ids()) EXPECT_EQ(Data(c.test_node(id).applied).size(), 11u) << id;
}

TEST(SnapshotTest, LaggingFollowerIsSentTheSnapshotAndCatchesUp) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  NodeId lagging = leader == 3 ? 1 : leader + 1;
  c.Isolate(lagging);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(c.node(leader).Propose("v" + std::to_string(i)).ok());
  c.TickAll(2);
  c.Compact(leader);
  c.Heal(lagging);
  c.TickAll(5);
  ASSERT_TRUE(c.node(lagging).snapshot().index >= 21u);
  EXPECT_EQ(Data(c.test_node(lagging).applied), Data(c.test_node(leader).applied));
  ASSERT_TRUE(c.node(leader).Propose("tail").ok());
  c.TickAll(2);
  EXPECT_EQ(Data(c.test_node(lagging).applied).back(), "tail");
  const Progress* pr = c.node(leader).progress(lagging);
  ASSERT_NE(pr, nullptr);
  EXPECT_EQ(pr->state(), Progress::State::kReplicate);
}

TEST(SnapshotTest, RestartFromSnapshotRestoresLogAndMembership) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.node(leader).Propose("v" + std::to_string(i)).ok());
  c.TickAll(2);
  NodeId f = leader == 3 ? 1 : leader + 1;
  c.Compact(f);
  const SnapshotMeta snap = c.node(f).snapshot();
  c.Start(f);
  EXPECT_EQ(c.node(f).snapshot(), snap);
  EXPECT_EQ(c.node(f).log().committed(), snap.index);
  EXPECT_EQ(c.node(f).voters(), (std::vector<NodeId>{1, 2, 3}));
  ASSERT_TRUE(c.node(leader).Propose("more").ok());
  c.TickAll(3);
  EXPECT_EQ(Data(c.test_node(f).applied).back(), "more");
}

TEST(SnapshotTest, FailedTransferIsRetried) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  NodeId lagging = leader == 3 ? 1 : leader + 1;
  c.Isolate(lagging);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.node(leader).Propose("v" + std::to_string(i)).ok());
  c.TickAll(2);
  c.Compact(leader);
  c.TickAll(2);  // heartbeat replies are lost; the leader sent nothing yet
  const Progress* pr = c.node(leader).progress(lagging);
  ASSERT_NE(pr, nullptr);
  c.node(leader).ReportSnapshot(lagging, false);
  EXPECT_NE(pr->state(), Progress::State::kSnapshot);
  c.Heal(lagging);
  c.TickAll(5);
  EXPECT_EQ(Data(c.test_node(lagging).applied), Data(c.test_node(leader).applied));
}

// The transport reports the snapshot delivered, but the follower never
// answers (it crashed before the snapshot was durable, or its answer was
// lost): the leader must not wait in the snapshot state forever.
TEST(SnapshotTest, DeliveredSnapshotWithoutAnAnswerIsResent) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  NodeId lagging = leader == 3 ? 1 : leader + 1;
  c.Isolate(lagging);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.node(leader).Propose("v" + std::to_string(i)).ok());
  c.TickAll(2);
  c.Compact(leader);
  // The lagging follower's refusal of the leader's last Append makes the
  // leader probe below its snapshot and send the snapshot instead; the
  // follower is cut off, so it never arrives.
  const Progress* pr = c.node(leader).progress(lagging);
  ASSERT_NE(pr, nullptr);
  Message rej;
  rej.type = MessageType::kAppendResponse;
  rej.from = lagging;
  rej.to = leader;
  rej.term = c.node(leader).term();
  rej.reject = true;
  rej.index = pr->next() - 1;
  rej.reject_hint = pr->match();
  ASSERT_TRUE(c.node(leader).Step(rej).ok());
  ASSERT_EQ(pr->state(), Progress::State::kSnapshot);
  c.TickAll(1);
  c.node(leader).ReportSnapshot(lagging, true);
  c.Heal(lagging);
  c.TickAll(10);
  EXPECT_EQ(Data(c.test_node(lagging).applied), Data(c.test_node(leader).applied));
  EXPECT_EQ(pr->state(), Progress::State::kReplicate);
}

TEST(SnapshotTest, MalformedSnapshotMessageIsRejected) {
  TestCluster c(3);
  c.TickAll(30);
  RawNode& n = c.node(2);
  const HardState before = n.hard_state();
  Message m;
  m.type = MessageType::kSnapshot;
  m.from = 1;
  m.to = 2;
  m.term = before.term + 1;
  m.snapshot.index = 50;
  m.snapshot.term = before.term + 1;
  EXPECT_EQ(n.Step(m).code(), StatusCode::kInvalidArgument);  // no voters
  m.snapshot.membership.voters = {3, 1};
  EXPECT_EQ(n.Step(m).code(), StatusCode::kInvalidArgument);  // unsorted
  m.snapshot.membership.voters = {1, 2, 3};
  m.snapshot.term = before.term + 7;
  EXPECT_EQ(n.Step(m).code(), StatusCode::kInvalidArgument);  // from the future
  EXPECT_EQ(n.hard_state(), before);
}

}  // namespace
}  // namespace cairn::raft
