#include "kv/session.h"

#include "common/assert.h"
#include "kv/errors.h"
#include "kv/parse.h"
#include "kv/subcommand_help.h"

namespace cairn::kv {
namespace {

using resp::Value;

Session::Action Reply(Value v) {
  Session::Action a;
  a.reply = std::move(v);
  return a;
}

}  // namespace

void Session::Reset() {
  in_multi_ = false;
  dirty_ = false;
  watches_.clear();
  queued_.clear();
  slots_.clear();
  fixed_.clear();
}

Session::Action Session::Handle(const Args& args, std::int64_t now_ms, const StateMachine& sm) {
  if (args.empty()) return Reply(Value::Error("ERR empty command"));
  const CommandSpec* spec = Lookup(args[0]);
  bool arity_ok = spec != nullptr && ArityOk(*spec, args.size());
  if (spec && arity_ok && spec->name == "exec") {
    if (!in_multi_) return Reply(Value::Error("ERR EXEC without MULTI"));
    return Exec(now_ms);
  }
  if (spec && arity_ok && spec->name == "discard") {
    if (!in_multi_) return Reply(Value::Error("ERR DISCARD without MULTI"));
    Reset();
    return Reply(Value::Simple("OK"));
  }
  if (spec && arity_ok && spec->name == "multi") {
    if (in_multi_) return Reply(Value::Error("ERR MULTI calls can not be nested"));
    in_multi_ = true;
    return Reply(Value::Simple("OK"));
  }
  if (spec && arity_ok && spec->name == "watch") {
    if (in_multi_) return Reply(Value::Error("ERR WATCH inside MULTI is not allowed"));
    for (std::size_t i = 1; i < args.size(); ++i) {
      Result<std::uint64_t> v = sm.KeyVersion(args[i], now_ms);
      if (!v.ok()) return Reply(Value::Error("ERR storage: " + v.status().ToString()));
      watches_.push_back({args[i], *v});
    }
    return Reply(Value::Simple("OK"));
  }
  if (in_multi_) return Queue(args, now_ms);
  if (spec && arity_ok && spec->name == "unwatch") {
    watches_.clear();
    return Reply(Value::Simple("OK"));
  }
  if (spec && arity_ok && spec->parse == nullptr) {
    Action a;
    a.kind = Kind::kServer;
    return a;
  }
  if (spec && arity_ok) {
    if (std::optional<Value> help = SubcommandHelp(args)) return Reply(std::move(*help));
  }
  // The spec is known: parse directly (ParseCommand would look it up again);
  // without one, ParseCommand words the error.
  Result<Op> op = spec && arity_ok ? spec->parse(args, now_ms) : ParseCommand(args, now_ms);
  if (!op.ok()) return Reply(Value::Error(op.status().message()));
  Action a;
  if (!IsWrite(op->code) || IsReadOnlyScript(*op)) {
    a.kind = Kind::kRead;
    a.op = std::move(*op);
    return a;
  }
  a.kind = Kind::kPropose;
  a.entry.now_ms = now_ms;
  a.entry.ops.push_back(std::move(*op));
  return a;
}

const CommandSpec* Session::Lookup(const std::string& name) {
  // A client sends the same few names over and over: one compare of a short
  // string instead of lower-casing and hashing it each time.
  if (name.size() > kLookupMemoNameMax) return FindCommand(name);
  if (name != lookup_name_) {
    lookup_spec_ = FindCommand(name);
    lookup_name_ = name;
  }
  return lookup_spec_;
}

Session::Action Session::Queue(const Args& args, std::int64_t now_ms) {
  const CommandSpec* spec = FindCommand(args[0]);
  if (spec == nullptr || !ArityOk(*spec, args.size())) {
    dirty_ = true;  // Redis rejects these before queueing: EXEC will abort
    return Reply(Value::Error(ParseCommand(args, now_ms).status().message()));
  }
  auto fixed = [&](Value v) {
    slots_.push_back(-1);
    fixed_.push_back(std::move(v));
    return Reply(Value::Simple("QUEUED"));
  };
  if (spec->parse == nullptr) {
    if (spec->name == "ping") return fixed(args.size() > 1 ? Value::Bulk(args[1]) : Value::Simple("PONG"));
    if (spec->name == "echo") return fixed(Value::Bulk(args[1]));
    if (spec->name == "unwatch") return fixed(Value::Simple("OK"));
    dirty_ = true;
    return Reply(Value::Error("ERR '" + std::string(spec->name) +
                              "' inside MULTI is not supported by Cairn"));
  }
  if (std::optional<Value> help = SubcommandHelp(args)) return fixed(std::move(*help));
  Result<Op> op = spec->parse(args, now_ms);
  if (!op.ok() && IsCommandLookupError(op.status().message())) {
    dirty_ = true;  // Redis finds a subcommand (XGROUP CREATE) as it finds a command
    return Reply(Value::Error(op.status().message()));
  }
  if (!op.ok()) return fixed(Value::Error(op.status().message()));  // a runtime error in Redis
  if (!IsWrite(op->code) && !IsTransactionalRead(op->code)) {
    return fixed(Value::Error("ERR '" + std::string(spec->name) +
                              "' inside MULTI is not supported by Cairn"));
  }
  slots_.push_back(static_cast<int>(queued_.size()));
  fixed_.push_back(Value::Null());
  queued_.push_back(args);
  return Reply(Value::Simple("QUEUED"));
}

Session::Action Session::QueueFixedReply(Value reply, bool aborts) {
  CAIRN_CHECK(in_multi_, "QueueFixedReply outside MULTI");
  if (aborts) {
    dirty_ = true;
    return Reply(std::move(reply));
  }
  slots_.push_back(-1);
  fixed_.push_back(std::move(reply));
  return Reply(Value::Simple("QUEUED"));
}

Session::Action Session::Exec(std::int64_t now_ms) {
  if (dirty_) {
    Reset();
    return Reply(Value::Error("EXECABORT Transaction discarded because of previous errors."));
  }
  Action a;
  if (queued_.empty() && watches_.empty()) {
    a.reply = Value::Array(std::move(fixed_));
    Reset();
    return a;
  }
  a.kind = Kind::kPropose;
  a.entry.kind = EntryKind::kTransaction;
  a.entry.now_ms = now_ms;
  a.entry.watches = std::move(watches_);
  a.exec_slots = std::move(slots_);
  a.exec_fixed = std::move(fixed_);
  int next_op = 0;
  for (std::size_t i = 0; i < a.exec_slots.size(); ++i) {
    if (a.exec_slots[i] < 0) continue;
    Result<Op> op = ParseCommand(queued_[static_cast<std::size_t>(a.exec_slots[i])], now_ms);
    if (!op.ok()) {  // only an expiry that overflows now: reply as Redis would
      a.exec_slots[i] = -1;
      a.exec_fixed[i] = Value::Error(op.status().message());
      continue;
    }
    a.exec_slots[i] = next_op++;
    a.entry.ops.push_back(std::move(*op));
  }
  Reset();
  return a;
}

resp::Value Session::FinishReply(const Action& action, std::vector<resp::Value> applied) {
  if (applied.size() != 1) return Value::Error("ERR internal: unexpected apply result");
  if (action.entry.kind != EntryKind::kTransaction) return std::move(applied[0]);
  Value result = std::move(applied[0]);
  if (result.type != resp::Type::kArray) return result;  // aborted: null array
  Value out = Value::Array();
  for (std::size_t i = 0; i < action.exec_slots.size(); ++i) {
    int slot = action.exec_slots[i];
    if (slot < 0) {
      out.elems.push_back(action.exec_fixed[i]);
    } else if (static_cast<std::size_t>(slot) < result.elems.size()) {
      out.elems.push_back(std::move(result.elems[static_cast<std::size_t>(slot)]));
    }
  }
  return out;
}

}  // namespace cairn::kv
