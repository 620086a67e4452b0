#include "raft/membership.h"

#include <gtest/gtest.h>

#include "raft/test_cluster.h"

namespace cairn::raft {
namespace {

TEST(MembershipTest, EncodingRoundTripsAndRejectsGarbage) {
  ConfChange cc{ConfChangeType::kAddLearner, 0x0102030405060708ULL};
  auto back = DecodeConfChange(EncodeConfChange(cc));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, cc);
  EXPECT_FALSE(DecodeConfChange("").ok());
  EXPECT_FALSE(DecodeConfChange(std::string(10, '\0')).ok());
  std::string bad_type = EncodeConfChange(cc);
  bad_type[1] = 9;
  EXPECT_FALSE(DecodeConfChange(bad_type).ok());
}

TEST(MembershipTest, ContextRoundTripsWithinItsBound) {
  ConfChange cc{ConfChangeType::kAddLearner, 4, "addresses"};
  std::string bytes = EncodeConfChange(cc);
  EXPECT_EQ(bytes[0], 2);
  auto back = DecodeConfChange(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, cc);
  // Without a context the version-1 layout is written (old logs decode).
  EXPECT_EQ(EncodeConfChange({ConfChangeType::kAddVoter, 4, ""}).size(), 10u);
  std::string v1_with_tail = EncodeConfChange({ConfChangeType::kAddVoter, 4, ""}) + "x";
  EXPECT_FALSE(DecodeConfChange(v1_with_tail).ok());
  std::string v2_empty = EncodeConfChange({ConfChangeType::kAddVoter, 4, ""});
  v2_empty[0] = 2;
  EXPECT_FALSE(DecodeConfChange(v2_empty).ok());
  cc.context.assign(kConfChangeContextBytesMax, 'a');
  EXPECT_TRUE(DecodeConfChange(EncodeConfChange(cc)).ok());
  cc.context.push_back('a');
  EXPECT_FALSE(DecodeConfChange(EncodeConfChange(cc)).ok());
}

TEST(MembershipTest, ApplyRules) {
  Membership m{{1, 2, 3}, {}};
  EXPECT_FALSE(ApplyConfChange(m, {ConfChangeType::kAddVoter, 2}).ok());
  EXPECT_FALSE(ApplyConfChange(m, {ConfChangeType::kRemoveNode, 7}).ok());
  auto learner = ApplyConfChange(m, {ConfChangeType::kAddLearner, 4});
  ASSERT_TRUE(learner.ok());
  EXPECT_TRUE(learner->IsLearner(4));
  auto promoted = ApplyConfChange(*learner, {ConfChangeType::kAddVoter, 4});
  ASSERT_TRUE(promoted.ok());
  EXPECT_TRUE(promoted->IsVoter(4));
  EXPECT_FALSE(promoted->IsLearner(4));
  EXPECT_EQ(promoted->Quorum(), 3u);
  Membership one{{1}, {}};
  EXPECT_FALSE(ApplyConfChange(one, {ConfChangeType::kRemoveNode, 1}).ok());
}

// Node 4 starts with the cluster's bootstrap voters {1,2,3}; it is not one
// of them, so it waits to be added.
TEST(MembershipTest, LearnerCatchesUpThenIsPromoted) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.node(leader).Propose("v" + std::to_string(i)).ok());
  c.Settle();
  c.AddNode(4);
  auto added = c.node(leader).ProposeConfChange({ConfChangeType::kAddLearner, 4});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(c.node(leader).ProposeConfChange({ConfChangeType::kAddVoter, 5}).status().code(),
            StatusCode::kUnavailable);  // one change at a time
  c.TickAll(3);
  EXPECT_TRUE(c.node(4).membership().IsLearner(4));
  EXPECT_EQ(c.node(4).log().committed(), c.node(leader).log().committed());
  EXPECT_EQ(c.node(4).role(), Role::kFollower);
  auto promoted = c.node(leader).ProposeConfChange({ConfChangeType::kAddVoter, 4});
  ASSERT_TRUE(promoted.ok()) << promoted.status().ToString();
  c.TickAll(3);
  for (NodeId id : {1, 2, 3, 4}) EXPECT_TRUE(c.node(id).membership().IsVoter(4)) << id;
  ASSERT_TRUE(c.node(leader).Propose("after").ok());
  c.TickAll(2);
  EXPECT_EQ(c.node(4).log().committed(), c.node(leader).log().committed());
}

TEST(MembershipTest, NewLeaderMustCommitInItsTermFirst) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  // Right after winning, before its no-op commits, a leader refuses changes.
  c.Down(leader);
  c.TickAll(40);
  NodeId next = c.Leader();
  ASSERT_NE(next, kNoNode);
  ASSERT_TRUE(c.node(next).ProposeConfChange({ConfChangeType::kAddLearner, 4}).ok());
}

TEST(MembershipTest, RemovingTheLeaderHandsOverAndRemovedNodeCannotDisrupt) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  const Term before = c.node(leader).term();
  ASSERT_TRUE(c.node(leader).ProposeConfChange({ConfChangeType::kRemoveNode, leader}).ok());
  c.TickAll(5);
  NodeId next = c.Leader();
  ASSERT_NE(next, kNoNode);
  EXPECT_NE(next, leader);
  EXPECT_EQ(c.node(next).voters().size(), 2u);
  // The removed node never campaigns, and the rest keep their term while
  // they hear from their leader, for many election timeouts.
  const Term term = c.node(next).term();
  EXPECT_GE(term, before);
  c.TickAll(200);
  EXPECT_EQ(c.Leader(), next);
  EXPECT_EQ(c.node(next).term(), term);
  EXPECT_NE(c.node(leader).role(), Role::kLeader);
}

TEST(MembershipTest, RemovedNodeThatMissedItsRemovalCannotDisrupt) {
  TestCluster c(3);
  c.TickAll(30);
  NodeId leader = c.Leader();
  NodeId victim = leader == 3 ? 1 : leader + 1;
  c.Isolate(victim);
  ASSERT_TRUE(c.node(leader).ProposeConfChange({ConfChangeType::kRemoveNode, victim}).ok());
  c.TickAll(5);
  const Term term = c.node(leader).term();
  // The victim never learned; it campaigns over and over once healed.
  c.AllowRejections();
  c.Heal(victim);
  c.TickAll(300);
  EXPECT_EQ(c.Leader(), leader);
  EXPECT_EQ(c.node(leader).term(), term);
  EXPECT_GT(c.rejected(), 0u);  // its vote requests were refused
}

}  // namespace
}  // namespace cairn::raft
