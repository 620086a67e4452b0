// Membership at run time: where members are (addresses carried in the
// configuration entries), which peers the transport dials, adding, removing
// and promoting members, and leadership transfer on request.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "raft/membership.h"
#include "server/node_impl.h"

namespace cairn::server {
namespace {

http::Response FromReply(const Reply& r, const nlohmann::json& ok_body) {
  if (r.value.type == resp::Type::kError) {
    bool timeout = r.value.str.rfind("TIMEOUT", 0) == 0;
    return http::JsonError(timeout ? 504 : 503, r.value.str);
  }
  return http::Json(200, ok_body.dump());
}

// Raft's refusals of a change, as HTTP: retryable ones are 503.
http::Response FromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return http::JsonError(409, s.message());
    case StatusCode::kUnavailable:
    case StatusCode::kResourceExhausted:
      return http::JsonError(503, std::string(s.message()) + "; retry");
    default:
      return http::JsonError(503, std::string(s.message()) + "; retry");
  }
}

}  // namespace

void Node::Impl::LearnAddresses(const raft::Entry& e) {
  if (e.type != raft::EntryType::kConfChange) return;
  auto cc = raft::DecodeConfChange(e.data);
  if (!cc.ok() || cc->context.empty() || cc->node == opt.id) return;
  auto info = net::DecodeMemberInfo(cc->context);
  if (!info.ok()) {
    spdlog::warn("node {}: configuration entry {} for node {}: {}", opt.id, e.index, cc->node,
                 info.status().message());
    return;
  }
  auto& known = addresses[cc->node];
  if (known.raft_address != info->raft_address || known.http_address != info->http_address) {
    known = *info;
    peers_dirty = true;
  }
}

void Node::Impl::SaveClusterRecord(const raft::Entry& e) {
  if (rocks == nullptr) return;  // nothing outlives the process without a data_dir
  net::ClusterRecord record;
  record.membership = raft->MembershipAt(e.index);
  auto save = [&](raft::NodeId id) {
    auto it = addresses.find(id);
    // Only complete addresses (a founder's HTTP address may be unknown: empty is fine).
    if (it != addresses.end() && net::ParseHostPort(it->second.raft_address).ok()) {
      record.addresses[id] = it->second;
    }
  };
  for (raft::NodeId id : record.membership.voters) save(id);
  for (raft::NodeId id : record.membership.learners) save(id);
  rocks->set_next_cluster(net::EncodeClusterRecord(record));
}

Result<std::optional<net::ClusterRecord>> Node::Impl::LoadClusterRecord() {
  const std::string& bytes = rocks->store().cluster();
  if (bytes.empty()) return std::optional<net::ClusterRecord>();
  auto record = net::DecodeClusterRecord(bytes);
  if (!record.ok()) {
    return Status::Corruption("the state machine's cluster record: " +
                              std::string(record.status().message()));
  }
  for (const auto& [id, info] : record->addresses) {
    if (id == opt.id) continue;  // this node's own addresses come from its flags
    auto& known = addresses[id];
    if (known != info) {
      known = info;
      peers_dirty = true;
    }
  }
  return std::optional<net::ClusterRecord>(std::move(*record));
}

std::string Node::Impl::MemberAddressText(raft::NodeId id) const {
  auto it = addresses.find(id);
  return it == addresses.end() ? "" : it->second.raft_address;
}

void Node::Impl::MaybeSyncPeers() {
  if (peers_dirty || raft->membership() != synced_membership) SyncPeers();
}

// The transport dials the members whose address we know. A node that is not
// (yet) in its own membership also dials whoever reached it (a leader adding
// it). Peers are only added here: a removed member is dropped when its
// removal commits (OnRemovalApplied), because until then it may still be the
// leader that needs our acknowledgements to commit it.
void Node::Impl::SyncPeers() {
  const raft::Membership& m = raft->membership();
  const bool member = m.Contains(opt.id);
  if (was_member && !member) {
    spdlog::warn("node {}: removed from the cluster; this process may be stopped", opt.id);
  }
  was_member = member;
  std::set<raft::NodeId> want;
  auto consider = [&](raft::NodeId id) {
    if (id != opt.id && addresses.count(id)) want.insert(id);
  };
  for (raft::NodeId id : m.voters) consider(id);
  for (raft::NodeId id : m.learners) consider(id);
  if (!member) {
    for (raft::NodeId id : hello_learned) consider(id);
  }
  for (raft::NodeId id : want) {
    auto hp = net::ParseHostPort(addresses[id].raft_address);
    if (!hp.ok()) continue;
    if (!dialled.count(id)) spdlog::info("node {}: dialling node {} at {}", opt.id, id, addresses[id].raft_address);
    transport->AddPeer({id, hp->host, hp->port});
    dialled.insert(id);
  }
  synced_membership = m;
  peers_dirty = false;
}

