#pragma once
// RawNode: a sans-I/O Raft core. It never touches a socket, file, thread or
// clock; a driver feeds it ticks, messages and proposals and carries out the
// Ready batches it returns (see ready.h for the persistence contract).
//
// Use:
//   RawNode node(config, random, restored_state);
//   loop:
//     node.Tick() every tick; node.Step(msg) for each message received;
//     node.Propose(data) for client commands;
//     if (node.HasReady()) { Ready rd = node.GetReady(); carry it out;
//                            node.Advance(rd); }
//   A driver may also take further Readies before Advancing earlier ones,
//   and write them while the first is still being written (ready.h, rule 6).
//
// Thread-safety: none. One thread (or one strand) owns a RawNode.
// Errors: Step() rejects malformed input with InvalidArgument and changes no
// state; stale messages (older terms) are ignored and return OK. Broken
// invariants of the core's own state abort the process (CAIRN_CHECK), in
// release builds too: nothing that arrives from the network can trip one.

#include <deque>
#include <optional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/random.h"
#include "common/status.h"
#include "raft/config.h"
#include "raft/log.h"
#include "raft/membership.h"
#include "raft/progress.h"
#include "raft/ready.h"
#include "raft/types.h"

namespace cairn::raft {

// Durable state a node restarts from (empty for a fresh node).
struct RestoredState {
  HardState hard_state;
  std::vector<Entry> entries;  // the persisted log after the snapshot, in order
  std::optional<SnapshotMeta> snapshot;  // the latest durable snapshot, if any
  Index applied = 0;           // what the state machine durably holds (>= snapshot)
};

class RawNode {
 public:
  // `random` must outlive the node; it only draws election timeouts.
  RawNode(const Config& config, Random& random, RestoredState restored = {});

  // Advances logical time by one tick: elections, heartbeats, quorum checks.
  void Tick();

  // Advances logical time by `n` ticks that the caller could not deliver in
  // time (its loop stalled), for leases and a transfer's deadline only: a
  // leader's lease (LeaseValid) ages by `n` and a transfer out of time is
  // abandoned, but no election, heartbeat or CheckQuorum timer moves. The
  // peers' messages that came during the stall are still unread, so judging
  // the quorum now would depose a healthy leader for its own pause; the next
  // Tick() carries on from where those timers were. Safe for leases, which
  // only compare ticks_.
  void SkipTicks(std::uint64_t n);

  // Handles one message from a peer. InvalidArgument for malformed messages
  // (unknown sender, wrong recipient, oversized batch, inconsistent fields);
  // state is unchanged then.
  Status Step(const Message& m);

  // Appends a command if this node leads. On success the id names the entry;
  // its fate arrives later in Ready::outcomes. Errors:
  //   FailedPrecondition "not leader" (leader() is the hint, kNoNode if none);
  //   ResourceExhausted  too many pending proposals;
  //   InvalidArgument    the entry is larger than entry_bytes_max.
  Result<ProposalId> Propose(std::string data);
  // Proposes many commands as one batch (one Ready, one Append per follower).
  // Returns the id of the last one; the batch is accepted or rejected whole.
  Result<ProposalId> ProposeBatch(std::vector<std::string> data);

  // Linearizable read without a log write (ReadIndex). The leader records its
  // commit index, confirms with one heartbeat round that it still leads (many
  // reads share one round), and then returns ReadState{request_id, index} in
  // a Ready. Errors: FailedPrecondition "not leader" (forward to leader()).
  // A read whose round cannot complete (leadership lost) gets no ReadState;
  // the caller's deadline decides.
  Status ReadIndex(std::uint64_t request_id);
  // Lease read: answered at once while the leader's lease holds (it heard
  // from a quorum less than election_timeout_ticks_min - lease_drift_ticks
  // ago), else falls back to ReadIndex. Correct only while clock drift
  // between nodes stays within the configured bound (docs/raft.md).
  Status LeaseRead(std::uint64_t request_id);
  // The same check without a request: the index a lease read may be served
  // at right now (the commit index) while the lease holds and an entry of
  // this term has committed; nullopt otherwise (use LeaseRead or ReadIndex).
  // Lets a driver answer a lease read without waiting for a Ready.
  std::optional<Index> LeaseReadIndexNow() const;

