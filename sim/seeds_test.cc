// Randomized fault schedules: every seed must pass every checker. A failure
// prints the seed and the command that replays it.

#include <gtest/gtest.h>

#include <string>

#include "sim/sweep.h"
#include "sim/test_seed.h"

namespace cairn::sim {
namespace {

std::string Describe(const SweepResult& s, std::uint32_t nodes, std::uint32_t snapshot_every,
                     std::uint64_t fault_ms) {
  std::string out;
  for (const auto& r : s.failed) {
    out += "seed " + std::to_string(r.seed) + ": " + r.violations.front().ToString() + "\n  replay: " +
           ReplayCommand(r.seed, nodes, std::nullopt, fault_ms, snapshot_every) + "\n";
  }
  return out;
}

// membership: the membership-churn profile (nodes join, are promoted and
// leave while the faults run), with no bug injected. snapshot_every > 0:
// snapshots on (SnapshotProfile: also crashes during installs and
// leadership transfers).
void Sweep(std::uint64_t count, std::uint32_t nodes, bool membership = false, std::uint32_t snapshot_every = 0,
           std::uint64_t fault_ms = 0) {
  const std::uint64_t start = TestSeed(1);
  RunStats snap;
  SweepResult s = RunSeeds(start, count, [&](std::uint64_t seed) {
    if (!membership) return MakeOptions(seed, nodes, std::nullopt, fault_ms, snapshot_every);
    SimOptions o = MakeOptions(seed, nodes, raft::Bug::kConfChangeWithoutSafetyRule, fault_ms, snapshot_every);
    o.raft.bugs = raft::BugSet{};
    return o;
  }, false, 3, [&](const RunResult& r) {
    snap.snapshots_taken += r.stats.snapshots_taken;
    snap.snapshots_installed += r.stats.snapshots_installed;
    snap.transfers += r.stats.transfers;
  });
  EXPECT_EQ(s.seeds_run, count);
  EXPECT_EQ(s.failures, 0u) << Describe(s, nodes, snapshot_every, fault_ms);
  if (snapshot_every > 0) {
    // Snapshots were taken, sent and installed, leadership moved on request.
    EXPECT_GT(snap.snapshots_taken, 5 * count);
    EXPECT_GT(snap.snapshots_installed, count / 4);
    EXPECT_GT(snap.transfers, count / 4);
  }
  // The schedules really exercised the cluster.
  EXPECT_GT(s.elections, count);
  EXPECT_GT(s.crashes, count);
  EXPECT_GT(s.committed, 20 * count);
}

#ifndef CAIRN_SIM_SLOW
// Small sweeps: run under the sanitizers too.
TEST(Seeds, Sweep100Seeds3Nodes) { Sweep(100, 3); }
TEST(Seeds, Sweep50Seeds5Nodes) { Sweep(50, 5); }
TEST(Seeds, Sweep50Seeds5NodesMembershipChurn) { Sweep(50, 5, true); }
TEST(Seeds, Sweep50Seeds3NodesSnapshots) { Sweep(50, 3, false, 10); }
TEST(Seeds, Sweep30Seeds5NodesMembershipChurnSnapshots) { Sweep(30, 5, true, 10); }
#endif

#ifdef CAIRN_SIM_SLOW
// The big sweeps (label `slow`: release build only).
TEST(SeedsSlow, Sweep1000Seeds3Nodes) { Sweep(1000, 3); }
TEST(SeedsSlow, Sweep1000Seeds5Nodes) { Sweep(1000, 5); }
TEST(SeedsSlow, Sweep500Seeds5NodesMembershipChurn) { Sweep(500, 5, true); }
TEST(SeedsSlow, Sweep500Seeds3NodesSnapshots) { Sweep(500, 3, false, 10); }
TEST(SeedsSlow, Sweep500Seeds5NodesSnapshots) { Sweep(500, 5, false, 5); }
TEST(SeedsSlow, Sweep500Seeds5NodesMembershipChurnSnapshots) { Sweep(500, 5, true, 10); }
// 10 s of faults: seed 227 found that an abandoned leadership transfer let
// the old leader serve a stale lease read.
TEST(SeedsSlow, Sweep300Seeds3NodesSnapshotsLongRuns) { Sweep(300, 3, false, 5, 10000); }
#endif

}  // namespace
}  // namespace cairn::sim
