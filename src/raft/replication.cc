// Log replication: Appends with flow control, heartbeats, the follower's
// consistency check with fast backtracking, and commitment by quorum.

#include <algorithm>

#include "common/assert.h"
#include "raft/raw_node.h"

namespace cairn::raft {

void RawNode::FlushBroadcasts() {
  if (role_ != Role::kLeader) return;
  if (append_pending_ || commit_broadcast_pending_) {
    // New entries go to every follower that is not paused; a commit advance
    // is sent even without entries so followers can apply promptly.
    for (auto& [peer, pr] : progress_) SendAppend(peer, commit_broadcast_pending_);
  }
  append_pending_ = false;
  commit_broadcast_pending_ = false;
  if (ReadRoundDue()) BroadcastHeartbeat();  // reads are waiting for a round
}

bool RawNode::SendAppend(NodeId to, bool send_if_empty) {
  Progress& pr = progress_.at(to);
  if (pr.paused()) return false;
  if (!log_.term(pr.next() - 1)) {  // what it needs is compacted away
    SendSnapshot(to);
    return true;
  }
  Message m;
  m.type = MessageType::kAppend;
  m.to = to;
  m.index = pr.next() - 1;
  m.log_term = *log_.term(m.index);
  m.entries = log_.Slice(pr.next(), log_.last_index() + 1, config_.append_entries_max,
                         config_.append_bytes_max);
  if (m.entries.empty() && !send_if_empty && pr.state() == Progress::State::kReplicate) return false;
  m.commit = log_.committed();
  const bool has_entries = !m.entries.empty();
  const Index last = has_entries ? m.entries.back().index : m.index;
  std::size_t bytes = 0;
  for (const Entry& e : m.entries) bytes += e.data.size();
  pr.OnSent(last, has_entries, bytes);
  Send(std::move(m));
  return true;
}

void RawNode::BroadcastHeartbeat() {
  const std::uint64_t round = round_next_;
  StartReadRound();
  for (auto& [peer, pr] : progress_) {
    Message m;
    m.type = MessageType::kHeartbeat;
    m.to = peer;
    m.context = round;
    // Never tell a follower to commit past what it is known to hold.
    m.commit = std::min(pr.match(), log_.committed());
    Send(std::move(m));
  }
}

void RawNode::HandleAppend(const Message& m) {
  ResetElectionTimer();
  Message resp;
  resp.type = MessageType::kAppendResponse;
  resp.to = m.from;
  if (m.index < log_.committed()) {
    resp.index = log_.committed();  // already have it all; tell the leader
    Send(std::move(resp));
    return;
  }
  if (m.index < log_.snapshot_index()) {
    resp.index = log_.committed();  // covered by our snapshot
    Send(std::move(resp));
    return;
  }
  if (log_.Matches(m.index, m.log_term)) {
    const Index last_new = m.index + m.entries.size();
    const Index conflict = log_.FindConflict(m.entries);
    if (conflict != 0 && conflict <= log_.committed()) {
      // Only a broken or malicious leader replaces committed entries; refuse
      // rather than lose them (an invariant of ours, not of the sender's).
      return;
    }
    if (conflict != 0) {
      std::vector<Entry> suffix(m.entries.begin() + static_cast<std::ptrdiff_t>(conflict - m.index - 1),
                                m.entries.end());
      log_.TruncateAndAppend(std::move(suffix));
      OnLogTruncated(conflict);
      OnLogAppended(conflict);
    }
    AdvanceCommit(std::min(m.commit, last_new));
    resp.index = last_new;
    Send(std::move(resp));
    return;
  }
  // Mismatch: point the leader at the last entry that could match, skipping
  // every entry of a term newer than the leader's entry at m.index.
  const Index hint = log_.FindConflictByTerm(std::min(m.index, log_.last_index()), m.log_term);
  resp.reject = true;
  resp.index = m.index;
  resp.reject_hint = hint;
  resp.log_term = *log_.term(hint);
  Send(std::move(resp));
}

Status RawNode::HandleAppendResponse(const Message& m) {
  if (m.index > log_.last_index() || m.reject_hint > log_.last_index()) {
    return Status::InvalidArgument("append response beyond the leader's log");
  }
  auto it = progress_.find(m.from);
  if (it == progress_.end()) return Status::Ok();  // no longer a member
  Progress& pr = it->second;
  pr.set_recent_active(true);
  if (m.reject) {
    // Skip back over the follower's conflicting term in one step.
    const Index next_probe = m.log_term > 0 ? log_.FindConflictByTerm(m.reject_hint, m.log_term)
                                            : m.reject_hint;
    if (pr.OnReject(m.index, next_probe)) SendAppend(m.from, true);
    return Status::Ok();
  }
  if (pr.OnAck(m.index) && MaybeCommit()) {
    // Committing our own removal steps us down and drops every Progress,
    // `pr` included: nothing below may run then.
    if (role_ != Role::kLeader) return Status::Ok();
    commit_broadcast_pending_ = true;
  }
  if (m.from == transfer_target_) MaybeSendTimeoutNow(m.from);
  // Keep the pipeline full while the follower is behind.
  while (pr.match() < log_.last_index() && pr.next() <= log_.last_index() &&
         SendAppend(m.from, false)) {
  }
  return Status::Ok();
}

void RawNode::HandleHeartbeat(const Message& m) {
  ResetElectionTimer();
  AdvanceCommit(std::min(m.commit, log_.last_index()));
  Message resp;
  resp.type = MessageType::kHeartbeatResponse;
  resp.to = m.from;
  resp.context = m.context;
  Send(std::move(resp));
}

void RawNode::HandleHeartbeatResponse(const Message& m) {
  auto it = progress_.find(m.from);
  if (it == progress_.end()) return;  // no longer a member
  Progress& pr = it->second;
  pr.set_recent_active(true);
  OnHeartbeatAck(m.from, m.context);
  // A probe may go again; a full window whose Appends were all lost frees a
  // slot, and the next Append's rejection puts the follower back to probing.
  pr.Unpause();
  if (pr.paused()) pr.FreeFirstInflight();
  // Behind: send even an empty Append. If earlier Appends were lost, the
  // follower rejects it and we resume from its real position.
  if (pr.match() < log_.last_index()) SendAppend(m.from, true);
}

bool RawNode::MaybeCommit() {
  std::vector<Index> match;
  match.reserve(membership_.voters.size());
  if (IsVoter(id_)) match.push_back(log_.stable());  // our own log counts once durable
  for (const auto& [peer, pr] : progress_) {
    if (IsVoter(peer)) match.push_back(pr.match());
  }
  const std::size_t q = Quorum();
  std::nth_element(match.begin(), match.begin() + static_cast<std::ptrdiff_t>(q - 1), match.end(),
                   std::greater<>());
  const Index candidate = match[q - 1];
  if (candidate <= log_.committed()) return false;
  // Figure 8: only an entry of the current term is committed by counting.
  if (*log_.term(candidate) != term_ && !config_.bugs.has(Bug::kCommitEarlierTermByCounting)) {
    return false;
  }
  AdvanceCommit(candidate);
  return true;
}

void RawNode::AdvanceCommit(Index to) {
  if (to <= log_.committed()) return;
  log_.CommitTo(to);
  MaybeStepDownAfterRemoval();
  if (role_ == Role::kLeader && !reads_waiting_commit_.empty() && CommittedInCurrentTerm()) {
    std::vector<std::uint64_t> waiting;
    waiting.swap(reads_waiting_commit_);
    for (std::uint64_t id : waiting) (void)ReadIndex(id);
  }
  // Proposals this node made as leader learn their fate even if it has
  // stepped down since: the entry at their index is now final.
  while (!pending_proposals_.empty() && pending_proposals_.front().index <= to) {
    const ProposalId id = pending_proposals_.front();
    pending_proposals_.pop_front();
    // Under a snapshot installed from the leader the entry's term is gone:
    // its fate is unknown here, so no outcome (the client's deadline
    // decides), never a false kDropped.
    if (!log_.term(id.index)) continue;
    const bool same = log_.Matches(id.index, id.term);
    outcomes_.push_back({id, same ? ProposalOutcome::Kind::kCommitted : ProposalOutcome::Kind::kDropped});
  }
}

}  // namespace cairn::raft
