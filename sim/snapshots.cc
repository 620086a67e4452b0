// Snapshots in the simulator: taking one (and compacting the log), sending
// it with an InstallSnapshot, installing one received, and the sender's
// transport learning whether a transfer arrived.
//
// Transport model: one message whose delivery is delayed by its size
// (bytes / bytes_per_ms) on top of the network's delay; drops, duplicates,
// long delays and partitions apply to it as to any message. The sender's
// transport hears of a delivery at once (ReportSnapshot(peer, true)); a
// transfer not delivered by its deadline (lost, cut, receiver down) is
// reported failed (ReportSnapshot(peer, false)) and the core retries. A
// duplicate or long-delayed copy may still arrive after that: stale
// InstallSnapshots reach followers, as they would from a real transport
// that retried.

#include <algorithm>
#include <string>

#include "common/assert.h"
#include "sim/simulator.h"
#include "sim/simulator_internal.h"

namespace cairn::sim {
namespace {

std::string N(raft::NodeId n) { return "n" + std::to_string(n); }

}  // namespace

std::uint64_t Simulator::SnapshotDelay(const SnapshotImage& s) const {
  const std::uint32_t rate = std::max<std::uint32_t>(options_.snapshots.bytes_per_ms, 1);
  return s.bytes / rate;
}

void Simulator::SnapshotStep() {
  const SnapshotOptions& o = options_.snapshots;
  if (!o.enabled()) return;
  for (auto& p : nodes_) {
    Node& nd = *p;
    if (!awake(nd) || !nd.inflight.empty()) continue;
    const raft::Index applied = nd.applied.size();
    const raft::Index last = nd.raft->snapshot().index;
    if (applied <= last) continue;
    const bool by_count = o.every_entries > 0 && applied - last >= o.every_entries;
    const bool by_chance = o.chance_per_ms > 0 && random_.Chance(o.chance_per_ms);
    if (by_count || by_chance) Snapshot(nd);
  }
}

Status Simulator::TakeSnapshot(raft::NodeId n) {
  Node& nd = at(n);
  if (!awake(nd) || !nd.inflight.empty()) return Status::Unavailable("node is down or mid-Ready");
  if (nd.applied.size() <= nd.raft->snapshot().index) {
    return Status::FailedPrecondition("nothing applied since the last snapshot");
  }
  Snapshot(nd);
  return Status::Ok();
}

void Simulator::Snapshot(Node& nd) {
  const raft::Index index = nd.applied.size();
  // The core compacts first (it knows the membership at that index); the
  // disk then stores the image and drops its log prefix, atomically and in
  // the same instant, so no crash falls between the two.
  Status s = nd.raft->CompactLog(index);
  CAIRN_CHECK(s.ok(), "CompactLog at the applied index failed");
  const raft::SnapshotMeta meta = nd.raft->snapshot();
  CAIRN_CHECK(meta.index == index);
  SnapshotPtr snap = MakeSnapshot(meta, nd.applied);
  nd.disk.SaveSnapshot(snap);
  checkers_.set_now(now_ms_);
  checkers_.OnSnapshot(nd.id, nd.incarnation, Checkers::SnapshotEvent::kTaken, meta.index, meta.term,
                       snap->state);
  trace_.Mix(snap->hash ^ nd.id);
  ++stats_.snapshots_taken;
  Line(N(nd.id) + " snapshot " + DescribeSnapshot(*snap) + "; log compacted");
}

void Simulator::SendSnapshot(Node& nd, raft::Message m, std::uint64_t stall_ms) {
  const SnapshotPtr& snap = nd.disk.snapshot();
  // The core only sends the snapshot it compacted at (or installed), which
  // is on disk by the time a later Ready sends it.
  CAIRN_CHECK(snap != nullptr && snap->meta.index == m.snapshot.index && snap->meta.term == m.snapshot.term,
              "InstallSnapshot for a snapshot the disk does not hold");
  const std::uint64_t id = next_transfer_id_++;
  const std::uint64_t transfer_ms = SnapshotDelay(*snap);
  transfers_[id] = Transfer{nd.id, nd.incarnation, m.to, snap->meta.index,
                            now_ms_ + stall_ms + transfer_ms + options_.snapshots.timeout_ms};
  ++stats_.snapshots_sent;
  Line(N(nd.id) + " -> " + N(m.to) + " InstallSnapshot " + DescribeSnapshot(*snap) + ", ~" +
       std::to_string(transfer_ms) + " ms on the wire");
  network_.Send(now_ms_, std::move(m), stall_ms + transfer_ms, Attachment{id, snap});
}

void Simulator::ReceiveSnapshot(Node& nd, const raft::Message& m, const Attachment& a) {
  CAIRN_CHECK(a.snapshot != nullptr, "InstallSnapshot without its bytes");
  auto it = transfers_.find(a.transfer_id);
  if (it != transfers_.end() && !it->second.delivered) {
    // The sender's transport hears of the delivery (a duplicate or a copy
    // that arrives after the timeout is not reported again). A frozen
    // sender hears of it when it wakes (TransfersStep): the core relies on
    // every snapshot send being reported, or it waits in kSnapshot forever.
    Transfer& t = it->second;
    Node& from = at(t.from);
    if (!from.up || from.incarnation != t.inc) {
      transfers_.erase(it);
    } else if (awake(from)) {
      const raft::NodeId to = t.to;
      transfers_.erase(it);
      from.raft->ReportSnapshot(to, true);
      Observe(from);
    } else {
      t.delivered = true;
    }
  }
  nd.received[{a.snapshot->meta.index, a.snapshot->meta.term}] = a.snapshot;
  while (nd.received.size() > 4) nd.received.erase(nd.received.begin());
  Line(N(nd.id) + " <- " + N(m.from) + " InstallSnapshot idx=" + std::to_string(m.snapshot.index) +
       " term=" + std::to_string(m.snapshot.term) + " (commit here " +
       std::to_string(nd.raft->log().committed()) + ")");
}

void Simulator::TransfersStep() {
  for (auto it = transfers_.begin(); it != transfers_.end();) {
    const Transfer& t = it->second;
    Node& from = at(t.from);
    const bool gone = !from.up || from.incarnation != t.inc;
    if (!gone && t.delivered && awake(from)) {
      from.raft->ReportSnapshot(t.to, true);  // it woke: the delivery is news now
      Observe(from);
      it = transfers_.erase(it);
      continue;
    }
    if (!gone && (t.delivered || now_ms_ < t.deadline_ms || !awake(from))) {
      ++it;  // still streaming, or the sender is frozen and will hear later
      continue;
    }
    if (!gone) {
      ++stats_.snapshot_failures;
      Line(N(t.from) + " -> " + N(t.to) + " InstallSnapshot idx=" + std::to_string(t.index) +
           " timed out (ReportSnapshot failure)");
      from.raft->ReportSnapshot(t.to, false);
      Observe(from);
    }
    it = transfers_.erase(it);
  }
}

void Simulator::StageInstall(Node& nd, const raft::Ready& rd) {
  auto it = nd.received.find({rd.snapshot->index, rd.snapshot->term});
  CAIRN_CHECK(it != nd.received.end(), "the core installs a snapshot that never arrived");
  nd.installing = it->second;
  nd.received.clear();
  CAIRN_CHECK(nd.installing->meta == *rd.snapshot, "received snapshot metadata differs");
  nd.disk.Write(rd.hard_state, rd.entries, nd.installing);
  Line(N(nd.id) + " installing snapshot " + DescribeSnapshot(*nd.installing) + " (writing)");
  if (nd.crash_during_install) {
    nd.crash_during_install = false;
    Line(N(nd.id) + " crashes during the install, before the snapshot is durable");
    Crash(nd.id);
    return;
  }
  const FaultOptions& f = options_.faults;
  if (!faults_on_ || f.crash_during_install <= 0 || !random_.Chance(f.crash_during_install)) return;
  Line(N(nd.id) + " crashes during the install, before the snapshot is durable");
  Crash(nd.id);
  pending_faults_.push_back(
      {now_ms_ + random_.Range(f.down_ms_min, f.down_ms_max), PendingFault::Kind::kRestart, nd.id});
}

void Simulator::FinishInstall(Node& nd) {
  SnapshotPtr snap = std::move(nd.installing);
  nd.installing.reset();
  nd.applied = snap->state;
  checkers_.set_now(now_ms_);
  checkers_.OnSnapshot(nd.id, nd.incarnation, Checkers::SnapshotEvent::kInstalled, snap->meta.index,
                       snap->meta.term, snap->state);
  trace_.Mix(snap->hash ^ (static_cast<std::uint64_t>(nd.id) << 56));
  ++stats_.snapshots_installed;
  Line(N(nd.id) + " installed snapshot " + DescribeSnapshot(*snap) + "; state machine at idx=" +
       std::to_string(snap->meta.index));
}

Result<raft::ProposalId> Simulator::ProposeConfChange(raft::NodeId n, const raft::ConfChange& cc) {
  Node& nd = at(n);
  if (!awake(nd)) return Status::Unavailable("node is down");
  auto r = nd.raft->ProposeConfChange(cc);
  Observe(nd);
  return r;
}

void Simulator::CrashDuringNextInstall(raft::NodeId n) { at(n).crash_during_install = true; }

Status Simulator::TransferLeadership(raft::NodeId n, raft::NodeId target) {
  Node& nd = at(n);
  if (!awake(nd)) return Status::Unavailable("node is down");
  Status s = nd.raft->TransferLeadership(target);
  Observe(nd);
  if (s.ok()) {
    ++stats_.transfers;
    Line(N(n) + " transfers leadership to " + N(target) + " (term=" + std::to_string(nd.raft->term()) + ")");
  }
  return s;
}

void Simulator::TransferStep() {
  const double chance = options_.workload.transfer_chance_per_ms;
  if (chance <= 0 || !random_.Chance(chance)) return;
  const raft::NodeId l = Leader();
  if (l == raft::kNoNode || !awake(at(l)) || at(l).raft->transfer_target() != raft::kNoNode) return;
  const auto& voters = at(l).raft->voters();
  const raft::NodeId target = voters[random_.Uniform(voters.size())];
  if (target == l) return;
  (void)TransferLeadership(l, target);
}

}  // namespace cairn::sim
