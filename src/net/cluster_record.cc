#include "net/cluster_record.h"

#include <string>

#include "net/raft_codec.h"
#include "raft/membership.h"

namespace cairn::net {
namespace {

void WriteIds(ByteWriter* w, const std::vector<raft::NodeId>& ids) {
  w->U32(static_cast<std::uint32_t>(ids.size()));
  for (raft::NodeId id : ids) w->U64(id);
}

bool ReadIds(ByteReader* r, std::vector<raft::NodeId>* ids) {
  std::uint32_t n = 0;
  if (!r->U32(&n) || n > kClusterRecordMembersMax) return false;
  ids->reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint64_t id = 0;
    if (!r->U64(&id)) return false;
    ids->push_back(id);
  }
  return true;
}

}  // namespace

std::string EncodeClusterRecord(const ClusterRecord& record) {
  std::string out;
  ByteWriter w(&out);
  w.U8(1);
  WriteIds(&w, record.membership.voters);
  WriteIds(&w, record.membership.learners);
  w.U32(static_cast<std::uint32_t>(record.addresses.size()));
  for (const auto& [id, info] : record.addresses) {
    w.U64(id);
    w.Bytes(EncodeMemberInfo(info));
  }
  return out;
}

Result<ClusterRecord> DecodeClusterRecord(std::string_view data) {
  ByteReader r(data);
  std::uint8_t version = 0;
  if (!r.U8(&version)) return Status::InvalidArgument("cluster record: empty");
  if (version != 1) return Status::InvalidArgument("cluster record: unknown version");
  ClusterRecord out;
  if (!ReadIds(&r, &out.membership.voters) || !ReadIds(&r, &out.membership.learners)) {
    return Status::InvalidArgument("cluster record: truncated or oversized member list");
  }
  if (Status s = raft::ValidateMembership(out.membership); !s.ok()) {
    return Status::InvalidArgument("cluster record: " + std::string(s.message()));
  }
  std::uint32_t n = 0;
  if (!r.U32(&n) || n > kClusterRecordMembersMax) {
    return Status::InvalidArgument("cluster record: truncated or oversized address list");
  }
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint64_t id = 0;
    std::string_view info_bytes;
    if (!r.U64(&id) || !r.Bytes(&info_bytes)) return Status::InvalidArgument("cluster record: truncated");
    if (id == raft::kNoNode) return Status::InvalidArgument("cluster record: node id 0");
    if (!out.addresses.empty() && id <= out.addresses.rbegin()->first) {
      return Status::InvalidArgument("cluster record: addresses out of order");
    }
    auto info = DecodeMemberInfo(info_bytes);
    if (!info.ok()) return Status::InvalidArgument("cluster record: " + std::string(info.status().message()));
    out.addresses.emplace(id, std::move(*info));
  }
  if (r.remaining() != 0) return Status::InvalidArgument("cluster record: trailing bytes");
  return out;
}

}  // namespace cairn::net
