// Snapshots: compacting the log, sending a snapshot to a follower whose
// next entry is compacted away, and installing one on a follower.
//
// The core handles only metadata. The driver keeps the snapshot's bytes and
// its transport streams them in checksummed chunks; the kSnapshot message
// reaches the follower's core only after every chunk arrived and was
// verified, and the follower answers with an ordinary AppendResponse.

#include "common/assert.h"
#include "raft/raw_node.h"

namespace cairn::raft {

Status RawNode::CompactLog(Index index) {
  if (index <= log_.snapshot_index()) return Status::Ok();
  if (index > log_.applied() || index > log_.stable()) {
    return Status::InvalidArgument("cannot compact beyond the applied, durable index");
  }
  base_membership_ = MembershipAt(index);
  while (!conf_history_.empty() && conf_history_.front().first <= index) {
    conf_history_.erase(conf_history_.begin());
  }
  log_.CompactTo(index);
  return Status::Ok();
}

SnapshotMeta RawNode::snapshot() const {
  return {log_.snapshot_index(), log_.snapshot_term(), base_membership_};
}

Membership RawNode::MembershipAt(Index index) const {
  Membership m = base_membership_;
  for (const auto& [i, membership] : conf_history_) {
    if (i > index) break;
    m = membership;
  }
  return m;
}

void RawNode::SendSnapshot(NodeId to) {
  Progress& pr = progress_.at(to);
  Message m;
  m.type = MessageType::kSnapshot;
  m.to = to;
  m.snapshot = snapshot();
  m.commit = log_.committed();
  pr.BecomeSnapshot(m.snapshot.index);
  Send(std::move(m));
}

void RawNode::ReportSnapshot(NodeId peer, bool ok) {
  if (role_ != Role::kLeader) return;
  auto it = progress_.find(peer);
  if (it == progress_.end() || it->second.state() != Progress::State::kSnapshot) return;
  // On success, probe just past the snapshot once the follower answers or
  // a heartbeat reply arrives: waiting for the answer alone would stall the
  // follower forever if that answer is lost or the follower crashed before
  // the snapshot was durable. On failure probe again (which resends the
  // snapshot if it is still needed).
  if (ok) {
    it->second.OnSnapshotDelivered();
  } else {
    it->second.BecomeProbe();
  }
}

void RawNode::HandleSnapshot(const Message& m) {
  ResetElectionTimer();
  const SnapshotMeta& snap = m.snapshot;
  Message resp;
  resp.type = MessageType::kAppendResponse;
  resp.to = m.from;
  const bool older = snap.index <= log_.committed();
  if (older && !config_.bugs.has(Bug::kInstallOlderSnapshot)) {
    resp.index = log_.committed();  // we already have all of it
    Send(std::move(resp));
    return;
  }
  if (!older && log_.Matches(snap.index, snap.term)) {
    // Our log already holds the snapshot's last entry: keep what follows.
    AdvanceCommit(snap.index);
    resp.index = snap.index;
    Send(std::move(resp));
    return;
  }
  log_.RestoreSnapshot(snap.index, snap.term, /*allow_backwards=*/older);
  base_membership_ = snap.membership;
  conf_history_.clear();
  SetMembership(base_membership_);
  pending_snapshot_ = snap;
  resp.index = snap.index;
  Send(std::move(resp));
}

}  // namespace cairn::raft
