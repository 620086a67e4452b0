// Each checker is fed a hand-made history: a correct one passes, a broken one
// is caught and named.

#include "sim/checkers.h"

#include <gtest/gtest.h>

namespace cairn::sim {
namespace {

using raft::Entry;
using Kind = raft::ProposalOutcome::Kind;

Entry E(raft::Index i, raft::Term t, std::string data = "") {
  return Entry{t, i, raft::EntryType::kNormal, std::move(data)};
}

bool Caught(const Checkers& c, CheckerId id) {
  for (const auto& v : c.violations()) {
    if (v.checker == id) return true;
  }
  return false;
}

TEST(Checkers, ACorrectHistoryPasses) {
  Checkers c;
  for (raft::NodeId n = 1; n <= 3; ++n) c.OnTerm(n, 1, 1);
  c.OnLeader(1, 1, {});
  for (raft::NodeId n = 1; n <= 3; ++n) {
    c.OnWritten(n, 0, {E(1, 1), E(2, 1, "a")});
    c.OnCommitted(n, 1, E(1, 1));
    c.OnCommitted(n, 1, E(2, 1, "a"));
    c.OnCommitIndex(n, 1, 2);
    c.OnApply(n, 1, E(1, 1), 2);
    c.OnApply(n, 1, E(2, 1, "a"), 2);
  }
  c.OnOutcome({1, 2}, "a", Kind::kCommitted);
  c.OnLeader(2, 2, {1, 1});  // has everything committed
  std::vector<AppliedEntry> sm = {{1, 1, ""}, {1, 2, "a"}};
  c.Final({sm, sm, sm});
  EXPECT_TRUE(c.ok()) << c.violations().front().ToString();
}

TEST(Checkers, ElectionSafetyCatchesTwoLeadersInOneTerm) {
  Checkers c;
  c.OnLeader(1, 3, {});
  c.OnLeader(1, 3, {});  // the same leader seen twice is fine
  EXPECT_TRUE(c.ok());
  c.OnLeader(2, 3, {});
  EXPECT_TRUE(Caught(c, CheckerId::kElectionSafety));
}

TEST(Checkers, LogMatchingCatchesSameIndexAndTermWithDifferentContent) {
  Checkers c;
  c.OnWritten(1, 0, {E(1, 1, "x"), E(2, 2, "y")});
  c.OnWritten(2, 0, {E(1, 1, "x"), E(2, 2, "y")});
  EXPECT_TRUE(c.ok());
  c.OnWritten(3, 1, {E(2, 2, "z")});
  EXPECT_TRUE(Caught(c, CheckerId::kLogMatching));
}

TEST(Checkers, LogMatchingCatchesADifferentPrefix) {
  Checkers c;
  c.OnWritten(1, 0, {E(1, 1, "x"), E(2, 2, "y")});
  // Same (2, term 2) entry, but after an entry of term 3 elsewhere: the logs
  // cannot be identical up to index 2.
  c.OnWritten(2, 3, {E(2, 2, "y")});
  EXPECT_TRUE(Caught(c, CheckerId::kLogMatching));
}

TEST(Checkers, LeaderCompletenessCatchesALeaderMissingACommittedEntry) {
  Checkers c;
  c.OnCommitted(1, 2, E(1, 2, "a"));
  c.OnLeader(2, 2, {});  // the same term: not required to have it
  EXPECT_TRUE(c.ok());
  c.OnLeader(3, 3, {1});  // has index 1 but from term 1
  EXPECT_TRUE(Caught(c, CheckerId::kLeaderCompleteness));
}

TEST(Checkers, StateMachineSafetyCatchesDivergentApplies) {
  Checkers c;
  c.OnApply(1, 1, E(1, 1, "a"), 1);
  c.OnApply(2, 1, E(1, 1, "a"), 1);
  EXPECT_TRUE(c.ok());
  c.OnApply(3, 1, E(1, 2, "b"), 1);
  EXPECT_TRUE(Caught(c, CheckerId::kStateMachineSafety));
}

TEST(Checkers, StateMachineSafetyCatchesApplyBeyondCommitAndGaps) {
  Checkers a;
  a.OnApply(1, 1, E(1, 1, "a"), 0);
  EXPECT_TRUE(Caught(a, CheckerId::kStateMachineSafety));
  Checkers b;
  b.OnApply(1, 1, E(2, 1, "a"), 5);  // skipped index 1
  EXPECT_TRUE(Caught(b, CheckerId::kStateMachineSafety));
}

TEST(Checkers, StateMachineSafetyCatchesACommandAppliedTwiceInOneIncarnation) {
  Checkers c;
  c.OnApply(1, 1, E(1, 1, "a"), 2);
  c.OnApply(1, 2, E(1, 1, "a"), 2);  // a restart re-applies: fine
  EXPECT_TRUE(c.ok());
  c.OnApply(1, 2, E(2, 1, "a"), 2);
  EXPECT_TRUE(Caught(c, CheckerId::kStateMachineSafety));
}

TEST(Checkers, StateMachineSafetyCatchesConflictingCommits) {
  Checkers c;
  c.OnCommitted(1, 1, E(1, 1, "a"));
  c.OnCommitted(2, 2, E(1, 2, "b"));
  EXPECT_TRUE(Caught(c, CheckerId::kStateMachineSafety));
}

TEST(Checkers, MonotonicCatchesCommitAndTermGoingBack) {
  Checkers c;
  c.OnTerm(1, 1, 5);
  c.OnCommitIndex(1, 1, 7);
  c.OnCommitIndex(1, 2, 3);  // a new incarnation may restart lower
  c.OnTerm(1, 2, 5);
  EXPECT_TRUE(c.ok());
  c.OnCommitIndex(1, 2, 2);
  EXPECT_TRUE(Caught(c, CheckerId::kMonotonic));
  Checkers d;
  d.OnTerm(1, 1, 5);
  d.OnTerm(1, 1, 4);
  EXPECT_TRUE(Caught(d, CheckerId::kMonotonic));
}

TEST(Checkers, MonotonicCatchesARestartBelowTheSyncedTerm) {
  Checkers c;
  c.OnTerm(1, 1, 6);
  c.OnSynced(1, 6);
  c.OnTerm(1, 2, 5);
  EXPECT_TRUE(Caught(c, CheckerId::kMonotonic));
}

TEST(Checkers, ClientOutcomesCatchADroppedProposalThatWasApplied) {
  Checkers c;
  c.OnApply(1, 1, E(1, 1, "a"), 1);
  c.OnOutcome({1, 1}, "a", Kind::kDropped);
  EXPECT_TRUE(Caught(c, CheckerId::kClientOutcomes));
  Checkers d;
  d.OnOutcome({1, 1}, "a", Kind::kDropped);
  d.OnApply(1, 1, E(1, 1, "a"), 1);
  EXPECT_TRUE(Caught(d, CheckerId::kClientOutcomes));
}

TEST(Checkers, ClientOutcomesCatchACommittedProposalMissingAtTheEnd) {
  Checkers c;
  c.OnOutcome({2, 2}, "a", Kind::kCommitted);
  std::vector<AppliedEntry> has = {{1, 1, ""}, {2, 2, "a"}};
  std::vector<AppliedEntry> lacks = {{1, 1, ""}};
  c.Final({has, has});
  EXPECT_TRUE(c.ok());
  c.Final({has, lacks});
  EXPECT_TRUE(Caught(c, CheckerId::kClientOutcomes));
}

TEST(Checkers, LinearizableReadsCatchAStaleReadIndex) {
  Checkers c;
  c.OnReadRequest(1, 1, 5);
  c.OnReadState(1, 1, 5);
  c.OnReadRequest(2, 1, 5);
  c.OnReadState(1, 2, 7);
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c.reads_answered(), 2u);
  c.OnReadRequest(3, 2, 9);
  c.OnReadState(2, 3, 8);  // misses index 9, committed before the read
  EXPECT_TRUE(Caught(c, CheckerId::kLinearizableReads));
}

}  // namespace
}  // namespace cairn::sim
