#pragma once
// Linearizability checker for key-value registers (read, write, cas).
//
// Registers are independent objects, so a history is linearizable iff each
// key's sub-history is (P-compositionality, Herlihy & Wing); keys are checked
// one by one. Each key is searched with the Wing-Gong algorithm as improved by
// Lowe ("WGL"): walk the time-ordered call/return list, linearize a pending call
// whose effect the sequential register allows, backtrack at a return whose call
// was not linearized, and memoise every (set of linearized ops, register
// value) pair already explored so no configuration is searched twice.
//
// Semantics per op (fail ops are dropped: they had no effect):
//   read  ok   returns the register's value (nil = never written)
//   write ok   sets the value
//   cas   ok   succeeded: the value equalled old, and becomes new
//   write/cas info  may take effect at any point after invocation, or never
//                   (an info cas whose old value does not match has no effect)
//   read  info dropped (it constrains nothing)
//
// The search stops with kUnknown when the state budget or the time budget
// runs out, so a pathological history never hangs a test.
// Thread-safety: pure functions.

#include <chrono>
#include <cstdint>
#include <vector>

#include "check/history.h"
#include "check/minimize.h"
#include "check/verdict.h"

namespace cairn::check {

struct LinearOptions {
  std::uint64_t states_max = 10'000'000;  // memoised configurations, per key (~150 B each)
  std::int64_t time_budget_ms = 60'000;   // whole search (all keys)
  bool minimize = true;                   // shrink the first failing keys
  int keys_minimized_max = 3;
  std::int64_t minimize_budget_ms = 10'000;
  MinimizeOptions minimize_options;
};

struct SearchStats {
  std::uint64_t states = 0;  // memoised configurations
  std::uint64_t steps = 0;   // loop iterations
};

// Searches one key's ops (all with the same key; read/write/cas only).
// `force_reads` enables a pruning that is exact (see linearizability.cc,
// ForcedRead); false gives plain WGL, kept for differential tests.
Validity SearchRegister(const std::vector<Op>& ops, std::uint64_t states_max,
                        std::chrono::steady_clock::time_point deadline, SearchStats* stats = nullptr,
                        bool force_reads = true);

Verdict CheckLinearizable(const History& h, const LinearOptions& options = {});

}  // namespace cairn::check
