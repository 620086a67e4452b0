#pragma once
// Raft's value types: identifiers, log entries, hard state, messages.
//
// These are plain values shared by the core, the storage layer (which makes
// Entry and HardState durable), the peer transport (which encodes Message)
// and the simulator. Nothing here does I/O.

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::raft {

using NodeId = std::uint64_t;  // 0 means "none"
using Term = std::uint64_t;
using Index = std::uint64_t;  // log positions start at 1; 0 is "before the log"

inline constexpr NodeId kNoNode = 0;

enum class EntryType : std::uint8_t {
  kNormal = 0,      // an application command
  kNoop = 1,        // appended by a new leader to commit entries of earlier terms
  kConfChange = 2,  // a membership change (issue 3)
};

// An entry's bytes, immutable and shared: one entry is handed to the disk
// writer, to every follower's Append and to the state machine, and copying
// an Entry copies a pointer, not the bytes. Reads see a string_view.
// Thread-safety: the bytes never change after construction, so copies may
// be used on different threads (the reference count is atomic).
class Payload {
 public:
  Payload() = default;
  Payload(std::string bytes)  // NOLINT: implicit, a Payload stands for its bytes
      : bytes_(bytes.empty() ? nullptr : std::make_shared<const std::string>(std::move(bytes))) {}
  Payload(std::string_view bytes) : Payload(std::string(bytes)) {}  // NOLINT
  Payload(const char* bytes) : Payload(std::string(bytes)) {}       // NOLINT

  std::string_view view() const { return bytes_ ? std::string_view(*bytes_) : std::string_view(); }
  operator std::string_view() const { return view(); }  // NOLINT
  std::string str() const { return std::string(view()); }
  const char* data() const { return view().data(); }
  std::size_t size() const { return bytes_ ? bytes_->size() : 0; }
  bool empty() const { return size() == 0; }

  friend bool operator==(const Payload& a, const Payload& b) { return a.view() == b.view(); }
  friend bool operator==(const Payload& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const Payload& a, const std::string& b) { return a.view() == b; }
  friend bool operator==(const Payload& a, const char* b) { return a.view() == b; }

 private:
  std::shared_ptr<const std::string> bytes_;  // null for no bytes
};
inline std::ostream& operator<<(std::ostream& os, const Payload& p) { return os << p.view(); }

struct Entry {
  Term term = 0;
  Index index = 0;
  EntryType type = EntryType::kNormal;
  Payload data;

  friend bool operator==(const Entry&, const Entry&) = default;
};

// What must survive a crash, written before any message that depends on it.
// `commit` may lag (it can be recomputed), but term and vote may not.
struct HardState {
  Term term = 0;
  NodeId vote = kNoNode;
  Index commit = 0;

  friend bool operator==(const HardState&, const HardState&) = default;
};

// Who votes and who only learns (membership.h has the rules for changing it).
struct Membership {
  std::vector<NodeId> voters;    // sorted, unique
  std::vector<NodeId> learners;  // sorted, unique, disjoint from voters

  bool IsVoter(NodeId id) const;
  bool IsLearner(NodeId id) const;
  bool Contains(NodeId id) const { return IsVoter(id) || IsLearner(id); }
  std::size_t Quorum() const { return voters.size() / 2 + 1; }
  friend bool operator==(const Membership&, const Membership&) = default;
};

// What a state-machine snapshot covers: every entry up to `index` (whose
// term is `term`), and the membership in force at that index. The snapshot's
// bytes never pass through the core: the driver stores them and its
// transport streams them to followers in checksummed chunks.
struct SnapshotMeta {
  Index index = 0;
  Term term = 0;
  Membership membership;
  friend bool operator==(const SnapshotMeta&, const SnapshotMeta&) = default;
};

enum class MessageType : std::uint8_t {
  kPreVote = 0,        // "would you vote for me at term+1?" (changes nobody's term)
  kPreVoteResponse,
  kVote,               // RequestVote
  kVoteResponse,
  kAppend,             // AppendEntries with entries (or an empty probe)
  kAppendResponse,
  kHeartbeat,          // leader liveness + commit; carries a ReadIndex context
  kHeartbeatResponse,
  kTimeoutNow,         // leadership transfer: campaign now (issue 3)
  kSnapshot,           // InstallSnapshot chunk (issue 3)
  kSnapshotResponse,
};
inline constexpr int kMessageTypeCount = 11;
std::string_view MessageTypeName(MessageType t);

// One struct for every message, as in etcd's raftpb.Message: fields that a
// type does not use stay zero. Field use per type:
//   PreVote/Vote:       term (for PreVote: the term the sender would take),
//                       log_term/index = sender's last entry.
//   *VoteResponse:      term, reject.
//   Append:             log_term/index = entry before `entries` (prev),
//                       entries, commit.
//   AppendResponse:     index = last index now matching the leader (accepted),
//                       or on reject: index = the rejected prev index,
//                       reject_hint = last index the follower could match,
//                       log_term = term of the follower's entry at reject_hint
//                       (fast backtracking by conflict term).
//   Vote:               context = kForcedCampaign when a leadership
//                       transfer asked for it (skips the leader lease).
//   Heartbeat:          commit (capped at what the follower is known to have),
//                       context (ReadIndex round id, 0 if none).
//   HeartbeatResponse:  context echoed.
//   Snapshot:           snapshot = the metadata of the snapshot whose bytes
//                       the transport delivered before this message;
//                       commit. The follower answers with an AppendResponse.
inline constexpr std::uint64_t kForcedCampaign = 1;

struct Message {
  MessageType type = MessageType::kAppend;
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  Term term = 0;
  Term log_term = 0;
  Index index = 0;
  Index commit = 0;
  bool reject = false;
  Index reject_hint = 0;
  std::uint64_t context = 0;
  std::vector<Entry> entries;
  SnapshotMeta snapshot;

  friend bool operator==(const Message&, const Message&) = default;
};

enum class Role : std::uint8_t { kFollower, kPreCandidate, kCandidate, kLeader };
std::string_view RoleName(Role r);

// Identifies one proposal: the (term, index) its entry was given.
struct ProposalId {
  Term term = 0;
  Index index = 0;
  friend bool operator==(const ProposalId&, const ProposalId&) = default;
};

// The fate of a proposal this node accepted as leader.
//   kCommitted: the entry is committed at `id.index`; it will be applied.
//   kDropped:   a different entry was committed at `id.index`; the proposal
//               will never take effect (safe to retry).
// A proposal whose fate is unknown (this node lost contact) gets no outcome;
// the caller's deadline decides (the write is then indeterminate).
struct ProposalOutcome {
  ProposalId id;
  enum class Kind : std::uint8_t { kCommitted, kDropped } kind = Kind::kCommitted;
};

}  // namespace cairn::raft
