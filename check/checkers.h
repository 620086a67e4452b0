#pragma once
// One entry point for every checker (used by the cairn-check CLI, the
// simulator and the test harness): runs the checker, then shrinks the
// evidence of a failure to a small failing sub-history of one key.
// Thread-safety: pure function.

#include <string_view>

#include "check/history.h"
#include "check/linearizability.h"
#include "check/verdict.h"

namespace cairn::check {

enum class Workload : std::uint8_t { kLinear, kSession, kCounter, kSet, kLost, kBounded };

// "linear", "session", "counter", "set", "lost", "bounded".
Result<Workload> ParseWorkload(std::string_view name);

struct CheckOptions {
  LinearOptions linear;
  // kBounded: how stale a read may be, in nanoseconds of the clients' clock.
  std::int64_t bound_ns = 0;
  bool minimize = true;  // shrink evidence of session/counter/set/lost failures
  MinimizeOptions minimize_options{.checks_max = 500};
};

Verdict RunChecker(Workload w, const History& h, const CheckOptions& options = {});

}  // namespace cairn::check
