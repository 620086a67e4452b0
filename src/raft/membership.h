#pragma once
// Membership: who votes and who only learns, and the configuration-change
// entries that move between memberships one server at a time.
//
// Cairn uses single-server changes (Raft dissertation, 4.1): each change adds
// or removes one voter, so any majority of the old configuration overlaps
// any majority of the new one. Rules the core enforces (see conf_change.cc):
//   - a node uses the latest configuration in its log, committed or not;
//   - at most one change is uncommitted at a time;
//   - a new leader proposes a change only after an entry of its own term has
//     committed (the fix for the bug found in 2015: without it, a change from
//     a previous term that was never committed can combine with the new one
//     to yield two disjoint majorities).
//
// Thread-safety: values.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "raft/types.h"

namespace cairn::raft {

// Membership itself is declared in types.h.

enum class ConfChangeType : std::uint8_t {
  kAddVoter = 1,    // a new voter, or a learner promoted to voter
  kAddLearner = 2,  // a new non-voting member
  kRemoveNode = 3,  // a voter or learner leaves
};

// Bound on ConfChange::context (it rides in the log and in every Append).
inline constexpr std::size_t kConfChangeContextBytesMax = 4096;

struct ConfChange {
  ConfChangeType type = ConfChangeType::kAddVoter;
  NodeId node = kNoNode;
  // Opaque to the core: the driver's own data about the change (Cairn's
  // node puts the member's addresses here, net/member_info.h). At most
  // kConfChangeContextBytesMax bytes.
  std::string context;
  friend bool operator==(const ConfChange&, const ConfChange&) = default;
};

// Entry payload of a kConfChange entry: version byte, type byte, node id as
// 8 little-endian bytes, then for version 2 the context bytes (the rest of
// the entry). Version 1 (no context) is written when the context is empty,
// so logs written before contexts existed decode unchanged. Decode rejects
// anything else.
std::string EncodeConfChange(const ConfChange& cc);
Result<ConfChange> DecodeConfChange(std::string_view data);

// The membership after `cc`; InvalidArgument if it does not apply (adding a
// member twice, removing a stranger, removing the last voter).
Result<Membership> ApplyConfChange(const Membership& m, const ConfChange& cc);

// OK if `m` is well formed: voters non-empty, both lists sorted and unique,
// disjoint, no id 0. Used on memberships that arrive from the network.
Status ValidateMembership(const Membership& m);

}  // namespace cairn::raft
