// StateMachine::ApplyEval and ReadScript: an EVAL's script (kv/script.h),
// its redis.call commands applied through ApplyOp like the ops of a
// MULTI/EXEC at the entry's clock, or for a lone EVAL_RO, served through
// Read at the read's time.
#include <algorithm>
#include <optional>

#include "common/status.h"
#include "kv/apply_txn.h"
#include "kv/errors.h"
#include "kv/parse.h"
#include "kv/script.h"

namespace cairn::kv {
namespace {

// What both ways of running a script check before one of its commands
// runs: the command's op in *op, or (nullopt otherwise) the reply to give
// instead, an error or PING's answer. Refused: the server's own commands,
// the blocking ones and EVAL (kCmdNoScript); PUBLISH (its count is the
// taking node's, unknown here); FLUSHDB and active expiry (they write keys
// they do not name); writes from a read-only script; and any read a
// transaction could not hold.
std::optional<resp::Value> PrepareCall(std::vector<std::string>& args, std::int64_t time_ms,
                                       bool read_only, Op* op) {
  using resp::Value;
  const CommandSpec* spec = FindCommand(args[0]);  // (case-insensitive)
  if (spec == nullptr) return Value::Error("ERR Unknown Redis command called from script");
  if (spec->name == "ping" && args.size() <= 2) {
    return args.size() == 1 ? Value::Simple("PONG") : Value::Bulk(args[1]);
  }
  const Value refused = Value::Error("ERR This Redis command is not allowed from script");
  if ((spec->flags & kCmdNoScript) || spec->parse == nullptr) return refused;
  const auto argc = static_cast<std::int64_t>(args.size());
  if (spec->arity > 0 ? argc != spec->arity : argc < -spec->arity) {
    return Value::Error("ERR Wrong number of args calling Redis command from script");
  }
  auto parsed = ParseCommand(args, time_ms);
  if (!parsed.ok()) return Value::Error(parsed.status().message());
  if (parsed->code == OpCode::kPublish || parsed->code == OpCode::kFlushDb ||
      parsed->code == OpCode::kExpireUpTo) {
    return refused;
  }
  if (IsWrite(parsed->code) && read_only) {
    return Value::Error("ERR Write commands are not allowed from read-only scripts.");
  }
  if (!ValidateOp(*parsed, EntryKind::kTransaction).ok()) return refused;
  *op = std::move(*parsed);
  return std::nullopt;
}

}  // namespace

Result<resp::Value> StateMachine::ApplyEval(ApplyTxn* txn, const Op& op) {
  class Host : public ScriptHost {
   public:
    Host(StateMachine* sm, ApplyTxn* txn, const Op& eval) : sm_(sm), txn_(txn), eval_(eval) {}
    Status failure() const { return failure_; }

    resp::Value Call(std::vector<std::string>& args) override {
      Op call;
      if (auto answer = PrepareCall(args, txn_->clock_ms(), eval_.flags & kEvalReadOnly, &call)) {
        return std::move(*answer);
      }
      if (IsWrite(call.code)) {
        // Only declared keys: the node learns what an entry wrote from its
        // ops (client tracking, blocked pops), and for an EVAL that is its
        // KEYS.
        std::vector<std::string> written;
        AppendWrittenKeys(call, &written);
        const auto declared_begin = eval_.args.begin() + 1;
        const auto declared_end = declared_begin + eval_.num;
        for (const std::string& key : written) {
          if (std::find(declared_begin, declared_end, key) == declared_end) {
            return resp::Value::Error(
                "ERR Cairn scripts may write only the keys given to EVAL as KEYS; '" + key +
                "' is not one of them");
          }
        }
      }
      auto reply = sm_->ApplyOp(txn_, call);
      if (!reply.ok()) {
        if (failure_.ok()) failure_ = reply.status();
        return resp::Value::Error("ERR storage failure");
      }
      return std::move(*reply);
    }

   private:
    StateMachine* sm_;
    ApplyTxn* txn_;
    const Op& eval_;
    Status failure_ = Status::Ok();
  };
  Host host(this, txn, op);
  resp::Value reply = txn->Scripts().Run(op, txn->NextDrawSeed(), &host);
  CAIRN_RETURN_IF_ERROR(host.failure());
  return reply;
}

resp::Value StateMachine::ReadScript(const Op& op, std::int64_t time_ms) const {
  class Host : public ScriptHost {
   public:
    Host(const StateMachine* sm, std::int64_t time_ms) : sm_(sm), time_ms_(time_ms) {}
    resp::Value Call(std::vector<std::string>& args) override {
      Op call;
      if (auto answer = PrepareCall(args, time_ms_, /*read_only=*/true, &call)) {
        return std::move(*answer);
      }
      return sm_->Read(call, time_ms_);
    }

   private:
    const StateMachine* sm_;
    std::int64_t time_ms_;
  };
  Host host(this, time_ms);
  std::uint64_t mix = applied_.index ^ (++random_reads_ * 0x9e3779b97f4a7c15ULL);
  ScriptRuntime runtime;
  return runtime.Run(op, SplitMix64(mix), &host);
}

}  // namespace cairn::kv
