// Bug-injection proofs: with one known Raft bug switched on in the real core
// (raft::Config::bugs), a seed sweep must fail a checker within a stated
// number of seeds; with the same fault profile and the bug off, the same
// seeds pass. The number of seeds each bug took is printed.

#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>

#include "sim/sweep.h"

namespace cairn::sim {
namespace {

constexpr std::uint64_t kSeedsMax = 200;

struct Case {
  raft::Bug bug;
  std::uint32_t nodes;
  std::set<CheckerId> expected;  // checkers allowed to be the first to fire
  std::uint32_t snapshot_every = 0;  // > 0: the same profile with snapshots on
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << raft::BugName(c.bug) << "/" << c.nodes << (c.snapshot_every ? "/snapshots" : "");
}

SimOptions Options(const Case& c, std::uint64_t seed) {
  return MakeOptions(seed, c.nodes, c.bug, 0, c.snapshot_every);
}

class BugInjection : public ::testing::TestWithParam<Case> {};

// The catches are quick (a run stops at its first violation) and run under
// the sanitizers too; the controls sweep 60 full seeds per profile and are
// built into a separate binary labelled `slow` (release CI only).
#ifndef CAIRN_SIM_SLOW
TEST_P(BugInjection, IsCaughtWithinTheSeedBudget) {
  const Case& c = GetParam();
  SweepResult s = RunSeeds(
      1, kSeedsMax, [&](std::uint64_t seed) { return Options(c, seed); },
      /*stop_at_first_failure=*/true);
  ASSERT_TRUE(s.first_failing_seed.has_value())
      << raft::BugName(c.bug) << " survived " << kSeedsMax << " seeds on " << c.nodes << " nodes";
  const RunResult& r = s.failed.front();
  const Violation& v = r.violations.front();
  EXPECT_TRUE(c.expected.count(v.checker)) << v.ToString();
  std::printf("[bug %s, %u nodes] caught at seed %llu (after %llu seeds) by %s: %s\n  replay: %s\n",
              std::string(raft::BugName(c.bug)).c_str(), c.nodes,
              static_cast<unsigned long long>(*s.first_failing_seed),
              static_cast<unsigned long long>(s.seeds_run), std::string(CheckerName(v.checker)).c_str(),
              v.detail.c_str(), ReplayCommand(r.seed, c.nodes, c.bug, 0, c.snapshot_every).c_str());
  RecordProperty("seeds_to_catch", static_cast<int>(s.seeds_run));
}

#else
TEST_P(BugInjection, TheSameFaultProfileWithoutTheBugPasses) {
  const Case& c = GetParam();
  // As many seeds as the catch took at most, so a profile that fails by
  // itself cannot pass for a caught bug.
  SweepResult s = RunSeeds(1, 60, [&](std::uint64_t seed) {
    SimOptions o = Options(c, seed);
    o.raft.bugs = raft::BugSet{};
    return o;
  });
  EXPECT_EQ(s.failures, 0u) << (s.failed.empty()
                                    ? ""
                                    : "seed " + std::to_string(s.failed.front().seed) + ": " +
                                          s.failed.front().violations.front().ToString());
}
#endif

// Not a core bug but a driver one: a driver that does not give a frozen node
// the ticks it missed lets a stale lease serve reads. The freeze profile
// with lease reads must fail without catch-up and pass with it.
SimOptions LeaseFreeze(std::uint64_t seed, bool catch_up) {
  SimOptions o = MakeOptions(seed, 3, raft::Bug::kReadIndexWithoutQuorum);
  o.raft.bugs = raft::BugSet{};
  o.workload.lease_reads = true;
  o.faults.catch_up_ticks_after_pause = catch_up;
  return o;
}

#ifndef CAIRN_SIM_SLOW
TEST(LeaseReads, ADriverThatDropsMissedTicksServesStaleLeaseReads) {
  SweepResult s = RunSeeds(
      1, kSeedsMax, [](std::uint64_t seed) { return LeaseFreeze(seed, false); }, true);
  ASSERT_TRUE(s.first_failing_seed.has_value());
  EXPECT_EQ(s.failed.front().violations.front().checker, CheckerId::kLinearizableReads);
  std::printf("[driver without tick catch-up] stale lease read at seed %llu\n",
              static_cast<unsigned long long>(*s.first_failing_seed));
}
#else
TEST(LeaseReads, ADriverThatCatchesUpTicksServesOnlyFreshLeaseReads) {
  SweepResult s = RunSeeds(1, 300, [](std::uint64_t seed) { return LeaseFreeze(seed, true); });
  EXPECT_EQ(s.failures, 0u) << (s.failed.empty()
                                    ? ""
                                    : "seed " + std::to_string(s.failed.front().seed) + ": " +
                                          s.failed.front().violations.front().ToString());
}
#endif

using C = CheckerId;

std::string CaseName(const ::testing::TestParamInfo<Case>& param_info) {
  std::string name(raft::BugName(param_info.param.bug));
  for (char& ch : name) {
    if (ch == '-') ch = '_';
  }
  return name + "_" + std::to_string(param_info.param.nodes) + "nodes";
}

// The older snapshot reaches a follower that already committed past it:
// its commit index goes back (monotonic) or its state machine jumps back to
// the older snapshot (state-machine-safety: went back in time).
const std::set<CheckerId> kWentBack = {C::kMonotonic, C::kStateMachineSafety};

INSTANTIATE_TEST_SUITE_P(
    AllBugs, BugInjection,
    ::testing::Values(
        Case{raft::Bug::kCommitEarlierTermByCounting, 3, {C::kLeaderCompleteness, C::kStateMachineSafety}},
        Case{raft::Bug::kCommitEarlierTermByCounting, 5, {C::kLeaderCompleteness, C::kStateMachineSafety}},
        Case{raft::Bug::kVoteWithoutLogCheck, 3, {C::kLeaderCompleteness, C::kStateMachineSafety}},
        Case{raft::Bug::kVoteWithoutLogCheck, 5, {C::kLeaderCompleteness, C::kStateMachineSafety}},
        Case{raft::Bug::kForgetVoteOnRestart, 3, {C::kElectionSafety}},
        Case{raft::Bug::kForgetVoteOnRestart, 5, {C::kElectionSafety}},
        Case{raft::Bug::kApplyBeforeCommit, 3, {C::kStateMachineSafety}},
        Case{raft::Bug::kReadIndexWithoutQuorum, 3, {C::kLinearizableReads}},
        Case{raft::Bug::kReadIndexWithoutQuorum, 5, {C::kLinearizableReads}},
        Case{raft::Bug::kConfChangeWithoutSafetyRule, 5,
             {C::kStateMachineSafety, C::kLeaderCompleteness, C::kElectionSafety}},
        Case{raft::Bug::kApplyBeforeCommit, 5, {C::kStateMachineSafety}},
        Case{raft::Bug::kAcceptStaleTermAppend, 3, {C::kStateMachineSafety, C::kLeaderCompleteness}},
        Case{raft::Bug::kAcceptStaleTermAppend, 5, {C::kStateMachineSafety, C::kLeaderCompleteness}},
        Case{raft::Bug::kInstallOlderSnapshot, 3, kWentBack},
        Case{raft::Bug::kInstallOlderSnapshot, 5, kWentBack}),
    CaseName);

// The same profiles with snapshots every 10 entries (and at random), crashes
// during installs and leadership transfers on top: every bug is still caught.
constexpr std::uint32_t kEvery = 10;
INSTANTIATE_TEST_SUITE_P(
    AllBugsWithSnapshots, BugInjection,
    ::testing::Values(
        Case{raft::Bug::kCommitEarlierTermByCounting, 3, {C::kLeaderCompleteness, C::kStateMachineSafety}, kEvery},
        Case{raft::Bug::kCommitEarlierTermByCounting, 5, {C::kLeaderCompleteness, C::kStateMachineSafety}, kEvery},
        Case{raft::Bug::kVoteWithoutLogCheck, 3, {C::kLeaderCompleteness, C::kStateMachineSafety}, kEvery},
        Case{raft::Bug::kVoteWithoutLogCheck, 5, {C::kLeaderCompleteness, C::kStateMachineSafety}, kEvery},
        Case{raft::Bug::kForgetVoteOnRestart, 3, {C::kElectionSafety}, kEvery},
        Case{raft::Bug::kForgetVoteOnRestart, 5, {C::kElectionSafety}, kEvery},
        Case{raft::Bug::kApplyBeforeCommit, 3, {C::kStateMachineSafety}, kEvery},
        Case{raft::Bug::kApplyBeforeCommit, 5, {C::kStateMachineSafety}, kEvery},
        Case{raft::Bug::kReadIndexWithoutQuorum, 3, {C::kLinearizableReads}, kEvery},
        Case{raft::Bug::kReadIndexWithoutQuorum, 5, {C::kLinearizableReads}, kEvery},
        Case{raft::Bug::kConfChangeWithoutSafetyRule, 5,
             {C::kStateMachineSafety, C::kLeaderCompleteness, C::kElectionSafety}, kEvery},
        Case{raft::Bug::kAcceptStaleTermAppend, 3, {C::kStateMachineSafety, C::kLeaderCompleteness}, kEvery},
        Case{raft::Bug::kAcceptStaleTermAppend, 5, {C::kStateMachineSafety, C::kLeaderCompleteness}, kEvery},
        Case{raft::Bug::kInstallOlderSnapshot, 3, kWentBack, kEvery},
        Case{raft::Bug::kInstallOlderSnapshot, 5, kWentBack, kEvery}),
    CaseName);

}  // namespace
}  // namespace cairn::sim
