#pragma once
// BITFIELD's subcommands (GET, SET, INCRBY, OVERFLOW) on a string, as Redis
// 7.0 reads, writes and overflows them: a field is `bits` bits wide (i1-i64
// signed, u1-u63 unsigned), starting at a bit offset counted from the most
// significant bit of the first byte, as SETBIT counts.
//
// Thread-safety: pure functions and plain values.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::kv {

enum class BitFieldOverflow : std::uint8_t { kWrap, kSat, kFail };

struct BitFieldOp {
  enum class Kind : std::uint8_t { kGet, kSet, kIncrBy } kind = Kind::kGet;
  bool is_signed = false;
  int bits = 0;                                         // 1-64 signed, 1-63 unsigned
  std::uint64_t offset = 0;                             // in bits
  std::int64_t value = 0;                               // SET's value, INCRBY's increment
  BitFieldOverflow overflow = BitFieldOverflow::kWrap;  // the OVERFLOW in force
};

// The subcommands after the key (`args`), in Redis 7.0's order of checks;
// InvalidArgument with Redis's error reply otherwise. *writes says whether
// any is a SET or INCRBY.
Result<std::vector<BitFieldOp>> ParseBitField(const std::vector<std::string>& args,
                                              std::size_t first, bool* writes);

// The field's value in `s` (bits past its end read as 0).
std::int64_t GetBitField(std::string_view s, const BitFieldOp& op);

// SET or INCRBY on `s`, which must already reach the field's last bit: the
// reply (SET: the old value, INCRBY: the new one), or nullopt if OVERFLOW
// FAIL refused it (then `s` is unchanged). *changed says whether the
// field's bits changed.
std::optional<std::int64_t> ApplyBitField(std::string* s, const BitFieldOp& op, bool* changed);

}  // namespace cairn::kv
