// Leadership transfer: the leader catches the target up, then sends
// TimeoutNow; the target campaigns without PreVote and its votes skip the
// leader lease (Message::context = kForcedCampaign). The old leader steps
// down when it sees the new term.

#include "raft/raw_node.h"

namespace cairn::raft {

Status RawNode::TransferLeadership(NodeId target) {
  if (role_ != Role::kLeader) return Status::FailedPrecondition("not leader");
  if (target == id_) return Status::InvalidArgument("already leader");
  if (!IsVoter(target)) return Status::InvalidArgument("transfer target is not a voter");
  transfer_target_ = target;
  transfer_elapsed_ticks_ = 0;
  MaybeSendTimeoutNow(target);
  if (transfer_target_ != kNoNode) SendAppend(target, false);  // catch it up first
  return Status::Ok();
}

void RawNode::MaybeSendTimeoutNow(NodeId peer) {
  if (transfer_target_ != peer) return;
  const Progress& pr = progress_.at(peer);
  if (pr.match() != log_.last_index()) return;
  Message m;
  m.type = MessageType::kTimeoutNow;
  m.to = peer;
  timeout_now_sent_ = true;
  Send(std::move(m));
}

}  // namespace cairn::raft
