// RawNode: construction, the public entry points, Ready bookkeeping and
// validation of inbound messages. Elections live in election.cc, log
// replication and commitment in replication.cc.

#include "raft/raw_node.h"

#include <algorithm>
#include <string>

#include "common/assert.h"

namespace cairn::raft {
namespace {

// Validates a restored log before RaftLog takes it, so corrupt durable state
// is a crash with a message rather than a silently wrong log.
void CheckRestored(const RestoredState& r) {
  const Index base = r.snapshot ? r.snapshot->index : 0;
  for (std::size_t k = 0; k < r.entries.size(); ++k) {
    CAIRN_CHECK(r.entries[k].index == base + k + 1, "restored log is not contiguous");
    CAIRN_CHECK(r.entries[k].term <= r.hard_state.term, "restored entry from a future term");
    if (k > 0) CAIRN_CHECK(r.entries[k].term >= r.entries[k - 1].term, "restored terms decrease");
  }
}

std::vector<NodeId> SortedUnique(std::vector<NodeId> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace

RawNode::RawNode(const Config& config, Random& random, RestoredState restored)
    : id_(config.id),
      config_(config),
      random_(random),
      log_((CheckRestored(restored), restored.snapshot ? restored.snapshot->index : 0),
           restored.snapshot ? restored.snapshot->term : 0, std::move(restored.entries),
           restored.hard_state.commit, restored.applied) {
  CAIRN_CHECK(id_ != kNoNode, "node id 0 is reserved");
  CAIRN_CHECK(config_.election_timeout_ticks_min > config_.heartbeat_interval_ticks);
  CAIRN_CHECK(config_.election_timeout_ticks_max >= config_.election_timeout_ticks_min);
  CAIRN_CHECK(config_.inflight_appends_max > 0);
  CAIRN_CHECK(config_.lease_drift_ticks < config_.election_timeout_ticks_min);
  if (restored.snapshot) {
    base_membership_ = restored.snapshot->membership;
  } else {
    base_membership_.voters = SortedUnique(config_.voters);
  }
  CAIRN_CHECK(ValidateMembership(base_membership_).ok(), "bad initial membership");
  membership_ = base_membership_;
  term_ = restored.hard_state.term;
  vote_ = restored.hard_state.vote;
  if (config_.bugs.has(Bug::kForgetVoteOnRestart)) vote_ = kNoNode;  // injected bug
  last_hard_state_ = hard_state();
  last_soft_state_ = {leader_, role_};
  OnLogAppended(log_.first_index());
  if (config_.check_quorum) startup_lease_ticks_ = config_.election_timeout_ticks_min;
  ResetElectionTimer();
}

const Progress* RawNode::progress(NodeId peer) const {
  auto it = progress_.find(peer);
  return it == progress_.end() ? nullptr : &it->second;
}

void RawNode::Send(Message m) {
  m.from = id_;
  if (m.term == 0) m.term = term_;
  // Everything that promises durable state waits for the write (ready.h).
  switch (m.type) {
    case MessageType::kAppend:
    case MessageType::kHeartbeat:
    case MessageType::kHeartbeatResponse:
    case MessageType::kPreVote:
    case MessageType::kTimeoutNow:
    case MessageType::kSnapshot:
      msgs_.push_back(std::move(m));
      break;
    default:
      msgs_after_persist_.push_back(std::move(m));
      break;
  }
}

Status RawNode::Validate(const Message& m) const {
  if (static_cast<int>(m.type) >= kMessageTypeCount) return Status::InvalidArgument("unknown message type");
  if (m.to != id_) return Status::InvalidArgument("message addressed to another node");
  if (m.from == id_ || m.from == kNoNode) return Status::InvalidArgument("bad sender");
  // A leader we do not know yet may be one whose joining is not in our log
  // yet; anything else from a stranger (a removed node, say) is refused.
  const bool from_leader = m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat ||
                           m.type == MessageType::kSnapshot || m.type == MessageType::kTimeoutNow;
  if (!membership_.Contains(m.from) && !from_leader) {
    return Status::InvalidArgument("message from an unknown node");
  }
  if (m.term == 0) return Status::InvalidArgument("message without a term");
  if (m.type == MessageType::kSnapshot) {
    if (m.snapshot.index == 0 || m.snapshot.term == 0 || m.snapshot.term > m.term) {
      return Status::InvalidArgument("malformed snapshot metadata");
    }
    CAIRN_RETURN_IF_ERROR(ValidateMembership(m.snapshot.membership));
  }
  if (m.entries.empty()) return Status::Ok();
  if (m.type != MessageType::kAppend) return Status::InvalidArgument("entries on a non-Append message");
  if (m.entries.size() > config_.inbound_entries_max) return Status::InvalidArgument("oversized batch");
  std::size_t bytes = 0;
  Term prev_term = m.log_term;
  for (std::size_t k = 0; k < m.entries.size(); ++k) {
    const Entry& e = m.entries[k];
    if (e.index != m.index + 1 + k) return Status::InvalidArgument("entries not contiguous");
    if (e.term < prev_term || e.term > m.term) return Status::InvalidArgument("entry terms out of order");
    if (static_cast<int>(e.type) > static_cast<int>(EntryType::kConfChange)) {
      return Status::InvalidArgument("unknown entry type");
    }
    if (e.type == EntryType::kConfChange && !DecodeConfChange(e.data).ok()) {
      return Status::InvalidArgument("malformed configuration entry");
    }
    bytes += e.data.size();
    prev_term = e.term;
  }
  if (bytes > config_.inbound_bytes_max) return Status::InvalidArgument("oversized batch");
  return Status::Ok();
}

Status RawNode::Step(const Message& m) {
  CAIRN_RETURN_IF_ERROR(Validate(m));
  if (m.term > term_) {
    if (m.type == MessageType::kPreVote) {
      // Never changes our term; answered below.
    } else if (m.type == MessageType::kPreVoteResponse && !m.reject) {
      // A grant carries the term we would take; not a newer leader's term.
    } else if (m.type == MessageType::kVote && m.context != kForcedCampaign && config_.check_quorum &&
               HeardFromLeaderRecently()) {
      return Status::Ok();  // a live leader holds a lease on our vote
    } else {
      const bool from_leader = m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat ||
                               m.type == MessageType::kSnapshot;
      BecomeFollower(m.term, from_leader ? m.from : kNoNode);
    }
  } else if (m.term < term_) {
    return StepStale(m);
  }

  switch (m.type) {
    case MessageType::kPreVote:
    case MessageType::kVote:
      HandleVoteRequest(m);
      break;
    case MessageType::kPreVoteResponse:
    case MessageType::kVoteResponse:
      HandleVoteResponse(m);
      break;
    case MessageType::kAppend:
      if (role_ != Role::kLeader) {
        BecomeFollower(term_, m.from);
        HandleAppend(m);
      }
      break;
    case MessageType::kHeartbeat:
      if (role_ != Role::kLeader) {
        BecomeFollower(term_, m.from);
        HandleHeartbeat(m);
      }
      break;
    case MessageType::kAppendResponse:
      if (role_ == Role::kLeader) return HandleAppendResponse(m);
      break;
    case MessageType::kHeartbeatResponse:
      if (role_ == Role::kLeader) HandleHeartbeatResponse(m);
      break;
    case MessageType::kTimeoutNow:
      // Campaign at once, skipping PreVote: the leader asked us to.
      if (role_ != Role::kLeader) StartCampaign(false, true);
      break;
    case MessageType::kSnapshot:
      if (role_ != Role::kLeader) {
        BecomeFollower(term_, m.from);
        HandleSnapshot(m);
      }
      break;
    case MessageType::kSnapshotResponse:
      return Status::InvalidArgument("snapshots are acknowledged with AppendResponse");
  }
  return Status::Ok();
}

Status RawNode::StepStale(const Message& m) {
  if (config_.bugs.has(Bug::kAcceptStaleTermAppend) && m.type == MessageType::kAppend &&
      role_ != Role::kLeader) {
    HandleAppend(m);  // injected bug: a deposed leader's entries are taken
    return Status::Ok();
  }
  if ((config_.check_quorum || config_.pre_vote) &&
      (m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat)) {
    // A deposed leader learns our term and steps down; without this, a
    // node whose term ran ahead (it campaigned in a partition) while a
    // leader kept its lease could leave that leader unaware forever.
    Message resp;
    resp.type = MessageType::kAppendResponse;
    resp.to = m.from;
    Send(std::move(resp));
  } else if (m.type == MessageType::kPreVote) {
    Message resp;
    resp.type = MessageType::kPreVoteResponse;
    resp.to = m.from;
    resp.reject = true;
    Send(std::move(resp));
  }
  return Status::Ok();  // stale: ignored
}

Result<ProposalId> RawNode::Propose(std::string data) {
  std::vector<std::string> batch;
  batch.push_back(std::move(data));
  return ProposeBatch(std::move(batch));
}

Result<ProposalId> RawNode::ProposeBatch(std::vector<std::string> data) {
  if (role_ != Role::kLeader) {
    return Status::FailedPrecondition(leader_ == kNoNode
                                          ? std::string("not leader; no leader known")
                                          : "not leader; leader is " + std::to_string(leader_));
  }
  if (data.empty()) return Status::InvalidArgument("empty proposal batch");
  if (transfer_target_ != kNoNode) return Status::Unavailable("leadership transfer in progress");
  if (pending_proposals_.size() + data.size() > config_.pending_proposals_max) {
    return Status::ResourceExhausted("too many pending proposals");
  }
  for (const auto& d : data) {
    if (d.size() > config_.entry_bytes_max) return Status::InvalidArgument("entry too large");
  }
  for (auto& d : data) {
    Entry e;
    e.term = term_;
    e.index = log_.last_index() + 1;
    e.data = std::move(d);
    pending_proposals_.push_back({e.term, e.index});
    log_.Append(std::move(e));
  }
  append_pending_ = true;
  return ProposalId{term_, log_.last_index()};
}

void RawNode::Campaign() { StartCampaign(config_.pre_vote); }

bool RawNode::HasReady() const {
  if (SnapshotBlocksReady()) return false;
  return SoftState{leader_, role_} != last_soft_state_ || hard_state() != last_hard_state_ ||
         pending_snapshot_.has_value() || log_.HasUnstable() || !msgs_.empty() ||
         !msgs_after_persist_.empty() ||
         log_.HasToApply(config_.bugs.has(Bug::kApplyBeforeCommit)) || !outcomes_.empty() ||
         !read_states_.empty() ||
         (role_ == Role::kLeader &&
          (append_pending_ || commit_broadcast_pending_ || ReadRoundDue()));
}

Ready RawNode::GetReady() {
  CAIRN_CHECK(!SnapshotBlocksReady(), "GetReady() with a snapshot in flight or pending");
  FlushBroadcasts();
  Ready rd;
  SoftState ss{leader_, role_};
  if (ss != last_soft_state_) rd.soft_state = last_soft_state_ = ss;
  HardState hs = hard_state();
  if (hs != last_hard_state_) {
    rd.must_sync = hs.term != last_hard_state_.term || hs.vote != last_hard_state_.vote;
    rd.hard_state = last_hard_state_ = hs;
  }
  rd.snapshot = std::move(pending_snapshot_);
  pending_snapshot_.reset();
  rd.entries = log_.TakeUnstable();
  rd.must_sync = rd.must_sync || !rd.entries.empty() || rd.snapshot.has_value();
  rd.messages = std::move(msgs_);
  rd.messages_after_persist = std::move(msgs_after_persist_);
  msgs_.clear();
  msgs_after_persist_.clear();
  rd.committed_entries = log_.TakeToApply(config_.bugs.has(Bug::kApplyBeforeCommit));
  rd.outcomes = std::move(outcomes_);
  outcomes_.clear();
  rd.read_states = std::move(read_states_);
  read_states_.clear();
  ++readies_in_flight_;
  snapshot_in_flight_ = rd.snapshot.has_value();
  return rd;
}

void RawNode::Advance(const Ready& ready) {
  CAIRN_CHECK(readies_in_flight_ > 0, "Advance() without GetReady()");
  --readies_in_flight_;
  if (ready.snapshot) snapshot_in_flight_ = false;
  if (ready.entries.empty()) return;  // (a snapshot is durable from RestoreSnapshot on)
  const Entry& last = ready.entries.back();
  log_.StableTo(last.index, last.term);
  // The leader's own log counts toward a quorum only once durable.
  if (role_ == Role::kLeader && MaybeCommit()) commit_broadcast_pending_ = true;
}

}  // namespace cairn::raft
