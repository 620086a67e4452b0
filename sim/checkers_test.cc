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

std::vector<AppliedEntry> Sm(raft::Index n, raft::Term t = 1) {
  std::vector<AppliedEntry> sm;
  for (raft::Index i = 1; i <= n; ++i) sm.push_back(AppliedEntry{t, i, "c" + std::to_string(i)});
  return sm;
}

// Node 1 applies entries 1..n.
void ApplyAll(Checkers& c, raft::NodeId node, std::uint32_t inc, raft::Index n) {
  for (const AppliedEntry& a : Sm(n)) c.OnApply(node, inc, E(a.index, a.term, a.data), n);
}

using Ev = Checkers::SnapshotEvent;

TEST(Checkers, SnapshotsThatMatchWhatWasAppliedPass) {
  Checkers c;
  ApplyAll(c, 1, 1, 6);
  c.OnSnapshot(1, 1, Ev::kTaken, 6, 1, Sm(6));
  c.OnSnapshot(2, 1, Ev::kInstalled, 6, 1, Sm(6));  // a follower jumps to it
  c.OnApply(2, 1, E(7, 1, "c7"), 7);                // and goes on from there
  c.OnSnapshot(1, 2, Ev::kRestored, 6, 1, Sm(6));   // a restart restores it
  c.OnApply(1, 2, E(7, 1, "c7"), 7);
  EXPECT_TRUE(c.ok()) << c.violations().front().ToString();
}

TEST(Checkers, InstallingAnOlderSnapshotIsGoingBackInTime) {
  Checkers c;
  ApplyAll(c, 1, 1, 8);
  c.OnSnapshot(1, 1, Ev::kInstalled, 5, 1, Sm(5));
  EXPECT_TRUE(Caught(c, CheckerId::kStateMachineSafety));
}

TEST(Checkers, RestartingFromAnOlderSnapshotThanTheDurableOneIsCaught) {
  Checkers c;
  ApplyAll(c, 1, 1, 8);
  c.OnSnapshot(1, 1, Ev::kTaken, 8, 1, Sm(8));
  c.OnSnapshot(1, 2, Ev::kRestored, 4, 1, Sm(4));  // the disk lost a durable snapshot
  EXPECT_TRUE(Caught(c, CheckerId::kStateMachineSafety));
}

TEST(Checkers, ASnapshotHoldingOtherEntriesThanWereAppliedIsCaught) {
  Checkers c;
  ApplyAll(c, 1, 1, 4);
  std::vector<AppliedEntry> forged = Sm(4);
  forged[2].data = "other";
  c.OnSnapshot(2, 1, Ev::kInstalled, 4, 1, forged);
  EXPECT_TRUE(Caught(c, CheckerId::kStateMachineSafety));
}

TEST(Checkers, ReapplyingAnEntryCoveredByTheInstalledSnapshotIsCaught) {
  Checkers c;
  ApplyAll(c, 1, 1, 4);
  c.OnSnapshot(2, 1, Ev::kInstalled, 4, 1, Sm(4));
  c.OnApply(2, 1, E(4, 1, "c4"), 4);  // applied again after the jump
  EXPECT_TRUE(Caught(c, CheckerId::kStateMachineSafety));
}

TEST(Checkers, ASnapshotHoldingADroppedCommandIsCaught) {
  Checkers c;
  c.OnOutcome({1, 3}, "c3", Kind::kDropped);
  c.OnSnapshot(2, 1, Ev::kInstalled, 4, 1, Sm(4));
  EXPECT_TRUE(Caught(c, CheckerId::kClientOutcomes));
}

TEST(Checkers, ASnapshotTakenAwayFromTheAppliedIndexIsCaught) {
  Checkers c;
  ApplyAll(c, 1, 1, 4);
  c.OnSnapshot(1, 1, Ev::kTaken, 3, 1, Sm(3));
  EXPECT_TRUE(Caught(c, CheckerId::kStateMachineSafety));
}

}  // namespace
}  // namespace cairn::sim
