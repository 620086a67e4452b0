#include "raft/bugs.h"
#include "raft/types.h"

namespace cairn::raft {

std::string_view MessageTypeName(MessageType t) {
  switch (t) {
    case MessageType::kPreVote: return "PreVote";
    case MessageType::kPreVoteResponse: return "PreVoteResp";
    case MessageType::kVote: return "Vote";
    case MessageType::kVoteResponse: return "VoteResp";
    case MessageType::kAppend: return "Append";
    case MessageType::kAppendResponse: return "AppendResp";
    case MessageType::kHeartbeat: return "Heartbeat";
    case MessageType::kHeartbeatResponse: return "HeartbeatResp";
    case MessageType::kTimeoutNow: return "TimeoutNow";
    case MessageType::kSnapshot: return "Snapshot";
    case MessageType::kSnapshotResponse: return "SnapshotResp";
  }
  return "Unknown";
}

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kFollower: return "follower";
    case Role::kPreCandidate: return "pre-candidate";
    case Role::kCandidate: return "candidate";
    case Role::kLeader: return "leader";
  }
  return "unknown";
}

std::string_view BugName(Bug b) {
  switch (b) {
    case Bug::kCommitEarlierTermByCounting: return "commit-earlier-term";
    case Bug::kVoteWithoutLogCheck: return "vote-without-log-check";
    case Bug::kForgetVoteOnRestart: return "forget-vote-on-restart";
    case Bug::kApplyBeforeCommit: return "apply-before-commit";
    case Bug::kAcceptStaleTermAppend: return "accept-stale-term-append";
    case Bug::kReadIndexWithoutQuorum: return "read-index-without-quorum";
    case Bug::kConfChangeWithoutSafetyRule: return "conf-change-without-safety-rule";
    case Bug::kInstallOlderSnapshot: return "install-older-snapshot";
    case Bug::kCount: break;
  }
  return "unknown";
}

}  // namespace cairn::raft
