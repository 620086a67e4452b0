// cairn-sim: runs the deterministic Raft simulator.
//
//   cairn-sim run   --nodes 3 --seed 1 --trace [--ticks N] [--bug NAME] [--snapshot-every N]
//   cairn-sim seeds --count K [--start S] [--nodes N] [--ticks N] [--bug NAME] [--snapshot-every N]
//
// Exit code: 0 when every checker passed, 1 when a seed failed, 2 on bad usage.

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "sim/simulator.h"
#include "sim/sweep.h"

namespace {

using cairn::sim::CheckerId;
using cairn::sim::CheckerName;
using cairn::sim::kCheckerCount;

struct Common {
  std::uint32_t nodes = 3;
  std::uint64_t ticks = 0;
  std::string bug;
  std::uint32_t snapshot_every = 0;
  std::uint32_t pipeline = 1;
};

void PrintSummary(const cairn::sim::RunResult& r, std::uint32_t nodes) {
  const auto& s = r.stats;
  std::printf("\nsummary: seed %llu, %u nodes, %llu ms simulated\n",
              static_cast<unsigned long long>(r.seed), nodes, static_cast<unsigned long long>(s.end_ms));
  std::printf("  %llu elections, %llu entries committed, %llu crashes, %llu partitions\n",
              static_cast<unsigned long long>(s.elections), static_cast<unsigned long long>(s.committed),
              static_cast<unsigned long long>(s.crashes), static_cast<unsigned long long>(s.partitions));
  std::printf("  proposals: %llu accepted, %llu reported committed, %llu dropped, %llu timed out\n",
              static_cast<unsigned long long>(s.proposals),
              static_cast<unsigned long long>(s.outcomes_committed),
              static_cast<unsigned long long>(s.outcomes_dropped),
              static_cast<unsigned long long>(s.timeouts));
  std::printf("  %llu linearizable reads accepted, %llu answered and checked\n",
              static_cast<unsigned long long>(s.reads), static_cast<unsigned long long>(r.reads_answered));
  std::printf("  %llu messages sent\n", static_cast<unsigned long long>(s.messages));
  if (s.snapshots_taken + s.snapshots_sent + s.transfers > 0) {
    std::printf("  snapshots: %llu taken, %llu sent, %llu installed, %llu transfers failed; %llu leadership transfers\n",
                static_cast<unsigned long long>(s.snapshots_taken), static_cast<unsigned long long>(s.snapshots_sent),
                static_cast<unsigned long long>(s.snapshots_installed),
                static_cast<unsigned long long>(s.snapshot_failures), static_cast<unsigned long long>(s.transfers));
  }
  std::printf("  trace hash %016llx\n", static_cast<unsigned long long>(r.trace_hash));
}

void PrintCheckers(const cairn::sim::RunResult& r) {
  if (r.ok) {
    std::printf("checkers: all passed (");
    for (int c = 0; c < kCheckerCount; ++c) {
      std::printf("%s%s", c ? ", " : "", std::string(CheckerName(static_cast<CheckerId>(c))).c_str());
    }
    std::printf(")\n");
    return;
  }
  std::printf("checkers: FAILED\n");
  for (const auto& v : r.violations) std::printf("  %s\n", v.ToString().c_str());
  std::printf("final state:\n");
  for (const auto& line : r.final_state) std::printf("  %s\n", line.c_str());
}

int Run(std::uint64_t seed, bool trace, const Common& c, std::optional<cairn::raft::Bug> bug) {
  cairn::sim::SimOptions o =
      cairn::sim::MakeOptions(seed, c.nodes, bug, c.ticks, c.snapshot_every, c.pipeline);
  if (trace) o.echo = &std::cout;
  std::printf("cairn-sim: %u nodes, seed %llu, %llu ms of faults and client load, then heal%s%s\n",
              c.nodes, static_cast<unsigned long long>(seed), static_cast<unsigned long long>(o.fault_ms),
              bug ? "; injected bug: " : "", bug ? c.bug.c_str() : "");
  std::fflush(stdout);
  cairn::sim::Simulator sim(o);
  cairn::sim::RunResult r = sim.Run();
  std::cout.flush();
  PrintSummary(r, c.nodes);
  PrintCheckers(r);
  return r.ok ? 0 : 1;
}

int Seeds(std::uint64_t start, std::uint64_t count, const Common& c, std::optional<cairn::raft::Bug> bug) {
  std::printf("cairn-sim seeds: %llu seeds from %llu, %u nodes%s%s\n",
              static_cast<unsigned long long>(count), static_cast<unsigned long long>(start), c.nodes,
              bug ? ", injected bug: " : "", bug ? c.bug.c_str() : "");
  std::fflush(stdout);
  const auto t0 = std::chrono::steady_clock::now();
  auto sweep = cairn::sim::RunSeeds(start, count, [&](std::uint64_t seed) {
    return cairn::sim::MakeOptions(seed, c.nodes, bug, c.ticks, c.snapshot_every, c.pipeline);
  });
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& r : sweep.failed) {
    std::printf("\nseed %llu FAILED\n", static_cast<unsigned long long>(r.seed));
    for (const auto& v : r.violations) std::printf("  %s\n", v.ToString().c_str());
    std::printf("  final state:\n");
    for (const auto& line : r.final_state) std::printf("    %s\n", line.c_str());
    std::printf("  last trace lines:\n");
    for (const auto& line : r.trace_tail) std::printf("    %s\n", line.c_str());
    std::printf("  replay: %s\n", cairn::sim::ReplayCommand(r.seed, c.nodes, bug, c.ticks,
                                                            c.snapshot_every, c.pipeline)
                                      .c_str());
  }
  std::printf("\nseeds run: %llu, failures: %llu, elapsed %.2f s (%.1f ms/seed)\n",
              static_cast<unsigned long long>(sweep.seeds_run),
              static_cast<unsigned long long>(sweep.failures), secs,
              sweep.seeds_run ? 1000.0 * secs / static_cast<double>(sweep.seeds_run) : 0.0);
  std::printf("totals: %llu elections, %llu entries committed, %llu crashes\n",
              static_cast<unsigned long long>(sweep.elections),
              static_cast<unsigned long long>(sweep.committed),
              static_cast<unsigned long long>(sweep.crashes));
  std::printf("failures per checker:");
  for (int k = 0; k < kCheckerCount; ++k) {
    std::printf(" %s=%llu", std::string(CheckerName(static_cast<CheckerId>(k))).c_str(),
                static_cast<unsigned long long>(sweep.failures_by_checker[k]));
  }
  std::printf("\n");
  if (sweep.first_failing_seed) {
    std::printf("first failing seed: %llu (replay: %s)\n",
                static_cast<unsigned long long>(*sweep.first_failing_seed),
                cairn::sim::ReplayCommand(*sweep.first_failing_seed, c.nodes, bug, c.ticks,
                                          c.snapshot_every, c.pipeline)
                    .c_str());
  }
  return sweep.failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cairn-sim: deterministic simulator of a Cairn Raft cluster"};
  app.require_subcommand(1);
  Common c;
  auto add_common = [&](CLI::App* sub) {
    sub->add_option("--nodes", c.nodes, "cluster size")->check(CLI::Range(1, 9));
    sub->add_option("--ticks", c.ticks, "ms of faults and client load before the heal (default 3000)");
    sub->add_option("--bug", c.bug, "inject a known Raft bug: " + cairn::sim::BugNames());
    sub->add_option("--snapshot-every", c.snapshot_every,
                    "snapshot each state machine every N applied entries (and at random), with "
                    "crashes during installs and leadership transfers (0: no snapshots)");
    sub->add_option("--pipeline", c.pipeline,
                    "Readies a node may write at once (1: each is durable before the next)")
        ->check(CLI::Range(1, 64));
  };
  std::uint64_t seed = 1;
  bool trace = false;
  CLI::App* run = app.add_subcommand("run", "run one seed");
  run->add_option("--seed", seed, "the seed (the run is fully determined by it and the options)");
  run->add_flag("--trace", trace, "print elections, commits and faults as they happen");
  add_common(run);
  std::uint64_t count = 100;
  std::uint64_t start = 1;
  CLI::App* seeds = app.add_subcommand("seeds", "run many seeds and report failures");
  seeds->add_option("--count", count, "number of seeds");
  seeds->add_option("--start", start, "first seed");
  add_common(seeds);
  CLI11_PARSE(app, argc, argv);

  std::optional<cairn::raft::Bug> bug;
  if (!c.bug.empty()) {
    bug = cairn::sim::ParseBug(c.bug);
    if (!bug) {
      std::fprintf(stderr, "cairn-sim: unknown bug '%s' (known: %s)\n", c.bug.c_str(),
                   cairn::sim::BugNames().c_str());
      return 2;
    }
  }
  if (*run) return Run(seed, trace, c, bug);
  return Seeds(start, count, c, bug);
}
