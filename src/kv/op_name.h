#pragma once
// The Redis command an Op came from, as SLOWLOG names it: the op's own
// command where one op code serves several (LPUSH and RPUSH, ZADD and
// ZINCRBY...), else the family's ("zremrangeby" for the three ZREMRANGEBY*
// commands; GEOADD is a zadd, INCR an incrby).
//
// Thread-safety: a pure function.

#include <string_view>

#include "kv/op.h"

namespace cairn::kv {

std::string_view OpCommandName(const Op& op);

}  // namespace cairn::kv
