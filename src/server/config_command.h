#pragma once
// CONFIG GET | SET | RESETSTAT | REWRITE | HELP: the node's settings, as
// Redis clients and tools ask for them.
//
// GET answers the settings a Redis client looks for, with this node's
// values (docs/commands.md lists them), matched by glob as Redis does.
// SET changes notify-keyspace-events, the one setting a node changes while
// it runs (on this node, until it restarts: start it with the setting to
// keep it); setting any other known one to its current value is accepted
// and changes nothing, any other value is refused, so no tool is told a
// setting took effect when it did not.
//
// Thread-safety: none; the node's loop thread calls it.

#include <cstdint>
#include <string>
#include <vector>

#include "resp/value.h"
#include "server/node.h"

namespace cairn::server {

// `keyspace_events` is the node's notify-keyspace-events setting
// (kv/keyspace_events.h), which SET may change.
resp::Value ConfigCommand(const std::vector<std::string>& args, const NodeOptions& opt,
                          std::uint32_t* keyspace_events);

}  // namespace cairn::server
