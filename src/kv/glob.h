#pragma once
// Redis-style glob matching for SCAN MATCH (and KEYS-like filters):
//   *  any run of bytes     ?  one byte     [abc] [^a-z] a set or range
//   \x the byte x literally
// Byte-wise, case-sensitive, no allocation, no recursion: it backtracks only
// to the last '*' (the classic
// two-pointer wildcard match), so a hostile pattern costs O(|pattern| * |text|).
//
// Thread-safety: pure function.

#include <string_view>

namespace cairn::kv {

bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace cairn::kv
