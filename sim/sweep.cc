#include "sim/sweep.h"

#include <algorithm>

namespace cairn::sim {

std::optional<raft::Bug> ParseBug(std::string_view name) {
  for (int b = 0; b < static_cast<int>(raft::Bug::kCount); ++b) {
    if (raft::BugName(static_cast<raft::Bug>(b)) == name) return static_cast<raft::Bug>(b);
  }
  return std::nullopt;
}

std::string BugNames() {
  std::string s;
  for (int b = 0; b < static_cast<int>(raft::Bug::kCount); ++b) {
    if (b) s += ", ";
    s += raft::BugName(static_cast<raft::Bug>(b));
  }
  return s;
}

void SnapshotProfile(SimOptions& o, std::uint32_t every) {
  o.snapshots.every_entries = every;
  o.snapshots.chance_per_ms = 0.002;
  o.faults.crash_during_install = 0.15;
  o.workload.transfer_chance_per_ms = 0.002;
}

SimOptions MakeOptions(std::uint64_t seed, std::uint32_t nodes, std::optional<raft::Bug> bug,
                       std::uint64_t fault_ms, std::uint32_t snapshot_every,
                       std::uint32_t readies_in_flight) {
  SimOptions o = DefaultOptions(seed, nodes);
  if (fault_ms != 0) o.fault_ms = fault_ms;
  o.readies_in_flight_max = std::max<std::uint32_t>(readies_in_flight, 1);
  if (snapshot_every != 0) SnapshotProfile(o, snapshot_every);
  if (!bug) return o;
  o.raft.bugs.set(*bug);
  switch (*bug) {
    case raft::Bug::kCommitEarlierTermByCounting:
      // Figure 8: leaders die with entries only on their own disk, and new
      // leaders die half way through replicating an old-term entry (one
      // entry per Append) before their own no-op follows.
      o.raft.append_entries_max = 1;
      o.faults.crash_after_append = 0.3;
      o.faults.crash_after_election = 0.5;
      if (fault_ms == 0) o.fault_ms = 10000;  // the shape is rare: more attempts per seed
      break;
    case raft::Bug::kForgetVoteOnRestart:
      // Split votes (near-equal timeouts, no PreVote round) and voters that
      // crash right after granting; without CheckQuorum a restarted node
      // votes at once.
      o.raft.check_quorum = false;
      o.raft.pre_vote = false;
      o.raft.election_timeout_ticks_max = o.raft.election_timeout_ticks_min + 1;
      o.faults.crash_after_vote = 0.9;
      if (fault_ms == 0) o.fault_ms = 10000;
      break;
    case raft::Bug::kReadIndexWithoutQuorum:
      // A leader that froze wakes up still believing it leads while a new
      // leader has committed more; reads must go to it meanwhile. Without
      // tick catch-up its CheckQuorum timer does not notice the freeze, so
      // only the ReadIndex heartbeat round stands between it and a stale
      // read (the control without the bug passes).
      o.faults.pause_after_append = 0.05;
      o.faults.catch_up_ticks_after_pause = false;
      o.workload.read_chance_per_ms = 0.05;
      o.workload.lease_reads = false;
      break;
    case raft::Bug::kConfChangeWithoutSafetyRule:
      // Membership churn: nodes beyond the first three join as learners, are
      // promoted and removed again, while leaders crash.
      o.initial_voters = std::min<std::uint32_t>(3, nodes);
      o.workload.conf_change_chance_per_ms = 0.05;
      o.faults.crash_after_election = 0.2;
      break;
    case raft::Bug::kAcceptStaleTermAppend:
      // Old Appends must still be in flight when leadership moves on.
      o.faults.pause_after_append = 0.15;
      break;
    case raft::Bug::kInstallOlderSnapshot:
      // Frequent snapshots, and InstallSnapshots that arrive late or twice:
      // a copy that lands after the follower caught up by other means is
      // older than its commit index.
      if (snapshot_every == 0) SnapshotProfile(o, 8);
      o.network.duplicate_rate = 0.05;
      o.network.long_delay_rate = 0.02;
      break;
    default:
      break;
  }
  return o;
}

std::string ReplayCommand(std::uint64_t seed, std::uint32_t nodes, std::optional<raft::Bug> bug,
                          std::uint64_t fault_ms, std::uint32_t snapshot_every,
                          std::uint32_t readies_in_flight) {
  std::string cmd = "cairn-sim run --nodes " + std::to_string(nodes) + " --seed " + std::to_string(seed);
  if (readies_in_flight > 1) cmd += " --pipeline " + std::to_string(readies_in_flight);
  if (fault_ms != 0) cmd += " --ticks " + std::to_string(fault_ms);
  if (snapshot_every != 0) cmd += " --snapshot-every " + std::to_string(snapshot_every);
  if (bug) cmd += " --bug " + std::string(raft::BugName(*bug));
  return cmd + " --trace";
}

SweepResult RunSeeds(std::uint64_t start, std::uint64_t count,
                     const std::function<SimOptions(std::uint64_t)>& make, bool stop_at_first_failure,
                     std::size_t keep_failed, const std::function<void(const RunResult&)>& observe) {
  SweepResult sweep;
  for (std::uint64_t seed = start; seed < start + count; ++seed) {
    Simulator sim(make(seed));
    RunResult r = sim.Run();
    if (observe) observe(r);
    ++sweep.seeds_run;
    sweep.elections += r.stats.elections;
    sweep.committed += r.stats.committed;
    sweep.crashes += r.stats.crashes;
    if (r.ok) continue;
    ++sweep.failures;
    ++sweep.failures_by_checker[static_cast<std::size_t>(r.violations.front().checker)];
    if (!sweep.first_failing_seed) sweep.first_failing_seed = seed;
    if (sweep.failed.size() < keep_failed) sweep.failed.push_back(std::move(r));
    if (stop_at_first_failure) break;
  }
  return sweep;
}

}  // namespace cairn::sim
