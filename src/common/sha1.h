#pragma once
// SHA-1, for what Redis names by it: a script's SHA1 digest (EVALSHA,
// SCRIPT LOAD, redis.sha1hex). Not for security: SHA-1 collisions can be
// made; a script cache keyed by it trusts whoever may load scripts anyway.
//
// Thread-safety: a pure function.
#include <string>
#include <string_view>

namespace cairn {

// The digest of `data` as 40 lower-case hex digits.
std::string Sha1Hex(std::string_view data);

}  // namespace cairn
