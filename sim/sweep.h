#pragma once
// Running many seeds, and the option profiles shared by the CLI and tests:
// a failing seed printed by `cairn-sim seeds` replays exactly with
// `cairn-sim run --seed S` because both build options with MakeOptions().

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raft/bugs.h"
#include "sim/checkers.h"
#include "sim/options.h"
#include "sim/simulator.h"

namespace cairn::sim {

// "commit-earlier-term" -> Bug (the names of raft::BugName); nullopt if unknown.
std::optional<raft::Bug> ParseBug(std::string_view name);
std::string BugNames();  // comma-separated, for help texts

// The options of one seed: the defaults, or with `bug` set, the bug injected
// and the fault schedule tuned to expose it. fault_ms 0 keeps the default.
// snapshot_every > 0 turns snapshots on (SnapshotProfile); the profile of
// kInstallOlderSnapshot turns them on by itself. readies_in_flight > 1
// pipelines every node's Readies (SimOptions::readies_in_flight_max).
SimOptions MakeOptions(std::uint64_t seed, std::uint32_t nodes, std::optional<raft::Bug> bug,
                       std::uint64_t fault_ms = 0, std::uint32_t snapshot_every = 0,
                       std::uint32_t readies_in_flight = 1);

// Snapshots every `every` applied entries and now and then at random,
// crashes during installs, and leadership transfers among the faults.
void SnapshotProfile(SimOptions& o, std::uint32_t every);

// The command line that replays a seed with `cairn-sim run`.
std::string ReplayCommand(std::uint64_t seed, std::uint32_t nodes, std::optional<raft::Bug> bug,
                          std::uint64_t fault_ms = 0, std::uint32_t snapshot_every = 0,
                          std::uint32_t readies_in_flight = 1);

struct SweepResult {
  std::uint64_t seeds_run = 0;
  std::uint64_t failures = 0;
  std::array<std::uint64_t, kCheckerCount> failures_by_checker{};  // first violation of each seed
  std::vector<RunResult> failed;  // the first few failing runs, in full
  std::optional<std::uint64_t> first_failing_seed;
  std::uint64_t elections = 0;
  std::uint64_t committed = 0;
  std::uint64_t crashes = 0;
};

// Runs seeds start .. start+count-1 with options from `make`. With
// stop_at_first_failure, returns as soon as one seed fails.
// `observe`, if set, sees every run's result.
SweepResult RunSeeds(std::uint64_t start, std::uint64_t count,
                     const std::function<SimOptions(std::uint64_t)>& make,
                     bool stop_at_first_failure = false, std::size_t keep_failed = 3,
                     const std::function<void(const RunResult&)>& observe = nullptr);

}  // namespace cairn::sim
