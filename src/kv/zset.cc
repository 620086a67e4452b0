#include "kv/zset.h"

#include <bit>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <unordered_set>

#include "common/assert.h"
#include "kv/coding.h"

namespace cairn::kv {
namespace {

void PutScore(std::string* out, double score) {
  const auto bits = std::bit_cast<std::uint64_t>(score);
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(bits >> shift));
}

bool GetScore(Decoder* d, double* score) {
  std::string_view raw;
  if (!d->Raw(8, &raw)) return false;
  std::uint64_t bits = 0;
  for (char c : raw) bits = (bits << 8) | static_cast<std::uint8_t>(c);
  *score = std::bit_cast<double>(bits);
  return true;
}

// strtod over `text` read as a C string (up to its first zero byte), as
// Redis's zslParseRange reads its arguments; the end pointer must reach
// that zero byte.
bool CStringDouble(std::string_view text, double* out) {
  std::string copy(text.substr(0, text.find('\0')));
  char* end = nullptr;
  *out = std::strtod(copy.c_str(), &end);
  return *end == '\0' && !std::isnan(*out);
}

bool ParseLexBound(std::string_view text, LexBound* out) {
  if (text.empty()) return false;
  switch (text[0]) {
    case '+':
    case '-':
      // Redis tests the byte after the sign as a C string would.
      if (text.size() > 1 && text[1] != '\0') return false;
      out->kind = text[0] == '+' ? LexBound::Kind::kPlusInf : LexBound::Kind::kMinusInf;
      out->exclusive = true;
      return true;
    case '(':
    case '[':
      out->kind = LexBound::Kind::kValue;
      out->value.assign(text.substr(1));
      out->exclusive = text[0] == '(';
      return true;
    default: return false;
  }
}

// Redis's sdscmplex: -1, 0 or 1 for `member` against a bound.
int CompareToBound(std::string_view member, const LexBound& bound) {
  if (bound.kind == LexBound::Kind::kMinusInf) return 1;
  if (bound.kind == LexBound::Kind::kPlusInf) return -1;
  const int c = member.compare(bound.value);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace

bool ZLess(const ZMember& a, const ZMember& b) {
  if (a.score != b.score) return a.score < b.score;
  return a.member < b.member;  // std::string compares bytes as unsigned char
}

namespace {

template <class Members>
std::string EncodeMembers(const Members& members) {
  std::size_t bytes = 10;
  for (const ZMember& m : members) bytes += m.member.size() + 13;
  std::string out;
  out.reserve(bytes);
  PutVarint(&out, members.size());
  for (const ZMember& m : members) {
    PutScore(&out, m.score);
    PutBytes(&out, m.member);
  }
  return out;
}

}  // namespace

std::string EncodeZSet(const ZMembers& members) { return EncodeMembers(members); }
std::string EncodeZMemberSet(const ZMemberSet& members) { return EncodeMembers(members); }

Status ValidateZSet(std::string_view bytes) {
  Decoder d(bytes);
  std::uint64_t n = 0;
  if (!d.Varint(&n)) return Status::Corruption("kv: truncated sorted set");
  // Each member takes at least nine bytes (its score and a length byte).
  if (n == 0 || n > d.rest().size() / 9) return Status::Corruption("kv: bad sorted set length");
  std::unordered_set<std::string_view> seen;
  seen.reserve(n);
  double prev_score = 0;
  std::string_view prev;
  for (std::uint64_t i = 0; i < n; ++i) {
    double score = 0;
    std::string_view member;
    if (!GetScore(&d, &score) || !d.Bytes(&member)) {
      return Status::Corruption("kv: truncated sorted set member");
    }
    if (std::isnan(score)) return Status::Corruption("kv: sorted set score is NaN");
    if (i > 0 && !(prev_score < score || (prev_score == score && prev < member))) {
      return Status::Corruption("kv: sorted set out of order");
    }
    if (!seen.insert(member).second) return Status::Corruption("kv: repeated sorted set member");
    prev_score = score;
    prev = member;
  }
  if (!d.done()) return Status::Corruption("kv: trailing bytes after a sorted set");
  return Status::Ok();
}

ZMembers DecodeZSet(std::string_view bytes) {
  Decoder d(bytes);
  std::uint64_t n = 0;
  CAIRN_CHECK(d.Varint(&n), "a sorted set value that was not validated");
  ZMembers out;
  out.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    ZMember m;
    std::string_view member;
    CAIRN_CHECK(GetScore(&d, &m.score) && d.Bytes(&member),
                "a sorted set value that was not validated");
    m.member.assign(member);
    out.push_back(std::move(m));
  }
  return out;
}

bool ParseScore(std::string_view text, double* out) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return false;
  std::string copy(text);
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || std::isnan(v)) return false;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0)) return false;
  *out = v;
  return true;
}

bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* out) {
  auto bound = [](std::string_view text, double* value, bool* exclusive) {
    *exclusive = !text.empty() && text[0] == '(';
    return CStringDouble(*exclusive ? text.substr(1) : text, value);
  };
  return bound(min, &out->min, &out->min_exclusive) && bound(max, &out->max, &out->max_exclusive);
}

bool ParseLexRange(std::string_view min, std::string_view max, LexRange* out) {
  return ParseLexBound(min, &out->min) && ParseLexBound(max, &out->max);
}

bool LexRange::AboveMin(std::string_view member) const {
  const int c = CompareToBound(member, min);
  return min.exclusive ? c > 0 : c >= 0;
}

bool LexRange::BelowMax(std::string_view member) const {
  const int c = CompareToBound(member, max);
  return max.exclusive ? c < 0 : c <= 0;
}

}  // namespace cairn::kv
