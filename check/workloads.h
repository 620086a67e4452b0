#pragma once
// Checkers for the counter, set and lost-write workloads. Each key is an
// independent object; all definitions use real time (an op that completed
// before another was invoked precedes it).
//
// Counter (f = add with a delta, read; the initial value is 0, nil reads 0):
//   for every ok read r, value(r) lies in [lo, hi] where, with
//     must = ok adds that completed before r was invoked,
//     may  = ok or info adds invoked before r completed,
//   lo = sum(must, positive deltas) + sum(may, negative deltas)
//   hi = sum(must, negative deltas) + sum(may, positive deltas).
//   For a final read with non-negative deltas this is
//   [sum of acknowledged increments, that + sum of indeterminate ones].
//
// Set (f = add with an element, read returning an array; no removals):
//   every element of an ok read r was added (ok or info add) by an add
//   invoked before r completed; an element from a failed add never appears;
//   every ok add that completed before r was invoked is in r; and an element
//   that an earlier read (completed before r was invoked) returned is in r.
//
// Lost (registers: write/cas + read; sets as above):
//   a final read of a key is an ok read invoked after every write on it
//   completed (info writes aside). Registers: the final value was written by
//   some write w (ok or info) and no ok write started after every such w
//   completed (that write would be lost); nil only if no write succeeded.
//   Sets: every ok add is in every final read.
// Thread-safety: pure functions.

#include "check/history.h"
#include "check/verdict.h"

namespace cairn::check {

Verdict CheckCounter(const History& h);
Verdict CheckSet(const History& h);
Verdict CheckLost(const History& h);

}  // namespace cairn::check
