#pragma once
// LATENCY: Redis's latency-inspection command, answered from this node's
// request-latency histograms (Metrics::latency_by_command, the ones
// /metrics and INFO commandstats show).
//
// HISTOGRAM gives, per command, its calls and the cumulative count at each
// of the histograms' bounds (100 us to 2.5 s) where the count grows, in
// Redis's shape; Redis's own buckets are the powers of two, and its time is
// the command's execution only, where these run from a command's arrival to
// its reply (a write's commit included). Calls slower than 2.5 s count in
// `calls` but fall in no bucket. Cairn keeps no latency-monitor events
// (latency-monitor-threshold is 0, as Redis's default): LATEST and HISTORY
// answer empty, RESET 0, GRAPH Redis's error for an event without samples,
// DOCTOR says where to look instead.
//
// Thread-safety: none; called on the node's loop thread.

#include <string>
#include <vector>

#include "resp/value.h"
#include "server/metrics.h"

namespace cairn::server {

// args[0] is "LATENCY".
resp::Value LatencyCommand(const std::vector<std::string>& args, const Metrics& metrics);

}  // namespace cairn::server
