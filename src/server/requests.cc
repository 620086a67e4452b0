// Executing key-value commands: writes through Raft on the leader, reads at
// the connection's consistency level, and forwarding to the leader.
#include <spdlog/spdlog.h>

#include "kv/command_table.h"
#include "kv/errors.h"
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

void Node::Impl::ExecuteCommand(std::vector<std::string> args, const ReadPolicy& policy,
                                Done done) {
  std::int64_t now = NowMs();
  auto op = kv::ParseCommand(args, now);
  if (!op.ok()) return done({resp::Value::Error(op.status().message()), 0});
  if (!kv::IsWrite(op->code)) {
    ++metrics.reads_total;
    if (policy.level == Consistency::kStrong || policy.level == Consistency::kLease) {
      if (!is_leader()) {
        std::string body;
        net::ByteWriter w(&body);
        EncodeArgs(args, &w);
        return Forward(ForwardKind::kCommand, std::move(body), std::move(done));
      }
    } else if (policy.level == Consistency::kBounded && !is_leader() &&
               (raft->leader() == raft::kNoNode ||
                MonoMs() - last_leader_contact_ms > policy.bounded_ms)) {
      std::string body;
      net::ByteWriter w(&body);
      EncodeArgs(args, &w);
      return Forward(ForwardKind::kCommand, std::move(body), std::move(done));
    }
    return ServeRead(std::move(*op), policy, std::move(done));
  }
  if (!is_leader()) {
    std::string body;
    net::ByteWriter w(&body);
    EncodeArgs(args, &w);
    return Forward(ForwardKind::kCommand, std::move(body), std::move(done));
  }
  kv::LogEntry entry;
  entry.now_ms = now;
  entry.ops.push_back(std::move(*op));
  ProposeEntry(entry, std::move(done));
}

void Node::Impl::ExecuteTransaction(std::vector<std::vector<std::string>> commands,
                                    std::vector<kv::WatchedKey> watches, Done done) {
  if (!is_leader()) {
    std::string body;
    net::ByteWriter w(&body);
    w.U32(static_cast<std::uint32_t>(watches.size()));
    for (const auto& wk : watches) {
      w.Bytes(wk.key);
      w.U64(wk.version);
    }
    w.U32(static_cast<std::uint32_t>(commands.size()));
    for (const auto& c : commands) EncodeArgs(c, &w);
    return Forward(ForwardKind::kTransaction, std::move(body), std::move(done));
  }
  kv::LogEntry entry;
  entry.kind = kv::EntryKind::kTransaction;
  entry.now_ms = NowMs();
  entry.watches = std::move(watches);
  for (const auto& c : commands) {
    auto op = kv::ParseCommand(c, entry.now_ms);
    if (!op.ok() || !kv::IsWrite(op->code)) {
      return done({resp::Value::Error("EXECABORT Transaction discarded because of previous errors."),
                   0});
    }
    entry.ops.push_back(std::move(*op));
  }
  ProposeEntry(entry, std::move(done));
}

void Node::Impl::ProposeEntry(const kv::LogEntry& entry, Done done) {
  std::string data = kv::Encode(entry);
  if (data.size() > kEntryBytesMax) {
    return done({resp::Value::Error("ERR command too large for one log entry"), 0});
  }
  proposal_queue.push_back({std::move(data), std::move(done)});
  ScheduleReady();
}

void Node::Impl::ServeRead(kv::Op op, const ReadPolicy& policy, Done done) {
  std::int64_t deadline = MonoMs() + opt.request_timeout_ms;
  switch (policy.level) {
    case Consistency::kStrong:
    case Consistency::kLease: {
      std::uint64_t id = next_read_id++;
      Status s = policy.level == Consistency::kStrong ? raft->ReadIndex(id) : raft->LeaseRead(id);
      if (!s.ok()) return done({resp::Value::Error("TRYAGAIN " + std::string(s.message())), 0});
      reads_by_id[id] = PendingRead{std::move(op), std::move(done), deadline};
      ScheduleReady();
      return;
    }
    case Consistency::kSession:
      if (sm->applied_index() < policy.session_index) {
        reads_by_index.emplace(policy.session_index,
                               PendingRead{std::move(op), std::move(done), deadline});
        return;
      }
      break;
    case Consistency::kBounded:
    case Consistency::kEventual:
      break;
  }
  done({sm->Read(op, is_leader() ? NowMs() : 0), 0});
}

void Node::Impl::Forward(ForwardKind kind, std::string body, Done done) {
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
  forwards[id] = ForwardWaiter{std::move(done), MonoMs() + opt.request_timeout_ms};
}

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
    resp::Writer(&encoded, resp::Protocol::kResp3).Write(rep.value);
    w.Bytes(encoded);
    transport->Send(from, net::FrameType::kForwardReply, out);
  };
  // Never forward twice: a node that lost leadership tells the origin to retry.
  if (!is_leader()) return reply({NoLeader(), 0});
  if (kind == static_cast<std::uint8_t>(ForwardKind::kCommand)) {
    std::vector<std::string> args;
    if (!DecodeArgs(&r, &args)) return reply({resp::Value::Error("ERR bad forwarded command"), 0});
    return ExecuteCommand(std::move(args), ReadPolicy{}, std::move(reply));
  }
  std::uint32_t nw = 0, nc = 0;
  std::vector<kv::WatchedKey> watches;
  std::vector<std::vector<std::string>> commands;
  bool ok = r.U32(&nw) && nw <= r.remaining();
  for (std::uint32_t i = 0; ok && i < nw; ++i) {
    std::string_view key;
    kv::WatchedKey wk;
    ok = r.Bytes(&key) && r.U64(&wk.version);
    wk.key.assign(key);
    watches.push_back(std::move(wk));
  }
  ok = ok && r.U32(&nc) && nc <= r.remaining();
  for (std::uint32_t i = 0; ok && i < nc; ++i) {
    commands.emplace_back();
    ok = DecodeArgs(&r, &commands.back());
  }
  if (!ok) return reply({resp::Value::Error("ERR bad forwarded transaction"), 0});
  ExecuteTransaction(std::move(commands), std::move(watches), std::move(reply));
}

void Node::Impl::OnForwardReply(std::string_view payload) {
  net::ByteReader r(payload);
  std::uint64_t id = 0, index = 0;
  std::string_view encoded;
  if (!r.U64(&id) || !r.U64(&index) || !r.Bytes(&encoded)) return;
  auto it = forwards.find(id);
  if (it == forwards.end()) return;  // timed out already
  resp::ReplyParser parser;
  parser.Feed(encoded);
  resp::Value v;
  auto got = parser.Next(&v);
  if (!got.ok() || !*got) v = resp::Value::Error("ERR bad reply from the leader");
  Done done = std::move(it->second.done);
  forwards.erase(it);
  done({std::move(v), index});
}

std::uint64_t Node::Impl::KeyVersion(const std::string& key) const {
  auto v = sm->KeyVersion(key, is_leader() ? NowMs() : 0);
  return v.ok() ? *v : 0;
}

}  // namespace cairn::server
