// Executing key-value commands: writes through Raft on the leader, reads at
// the connection's consistency level, and forwarding to the leader.
#include <spdlog/spdlog.h>

#include <limits>

#include "kv/command_table.h"
#include "kv/errors.h"
#include "kv/op_name.h"
#include "kv/parse.h"
#include "net/raft_codec.h"
#include "resp/reply_parser.h"
#include "resp/writer.h"
#include "server/node_impl.h"

namespace cairn::server {
namespace {

void EncodeArgs(const std::vector<std::string>& args, net::ByteWriter* w) {
  w->U32(static_cast<std::uint32_t>(args.size()));
  for (const auto& a : args) w->Bytes(a);
}

bool DecodeArgs(net::ByteReader* r, std::vector<std::string>* args) {
  std::uint32_t n = 0;
  if (!r->U32(&n) || n == 0 || n > r->remaining() / 4) return false;
  args->resize(n);
  for (auto& a : *args) {
    std::string_view s;
    if (!r->Bytes(&s)) return false;
    a.assign(s);
  }
  return true;
}

resp::Value NoLeader() { return resp::Value::Error("TRYAGAIN no leader elected yet, retry"); }

// Raft refuses entries above Config::entry_bytes_max (8 MiB by default).
constexpr std::size_t kEntryBytesMax = 8u << 20;

}  // namespace

static std::string ForwardBody(const std::vector<std::string>& args) {
  std::string body;
  net::ByteWriter w(&body);
  EncodeArgs(args, &w);
  return body;
}

// A forwarded single command (or any command from a caller without a
// kv::Session): parsed here, with this leader's clock.
void Node::Impl::ExecuteCommand(std::vector<std::string> args, const ReadPolicy& policy,
                                Done done) {
  std::int64_t now = NowMs();
  auto op = kv::ParseCommand(args, now);
  if (!op.ok()) return done({resp::Value::Error(op.status().message()), 0});
  if (!kv::IsWrite(op->code) || kv::IsReadOnlyScript(*op)) {
    return ExecuteRead(std::move(*op), args, policy, std::move(done));
  }
  kv::LogEntry entry;
  entry.now_ms = now;
  entry.ops.push_back(std::move(*op));
  ExecuteWrite(args, entry, std::move(done));
}

void Node::Impl::ExecuteRead(kv::Op op, const std::vector<std::string>& args,
                             const ReadPolicy& policy, Done done) {
  ++metrics.reads_total;
  // A bounded read is answered here while this node's state is fresh
  // enough (CanReadNow, asked once); otherwise it is a strong read, on the
  // leader or forwarded to it.
  if (policy.level == Consistency::kBounded) {
    if (CanReadNow(policy)) return done({ReadNow(op, policy, NowMs()), sm->applied_index()});
    if (!is_leader()) return Forward(ForwardKind::kCommand, ForwardBody(args), std::move(done));
    return ServeRead(std::move(op), ReadPolicy{}, std::move(done));
  }
  // Strong and lease reads are the leader's; session and eventual reads
  // never leave.
  const bool forward =
      (policy.level == Consistency::kStrong || policy.level == Consistency::kLease) && !is_leader();
  if (forward) return Forward(ForwardKind::kCommand, ForwardBody(args), std::move(done));
  ServeRead(std::move(op), policy, std::move(done));
}

// A single write: proposed here on the leader; a follower forwards the
// command text so the leader stamps it with its own clock.
void Node::Impl::ExecuteWrite(const std::vector<std::string>& args, const kv::LogEntry& entry,
                              Done done) {
  if (!is_leader()) return Forward(ForwardKind::kCommand, ForwardBody(args), std::move(done));
  ProposeEntry(entry, std::move(done));
}

// A MULTI/EXEC entry built by the connection's kv::Session: proposed as is
// (a follower forwards the encoded entry, so its now_ms is the origin's).
void Node::Impl::ExecuteEntry(const kv::LogEntry& entry, Done done) {
  if (!is_leader()) return Forward(ForwardKind::kEntry, kv::Encode(entry), std::move(done));
  ProposeEntry(entry, std::move(done));
}

// The ops are checked as every replica's apply will check them: a parser
// that built an op log validation refuses would otherwise put an entry in
// the log that no node can apply. That is a bug, answered here as an error
// instead of stopping the cluster.
void Node::Impl::ProposeEntry(const kv::LogEntry& entry, Done done) {
  for (const kv::Op& op : entry.ops) {
    if (Status valid = kv::ValidateOp(op, entry.kind); !valid.ok()) {
      spdlog::error("node {}: refused to propose a malformed {} op: {}", opt.id,
                    kv::OpCommandName(op), valid.message());
      return done({resp::Value::Error("ERR internal error: the command built a malformed log "
                                      "entry (a bug; nothing was written)"),
                   0});
    }
  }
  ProposeBytes(kv::Encode(entry), std::move(done));
}

void Node::Impl::ProposeBytes(std::string data, Done done) {
  if (data.size() > kEntryBytesMax) {
    return done({resp::Value::Error("ERR command too large for one log entry"), 0});
  }
  proposal_queue.push_back({std::move(data), std::move(done)});
  ScheduleReady();
}

bool Node::Impl::CanReadNow(const ReadPolicy& policy) {
  switch (policy.level) {
    case Consistency::kStrong:
      return false;
    case Consistency::kLease: {
      if (!is_leader()) return false;
      // The lease is judged in ticks: deliver any the loop owes first (a
      // read can be handled before the timer after a stall).
      CatchUpTicks();
      // While the lease holds and the state machine has caught up, the read
      // is answered here: what a LeaseRead would confirm in the next Ready
      // is already known (raft/raw_node.h).
      auto index = raft->LeaseReadIndexNow();
      return index && sm->applied_index() >= *index;
    }
    case Consistency::kSession:
      return sm->applied_index() >= policy.session_index;
    case Consistency::kBounded: {
      if (raft->leader() == raft::kNoNode) return false;
      // Fresh as of the last confirmed read index asked for (of the leader,
      // or on the leader itself) and applied here (freshness.h). Once half
      // the bound is used up, ask again, so that reads stay local while this
      // node keeps up. The leader is no exception: believing it leads says
      // nothing about how stale it is once cut off (a newer leader may be
      // acknowledging writes), and unlike a lease this assumes nothing
      // about clock rates.
      const std::int64_t now = MonoMs();
      auto fresh = freshness.FreshAsOf(sm->applied_index());
      if (!fresh || now - *fresh > policy.bounded_ms / 2) ProbeFreshness(now);
      return fresh && now - *fresh <= policy.bounded_ms;
    }
    case Consistency::kEventual:
      return true;
  }
  return false;
}

resp::Value Node::Impl::ReadNow(const kv::Op& op, const ReadPolicy& policy, std::int64_t now_ms) {
  if (policy.level == Consistency::kLease) ++metrics.lease_reads_local_total;
  return sm->Read(op, is_leader() ? now_ms : 0);
}

void Node::Impl::ServeRead(kv::Op op, const ReadPolicy& policy, Done done) {
  if (policy.level != Consistency::kStrong && CanReadNow(policy)) {
    return done({ReadNow(op, policy, NowMs()), sm->applied_index()});
  }
  std::vector<kv::Op> ops;
  ops.push_back(std::move(op));
  switch (policy.level) {
    case Consistency::kStrong:
    case Consistency::kBounded:  // not reached: ExecuteRead answers or turns them strong
      return ReadIndexGroup(std::move(ops), std::move(done));
    case Consistency::kLease: {
      std::uint64_t id = next_read_id++;
      Status s = raft->LeaseRead(id);
      if (!s.ok()) return done({resp::Value::Error("TRYAGAIN " + std::string(s.message())), 0});
      reads_by_id[id] =
          PendingRead{std::move(ops), std::move(done), MonoMs() + opt.request_timeout_ms};
      ScheduleReady();
      return;
    }
    case Consistency::kSession:
      reads_by_index.emplace(policy.session_index, PendingRead{std::move(ops), std::move(done),
                                                               MonoMs() + opt.request_timeout_ms});
      return;
    case Consistency::kEventual:
      break;
  }
  done({ReadAll(ops), sm->applied_index()});
}

void Node::Impl::ProbeFreshness(std::int64_t now_ms) {
  if (freshness_probe_in_flight) return;
  freshness_probe_in_flight = true;
  ++metrics.freshness_probes_total;
  Done on_index = [this, now_ms](Reply r) {
    freshness_probe_in_flight = false;
    // The reply's index is the leader's applied index when it answered,
    // at or above the confirmed read index.
    if (!r.value.is_error()) freshness.OnReadIndex(now_ms, r.index, sm->applied_index());
  };
  if (is_leader()) return ReadIndexGroup({}, std::move(on_index));
  Forward(ForwardKind::kReadIndex, std::string(), std::move(on_index));
}

void Node::Impl::ReadIndexGroup(std::vector<kv::Op> ops, Done done) {
  std::uint64_t id = next_read_id++;
  Status s = raft->ReadIndex(id);
  if (!s.ok()) return done({resp::Value::Error("TRYAGAIN " + std::string(s.message())), 0});
  reads_by_id[id] = PendingRead{std::move(ops), std::move(done), MonoMs() + opt.request_timeout_ms};
  ScheduleReady();
}

resp::Value Node::Impl::ReadAll(const std::vector<kv::Op>& ops) {
  // A leader reads at its wall clock (kv/state_machine.h); others at applied time.
  const std::int64_t now = is_leader() ? NowMs() : 0;
  if (ops.size() == 1) return sm->Read(ops[0], now);
  std::vector<resp::Value> replies;
  replies.reserve(ops.size());
  for (const kv::Op& op : ops) replies.push_back(sm->Read(op, now));
  return resp::Value::Array(std::move(replies));
}

void Node::Impl::Forward(ForwardKind kind, std::string body, Done done, bool admin,
                         std::int64_t wait_ms) {
  raft::NodeId leader = raft->leader();
  if (leader == raft::kNoNode || leader == opt.id) return done({NoLeader(), 0});
  std::uint64_t id = next_forward_id++;
  std::string payload;
  net::ByteWriter w(&payload);
  w.U64(id);
  w.U8(static_cast<std::uint8_t>(kind));
  payload += body;
  if (!transport->Send(leader, net::FrameType::kForward, payload)) {
    return done({resp::Value::Error("TRYAGAIN the link to the leader is congested"), 0});
  }
  ++metrics.forwarded_total;
  const std::int64_t deadline = wait_ms < 0 ? std::numeric_limits<std::int64_t>::max()
                                            : MonoMs() + opt.request_timeout_ms + wait_ms;
  forwards[id] = ForwardWaiter{std::move(done), deadline, leader, admin};
}

namespace {

// A forwarded reply travels in RESP3, which has no place for
// resp::Value::flat_in_resp2: an attribute carries the flag to the origin,
// which takes it off again before its client sees the reply.
constexpr std::string_view kFlatMark = "cairn-flat-in-resp2";

constexpr std::string_view kPairsMark = "cairn-pairs-in-resp2";  // pairs_in_resp2, the same way

void MarkFlatPairs(resp::Value* v) {
  if (v->flat_in_resp2) v->attributes = {resp::Value::Bulk(kFlatMark), resp::Value::Boolean(true)};
  if (v->pairs_in_resp2) {
    v->attributes = {resp::Value::Bulk(kPairsMark), resp::Value::Boolean(true)};
  }
  for (resp::Value& e : v->elems) MarkFlatPairs(&e);
}

void UnmarkFlatPairs(resp::Value* v) {
  if (v->attributes.size() == 2 && v->attributes[0].str == kFlatMark) {
    v->attributes.clear();
    v->flat_in_resp2 = true;
  }
  if (v->attributes.size() == 2 && v->attributes[0].str == kPairsMark) {
    v->attributes.clear();
    v->pairs_in_resp2 = true;
  }
  for (resp::Value& e : v->elems) UnmarkFlatPairs(&e);
}

}  // namespace

// The leader side: run the request as a strong-consistency client would and
// send the reply back in RESP3 (the origin re-encodes for its client).
void Node::Impl::OnForward(raft::NodeId from, std::string_view payload) {
  net::ByteReader r(payload);
  std::uint64_t id = 0;
  std::uint8_t kind = 0;
  if (!r.U64(&id) || !r.U8(&kind)) return;
  Done reply = [this, from, id](Reply rep) {
    std::string out;
    net::ByteWriter w(&out);
    w.U64(id);
    w.U64(rep.index);
    std::string encoded;
    MarkFlatPairs(&rep.value);
    resp::Writer(&encoded, resp::Protocol::kResp3).Write(rep.value);
    w.Bytes(encoded);
    transport->Send(from, net::FrameType::kForwardReply, out);
  };
  // Never forward twice: a node that lost leadership tells the origin to retry.
  if (!is_leader()) return reply({NoLeader(), 0});
  if (kind == static_cast<std::uint8_t>(ForwardKind::kAdmin)) {
    return OnForwardAdmin(payload.substr(payload.size() - r.remaining()), std::move(reply));
  }
  if (kind == static_cast<std::uint8_t>(ForwardKind::kWait)) {
    return OnForwardWait(payload.substr(payload.size() - r.remaining()), std::move(reply));
  }
  if (kind == static_cast<std::uint8_t>(ForwardKind::kReadIndex)) {
    return ReadIndexGroup({}, std::move(reply));  // answers an empty array and the index
  }
  if (kind == static_cast<std::uint8_t>(ForwardKind::kCommand)) {
    std::vector<std::string> args;
    if (!DecodeArgs(&r, &args)) return reply({resp::Value::Error("ERR bad forwarded command"), 0});
    return ExecuteCommand(std::move(args), ReadPolicy{}, std::move(reply));
  }
  // kEntry: validate before it enters the log (Apply must never fail on it).
  std::string_view body = payload.substr(payload.size() - r.remaining());
  if (!kv::Decode(body).ok()) return reply({resp::Value::Error("ERR bad forwarded entry"), 0});
  ProposeBytes(std::string(body), std::move(reply));
}

void Node::Impl::OnForwardReply(std::string_view payload) {
  net::ByteReader r(payload);
  std::uint64_t id = 0, index = 0;
  std::string_view encoded;
  if (!r.U64(&id) || !r.U64(&index) || !r.Bytes(&encoded)) return;
  auto it = forwards.find(id);
  if (it == forwards.end()) return;  // timed out already
  resp::ReplyParser parser;
  parser.set_keep_double_text(true);  // relayed with the leader's digits
  parser.Feed(encoded);
  resp::Value v;
  auto got = parser.Next(&v);
  if (!got.ok() || !*got) v = resp::Value::Error("ERR bad reply from the leader");
  UnmarkFlatPairs(&v);
  Done done = std::move(it->second.done);
  forwards.erase(it);
  done({std::move(v), index});
}

}  // namespace cairn::server
