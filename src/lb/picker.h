#pragma once
// Picker: chooses an endpoint per request (request-level load balancing).
//
// A picker is built for a fixed endpoint list; on a membership change the
// owner builds a new one and swaps it in (e.g. through an atomic
// shared_ptr). Pick returns an index into that list.
//
// Use:
//   auto i = picker.Pick(rng);          // rng: the calling thread's own Random
//   picker.OnStart(*i);  ... send ...  picker.OnFinish(*i, latency, ok);
//
// Thread-safety: every picker's Pick/OnStart/OnFinish may be called from
// many threads at once; each class says how (atomics or a mutex). The Random
// passed in must belong to the calling thread. Endpoints the HealthTracker
// ejects are skipped; if all are ejected, Pick ignores health rather than
// failing (a degraded answer beats none).

#include <cstddef>
#include <optional>

#include "common/clock.h"
#include "common/random.h"

namespace cairn::lb {

class Picker {
 public:
  virtual ~Picker() = default;
  // nullopt only when the endpoint list is empty.
  virtual std::optional<std::size_t> Pick(Random& rng) = 0;
  virtual void OnStart(std::size_t /*endpoint*/) {}
  virtual void OnFinish(std::size_t /*endpoint*/, Nanos /*latency*/, bool /*ok*/) {}
};

}  // namespace cairn::lb
