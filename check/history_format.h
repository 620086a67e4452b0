#pragma once
// The history file format: JSON lines, one event per line (see
// docs/checkers.md for the full definition). Examples:
//
//   {"process":1,"type":"invoke","f":"write","key":"x","value":5,"time_ns":100}
//   {"process":1,"type":"ok","f":"write","key":"x","time_ns":250}
//   {"process":2,"type":"ok","f":"read","key":"x","value":null,"time_ns":300}
//   {"process":3,"type":"invoke","f":"cas","key":"x","value":[5,6],"time_ns":310}
//   {"type":"nemesis","f":"partition","phase":"start","time_ns":400,"detail":"n1|n2,n3"}
//
// Errors are InvalidArgument values whose message starts with "line N: ".
// The parser never throws and never aborts on bad input (it is fuzzed).
// Thread-safety: pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "check/history.h"
#include "common/status.h"

namespace cairn::check {

struct ParsedFile {
  std::vector<Event> events;          // client events, in file order
  std::vector<NemesisEvent> nemesis;  // start/stop pairs already matched
};

// Lines longer than this are rejected (bounded work per line).
inline constexpr std::size_t kLineBytesMax = 1 << 20;

Result<ParsedFile> ParseHistoryText(std::string_view text);
// Parse + BuildHistory.
Result<History> ParseHistory(std::string_view text);
Result<History> LoadHistoryFile(const std::string& path);

// One event as a JSON line (no trailing newline).
std::string FormatEvent(const Event& e);
// Writes ops back as events (invocation, then completion unless the op never
// completed), ordered by time, then nemesis events. ParseHistory(FormatHistory(h))
// yields the same ops.
std::string FormatHistory(const History& h);

}  // namespace cairn::check
