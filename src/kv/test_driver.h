#pragma once
// Test support: runs client commands through the whole kv path the server
// will use — ParseCommand, then a one-op log entry encoded, decoded and
// applied at the next index (writes) or Read (reads) — and returns the reply
// a client would see. Header-only, for tests and benchmarks.

#include <memory>
#include <string>
#include <vector>

#include "common/assert.h"
#include "kv/parse.h"
#include "kv/session.h"
#include "kv/state_machine.h"

namespace cairn::kv::testing {

// A group entry (kv/log_entry.h) of already encoded members.
inline std::string EncodeGroup(const std::vector<std::string>& members) {
  std::string out;
  EncodeGroupHeader(members.size(), &out);
  for (const std::string& m : members) AppendGroupMember(m, &out);
  return out;
}

class Driver {
 public:
  Driver() : sm_(std::move(StateMachine::Open(std::make_unique<MemoryEngine>())).value()) {}

  // Runs one command at time now_ms (the leader's clock for this entry).
  resp::Value Run(const std::vector<std::string>& args, std::int64_t now_ms) {
    Result<Op> op = ParseCommand(args, now_ms);
    if (!op.ok()) return resp::Value::Error(op.status().message());
    if (!IsWrite(op->code)) return sm_->Read(*op, now_ms);
    LogEntry entry;
    entry.now_ms = now_ms;
    entry.ops.push_back(std::move(*op));
    auto replies = sm_->Apply(sm_->applied_index() + 1, Encode(entry));
    CAIRN_CHECK(replies.ok(), "apply failed");
    CAIRN_CHECK(replies->size() == 1);
    return std::move((*replies)[0]);
  }

  // Write commands proposed together, as the leader does with one event-loop
  // pass: the ones that parse go into one group entry (kv/log_entry.h; a
  // single one goes alone) applied at the next index, each at its own time.
  // Returns one reply per command, in order. Every command must parse to a
  // write or fail to parse.
  std::vector<resp::Value> RunGroup(const std::vector<std::vector<std::string>>& commands,
                                    const std::vector<std::int64_t>& now_ms) {
    std::vector<resp::Value> out(commands.size());
    std::vector<std::string> members;
    std::vector<std::size_t> at;  // command of each member
    for (std::size_t i = 0; i < commands.size(); ++i) {
      Result<Op> op = ParseCommand(commands[i], now_ms[i]);
      if (!op.ok()) {
        out[i] = resp::Value::Error(op.status().message());
        continue;
      }
      CAIRN_CHECK(IsWrite(op->code), "RunGroup takes writes only");
      LogEntry entry;
      entry.now_ms = now_ms[i];
      entry.ops.push_back(std::move(*op));
      members.push_back(Encode(entry));
      at.push_back(i);
    }
    if (members.empty()) return out;
    std::string bytes = members.size() == 1 ? std::move(members[0]) : EncodeGroup(members);
    auto replies = sm_->Apply(sm_->applied_index() + 1, bytes);
    CAIRN_CHECK(replies.ok(), "apply failed");
    CAIRN_CHECK(replies->size() == members.size());
    for (std::size_t k = 0; k < at.size(); ++k) out[at[k]] = std::move((*replies)[k]);
    return out;
  }

  // MULTI ... EXEC of `commands` (all writes), with WATCHed versions.
  resp::Value Exec(const std::vector<std::vector<std::string>>& commands,
                   std::vector<WatchedKey> watches, std::int64_t now_ms) {
    LogEntry entry;
    entry.kind = EntryKind::kTransaction;
    entry.now_ms = now_ms;
    entry.watches = std::move(watches);
    for (const auto& args : commands) {
      Result<Op> op = ParseCommand(args, now_ms);
      CAIRN_CHECK(op.ok(), "transaction command must parse");
      entry.ops.push_back(std::move(*op));
    }
    auto replies = sm_->Apply(sm_->applied_index() + 1, Encode(entry));
    CAIRN_CHECK(replies.ok(), "apply failed");
    return std::move((*replies)[0]);
  }

  // Runs one command through a connection Session (MULTI/EXEC/WATCH aware),
  // as the server will. kServer commands get a placeholder error.
  resp::Value RunSession(const std::vector<std::string>& args, std::int64_t now_ms) {
    Session::Action a = session_.Handle(args, now_ms, *sm_);
    switch (a.kind) {
      case Session::Kind::kReply: return std::move(a.reply);
      case Session::Kind::kRead: return sm_->Read(a.op, now_ms);
      case Session::Kind::kServer: return resp::Value::Error("ERR server command");
      case Session::Kind::kPropose: break;
    }
    auto replies = sm_->Apply(sm_->applied_index() + 1, Encode(a.entry));
    CAIRN_CHECK(replies.ok(), "apply failed");
    return Session::FinishReply(a, std::move(*replies));
  }

  StateMachine& sm() { return *sm_; }
  Session& session() { return session_; }

 private:
  std::unique_ptr<StateMachine> sm_;
  Session session_;
};

}  // namespace cairn::kv::testing
