// RawNode unit tests with a minimal in-process driver: every message is
// delivered at once, every Ready is persisted at once. Fault schedules,
// partitions and crashes are the simulator's job (sim/).

#include "raft/raw_node.h"

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

TEST(RawNodeTest, ElectsOneLeaderAndReplicates) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  ASSERT_NE(leader, kNoNode);
  for (NodeId id : c.ids()) EXPECT_EQ(c.node(id).leader(), leader);
  auto id = c.node(leader).Propose("x=1");
  ASSERT_TRUE(id.ok());
  c.TickAll(3);
  for (NodeId n : c.ids()) EXPECT_EQ(Data(c.test_node(n).applied), std::vector<std::string>{"x=1"});
  ASSERT_EQ(c.test_node(leader).outcomes.size(), 1u);
  EXPECT_EQ(c.test_node(leader).outcomes[0].kind, ProposalOutcome::Kind::kCommitted);
  EXPECT_EQ(c.test_node(leader).outcomes[0].id, *id);
}

// Ready pipelining (ready.h rule 6): the leader's second batch leaves before
// the first is durable, and nothing is applied here before it is durable
// here, even once the followers alone make it committed.
TEST(RawNodeTest, PipelinedReadiesLeaveBeforeEarlierOnesAreDurable) {
  TestCluster c(3);
  c.TickAll(30);
  const NodeId leader = c.Leader();
  ASSERT_NE(leader, kNoNode);
  RawNode& l = c.node(leader);
  ASSERT_TRUE(l.Propose("a").ok());
  Ready rd1 = l.GetReady();
  ASSERT_EQ(Data(rd1.entries), std::vector<std::string>{"a"});
  ASSERT_TRUE(l.Propose("b").ok());
  ASSERT_TRUE(l.HasReady());
  Ready rd2 = l.GetReady();  // rd1 is still being written
  ASSERT_EQ(Data(rd2.entries), std::vector<std::string>{"b"});
  std::size_t appends_of_b = 0;
  for (const Message& m : rd2.messages) {
    if (m.type == MessageType::kAppend && Data(m.entries) == std::vector<std::string>{"b"})
      ++appends_of_b;
  }
  EXPECT_EQ(appends_of_b, 2u);
  for (const Ready* rd : {&rd1, &rd2}) {
    for (const Message& m : rd->messages) ASSERT_TRUE(c.node(m.to).Step(m).ok());
  }
  for (NodeId f : c.ids()) {
    if (f != leader) c.ProcessReady(f);
  }
  c.DeliverQueued();  // the followers' acknowledgements
  EXPECT_EQ(l.log().committed(), rd2.entries.back().index);
  Ready rd3 = l.GetReady();
  EXPECT_TRUE(rd3.committed_entries.empty());
  l.Advance(rd1);
  Ready rd4 = l.GetReady();
  EXPECT_EQ(Data(rd4.committed_entries), std::vector<std::string>{"a"});
  l.Advance(rd2);
  l.Advance(rd3);
  l.Advance(rd4);
  Ready rd5 = l.GetReady();
  EXPECT_EQ(Data(rd5.committed_entries), std::vector<std::string>{"b"});
  l.Advance(rd5);
  EXPECT_FALSE(l.HasReady());
}

TEST(RawNodeTest, SingleNodeCommitsAlone) {
  TestCluster c(1);
  c.TickAll(25);
  ASSERT_EQ(c.Leader(), 1u);
  ASSERT_TRUE(c.node(1).Propose("a").ok());
  c.Settle();
  EXPECT_EQ(Data(c.test_node(1).applied), std::vector<std::string>{"a"});
}

TEST(RawNodeTest, FollowerRejectsProposalWithLeaderHint) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  NodeId follower = leader == 1 ? 2 : 1;
  auto r = c.node(follower).Propose("nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(c.node(follower).leader(), leader);
}

