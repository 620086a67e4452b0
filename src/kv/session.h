#pragma once
// kv::Session: one client connection's command state — MULTI/EXEC/DISCARD,
// WATCH/UNWATCH — turning each command into what the server must do next.
//
// Use (per command the RESP parser yields):
//   Action a = session.Handle(args, now_ms, sm);
//   kReply   -> send a.reply.
//   kRead    -> send sm.Read(a.op, read_time).
//   kPropose -> propose Encode(a.entry) through Raft; when applied, send
//               session.FinishReply(a, replies_from_Apply).
//   kServer  -> a connection command this class does not own (PING, HELLO,
//               SELECT, ECHO, QUIT, COMMAND...): the server answers it.
// Inside MULTI, key-value commands are queued (+QUEUED) and EXEC yields one
// transaction entry carrying the WATCHed versions; reads inside it are
// answered at their place in the transaction. Errors follow Redis 7.0:
// an unknown command or wrong arity inside MULTI makes EXEC reply EXECABORT;
// other errors (syntax, bad integer) take their place in EXEC's array.
//
// Batching: the server may merge the one-op batch entries of several kPropose
// actions (from any connections) into one batch entry, concatenating their
// ops and stamping it with the largest of their now_ms; reply i of the
// applied batch belongs to op i. Transaction entries are never merged.
//
// Thread-safety: none; one Session per connection, used by its event loop.

#include <cstdint>
#include <string>
#include <vector>

#include "kv/command_table.h"
#include "kv/log_entry.h"
#include "kv/state_machine.h"

namespace cairn::kv {

class Session {
 public:
  enum class Kind : std::uint8_t { kReply, kRead, kPropose, kServer };

  struct Action {
    Kind kind = Kind::kReply;
    resp::Value reply;  // kReply
    Op op;              // kRead
    LogEntry entry;     // kPropose
    // For an EXEC: where each queued command's reply comes from — an index
    // into the applied array (>= 0) or a reply fixed at queue time (-1).
    std::vector<int> exec_slots;
    std::vector<resp::Value> exec_fixed;
  };

  // `sm` is read only for WATCH (key versions at max(now_ms, sm.clock_ms())).
  Action Handle(const Args& args, std::int64_t now_ms, const StateMachine& sm);

  // The client's reply once a kPropose entry has been applied (`applied` is
  // what StateMachine::Apply returned for it).
  static resp::Value FinishReply(const Action& action, std::vector<resp::Value> applied);

  bool in_multi() const { return in_multi_; }
  // Inside MULTI, for a command the server answers before queueing
  // (EVALSHA, which it turns into EVAL; AUTH): its `reply` either stands as
  // the command's reply in EXEC's array (a runtime error in Redis:
  // NOSCRIPT; AUTH's OK or WRONGPASS), answering QUEUED now, or, if
  // `aborts` (as Redis's arity errors do), is answered now and makes EXEC
  // abort.
  Action QueueFixedReply(resp::Value reply, bool aborts);
  std::size_t watched_keys() const { return watches_.size(); }

 private:
  // FindCommand with a one-entry memo of the last name, as the client sent it.
  const CommandSpec* Lookup(const std::string& name);
  static constexpr std::size_t kLookupMemoNameMax = 32;  // FindCommand's own bound
  std::string lookup_name_;
  const CommandSpec* lookup_spec_ = nullptr;

  Action Queue(const Args& args, std::int64_t now_ms);
  Action Exec(std::int64_t now_ms);
  void Reset();

  bool in_multi_ = false;
  bool dirty_ = false;  // an EXECABORT-class error happened while queueing
  std::vector<WatchedKey> watches_;
  // Queued commands are validated when queued and parsed again at EXEC, so
  // relative expiries count from EXEC's time, as in Redis.
  std::vector<Args> queued_;
  std::vector<int> slots_;
  std::vector<resp::Value> fixed_;
};

}  // namespace cairn::kv
