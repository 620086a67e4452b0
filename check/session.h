#pragma once
// Session guarantees (Terry et al., 1994), checked per client (process) and
// per key against a version order of writes.
//
// The version of an op: its "version" field when the server reported one
// (e.g. the Raft index that applied the write); otherwise, for a read, the
// version of the write whose (unique) value it returned, else that value; for
// a write, its value (cas: its new value). Without reported versions the
// workload must therefore write values that increase in apply order per key.
// A nil read has the lowest version. In a history where some op has a
// version, a write without one has no known place in the order: it, and the
// reads that returned its value, are not judged (counted in the summary).
//
// For one process and one key, over its ops in program order (ok ops only):
//   read-your-writes     a read returns a version >= its last write's
//   monotonic reads      a read returns a version >= every earlier read's
//   monotonic writes     a write's version > its earlier writes'
//   writes-follow-reads  a write's version > every earlier read's
// Also: a read may not return a value no write (ok or info) ever wrote.
// Thread-safety: pure function.

#include "check/history.h"
#include "check/verdict.h"

namespace cairn::check {

Verdict CheckSession(const History& h);

}  // namespace cairn::check
