// A run is a function of (seed, options): same seed, same trace hash.

#include <gtest/gtest.h>

#include "sim/simulator.h"
#include "sim/sweep.h"
#include "sim/test_seed.h"

namespace cairn::sim {
namespace {

RunResult RunOnce(std::uint64_t seed, std::uint32_t nodes) {
  Simulator sim(MakeOptions(seed, nodes, std::nullopt));
  return sim.Run();
}

TEST(Determinism, SameSeedGivesTheSameTraceHash) {
  const std::uint64_t seed = TestSeed(42);
  SCOPED_TRACE("seed " + std::to_string(seed) + " (CAIRN_SEED replays)");
  RunResult a = RunOnce(seed, 3);
  RunResult b = RunOnce(seed, 3);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.stats.end_ms, b.stats.end_ms);
  EXPECT_EQ(a.stats.messages, b.stats.messages);
  EXPECT_EQ(a.trace_tail, b.trace_tail);
  EXPECT_GT(a.stats.committed, 0u);  // the run did real work
}

TEST(Determinism, DifferentSeedsGiveDifferentTraceHashes) {
  const std::uint64_t seed = TestSeed(42);
  EXPECT_NE(RunOnce(seed, 3).trace_hash, RunOnce(seed + 1, 3).trace_hash);
  EXPECT_NE(RunOnce(seed, 3).trace_hash, RunOnce(seed, 5).trace_hash);
}

TEST(Determinism, FullTraceIsIdenticalLineByLine) {
  SimOptions o = MakeOptions(TestSeed(7), 5, std::nullopt);
  o.keep_trace = true;
  Simulator a(o);
  Simulator b(o);
  a.Run();
  b.Run();
  EXPECT_EQ(a.trace().lines(), b.trace().lines());
  EXPECT_GT(a.trace().lines().size(), 10u);
}

TEST(Determinism, SnapshotsOnSameSeedGivesTheSameTrace) {
  // Snapshots, InstallSnapshot transfers and their timeouts, crashes during
  // installs and leadership transfers draw from the same seeded streams.
  SimOptions o = MakeOptions(TestSeed(11), 5, std::nullopt, 0, /*snapshot_every=*/5);
  o.keep_trace = true;
  Simulator a(o);
  Simulator b(o);
  RunResult ra = a.Run();
  RunResult rb = b.Run();
  EXPECT_EQ(ra.trace_hash, rb.trace_hash);
  EXPECT_EQ(a.trace().lines(), b.trace().lines());
  EXPECT_GT(ra.stats.snapshots_taken, 0u);
  EXPECT_GT(ra.stats.snapshots_installed, 0u);
  EXPECT_NE(ra.trace_hash, RunOnce(TestSeed(11), 5).trace_hash);  // snapshots change the run
}

}  // namespace
}  // namespace cairn::sim
