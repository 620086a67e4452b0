#include <gtest/gtest.h>

#include "raft/test_cluster.h"

namespace cairn::raft {
namespace {

std::vector<std::string> Data(const std::vector<Entry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) {
    if (e.type == EntryType::kNormal) out.push_back(e.data.str());
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

// A deposed leader whose proposal was committed by its successor, and who
// then catches up through a snapshot covering that index, cannot tell the
// proposal's fate from its log: it must not report it dropped.
TEST(SnapshotTest, ProposalUnderAnInstalledSnapshotIsNotReportedDropped) {
  TestCluster c(3);
  c.TickAll(30);
  const NodeId old_leader = c.Leader();
  auto id = c.node(old_leader).Propose("x");
  ASSERT_TRUE(id.ok());
  // The Append reaches the followers by hand; the old leader is then cut
  // off before it hears that they stored it.
  Ready rd = c.node(old_leader).GetReady();
  std::vector<Message> appends;
  for (const Message& m : rd.messages) {
    if (m.type == MessageType::kAppend) appends.push_back(m);
  }
  c.node(old_leader).Advance(rd);
  c.Isolate(old_leader);
  for (const Message& m : appends) ASSERT_TRUE(c.node(m.to).Step(m).ok());
  c.TickAll(60);
  const NodeId leader = c.Leader();
  ASSERT_NE(leader, old_leader);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(c.node(leader).Propose("y" + std::to_string(i)).ok());
  c.TickAll(2);
  bool committed = false;
  for (const Entry& e : c.test_node(leader).applied) committed |= e.data == "x";
  ASSERT_TRUE(committed);
  c.Compact(leader);
  c.Heal(old_leader);
  c.TickAll(20);
  ASSERT_GE(c.node(old_leader).snapshot().index, id->index);  // caught up by snapshot
  ASSERT_TRUE(c.node(leader).Propose("z").ok());  // a later commit settles old proposals
  c.TickAll(3);
  EXPECT_EQ(Data(c.test_node(old_leader).applied).back(), "z");
  for (const ProposalOutcome& o : c.test_node(old_leader).outcomes) {
    if (o.id == *id) {
      EXPECT_EQ(o.kind, ProposalOutcome::Kind::kCommitted);
    }
  }
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