void Node::Impl::OnRemovalApplied(const raft::Entry& e) {
  auto cc = raft::DecodeConfChange(e.data);
  if (!cc.ok() || cc->type != raft::ConfChangeType::kRemoveNode || cc->node == opt.id) return;
  // (A later entry may have added it back: then it stays.)
  if (raft->membership().Contains(cc->node) || !dialled.count(cc->node)) return;
  spdlog::info("node {}: node {} removed; no longer dialling it", opt.id, cc->node);
  transport->RemovePeer(cc->node);
  dialled.erase(cc->node);
  hello_learned.erase(cc->node);
}

// A peer dialled us and named its address. A member whose address we lack
// (or anyone, while we are not a member ourselves: a leader adding us) is
// dialled back; strangers are otherwise ignored.
void Node::Impl::OnHello(raft::NodeId from, const std::string& address) {
  if (from == opt.id || !net::ParseHostPort(address).ok()) return;
  const raft::Membership& m = raft->membership();
  const bool known = addresses.count(from) > 0;
  if (!(m.Contains(from) && !known) && m.Contains(opt.id)) return;
  if (known && addresses[from].raft_address == address) return;
  addresses[from].raft_address = address;
  if (!m.Contains(from)) hello_learned.insert(from);
  peers_dirty = true;
  SyncPeers();
}

// Learners are a staging step: once one holds everything committed, the
// leader proposes its promotion (the core refuses while it lags; we retry on
// the next pass).
void Node::Impl::MaybePromoteLearners() {
  if (!is_leader() || handing_over) return;
  for (raft::NodeId id : raft->membership().learners) {
    const raft::Progress* pr = raft->progress(id);
    if (pr == nullptr || pr->match() < raft->log().committed()) continue;
    raft::ConfChange cc{raft::ConfChangeType::kAddVoter, id, ""};
    if (auto it = addresses.find(id); it != addresses.end()) {
      cc.context = net::EncodeMemberInfo(it->second);
    }
    auto r = raft->ProposeConfChange(cc);
    if (r.ok()) {
      spdlog::info("node {}: learner {} caught up; promoting it to voter (index {})", opt.id, id,
                   r->index);
      ScheduleReady();
    }
    return;  // one change at a time
  }
}

void Node::Impl::AddMember(const AddMemberRequest& r, http::Respond done) {
  if (raft->membership().Contains(r.id)) {
    return done(http::JsonError(409, fmt::format("node {} is already a member", r.id)));
  }
  net::MemberInfo info{r.raft_address, r.http_address};
  raft::ConfChange cc{raft::ConfChangeType::kAddLearner, r.id, net::EncodeMemberInfo(info)};
  auto proposed = raft->ProposeConfChange(cc);
  if (!proposed.ok()) return done(FromStatus(proposed.status()));
  spdlog::info("node {}: adding node {} ({}) as learner at index {}", opt.id, r.id, r.raft_address,
               proposed->index);
  addresses[r.id] = info;
  peers_dirty = true;
  SyncPeers();  // the new member is in force now: replicate to it at once
  nlohmann::json body;
  body["id"] = r.id;
  body["role"] = "learner";
  body["index"] = proposed->index;
  body["raft_address"] = r.raft_address;
  body["http_address"] = r.http_address;
  body["message"] = "added as a learner; promoted to voter once caught up";
  writes[proposed->index] = WriteWaiter{
      proposed->term, [done, body](Reply rep) { done(FromReply(rep, body)); },
      MonoMs() + opt.request_timeout_ms};
  ScheduleReady();
}

void Node::Impl::RemoveMember(raft::NodeId id, http::Respond done) {
  if (!raft->membership().Contains(id)) {
    return done(http::JsonError(404, fmt::format("node {} is not a member", id)));
  }
  auto proposed = raft->ProposeConfChange({raft::ConfChangeType::kRemoveNode, id, ""});
  if (!proposed.ok()) return done(FromStatus(proposed.status()));
  spdlog::info("node {}: removing node {} at index {}{}", opt.id, id, proposed->index,
               id == opt.id ? " (this node: it hands over once the removal commits)" : "");
  nlohmann::json body;
  body["id"] = id;
  body["index"] = proposed->index;
  body["message"] = "removed";
  writes[proposed->index] = WriteWaiter{
      proposed->term, [done, body](Reply rep) { done(FromReply(rep, body)); },
      MonoMs() + opt.request_timeout_ms};
  MaybeSyncPeers();
  ScheduleReady();
}

