#pragma once
// The command table: every command a Cairn node answers, with its arity, flags
// and key positions in Redis's conventions, so COMMAND / COMMAND COUNT /
// COMMAND INFO / COMMAND DOCS satisfy redis-cli and cluster-aware clients.
//
// Arity follows Redis: positive = exact argument count including the name,
// negative = at least that many. Key positions are 1-based argument indexes
// (last_key -1 = the last argument; step 2 = every other argument).
//
// Commands with a parser are key-value commands (kv/parse.h turns them into an
// Op). Commands without one (PING, MULTI, WATCH, HELLO...) are listed so that
// COMMAND describes the whole node, but the server implements them.
//
// Thread-safety: the table is immutable after static initialisation.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "kv/op.h"
#include "resp/value.h"

namespace cairn::kv {

inline constexpr std::uint32_t kCmdWrite = 1;
inline constexpr std::uint32_t kCmdReadonly = 2;
inline constexpr std::uint32_t kCmdAdmin = 4;
inline constexpr std::uint32_t kCmdFast = 8;
inline constexpr std::uint32_t kCmdDenyOom = 16;
inline constexpr std::uint32_t kCmdConnection = 32;  // served by the server, not the state machine
inline constexpr std::uint32_t kCmdNoScript = 64;
inline constexpr std::uint32_t kCmdLoading = 128;
inline constexpr std::uint32_t kCmdStale = 256;
// May make the connection wait (BLPOP...): the server parks it on an empty
// answer (kv/parse.h's BlockingTimeoutMs gives its timeout).
inline constexpr std::uint32_t kCmdBlocking = 512;

using Args = std::vector<std::string>;
// Parses args (args[0] is the command name) into an Op. `now_ms` is the time
// that relative expiries are measured from: the leader passes the now_ms of
// the log entry the Op will travel in.
using ParseFn = Result<Op> (*)(const Args& args, std::int64_t now_ms);

struct CommandSpec {
  std::string_view name;  // lower case
  int arity;
  std::uint32_t flags;
  int first_key;
  int last_key;
  int step;
  std::string_view group;    // Redis doc group: "string", "generic", "connection"...
  std::string_view since;    // first Redis version with the command (as Redis documents)
  std::string_view summary;  // one line, our own words
  ParseFn parse;             // nullptr: handled by the server
};

// Case-insensitive lookup; nullptr if unknown.
const CommandSpec* FindCommand(std::string_view name);
const std::vector<CommandSpec>& AllCommands();

// Whether argc satisfies the spec's arity.
bool ArityOk(const CommandSpec& spec, std::size_t argc);

// Answers COMMAND, COMMAND COUNT, COMMAND INFO [name...], COMMAND DOCS
// [name...], COMMAND LIST. args[0] is "COMMAND". Errors come back as error
// values, ready to send.
resp::Value CommandCommand(const Args& args);
// COMMAND GETKEYS command arg... (args[0] is "COMMAND"): the keys it names,
// with Redis 7.0's errors (command_keys.cc).
resp::Value CommandGetKeys(const Args& args);

}  // namespace cairn::kv
