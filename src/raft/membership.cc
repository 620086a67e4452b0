#include "raft/membership.h"

#include <algorithm>

namespace cairn::raft {
namespace {

bool Has(const std::vector<NodeId>& v, NodeId id) { return std::binary_search(v.begin(), v.end(), id); }

void Insert(std::vector<NodeId>& v, NodeId id) { v.insert(std::upper_bound(v.begin(), v.end(), id), id); }

void Erase(std::vector<NodeId>& v, NodeId id) { v.erase(std::remove(v.begin(), v.end(), id), v.end()); }

}  // namespace

bool Membership::IsVoter(NodeId id) const { return Has(voters, id); }
bool Membership::IsLearner(NodeId id) const { return Has(learners, id); }

std::string EncodeConfChange(const ConfChange& cc) {
  std::string out;
  out.push_back(cc.context.empty() ? 1 : 2);
  out.push_back(static_cast<char>(cc.type));
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((cc.node >> (8 * i)) & 0xff));
  out += cc.context;
  return out;
}

Result<ConfChange> DecodeConfChange(std::string_view data) {
  if (data.size() < 10) return Status::InvalidArgument("conf change: bad length");
  if (data[0] != 1 && data[0] != 2) return Status::InvalidArgument("conf change: unknown version");
  if (data[0] == 1 && data.size() != 10) return Status::InvalidArgument("conf change: bad length");
  if (data[0] == 2 && (data.size() == 10 || data.size() > 10 + kConfChangeContextBytesMax)) {
    return Status::InvalidArgument("conf change: bad context length");
  }
  const auto type = static_cast<std::uint8_t>(data[1]);
  if (type < 1 || type > 3) return Status::InvalidArgument("conf change: unknown type");
  ConfChange cc;
  cc.type = static_cast<ConfChangeType>(type);
  for (int i = 0; i < 8; ++i) {
    cc.node |= static_cast<NodeId>(static_cast<std::uint8_t>(data[2 + i])) << (8 * i);
  }
  if (cc.node == kNoNode) return Status::InvalidArgument("conf change: node id 0");
  cc.context.assign(data.substr(10));
  return cc;
}

Status ValidateMembership(const Membership& m) {
  auto sorted_unique = [](const std::vector<NodeId>& v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] == kNoNode) return false;
      if (i > 0 && v[i] <= v[i - 1]) return false;
    }
    return true;
  };
  if (m.voters.empty()) return Status::InvalidArgument("membership without voters");
  if (!sorted_unique(m.voters) || !sorted_unique(m.learners)) {
    return Status::InvalidArgument("membership lists not sorted and unique");
  }
  for (NodeId l : m.learners) {
    if (m.IsVoter(l)) return Status::InvalidArgument("a node is both voter and learner");
  }
  return Status::Ok();
}

Result<Membership> ApplyConfChange(const Membership& m, const ConfChange& cc) {
  Membership out = m;
  switch (cc.type) {
    case ConfChangeType::kAddVoter:
      if (m.IsVoter(cc.node)) return Status::InvalidArgument("already a voter");
      Erase(out.learners, cc.node);
      Insert(out.voters, cc.node);
      return out;
    case ConfChangeType::kAddLearner:
      if (m.Contains(cc.node)) return Status::InvalidArgument("already a member");
      Insert(out.learners, cc.node);
      return out;
    case ConfChangeType::kRemoveNode:
      if (!m.Contains(cc.node)) return Status::InvalidArgument("not a member");
      if (m.IsVoter(cc.node) && m.voters.size() == 1) {
        return Status::InvalidArgument("cannot remove the last voter");
      }
      Erase(out.voters, cc.node);
      Erase(out.learners, cc.node);
      return out;
  }
  return Status::InvalidArgument("unknown conf change type");
}

}  // namespace cairn::raft
