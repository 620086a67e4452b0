#pragma once
// The history model shared by every checker.
//
// A history is what clients observed: a list of events (an invocation, then a
// completion from the same process) plus optional fault ("nemesis") events.
// Checkers work on Ops, which pair each invocation with its completion.
//
//   Outcome::kOk    the operation took effect (reads: returned `value`).
//   Outcome::kFail  the operation certainly did NOT take effect.
//   Outcome::kInfo  indeterminate (e.g. a timeout): it may take effect at any
//                   time after its invocation, or never. complete_ns is then
//                   kNeverNs.
//
// Thread-safety: plain values; no shared state.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::check {

inline constexpr std::int64_t kNeverNs = std::numeric_limits<std::int64_t>::max();

enum class EventType : std::uint8_t { kInvoke, kOk, kFail, kInfo };
enum class Outcome : std::uint8_t { kOk, kFail, kInfo };
// kAdd is a counter increment (value = delta) or a set add (value = element).
enum class Fn : std::uint8_t { kRead, kWrite, kCas, kAdd };

std::string_view FnName(Fn f);
std::string_view OutcomeName(Outcome o);

// One line of a history file.
struct Event {
  EventType type = EventType::kInvoke;
  std::int64_t process = 0;
  Fn f = Fn::kRead;
  std::string key;
  // write: value; add: delta or element; read completion: the value read
  // (nullopt = the key was absent, "nil").
  std::optional<std::int64_t> value;
  std::int64_t cas_old = 0;  // cas only
  std::int64_t cas_new = 0;  // cas only
  bool has_elements = false;  // read of a set: value was a JSON array
  std::vector<std::int64_t> elements;
  std::optional<std::int64_t> version;  // optional, reported by the server
  std::int64_t time_ns = 0;
  int line = 0;  // 1-based line in the source file; 0 if built in code
};

// A fault window (or instant when stop_ns == start_ns) for reports.
struct NemesisEvent {
  std::string kind;    // "partition", "kill", "pause", ...
  std::string detail;  // free text, e.g. "n1 | n2 n3"
  std::int64_t start_ns = 0;
  std::int64_t stop_ns = 0;  // kNeverNs while still active at the end
};

// One paired operation.
struct Op {
  int id = 0;  // index in History::ops, stable for reports
  std::int64_t process = 0;
  Fn f = Fn::kRead;
  std::string key;
  Outcome outcome = Outcome::kOk;
  std::optional<std::int64_t> value;  // see Event::value
  std::int64_t cas_old = 0;
  std::int64_t cas_new = 0;
  bool has_elements = false;
  std::vector<std::int64_t> elements;
  std::optional<std::int64_t> version;
  std::int64_t invoke_ns = 0;
  std::int64_t complete_ns = kNeverNs;  // kNeverNs for kInfo
  // When the completion event was seen (for info: when the client gave up);
  // kNeverNs if the history ended first. For reports only.
  std::int64_t observed_ns = kNeverNs;
  int line = 0;                         // line of the invocation

  bool ok() const { return outcome == Outcome::kOk; }
  bool info() const { return outcome == Outcome::kInfo; }
  bool fail() const { return outcome == Outcome::kFail; }
  // Real-time order: this op completed before `other` was invoked.
  bool Precedes(const Op& other) const { return complete_ns < other.invoke_ns; }
};

struct History {
  std::vector<Op> ops;  // sorted by invoke_ns (ties: by line / input order)
  std::vector<NemesisEvent> nemesis;
};

// Pairs invocations with completions per process. Errors (InvalidArgument,
// naming the line): a completion without a pending invocation, an invocation
// while one is pending, a completion whose f/key differ from its invocation,
// a completion earlier than its invocation, an ok read without a value. An
// invocation still pending at the end becomes kInfo.
Result<History> BuildHistory(const std::vector<Event>& events,
                             std::vector<NemesisEvent> nemesis = {});

// Human-readable one-liner: "p3 write x 5 ok [100, 250]".
std::string DescribeOp(const Op& op);
// Several ops, one per line, sorted by invocation.
std::string DescribeOps(const std::vector<Op>& ops);

}  // namespace cairn::check
