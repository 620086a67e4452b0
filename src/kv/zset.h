#pragma once
// The value of a sorted-set record (Record::type == kTypeZSet): its members
// with their scores, in Redis's order (score ascending, then member bytes
// ascending), as one byte string; and the score and range grammars the
// sorted-set commands share (Redis 7.0's).
//
// Layout: varint member count (>= 1), then per member its score (the IEEE-754
// double's 8 bytes, big-endian; never NaN) and PutBytes(member), in order.
// Members are distinct; a sorted set whose last member is removed is deleted
// with it, as in Redis. docs/formats/kv-command.md. As with hashes, sets and
// lists, a whole sorted set is one record: a write rewrites it, O(members).
//
// Thread-safety: pure functions.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::kv {

inline constexpr std::uint8_t kTypeZSet = 4;

struct ZMember {
  double score = 0;
  std::string member;
  friend bool operator==(const ZMember&, const ZMember&) = default;
};
// Sorted by ZLess; members distinct.
using ZMembers = std::vector<ZMember>;

// Redis's order: by score, then by member bytes (unsigned).
bool ZLess(const ZMember& a, const ZMember& b);
struct ZOrder {
  bool operator()(const ZMember& a, const ZMember& b) const { return ZLess(a, b); }
};
// The same members in a tree, for a value that many writes change in turn
// (O(log n) to place or remove one, where the vector moves its tail).
using ZMemberSet = std::set<ZMember, ZOrder>;

std::string EncodeZSet(const ZMembers& members);
std::string EncodeZMemberSet(const ZMemberSet& members);
// Corruption unless `bytes` is a well-formed value: count matches, no NaN
// score, strictly ascending (so no member twice at one score), members
// distinct, nothing trailing.
Status ValidateZSet(std::string_view bytes);
// The members of a value ValidateZSet accepted.
ZMembers DecodeZSet(std::string_view bytes);

// A score as ZADD, ZINCRBY and ZMSCORE's callers write it (Redis's
// getDoubleFromObject): the whole string, no leading space, "inf" and
// "-inf" allowed, NaN and overflow refused.
bool ParseScore(std::string_view text, double* out);

// ZRANGEBYSCORE's min and max: a number, "(" before it for an exclusive
// bound, "-inf" / "+inf" (Redis's zslParseRange, which reads as C strings).
struct ScoreRange {
  double min = 0, max = 0;
  bool min_exclusive = false, max_exclusive = false;
  bool AboveMin(double score) const { return min_exclusive ? score > min : score >= min; }
  bool BelowMax(double score) const { return max_exclusive ? score < max : score <= max; }
};
bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* out);

// ZRANGEBYLEX's min and max: "[member" inclusive, "(member" exclusive, "-"
// below everything, "+" above everything.
struct LexBound {
  enum class Kind : std::uint8_t { kMinusInf, kValue, kPlusInf } kind = Kind::kValue;
  std::string value;
  bool exclusive = false;
};
struct LexRange {
  LexBound min, max;
  bool AboveMin(std::string_view member) const;
  bool BelowMax(std::string_view member) const;
};
bool ParseLexRange(std::string_view min, std::string_view max, LexRange* out);

}  // namespace cairn::kv
