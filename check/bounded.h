#pragma once
// Bounded staleness: a read may miss only writes acknowledged less than a
// bound before it started (CONSISTENCY bounded <ms>).
//
// Needs a version order of each key's writes: every ok write (cas: its new
// value) should carry the `version` the server reported (for Cairn, the log
// index that applied it). A read's version is the version of the write whose
// (unique) value it returned; a nil read has the lowest version.
//
// For each ok read r of key k: no ok write w of k that completed more than
// `bound_ns` before r was invoked (w.complete_ns + bound_ns < r.invoke_ns)
// may have a version above r's. Also: a read may not return a value no
// write (ok or info) wrote.
//
// Not judged (counted in the summary): writes without a version (their
// client lost the connection before learning it) and the reads that
// returned their values. A history with no version at all is kUnknown: the
// order of writes cannot be known from values alone.
//
// The bound is compared with the clients' clock; a caller whose server
// rounds its own clock (Cairn: to milliseconds) adds that rounding to it.
// Thread-safety: pure function.

#include <cstdint>

#include "check/history.h"
#include "check/verdict.h"

namespace cairn::check {

Verdict CheckBounded(const History& h, std::int64_t bound_ns);

}  // namespace cairn::check