  // Hands leadership to `target`, a voter: the leader brings its log up to
  // date, then tells it to campaign at once (TimeoutNow). While a transfer
  // is in progress proposals are refused with Unavailable "leadership
  // transfer in progress" and lease reads fall back to ReadIndex (and keep
  // doing so for the rest of the term once TimeoutNow has been sent, even
  // if the transfer is abandoned). A transfer that has not finished within
  // election_timeout_ticks_min is abandoned.
  // Errors: FailedPrecondition if not leader; InvalidArgument for an unknown
  // target or this node itself.
  Status TransferLeadership(NodeId target);
  NodeId transfer_target() const { return transfer_target_; }

  // Proposes a membership change (one server at a time). Errors:
  //   FailedPrecondition not leader;
  //   Unavailable        a change is still uncommitted, the leader has not yet
  //                      committed an entry of its term, a transfer is in
  //                      progress, or a learner to promote is still catching
  //                      up (retry later);
  //   InvalidArgument    the change does not apply to the membership, or its
  //                      context is over kConfChangeContextBytesMax.
  Result<ProposalId> ProposeConfChange(const ConfChange& cc);

  // The state machine was snapshotted at `index` (<= applied): entries up to
  // it are dropped from the log; a follower that needs them is sent the
  // snapshot instead. Errors: InvalidArgument if index is beyond what is
  // applied and durable. Compacting at or below the current snapshot is a
  // no-op.
  Status CompactLog(Index index);
  // The metadata of the latest snapshot (index 0: none).
  SnapshotMeta snapshot() const;
  // The membership in force at `index`: the latest configuration entry at or
  // below it, else the snapshot's. Meaningful for index >= snapshot().index
  // (older configurations are forgotten); the driver saves it with the state
  // machine when it applies a configuration entry.
  Membership MembershipAt(Index index) const;
  // The transport finished (ok) or gave up on (!ok) streaming a snapshot to
  // `peer`. On failure the leader probes again and resends later.
  void ReportSnapshot(NodeId peer, bool ok);

  // Starts an election now (tests; leadership transfer uses TimeoutNow).
  void Campaign();

  bool HasReady() const;
  Ready GetReady();
  void Advance(const Ready& ready);

  NodeId id() const { return id_; }
  Role role() const { return role_; }
  Term term() const { return term_; }
  NodeId leader() const { return leader_; }
  NodeId vote() const { return vote_; }
  HardState hard_state() const { return {term_, vote_, log_.committed()}; }
  const RaftLog& log() const { return log_; }
  const std::vector<NodeId>& voters() const { return membership_.voters; }
  const Membership& membership() const { return membership_; }
  // The leader's view of a follower (nullptr if not leader or unknown id).
  const Progress* progress(NodeId peer) const;

 private:
  // --- election.cc ---
  void TickElection();
  void TickHeartbeat();
  void ResetElectionTimer();
  void BecomeFollower(Term term, NodeId leader);
  void BecomePreCandidate();
  void BecomeCandidate();
  void BecomeLeader();
  void StartCampaign(bool pre_vote, bool forced = false);
  void HandleVoteRequest(const Message& m);
  void HandleVoteResponse(const Message& m);
  bool LogUpToDate(Term last_term, Index last_index) const;
  bool HeardFromLeaderRecently() const;
  bool CheckQuorumActive();

  // --- replication.cc ---
  void AppendToLog(std::vector<Entry> entries);  // leader: assign terms/indexes
  void BroadcastHeartbeat();
  bool SendAppend(NodeId to, bool send_if_empty);
  void SendHeartbeat(NodeId to);
  void HandleAppend(const Message& m);
  Status HandleAppendResponse(const Message& m);
  void HandleHeartbeat(const Message& m);
  void HandleHeartbeatResponse(const Message& m);
  bool MaybeCommit();
  void AdvanceCommit(Index to);  // commits and records proposal outcomes
  void FlushBroadcasts();         // sends Appends deferred to GetReady()

  // --- conf_change.cc ---
  void OnLogAppended(Index from);  // tracks conf entries in [from, last]
  void OnLogTruncated(Index from);                        // entries >= from gone
  void SetMembership(const Membership& m);
  void SyncProgress();                // leader: one Progress per other member
  void MaybeStepDownAfterRemoval();  // leader removed by a committed change
  Index last_conf_index() const { return conf_history_.empty() ? 0 : conf_history_.back().first; }

  // --- snapshot.cc ---
  void SendSnapshot(NodeId to);
  void HandleSnapshot(const Message& m);

  // --- transfer.cc ---
  void MaybeSendTimeoutNow(NodeId peer);
  void AbortTransfer() { transfer_target_ = kNoNode; transfer_elapsed_ticks_ = 0; }

