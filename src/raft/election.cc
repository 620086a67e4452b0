// Elections: timers, PreVote, votes, role changes, CheckQuorum.

#include <algorithm>

#include "common/assert.h"
#include "raft/raw_node.h"

namespace cairn::raft {

void RawNode::Tick() {
  ++ticks_;
  if (startup_lease_ticks_ > 0) --startup_lease_ticks_;
  if (role_ == Role::kLeader) {
    TickHeartbeat();
  } else {
    TickElection();
  }
}

void RawNode::SkipTicks(std::uint64_t n) {
  ticks_ += n;
  // A transfer's deadline is a promise to the operator, not a judgement of
  // the peers: it passes as it would have (a transfer blocks leases anyway).
  if (transfer_target_ != kNoNode) {
    transfer_elapsed_ticks_ +=
        static_cast<std::uint32_t>(std::min<std::uint64_t>(n, config_.election_timeout_ticks_min));
    if (transfer_elapsed_ticks_ >= config_.election_timeout_ticks_min) AbortTransfer();
  }
  startup_lease_ticks_ -=
      static_cast<std::uint32_t>(std::min<std::uint64_t>(n, startup_lease_ticks_));
}

void RawNode::TickElection() {
  ++election_elapsed_ticks_;
  if (!IsVoter(id_)) {  // learners and removed nodes never campaign
    election_elapsed_ticks_ = 0;
    return;
  }
  if (election_elapsed_ticks_ >= randomized_election_timeout_ticks_) {
    StartCampaign(config_.pre_vote);
  }
}

void RawNode::TickHeartbeat() {
  ++heartbeat_elapsed_ticks_;
  ++election_elapsed_ticks_;
  if (transfer_target_ != kNoNode && ++transfer_elapsed_ticks_ >= config_.election_timeout_ticks_min) {
    AbortTransfer();  // the target did not take over in time
  }
  if (election_elapsed_ticks_ >= config_.election_timeout_ticks_min) {
    election_elapsed_ticks_ = 0;
    if (config_.check_quorum && !CheckQuorumActive()) {
      BecomeFollower(term_, kNoNode);  // lost the quorum: stop serving
      return;
    }
  }
  if (heartbeat_elapsed_ticks_ >= config_.heartbeat_interval_ticks) {
    heartbeat_elapsed_ticks_ = 0;
    BroadcastHeartbeat();
  }
}

void RawNode::ResetElectionTimer() {
  election_elapsed_ticks_ = 0;
  heartbeat_elapsed_ticks_ = 0;
  randomized_election_timeout_ticks_ = static_cast<std::uint32_t>(
      random_.Range(config_.election_timeout_ticks_min, config_.election_timeout_ticks_max));
}

bool RawNode::HeardFromLeaderRecently() const {
  if (startup_lease_ticks_ > 0) return true;  // see read_index.cc: leases survive our restart
  return leader_ != kNoNode && election_elapsed_ticks_ < config_.election_timeout_ticks_min;
}

bool RawNode::CheckQuorumActive() {
  std::size_t active = IsVoter(id_) ? 1 : 0;
  for (auto& [peer, pr] : progress_) {
    if (pr.recent_active() && IsVoter(peer)) ++active;
    pr.set_recent_active(false);
  }
  return active >= Quorum();
}

void RawNode::BecomeFollower(Term term, NodeId leader) {
  CAIRN_CHECK(term >= term_, "term went backwards");
  if (term > term_) {
    term_ = term;
    vote_ = kNoNode;
  }
  if (role_ == Role::kLeader) ResetReads();
  AbortTransfer();
  role_ = Role::kFollower;
  leader_ = leader;
  progress_.clear();
  votes_.clear();
  append_pending_ = false;
  commit_broadcast_pending_ = false;
  ResetElectionTimer();
}

void RawNode::BecomePreCandidate() {
  // Term and vote stay as they are: PreVote changes nothing durable.
  role_ = Role::kPreCandidate;
  leader_ = kNoNode;
  votes_.clear();
  ResetElectionTimer();
}

void RawNode::BecomeCandidate() {
  CAIRN_CHECK(role_ != Role::kLeader);
  ++term_;
  vote_ = id_;
  role_ = Role::kCandidate;
  leader_ = kNoNode;
  votes_.clear();
  ResetElectionTimer();
}

void RawNode::BecomeLeader() {
  CAIRN_CHECK(role_ == Role::kCandidate);
  role_ = Role::kLeader;
  leader_ = id_;
  votes_.clear();
  progress_.clear();
  ResetReads();
  AbortTransfer();
  timeout_now_sent_ = false;
  SyncProgress();
  ResetElectionTimer();
  // An entry of our own term: once it commits, so does every earlier entry
  // (the Figure 8 rule forbids committing those by counting alone).
  Entry noop;
  noop.term = term_;
  noop.index = log_.last_index() + 1;
  noop.type = EntryType::kNoop;
  log_.Append(std::move(noop));
  append_pending_ = true;
}

void RawNode::StartCampaign(bool pre_vote, bool forced) {
  if (role_ == Role::kLeader || !IsVoter(id_)) return;
  if (pre_vote) {
    BecomePreCandidate();
  } else {
    BecomeCandidate();
  }
  votes_[id_] = true;
  if (votes_.size() >= Quorum()) {  // a cluster of one
    if (pre_vote) {
      StartCampaign(false, forced);
    } else {
      BecomeLeader();
    }
    return;
  }
  for (NodeId peer : membership_.voters) {
    if (peer == id_) continue;
    Message m;
    m.type = pre_vote ? MessageType::kPreVote : MessageType::kVote;
    m.to = peer;
    m.term = pre_vote ? term_ + 1 : term_;
    m.index = log_.last_index();
    m.log_term = log_.last_term();
    if (forced) m.context = kForcedCampaign;
    Send(std::move(m));
  }
}

bool RawNode::LogUpToDate(Term last_term, Index last_index) const {
  if (config_.bugs.has(Bug::kVoteWithoutLogCheck)) return true;  // injected bug
  return last_term > log_.last_term() ||
         (last_term == log_.last_term() && last_index >= log_.last_index());
}

void RawNode::HandleVoteRequest(const Message& m) {
  const bool pre = m.type == MessageType::kPreVote;
  // A PreVote is judged as if we were at its term, but is refused while we
  // hear from a live leader (CheckQuorum's lease), so a node that was cut off
  // cannot depose a healthy leader when it returns.
  bool can_vote = vote_ == m.from || (vote_ == kNoNode && leader_ == kNoNode) ||
                  (pre && m.term > term_);
  if (pre && config_.check_quorum && HeardFromLeaderRecently()) can_vote = false;
  const bool grant = can_vote && LogUpToDate(m.log_term, m.index);
  Message resp;
  resp.type = pre ? MessageType::kPreVoteResponse : MessageType::kVoteResponse;
  resp.to = m.from;
  resp.reject = !grant;
  // A granted PreVote answers at the asked term; a refusal at ours.
  resp.term = (pre && grant) ? m.term : term_;
  // A node that has never seen a term (fresh, in its startup window) has
  // nothing to teach the asker, and a term-0 message is malformed on the
  // wire: stay silent and let the asker time out.
  if (resp.term == 0) return;
  if (grant && !pre) {
    vote_ = m.from;
    ResetElectionTimer();
  }
  Send(std::move(resp));
}

void RawNode::HandleVoteResponse(const Message& m) {
  const bool pre = m.type == MessageType::kPreVoteResponse;
  if ((pre && role_ != Role::kPreCandidate) || (!pre && role_ != Role::kCandidate)) return;
  if (pre && m.term != term_ + 1 && !m.reject) return;  // an answer to an older round
  votes_.emplace(m.from, !m.reject);
  std::size_t granted = 0;
  std::size_t rejected = 0;
  for (const auto& [peer, yes] : votes_) {
    if (IsVoter(peer)) (yes ? granted : rejected)++;
  }
  if (granted >= Quorum()) {
    if (pre) {
      StartCampaign(false);
    } else {
      BecomeLeader();
    }
  } else if (rejected >= Quorum()) {
    BecomeFollower(term_, kNoNode);
  }
}

}  // namespace cairn::raft
