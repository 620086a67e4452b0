#include "raft/progress.h"

#include <algorithm>

#include "common/assert.h"

namespace cairn::raft {

void Progress::OnSent(Index last, bool has_entries, std::size_t bytes) {
  if (state_ == State::kProbe) {
    probe_sent_ = true;
    return;
  }
  if (!has_entries) return;
  next_ = last + 1;
  inflight_.push_back({last, bytes});
  inflight_bytes_ += bytes;
  CAIRN_CHECK(inflight_.size() <= inflight_max_, "inflight window overrun");
}

void Progress::FreeFirstInflight() {
  if (inflight_.empty()) return;
  inflight_bytes_ -= inflight_.front().bytes;
  inflight_.pop_front();
}

bool Progress::OnAck(Index index) {
  while (!inflight_.empty() && inflight_.front().last <= index) FreeFirstInflight();
  if (index <= match_) return false;
  match_ = index;
  next_ = std::max(next_, index + 1);
  probe_sent_ = false;
  if (state_ == State::kProbe) BecomeReplicate();
  if (state_ == State::kSnapshot && match_ >= pending_snapshot_) BecomeReplicate();
  return true;
}

bool Progress::OnReject(Index rejected, Index next_probe) {
  if (state_ == State::kSnapshot) return false;  // wait for the snapshot's answer
  if (state_ == State::kReplicate) {
    if (rejected <= match_) return false;  // an old Append's answer
    BecomeProbe();
    next_ = std::max(std::min(rejected, next_probe + 1), match_ + 1);
    return true;
  }
  if (rejected != next_ - 1) return false;  // not the probe we are waiting on
  next_ = std::max(std::min(rejected, next_probe + 1), match_ + 1);
  probe_sent_ = false;
  return true;
}

void Progress::BecomeProbe() {
  state_ = State::kProbe;
  probe_sent_ = false;
  ClearInflight();
  next_ = match_ + 1;
}

void Progress::BecomeSnapshot(Index snapshot_index) {
  state_ = State::kSnapshot;
  probe_sent_ = false;
  ClearInflight();
  pending_snapshot_ = snapshot_index;
}

void Progress::OnSnapshotDelivered() {
  const Index snapshot = pending_snapshot_;
  BecomeProbe();
  next_ = std::max(next_, snapshot + 1);
  probe_sent_ = true;
}

void Progress::BecomeReplicate() {
  state_ = State::kReplicate;
  probe_sent_ = false;
  ClearInflight();
  next_ = match_ + 1;
}

}  // namespace cairn::raft
