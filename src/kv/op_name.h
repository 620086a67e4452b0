#pragma once
// The Redis command an Op came from, as SLOWLOG names it: the op's own
// command where one op code serves several (LPUSH and RPUSH, ZADD and
// ZINCRBY, the three ZREMRANGEBY*, the *STOREs...), else the family's
// (GEOADD is a zadd, INCR an incrby, EXPIRE a pexpireat). Keyspace
// notifications use it where Redis names the event after the command.
//
// Thread-safety: a pure function.

#include <string_view>

#include "kv/op.h"

namespace cairn::kv {

std::string_view OpCommandName(const Op& op);

}  // namespace cairn::kv
