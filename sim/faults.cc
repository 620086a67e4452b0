// The random fault schedule ("nemesis") and the manual fault controls.

#include <algorithm>
#include <string>

#include "sim/simulator.h"
#include "sim/simulator_internal.h"

namespace cairn::sim {
namespace {

std::string Group(const std::vector<raft::NodeId>& ids) {
  std::string s = "{";
  for (std::size_t k = 0; k < ids.size(); ++k) s += (k ? "," : "") + std::to_string(ids[k]);
  return s + "}";
}

}  // namespace

void Simulator::Isolate(raft::NodeId n) {
  network_.Isolate(n);
  ++stats_.partitions;
  Line("partition: n" + std::to_string(n) + " isolated");
}

void Simulator::Partition(const std::vector<raft::NodeId>& a, const std::vector<raft::NodeId>& b) {
  network_.Partition(a, b);
  ++stats_.partitions;
  Line("partition: " + Group(a) + " | " + Group(b));
}

void Simulator::BlockOneWay(raft::NodeId from, raft::NodeId to) {
  network_.Block(from, to);
  ++stats_.partitions;
  Line("partition: n" + std::to_string(from) + " -> n" + std::to_string(to) + " cut (one way)");
}

void Simulator::Heal() {
  if (!network_.any_blocked()) return;
  network_.HealAll();
  Line("heal: every link restored");
}

void Simulator::HealEverything() {
  pending_faults_.clear();
  Heal();
  network_.LossBurst(0, 0);
  for (auto& nd : nodes_) {
    if (!nd->up) Restart(nd->id);
  }
}

std::uint32_t Simulator::down_count() const {
  std::uint32_t down = 0;
  for (const auto& nd : nodes_) down += nd->up ? 0 : 1;
  return down;
}

void Simulator::RunPendingFaults() {
  if (pending_faults_.empty()) return;
  std::vector<PendingFault> due;
  std::vector<PendingFault> later;
  for (const PendingFault& f : pending_faults_) (f.at_ms <= now_ms_ ? due : later).push_back(f);
  pending_faults_ = std::move(later);
  for (const PendingFault& f : due) {
    switch (f.kind) {
      case PendingFault::Kind::kRestart: Restart(f.node); break;
      case PendingFault::Kind::kCrash: Crash(f.node); break;
      case PendingFault::Kind::kHeal: Heal(); break;
    }
  }
}

void Simulator::FaultStep() {
  if (now_ms_ < next_fault_ms_) return;
  const FaultOptions& f = options_.faults;
  next_fault_ms_ = now_ms_ + random_.Range(f.gap_ms_min, f.gap_ms_max);
  InjectFault();
}

void Simulator::InjectFault() {
  const FaultOptions& f = options_.faults;
  const std::uint32_t weights[] = {f.weight_crash, f.weight_crash_leader, f.weight_isolate,
                                   f.weight_partition, f.weight_one_way, f.weight_loss_burst};
  std::uint64_t total = 0;
  for (auto w : weights) total += w;
  if (total == 0) return;
  std::uint64_t pick = random_.Uniform(total);
  int kind = 0;
  while (pick >= weights[kind]) pick -= weights[kind++];
  const std::uint32_t n = options_.nodes;
  const std::uint32_t max_down = f.max_down ? f.max_down : (n - 1) / 2;
  const std::uint64_t cut_end = now_ms_ + random_.Range(f.cut_ms_min, f.cut_ms_max);
  switch (kind) {
    case 0:
    case 1: {
      raft::NodeId victim = kind == 1 ? Leader() : 1 + random_.Uniform(n);
      if (victim == raft::kNoNode || !up(victim) || down_count() >= max_down) return;
      Crash(victim);
      pending_faults_.push_back(
          {now_ms_ + random_.Range(f.down_ms_min, f.down_ms_max), PendingFault::Kind::kRestart, victim});
      return;
    }
    case 2:
      Isolate(1 + random_.Uniform(n));
      break;
    case 3: {
      std::vector<raft::NodeId> ids;
      for (raft::NodeId id = 1; id <= n; ++id) ids.push_back(id);
      for (std::size_t k = ids.size(); k > 1; --k) std::swap(ids[k - 1], ids[random_.Uniform(k)]);
      const std::size_t split = 1 + random_.Uniform(n - 1);
      std::vector<raft::NodeId> a(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(split));
      std::vector<raft::NodeId> b(ids.begin() + static_cast<std::ptrdiff_t>(split), ids.end());
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      Partition(a, b);
      break;
    }
    case 4: {
      const raft::NodeId from = 1 + random_.Uniform(n);
      const raft::NodeId to = 1 + (from - 1 + 1 + random_.Uniform(n - 1)) % n;
      BlockOneWay(from, to);
      break;
    }
    default:
      network_.LossBurst(f.loss_burst_rate, cut_end);
      Line("loss burst: " + std::to_string(static_cast<int>(f.loss_burst_rate * 100)) + "% for " +
           std::to_string(cut_end - now_ms_) + " ms");
      return;
  }
  pending_faults_.push_back({cut_end, PendingFault::Kind::kHeal, raft::kNoNode});
}

void Simulator::OnVoteGranted(Node& nd) {
  const FaultOptions& f = options_.faults;
  if (!faults_on_ || f.crash_after_vote <= 0 || !random_.Chance(f.crash_after_vote)) return;
  const std::uint32_t max_down = f.max_down ? f.max_down : (options_.nodes - 1) / 2;
  if (down_count() >= max_down) return;
  Crash(nd.id);
  pending_faults_.push_back({now_ms_ + random_.Range(1, 6), PendingFault::Kind::kRestart, nd.id});
}

bool Simulator::CrashBeforeSend(Node& nd, const raft::Ready& rd) {
  const FaultOptions& f = options_.faults;
  if (!faults_on_ || f.crash_after_append <= 0 || nd.raft->role() != raft::Role::kLeader) return false;
  bool appends = false;
  for (const raft::Message& m : rd.messages) appends |= m.type == raft::MessageType::kAppend && !m.entries.empty();
  if (!appends || !random_.Chance(f.crash_after_append)) return false;
  Crash(nd.id);
  pending_faults_.push_back(
      {now_ms_ + random_.Range(f.down_ms_min, f.down_ms_max), PendingFault::Kind::kRestart, nd.id});
  return true;
}

std::uint64_t Simulator::PauseBeforeSend(Node& nd, const raft::Ready& rd) {
  const FaultOptions& f = options_.faults;
  if (!faults_on_ || f.pause_after_append <= 0 || nd.raft->role() != raft::Role::kLeader) return 0;
  bool appends = false;
  for (const raft::Message& m : rd.messages) appends |= m.type == raft::MessageType::kAppend && !m.entries.empty();
  if (!appends || !random_.Chance(f.pause_after_append)) return 0;
  const std::uint64_t pause_ms = random_.Range(f.pause_ms_min, f.pause_ms_max);
  nd.paused_until_ms = now_ms_ + pause_ms;
  nd.missed_ticks = pause_ms / options_.raft_tick_ms;
  Line("n" + std::to_string(nd.id) + " freezes for " + std::to_string(pause_ms) +
       " ms while sending (term=" + std::to_string(nd.raft->term()) + ")");
  return pause_ms;
}

void Simulator::OnElected(Node& nd) {
  const FaultOptions& f = options_.faults;
  if (!faults_on_ || f.crash_after_election <= 0 || !random_.Chance(f.crash_after_election)) return;
  const std::uint64_t at = now_ms_ + random_.Range(3, 25);
  pending_faults_.push_back({at, PendingFault::Kind::kCrash, nd.id});
  pending_faults_.push_back(
      {at + random_.Range(f.down_ms_min, f.down_ms_max), PendingFault::Kind::kRestart, nd.id});
}

}  // namespace cairn::sim