// The voter whose log matches the leader's furthest (kNoNode if none).
raft::NodeId Node::Impl::PickTransferTarget() const {
  raft::NodeId best = raft::kNoNode;
  raft::Index best_match = 0;
  for (raft::NodeId v : raft->voters()) {
    const raft::Progress* pr = v == opt.id ? nullptr : raft->progress(v);
    if (pr != nullptr && (best == raft::kNoNode || pr->match() > best_match)) {
      best = v;
      best_match = pr->match();
    }
  }
  return best;
}

void Node::Impl::TransferLeader(raft::NodeId to, http::Respond done) {
  if (to == raft::kNoNode) to = PickTransferTarget();
  if (to == raft::kNoNode) return done(http::JsonError(409, "no other voter to hand leadership to"));
  nlohmann::json body;
  body["leader"] = to;
  if (to == opt.id) {
    body["message"] = "already the leader";
    return done(http::Json(200, body.dump()));
  }
  if (!raft->membership().IsVoter(to)) {
    return done(http::JsonError(
        400, fmt::format("node {} is not a voter of this cluster (voters: {})", to,
                         fmt::join(raft->voters(), ", "))));
  }
  Status s = raft->TransferLeadership(to);
  if (!s.ok()) return done(FromStatus(s));
  spdlog::info("node {}: transferring leadership to node {} on request", opt.id, to);
  transfers.push_back({to, MonoMs() + opt.request_timeout_ms, std::move(done)});
  ScheduleReady();
}

// Called every tick: answers transfer requests that finished or failed.
void Node::Impl::CheckTransfers() {
  if (transfers.empty()) return;
  std::int64_t now = MonoMs();
  for (auto it = transfers.begin(); it != transfers.end();) {
    std::optional<http::Response> r;
    nlohmann::json body;
    body["leader"] = raft->leader();
    if (!is_leader() && raft->leader() == it->target) {
      body["message"] = fmt::format("node {} leads now", it->target);
      r = http::Json(200, body.dump());
    } else if (!is_leader() && raft->leader() != raft::kNoNode) {
      r = http::JsonError(409, fmt::format("leadership went to node {} instead", raft->leader()));
    } else if (is_leader() && raft->transfer_target() == raft::kNoNode) {
      r = http::JsonError(409, fmt::format("transfer to node {} abandoned (it did not catch up in "
                                           "an election timeout); this node still leads",
                                           it->target));
    } else if (now >= it->deadline_ms) {
      r = http::JsonError(504, "transfer did not finish before the request deadline");
    }
    if (r) {
      http::Respond done = std::move(it->done);
      it = transfers.erase(it);
      done(std::move(*r));
    } else {
      ++it;
    }
  }
}

std::string Node::Impl::MembersJson() const {
  const raft::Membership& m = raft->membership();
  nlohmann::json j;
  j["id"] = opt.id;
  j["leader"] = raft->leader();
  j["term"] = raft->term();
  nlohmann::json list = nlohmann::json::array();
  auto add = [&](raft::NodeId id, const char* role) {
    nlohmann::json e;
    e["id"] = id;
    e["role"] = role;
    auto it = addresses.find(id);
    e["raft_address"] = it == addresses.end() ? "" : it->second.raft_address;
    e["http_address"] = it == addresses.end() ? "" : it->second.http_address;
    e["self"] = id == opt.id;
    e["leader"] = id == raft->leader();
    e["connected"] = id == opt.id || transport->Connected(id);
    if (const raft::Progress* pr = raft->progress(id)) e["match_index"] = pr->match();
    if (id == opt.id && is_leader()) e["match_index"] = raft->log().last_index();
    list.push_back(e);
  };
  for (raft::NodeId id : m.voters) add(id, "voter");
  for (raft::NodeId id : m.learners) add(id, "learner");
  j["members"] = list;
  j["leader_http_address"] = "";
  if (auto it = addresses.find(raft->leader()); it != addresses.end()) {
    j["leader_http_address"] = it->second.http_address;
  }
  return j.dump();
}

}  // namespace cairn::server