TEST(RawNodeTest, BatchedProposalsLeaveAsOneAppendPerFollower) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  std::vector<std::string> batch;
  for (int i = 0; i < 100; ++i) batch.push_back("v" + std::to_string(i));
  ASSERT_TRUE(c.node(leader).ProposeBatch(batch).ok());
  Ready rd = c.node(leader).GetReady();
  int appends = 0;
  for (const auto& m : rd.messages) {
    if (m.type == MessageType::kAppend) {
      ++appends;
      EXPECT_EQ(m.entries.size(), 100u);
    }
  }
  EXPECT_EQ(appends, 2);
  c.node(leader).Advance(rd);
}

TEST(RawNodeTest, ReElectsAfterLeaderLoss) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId old_leader = c.Leader();
  Term old_term = c.node(old_leader).term();
  c.Down(old_leader);
  c.TickAll(60);
  NodeId leader = c.Leader();
  ASSERT_NE(leader, kNoNode);
  EXPECT_NE(leader, old_leader);
  EXPECT_GT(c.node(leader).term(), old_term);
}

TEST(RawNodeTest, RestartKeepsTermVoteAndLog) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  ASSERT_TRUE(c.node(leader).Propose("durable").ok());
  c.TickAll(3);
  NodeId f = leader == 1 ? 2 : 1;
  HardState before = c.node(f).hard_state();
  c.Start(f);
  EXPECT_EQ(c.node(f).term(), before.term);
  EXPECT_EQ(c.node(f).vote(), before.vote);
  EXPECT_EQ(c.node(f).log().last_index(), 2u);  // leader's no-op + "durable"
}

Message ValidAppend(NodeId from, NodeId to, Term term) {
  Message m;
  m.type = MessageType::kAppend;
  m.from = from;
  m.to = to;
  m.term = term;
  return m;
}

TEST(RawNodeTest, MalformedMessagesAreRejectedWithoutStateChange) {
  TestCluster c(3);
  c.TickAll(30);
  RawNode& n = c.node(2);
  const HardState before = n.hard_state();
  const Index last = n.log().last_index();

  // Strangers may not vote or answer; only a leader we do not know yet (its
  // joining is not in our log yet) may reach us.
  Message unknown_vote = ValidAppend(9, 2, before.term + 5);
  unknown_vote.type = MessageType::kVote;
  EXPECT_EQ(n.Step(unknown_vote).code(), StatusCode::kInvalidArgument);
  Message unknown_resp = ValidAppend(9, 2, before.term + 5);
  unknown_resp.type = MessageType::kAppendResponse;
  EXPECT_EQ(n.Step(unknown_resp).code(), StatusCode::kInvalidArgument);
  Message bad_conf = ValidAppend(1, 2, before.term + 5);
  bad_conf.index = last;
  bad_conf.log_term = n.log().last_term();
  bad_conf.entries = {Entry{before.term + 5, last + 1, EntryType::kConfChange, "garbage"}};
  EXPECT_EQ(n.Step(bad_conf).code(), StatusCode::kInvalidArgument);
  Message wrong_to = ValidAppend(1, 3, before.term + 5);
  EXPECT_EQ(n.Step(wrong_to).code(), StatusCode::kInvalidArgument);
  Message no_term = ValidAppend(1, 2, 0);
  EXPECT_EQ(n.Step(no_term).code(), StatusCode::kInvalidArgument);
  Message gap = ValidAppend(1, 2, before.term + 5);
  gap.index = last;
  gap.log_term = n.log().last_term();
  gap.entries = {Entry{before.term + 5, last + 2, EntryType::kNormal, "gap"}};
  EXPECT_EQ(n.Step(gap).code(), StatusCode::kInvalidArgument);
  Message future_entry = gap;
  future_entry.entries = {Entry{before.term + 9, last + 1, EntryType::kNormal, "x"}};
  EXPECT_EQ(n.Step(future_entry).code(), StatusCode::kInvalidArgument);
  Message bad_type = ValidAppend(1, 2, before.term + 5);
  bad_type.type = static_cast<MessageType>(200);
  EXPECT_EQ(n.Step(bad_type).code(), StatusCode::kInvalidArgument);
  Message huge = ValidAppend(1, 2, before.term + 5);
  huge.index = last;
  huge.log_term = n.log().last_term();
  for (Index i = 0; i < (1u << 16) + 1; ++i) {
    huge.entries.push_back(Entry{before.term + 5, last + 1 + i, EntryType::kNormal, ""});
  }
  EXPECT_EQ(n.Step(huge).code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(n.hard_state(), before);
  EXPECT_EQ(n.log().last_index(), last);
}

TEST(RawNodeTest, StaleTermAppendIsIgnored) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId old_leader = c.Leader();
  Term old_term = c.node(old_leader).term();
  c.Down(old_leader);
  c.TickAll(60);
  NodeId leader = c.Leader();
  ASSERT_NE(leader, kNoNode);
  NodeId f = 6 - leader - old_leader;  // the third node
  RawNode& n = c.node(f);
  ASSERT_GT(n.term(), old_term);
  const Index last = n.log().last_index();
  const HardState before = n.hard_state();
  Message stale = ValidAppend(old_leader, f, old_term);
  stale.index = 1;
  stale.log_term = old_term;
  stale.entries = {Entry{old_term, 2, EntryType::kNormal, "from a deposed leader"}};
  EXPECT_TRUE(n.Step(stale).ok());
  EXPECT_EQ(n.log().last_index(), last);
  EXPECT_EQ(n.hard_state(), before);
}

