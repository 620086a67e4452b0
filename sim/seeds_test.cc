// Randomized fault schedules: every seed must pass every checker. A failure
// prints the seed and the command that replays it.

#include <gtest/gtest.h>

#include <string>

#include "sim/sweep.h"
#include "sim/test_seed.h"

namespace cairn::sim {
namespace {

std::string Describe(const SweepResult& s, std::uint32_t nodes) {
  std::string out;
  for (const auto& r : s.failed) {
    out += "seed " + std::to_string(r.seed) + ": " + r.violations.front().ToString() + "\n  replay: " +
           ReplayCommand(r.seed, nodes, std::nullopt) + "\n";
  }
  return out;
}

// membership: the membership-churn profile (nodes join, are promoted and
// leave while the faults run), with no bug injected.
void Sweep(std::uint64_t count, std::uint32_t nodes, bool membership = false) {
  const std::uint64_t start = TestSeed(1);
  SweepResult s = RunSeeds(start, count, [&](std::uint64_t seed) {
    if (!membership) return MakeOptions(seed, nodes, std::nullopt);
    SimOptions o = MakeOptions(seed, nodes, raft::Bug::kConfChangeWithoutSafetyRule);
    o.raft.bugs = raft::BugSet{};
    return o;
  });
  EXPECT_EQ(s.seeds_run, count);
  EXPECT_EQ(s.failures, 0u) << Describe(s, nodes);
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
#endif

#ifdef CAIRN_SIM_SLOW
// The big sweeps (label `slow`: release build only).
TEST(SeedsSlow, Sweep1000Seeds3Nodes) { Sweep(1000, 3); }
TEST(SeedsSlow, Sweep1000Seeds5Nodes) { Sweep(1000, 5); }
TEST(SeedsSlow, Sweep500Seeds5NodesMembershipChurn) { Sweep(500, 5, true); }
#endif

}  // namespace
}  // namespace cairn::sim
