#pragma once
// Cheap, sound tests for the commonest register anomalies, run before the
// exponential search. Each pattern proves non-linearizability on its own, so
// a hit is a verdict with a 2-3 op witness; no hit proves nothing. Values are
// assumed unique per key only where a pattern says so.
//
//   read of a value never written     no write/cas (ok or info) wrote it
//   read from the future              every writer of it was invoked after the read completed
//   nil read after a write            an ok write/cas completed before the read began
//   stale read                        the only writer w of v, then an ok write w' of another
//                                     value, both completed before the read began
// "Read" also means the old value an ok cas compared against.

#include <optional>
#include <string>
#include <vector>

#include "check/history.h"

namespace cairn::check::internal {

struct RegisterViolation {
  std::string what;
  std::vector<Op> ops;  // the witness, in invocation order
};

// `ops` are one key's ops.
std::optional<RegisterViolation> FindRegisterViolation(const std::vector<Op>& ops);

}  // namespace cairn::check::internal