  // --- read_index.cc ---
  struct PendingRead {
    std::uint64_t request_id;
    Index index;         // commit index when the read arrived
    std::uint64_t round; // heartbeat round that must confirm leadership
  };
  bool CommittedInCurrentTerm() const;
  void StartReadRound();  // queues reads and heartbeats for the next Ready
  void OnHeartbeatAck(NodeId from, std::uint64_t round);
  void ReleaseConfirmedReads();
  bool LeaseValid() const;
  // Reads wait for a round and none is unanswered (read_index.cc).
  bool ReadRoundDue() const;
  void ResetReads();

  // --- raw_node.cc ---
  Status Validate(const Message& m) const;
  Status StepStale(const Message& m);  // a message from an older term
  void Send(Message m);
  bool IsVoter(NodeId id) const { return membership_.IsVoter(id); }
  std::size_t Quorum() const { return membership_.Quorum(); }

  // Constant after construction.
  const NodeId id_;
  const Config config_;
  Random& random_;

  // Durable state (mirrored to HardState).
  Term term_ = 0;
  NodeId vote_ = kNoNode;
  RaftLog log_;

  // Volatile state.
  Role role_ = Role::kFollower;
  NodeId leader_ = kNoNode;
  // The latest configuration in the log (committed or not) is in force.
  // conf_history_ lists the log's configuration entries, so truncating the
  // log can restore the configuration that preceded them.
  Membership base_membership_;                         // before any entry
  std::vector<std::pair<Index, Membership>> conf_history_;
  Membership membership_;
  std::unordered_map<NodeId, Progress> progress_;     // leader only, excludes id_
  std::unordered_map<NodeId, bool> votes_;            // candidate only
  std::uint32_t election_elapsed_ticks_ = 0;
  std::uint32_t heartbeat_elapsed_ticks_ = 0;
  std::uint32_t randomized_election_timeout_ticks_ = 0;
  std::deque<ProposalId> pending_proposals_;          // leader's, in index order
  NodeId transfer_target_ = kNoNode;                  // leader: transfer in progress
  std::uint32_t transfer_elapsed_ticks_ = 0;
  // TimeoutNow left in this term: the target may win a forced election
  // (votes that ignore the lease) at any time, so no lease reads until
  // this node leads again in a new term.
  bool timeout_now_sent_ = false;

  // Output accumulated for the next Ready.
  std::vector<Message> msgs_;
  std::vector<Message> msgs_after_persist_;
  std::vector<ProposalOutcome> outcomes_;
  SoftState last_soft_state_;
  HardState last_hard_state_;
  // Readies handed out and not yet Advanced (pipelining, ready.h rule 6).
  std::size_t readies_in_flight_ = 0;
  bool snapshot_in_flight_ = false;  // the oldest one in flight installs a snapshot
  // A snapshot Ready is handed out only when none is in flight, and none
  // after it until it is Advanced: installing one resets the durable log.
  bool SnapshotBlocksReady() const {
    return readies_in_flight_ > 0 && (snapshot_in_flight_ || pending_snapshot_.has_value());
  }
  // Proposals and commit advances are broadcast once per Ready, so a burst
  // of proposals leaves as one Append per follower.
  bool append_pending_ = false;
  bool commit_broadcast_pending_ = false;

  // ReadIndex and lease state (leader only). Every heartbeat broadcast is a
  // numbered round; a quorum acknowledging round r proves leadership at the
  // tick round r was sent, which confirms every read queued before it.
  std::uint64_t ticks_ = 0;                        // local ticks since start
  std::uint32_t startup_lease_ticks_ = 0;          // refuse votes right after start
  std::uint64_t round_next_ = 1;                   // id of the next heartbeat round
  std::uint64_t round_confirmed_ = 0;              // highest round a quorum acked
  std::uint64_t round_confirmed_tick_ = 0;         // when that round was sent
  bool round_pending_ = false;                     // reads wait for a new round
  std::uint64_t round_last_sent_ = 0;              // this leadership's latest round (0: none)
  std::deque<std::pair<std::uint64_t, std::uint64_t>> round_sent_ticks_;  // (round, tick)
  std::unordered_map<NodeId, std::uint64_t> acked_round_;  // per peer
  std::deque<PendingRead> reads_;                  // in round order
  std::vector<std::uint64_t> reads_waiting_commit_;  // before our term's first commit
  std::vector<ReadState> read_states_;
  std::optional<SnapshotMeta> pending_snapshot_;  // to hand out in the next Ready
};

}  // namespace cairn::raft
