#pragma once
// ScriptRuntime: EVAL's Lua 5.1 scripts, run inside a log entry's apply.
//
// Every replica runs the script when it applies the entry (the entry carries
// the script's text, its keys and its arguments), so the script must do the
// same everywhere. That holds because all a script can see is handed in:
//
// - a Lua state made for the entry (below), with only the base (minus
//   dofile, loadfile and print), table, string, math, cjson and bit
//   libraries: no io, os, package or debug; globals and libraries read only;
// - math.random and math.randomseed draw from a generator seeded with
//   `seed` (the caller derives it from the entry's index), not from C's
//   rand();
// - redis.call and redis.pcall reach the data only through `call`, which
//   the state machine runs at the entry's replicated clock.
//
// Left to the script, as in Redis before 7.0: iterating with pairs() over a
// table whose keys are tables or functions visits them in address order,
// which differs between processes. Such a script should sort first.
//
// Bounds, the same on every replica: kInstructionsMax Lua VM instructions
// (counted by a hook) and kMemoryBytesMax bytes of Lua heap. Past either
// the script stops with an error reply; writes it made before stay, as in
// Redis (a script is atomic, not transactional).
//
// Errors: Lua errors become error replies (a compile error, a runtime error,
// an error reply raised by redis.call). A failure under a call that is not
// an error reply (the engine's) is the host's to keep and report after the
// run.
//
// Thread-safety: none needed; each run owns its Lua state.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kv/op.h"
#include "resp/value.h"

namespace cairn::kv {

// 10 million instructions take about 30 ms here. Every node runs the script
// in its apply, on its event loop, and a leader whose loop stalls past the
// election timeout (100-200 ms) loses its term: a CI run under load with a
// bound of 20 million saw exactly that.
inline constexpr std::uint64_t kScriptInstructionsMax = 10'000'000;
inline constexpr std::size_t kScriptMemoryBytesMax = 32u << 20;

// What a running script calls back into.
class ScriptHost {
 public:
  virtual ~ScriptHost() = default;
  // redis.call / redis.pcall: the command's reply, an error Value for an
  // error reply (raised by redis.call, returned by redis.pcall).
  virtual resp::Value Call(std::vector<std::string>& args) = 0;
};

// The Lua state the scripts of one log entry share: building it costs more
// than most scripts take to run, and a pipeline's EVALs arrive as one
// entry. Each script runs in a thread of its own with its own KEYS, ARGV,
// random seed and bounds; the globals, the libraries and the strings'
// metatable are read only (as in Redis 7.0), so one script cannot change
// what the next sees. A runtime lives for one entry's apply, so every
// replica shares it between the same scripts.
class ScriptRuntime {
 public:
  ScriptRuntime();
  ~ScriptRuntime();
  ScriptRuntime(const ScriptRuntime&) = delete;
  ScriptRuntime& operator=(const ScriptRuntime&) = delete;

  // Runs `op` (a validated kEval): its reply.
  resp::Value Run(const Op& op, std::uint64_t seed, ScriptHost* host);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::kv
