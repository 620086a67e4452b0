#pragma once
// ClusterRecord: the cluster's membership and how to reach each member, as
// the node saves it beside its state machine (storage::KvStore's cluster
// slot, written in the same RocksDB batch as the applied index of the
// configuration entry that produced it). It therefore survives log
// compaction and travels inside every snapshot (a RocksDB checkpoint): a
// node that restarts from its state machine, or installs a snapshot, learns
// the members and their addresses from it instead of from a log that no
// longer holds the configuration entries.
//
//   record  = u8 version (1) | u32 n voters | u64 id... | u32 n learners |
//             u64 id... | u32 n members | (u64 id | bytes MemberInfo)...
//
// Decode validates the membership (raft::ValidateMembership), every member
// info (DecodeMemberInfo), that addresses are listed in ascending id order
// without repeats, and rejects trailing bytes: any input yields a record or
// InvalidArgument (fuzz/net/cluster_record_fuzz). Encode of a decoded record
// gives back the same bytes.
//
// Thread-safety: pure functions over values.

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "net/member_info.h"
#include "raft/types.h"

namespace cairn::net {

// Bound on the members a record lists (far above any real cluster; it keeps
// a corrupt count from reserving memory).
inline constexpr std::uint32_t kClusterRecordMembersMax = 1024;

struct ClusterRecord {
  raft::Membership membership;
  // Addresses of members (and possibly of this node); a member without an
  // entry is reached once it dials in.
  std::map<raft::NodeId, MemberInfo> addresses;
  friend bool operator==(const ClusterRecord&, const ClusterRecord&) = default;
};

std::string EncodeClusterRecord(const ClusterRecord& record);
Result<ClusterRecord> DecodeClusterRecord(std::string_view data);

}  // namespace cairn::net
