// Linearizable reads without log writes: ReadIndex and leader leases.
//
// ReadIndex: a read that arrives at commit index C is safe to serve once the
// state machine has applied C and the leader has proved it still led after
// the read arrived (a quorum acknowledged a heartbeat sent after it). Reads
// are grouped: all reads that arrive while a round is unanswered share the
// next heartbeat round (ReadRoundDue).
//
// Lease: with CheckQuorum, a follower that heard from the leader refuses to
// vote for election_timeout_ticks_min of its own ticks. So if a quorum
// acknowledged a heartbeat that left at leader tick t, no other leader can
// exist before t + election_timeout_ticks_min on the followers' clocks; the
// leader serves reads locally until t + min - lease_drift_ticks on its own.
// A restarted node also refuses votes for its first min ticks (it may have
// acknowledged a heartbeat just before it crashed).

#include <algorithm>

#include "common/assert.h"
#include "raft/raw_node.h"

namespace cairn::raft {

bool RawNode::CommittedInCurrentTerm() const {
  return log_.term(log_.committed()) == term_;
}

Status RawNode::ReadIndex(std::uint64_t request_id) {
  if (role_ != Role::kLeader) {
    return Status::FailedPrecondition(leader_ == kNoNode ? std::string("not leader; no leader known")
                                                         : "not leader; leader is " + std::to_string(leader_));
  }
  if (reads_.size() + reads_waiting_commit_.size() >= config_.pending_proposals_max) {
    return Status::ResourceExhausted("too many pending reads");
  }
  // Until an entry of our term commits, our commit index may be behind the
  // previous leader's: wait for the no-op.
  if (!CommittedInCurrentTerm()) {
    reads_waiting_commit_.push_back(request_id);
    return Status::Ok();
  }
  if ((membership_.voters.size() == 1 && IsVoter(id_)) ||
      config_.bugs.has(Bug::kReadIndexWithoutQuorum)) {  // the latter: injected bug
    read_states_.push_back({request_id, log_.committed()});
    return Status::Ok();
  }
  reads_.push_back({request_id, log_.committed(), round_next_});
  round_pending_ = true;
  return Status::Ok();
}

Status RawNode::LeaseRead(std::uint64_t request_id) {
  if (auto index = LeaseReadIndexNow()) {
    read_states_.push_back({request_id, *index});
    return Status::Ok();
  }
  return ReadIndex(request_id);
}

std::optional<Index> RawNode::LeaseReadIndexNow() const {
  if (role_ == Role::kLeader && CommittedInCurrentTerm() && LeaseValid()) return log_.committed();
  return std::nullopt;
}

bool RawNode::LeaseValid() const {
  if (!config_.check_quorum) return false;
  if (transfer_target_ != kNoNode) return false;  // the target may win before the lease ends
  if (timeout_now_sent_) return false;  // ... even after the transfer was abandoned
  if (membership_.voters.size() == 1 && IsVoter(id_)) return true;
  if (round_confirmed_ == 0) return false;
  const std::uint64_t lease_ticks =
      config_.election_timeout_ticks_min - std::min(config_.lease_drift_ticks,
                                                    config_.election_timeout_ticks_min);
  return ticks_ < round_confirmed_tick_ + lease_ticks;
}

// One read round at a time: reads that arrive while a round is unanswered
// wait for it to be confirmed and then share the next one. Under load this
// turns one heartbeat per follower per Ready into one per round trip, and
// a read waits at most one extra round trip. Rounds are still confirmed in
// order, and a lost round never strands reads: the periodic heartbeat
// (every heartbeat_ticks) starts a new round regardless.
bool RawNode::ReadRoundDue() const {
  return round_pending_ && round_last_sent_ <= round_confirmed_;
}

void RawNode::StartReadRound() {
  // Called by BroadcastHeartbeat: this round's id goes out now.
  round_sent_ticks_.push_back({round_next_, ticks_});
  round_last_sent_ = round_next_;
  // Bound the history: rounds older than the confirmed one are useless.
  while (round_sent_ticks_.size() > 1024) round_sent_ticks_.pop_front();
  ++round_next_;
  round_pending_ = false;
}

void RawNode::OnHeartbeatAck(NodeId from, std::uint64_t round) {
  if (round == 0 || round >= round_next_) return;  // not a round we sent
  auto& acked = acked_round_[from];
  acked = std::max(acked, round);
  // The quorum-th highest acknowledged round (we count ourselves as having
  // acknowledged every round).
  std::vector<std::uint64_t> rounds;
  if (IsVoter(id_)) rounds.push_back(round_next_ - 1);
  for (NodeId peer : membership_.voters) {
    if (peer == id_) continue;
    auto it = acked_round_.find(peer);
    rounds.push_back(it == acked_round_.end() ? 0 : it->second);
  }
  const std::size_t q = Quorum();
  std::nth_element(rounds.begin(), rounds.begin() + static_cast<std::ptrdiff_t>(q - 1), rounds.end(),
                   std::greater<>());
  const std::uint64_t confirmed = rounds[q - 1];
  if (confirmed <= round_confirmed_) return;
  round_confirmed_ = confirmed;
  while (!round_sent_ticks_.empty() && round_sent_ticks_.front().first < confirmed) {
    round_sent_ticks_.pop_front();
  }
  if (!round_sent_ticks_.empty() && round_sent_ticks_.front().first == confirmed) {
    round_confirmed_tick_ = round_sent_ticks_.front().second;
  }
  ReleaseConfirmedReads();
}

void RawNode::ReleaseConfirmedReads() {
  // Sized first: one round can confirm hundreds of reads, and the vector
  // leaves with every Ready, so growing it push by push would reallocate
  // about ten times per round.
  std::size_t confirmed = 0;
  for (const PendingRead& r : reads_) {
    if (r.round > round_confirmed_) break;
    ++confirmed;
  }
  read_states_.reserve(read_states_.size() + confirmed);
  while (!reads_.empty() && reads_.front().round <= round_confirmed_) {
    read_states_.push_back({reads_.front().request_id, reads_.front().index});
    reads_.pop_front();
  }
}

void RawNode::ResetReads() {
  // Reads in flight when leadership changes get no answer: the caller's
  // deadline turns them into errors, and a retry goes to the new leader.
  reads_.clear();
  reads_waiting_commit_.clear();
  acked_round_.clear();
  round_sent_ticks_.clear();
  round_confirmed_ = 0;
  round_confirmed_tick_ = 0;
  round_last_sent_ = 0;
  round_pending_ = false;
}

}  // namespace cairn::raft
