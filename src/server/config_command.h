#pragma once
// CONFIG GET | SET | RESETSTAT | REWRITE | HELP: the node's settings, as
// Redis clients and tools ask for them.
//
// GET answers the settings a Redis client looks for, with this node's
// values (docs/commands.md lists them), matched by glob as Redis does.
// SET changes the settings a node changes while it runs (RuntimeSettings:
// on this node, until it restarts); setting any other known one to its
// current value is accepted and changes nothing, any other value is
// refused, so no tool is told a setting took effect when it did not.
//
// Thread-safety: none; the node's loop thread calls it.

#include <cstdint>
#include <string>
#include <vector>

#include "resp/value.h"
#include "server/node.h"

namespace cairn::server {

// What CONFIG SET changes.
struct RuntimeSettings {
  std::uint32_t keyspace_events = 0;            // notify-keyspace-events (kv/keyspace_events.h)
  std::int64_t slowlog_slower_than_us = 10000;  // slowlog-log-slower-than (< 0: off)
  std::int64_t slowlog_max_len = 128;           // slowlog-max-len
};

resp::Value ConfigCommand(const std::vector<std::string>& args, const NodeOptions& opt,
                          RuntimeSettings* settings);

}  // namespace cairn::server
