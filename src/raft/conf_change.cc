// Membership changes: one server at a time, in force from the moment the
// entry is in the log (see membership.h for the safety rules).

#include "common/assert.h"
#include "raft/raw_node.h"

namespace cairn::raft {

Result<ProposalId> RawNode::ProposeConfChange(const ConfChange& cc) {
  if (role_ != Role::kLeader) return Status::FailedPrecondition("not leader");
  if (transfer_target_ != kNoNode) return Status::Unavailable("leadership transfer in progress");
  const bool unsafe = config_.bugs.has(Bug::kConfChangeWithoutSafetyRule);
  if (!unsafe && !CommittedInCurrentTerm()) {
    return Status::Unavailable("leader has not committed an entry of its term yet");
  }
  if (!unsafe && last_conf_index() > log_.committed()) {
    return Status::Unavailable("a configuration change is in progress");
  }
  if (cc.context.size() > kConfChangeContextBytesMax) {
    return Status::InvalidArgument("conf change context too large");
  }
  CAIRN_ASSIGN_OR_RETURN(Membership next, ApplyConfChange(membership_, cc));
  if (cc.type == ConfChangeType::kAddVoter && membership_.IsLearner(cc.node)) {
    // A learner votes only once it holds everything committed so far, so
    // that promoting it cannot stall commits while it catches up.
    auto it = progress_.find(cc.node);
    if (it == progress_.end() || it->second.match() < log_.committed()) {
      return Status::Unavailable("learner is still catching up");
    }
  }
  if (pending_proposals_.size() >= config_.pending_proposals_max) {
    return Status::ResourceExhausted("too many pending proposals");
  }
  Entry e;
  e.term = term_;
  e.index = log_.last_index() + 1;
  e.type = EntryType::kConfChange;
  e.data = EncodeConfChange(cc);
  pending_proposals_.push_back({e.term, e.index});
  log_.Append(std::move(e));
  OnLogAppended(log_.last_index());
  append_pending_ = true;
  return ProposalId{term_, log_.last_index()};
}

void RawNode::OnLogAppended(Index from) {
  bool changed = false;
  for (Index i = from; i <= log_.last_index(); ++i) {
    const Entry& e = log_.at(i);
    if (e.type != EntryType::kConfChange) continue;
    auto cc = DecodeConfChange(e.data);
    // Validate() refused malformed configuration entries from the network;
    // one in our own durable log means the log is corrupt.
    CAIRN_CHECK(cc.ok(), "malformed configuration entry in the log");
    auto next = ApplyConfChange(membership_, *cc);
    // A change that does not apply (e.g. a duplicate the leader validated
    // against a different log) is kept in the log but changes nothing.
    conf_history_.push_back({i, next.ok() ? *next : membership_});
    membership_ = conf_history_.back().second;
    changed = true;
  }
  if (changed) SetMembership(membership_);
}

void RawNode::OnLogTruncated(Index from) {
  bool changed = false;
  while (!conf_history_.empty() && conf_history_.back().first >= from) {
    conf_history_.pop_back();
    changed = true;
  }
  if (changed) SetMembership(conf_history_.empty() ? base_membership_ : conf_history_.back().second);
}

void RawNode::SetMembership(const Membership& m) {
  membership_ = m;
  if (role_ == Role::kLeader) SyncProgress();
  if (transfer_target_ != kNoNode && !IsVoter(transfer_target_)) AbortTransfer();
}

void RawNode::SyncProgress() {
  for (auto it = progress_.begin(); it != progress_.end();) {
    it = membership_.Contains(it->first) ? std::next(it) : progress_.erase(it);
  }
  auto add = [&](NodeId peer) {
    if (peer != id_ && !progress_.count(peer)) {
      progress_.emplace(peer, Progress(log_.last_index() + 1, config_.inflight_appends_max,
                                       config_.inflight_bytes_max));
    }
  };
  for (NodeId peer : membership_.voters) add(peer);
  for (NodeId peer : membership_.learners) add(peer);
}

void RawNode::MaybeStepDownAfterRemoval() {
  if (role_ != Role::kLeader || IsVoter(id_) || last_conf_index() > log_.committed()) return;
  // Our removal is committed. Hand over to the most caught-up voter so the
  // cluster need not wait out an election timeout, then stop leading.
  NodeId best = kNoNode;
  Index best_match = 0;
  for (const auto& [peer, pr] : progress_) {
    if (IsVoter(peer) && pr.match() > best_match) {
      best = peer;
      best_match = pr.match();
    }
  }
  if (best != kNoNode && best_match == log_.last_index()) {
    Message m;
    m.type = MessageType::kTimeoutNow;
    m.to = best;
    Send(std::move(m));
  }
  BecomeFollower(term_, kNoNode);
}

}  // namespace cairn::raft