// A node that has never seen a term refuses PreVotes during its startup
// window. Its refusal would carry term 0, which every receiver rejects as
// malformed, so it sends nothing: the pre-candidate simply times out.
TEST(RawNodeTest, FreshNodeNeverSendsATermlessMessage) {
  TestCluster c(3);
  RawNode& n = c.node(2);
  ASSERT_EQ(n.term(), 0u);
  Message pre = ValidAppend(1, 2, 1);
  pre.type = MessageType::kPreVote;
  ASSERT_TRUE(n.Step(pre).ok());
  ASSERT_EQ(n.term(), 0u);  // a PreVote never moves the term
  if (n.HasReady()) {
    Ready rd = n.GetReady();
    for (const auto& m : rd.messages) EXPECT_GE(m.term, 1u) << "message type " << int(m.type);
    for (const auto& m : rd.messages_after_persist) EXPECT_GE(m.term, 1u) << "type " << int(m.type);
    n.Advance(rd);
  }
}

}  // namespace
}  // namespace cairn::raft

namespace cairn::raft {
namespace {

// Replication stops while the unacknowledged Appends carry the byte bound,
// however few they are, and resumes as acknowledgements free it.
TEST(ProgressTest, BytesInFlightPauseReplicationUntilAcknowledged) {
  constexpr std::size_t kMiB = 1u << 20;
  Progress p(1, 64, 4 * kMiB);
  p.BecomeReplicate();
  p.OnSent(1, true, 3 * kMiB);
  EXPECT_FALSE(p.paused());  // 3 MiB < 4 MiB
  p.OnSent(2, true, 3 * kMiB);
  EXPECT_TRUE(p.paused()) << "6 MiB unacknowledged";
  EXPECT_EQ(p.inflight_bytes(), 6 * kMiB);
  EXPECT_TRUE(p.OnAck(1));
  EXPECT_FALSE(p.paused());
  EXPECT_EQ(p.inflight_bytes(), 3 * kMiB);
  // One Append larger than the whole bound still goes when nothing is out.
  EXPECT_TRUE(p.OnAck(2));
  p.OnSent(3, true, 16 * kMiB);
  EXPECT_TRUE(p.paused());
  p.FreeFirstInflight();  // a heartbeat answer while paused frees the oldest
  EXPECT_FALSE(p.paused());
  EXPECT_EQ(p.inflight_bytes(), 0u);
  p.OnSent(4, true, 5 * kMiB);
  p.BecomeProbe();  // a rejection: nothing counts as in flight any more
  EXPECT_EQ(p.inflight_bytes(), 0u);
}

}  // namespace
}  // namespace cairn::raft
