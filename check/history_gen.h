#pragma once
// Generates register histories that are linearizable by construction: clients
// invoke ops at random times, each op takes effect on a real sequential
// register at one random instant between its invocation and completion, and
// its outcome is what that register returned. Some writes/cas end as info
// (the client timed out), either after taking effect or without ever taking
// effect. Used by property tests and benchmarks.
// Thread-safety: none (uses the caller's Random).

#include <cstdint>

#include "check/history.h"
#include "common/random.h"

namespace cairn::check {

struct RegisterGenOptions {
  int clients = 10;
  int ops = 1000;
  int keys = 1;
  double read_fraction = 0.5;
  double cas_fraction = 0.2;     // of the rest; the others are writes
  double info_fraction = 0.02;   // of writes/cas
  std::int64_t step_ns_max = 10; // time between two actions
};

History GenerateRegisterHistory(Random& rng, const RegisterGenOptions& options);

}  // namespace cairn::check
