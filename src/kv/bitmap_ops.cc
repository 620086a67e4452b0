// The bit commands on strings (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
// BITFIELD, BITFIELD_RO),
// following Redis 7.0: bit 0 is the most significant bit of the first byte,
// and a string is read as if zero bits followed its end.
#include <strings.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kv/apply_txn.h"
#include "kv/bitfield.h"
#include "kv/errors.h"
#include "kv/parse.h"

namespace cairn::kv {
namespace {

using resp::Value;

bool Bit(const std::string& s, std::uint64_t pos) {
  const std::uint64_t byte = pos >> 3;
  if (byte >= s.size()) return false;
  return (static_cast<unsigned char>(s[byte]) >> (7 - (pos & 7))) & 1;
}

// The set bits in the bit range [lo, hi] of `s` (hi < 8 * s.size()).
std::int64_t CountBits(const std::string& s, std::uint64_t lo, std::uint64_t hi) {
  std::int64_t n = 0;
  while (lo <= hi && (lo & 7) != 0) n += Bit(s, lo++);
  while (lo + 7 <= hi) {
    n += std::popcount(static_cast<unsigned char>(s[lo >> 3]));
    lo += 8;
  }
  while (lo <= hi) n += Bit(s, lo++);
  return n;
}

// The first bit equal to `bit` in [lo, hi], or -1.
std::int64_t FindBit(const std::string& s, bool bit, std::uint64_t lo, std::uint64_t hi) {
  const unsigned char skip = bit ? 0x00 : 0xff;  // a byte with no such bit
  while (lo <= hi) {
    if ((lo & 7) == 0 && lo + 7 <= hi && static_cast<unsigned char>(s[lo >> 3]) == skip) {
      lo += 8;
      continue;
    }
    if (Bit(s, lo) == bit) return static_cast<std::int64_t>(lo);
    ++lo;
  }
  return -1;
}

// BITCOUNT's and BITPOS's range options after normalisation: Redis 7.0
// counts negative indexes from the end and clips to the string, in bytes or
// (BIT) in bits. Empty when start > end.
struct BitRange {
  std::int64_t start = 0, end = -1;
  bool bits = false;
  bool empty() const { return start > end; }
  // The range in bits (not empty).
  std::uint64_t lo() const { return static_cast<std::uint64_t>(bits ? start : start * 8); }
  std::uint64_t hi() const { return static_cast<std::uint64_t>(bits ? end : end * 8 + 7); }
};

void Normalise(BitRange* r, std::int64_t length) {
  const std::int64_t total = r->bits ? length * 8 : length;
  if (r->start < 0) r->start += total;
  if (r->end < 0) r->end += total;
  r->start = std::max<std::int64_t>(r->start, 0);
  r->end = std::max<std::int64_t>(r->end, 0);
  r->end = std::min(r->end, total - 1);
}

// BYTE or BIT, or a syntax error.
bool ParseUnit(const std::string& word, bool* bits) {
  if (strcasecmp(word.c_str(), "bit") == 0)
    *bits = true;
  else if (strcasecmp(word.c_str(), "byte") == 0)
    *bits = false;
  else
    return false;
  return true;
}

// BITCOUNT key [start end [BYTE|BIT]]: Redis 7.0 finds the key first, so
// the options are checked only for a string (op.args holds them as sent).
Value ReadBitCount(const Op& op, const Record* rec) {
  if (rec == nullptr) return Value::Int(0);
  if (!rec->is_string()) return Value::Error(errors::kWrongType);
  const std::string& s = rec->value;
  const auto length = static_cast<std::int64_t>(s.size());
  const std::size_t options = op.args.size() - 1;
  BitRange r;
  if (options == 0) {
    r.start = 0;
    r.end = length - 1;
  } else if (options == 2 || options == 3) {
    if (!ParseStrictInt64(op.args[1], &r.start) || !ParseStrictInt64(op.args[2], &r.end)) {
      return Value::Error(errors::kNotInteger);
    }
    // Redis 7.0's order: an empty negative range answers 0 before the unit is read.
    if (r.start < 0 && r.end < 0 && r.start > r.end) return Value::Int(0);
    if (options == 3 && !ParseUnit(op.args[3], &r.bits)) return Value::Error(errors::kSyntax);
    Normalise(&r, length);
  } else {
    return Value::Error(errors::kSyntax);
  }
  if (r.empty()) return Value::Int(0);
  return Value::Int(CountBits(s, r.lo(), r.hi()));
}

// BITPOS key bit [start [end [BYTE|BIT]]] (the bit in the flags): as
// BITCOUNT, the options are checked once a string is found. Looking for a
// 0 without an end, the bit past the string counts; with one, it does not.
Value ReadBitPos(const Op& op, const Record* rec) {
  const bool bit = op.flags & kBitPosOne;
  if (rec == nullptr) return Value::Int(bit ? -1 : 0);
  if (!rec->is_string()) return Value::Error(errors::kWrongType);
  const std::string& s = rec->value;
  const auto length = static_cast<std::int64_t>(s.size());
  const std::size_t options = op.args.size() - 1;
  BitRange r;
  bool end_given = false;
  if (options == 0) {
    r.start = 0;
    r.end = length - 1;
  } else if (options <= 3) {
    // Redis 7.0's order: start, the unit, then end.
    if (!ParseStrictInt64(op.args[1], &r.start)) return Value::Error(errors::kNotInteger);
    if (options == 3 && !ParseUnit(op.args[3], &r.bits)) return Value::Error(errors::kSyntax);
    if (options >= 2) {
      if (!ParseStrictInt64(op.args[2], &r.end)) return Value::Error(errors::kNotInteger);
      end_given = true;
    } else {
      r.end = r.bits ? length * 8 + 7 : length - 1;
    }
    Normalise(&r, length);
  } else {
    return Value::Error(errors::kSyntax);
  }
  if (r.empty()) return Value::Int(-1);
  const std::int64_t found = FindBit(s, bit, r.lo(), r.hi());
  if (found >= 0 || bit || end_given) return Value::Int(found);
  return Value::Int(static_cast<std::int64_t>(r.hi()) + 1);
}

Result<Value> ApplySetBit(ApplyTxn* txn, const Op& op) {
  CAIRN_ASSIGN_OR_RETURN(std::optional<Record> old, txn->Live(op.args[0]));
  if (old && !old->is_string()) return Value::Error(errors::kWrongType);
  const auto pos = static_cast<std::uint64_t>(op.num);
  std::string value = old ? std::move(old->value) : std::string();
  const std::size_t byte = pos >> 3;
  const bool grows = value.size() <= byte;
  if (grows) value.resize(byte + 1, '\0');
  const auto mask = static_cast<unsigned char>(1u << (7 - (pos & 7)));
  auto& c = reinterpret_cast<unsigned char&>(value[byte]);
  const bool was = c & mask;
  // As Redis 7.0: a bit set to what it was changes nothing (WATCH included).
  if (old && !grows && was == (op.num2 != 0)) return Value::Int(was ? 1 : 0);
  c = op.num2 ? (c | mask) : (c & ~mask);
  CAIRN_RETURN_IF_ERROR(txn->Put(op.args[0], std::move(value), old ? old->expire_at_ms : 0));
  return Value::Int(was ? 1 : 0);
}

// BITOP: the sources (a missing one as an empty string) combined byte by
// byte, the shorter ones padded with zeros, into the destination (whatever
// it held, without expiry); an empty result deletes it.
Result<Value> ApplyBitOp(ApplyTxn* txn, const Op& op) {
  std::vector<std::string> sources;
  sources.reserve(op.args.size() - 1);
  std::size_t longest = 0;
  for (std::size_t i = 1; i < op.args.size(); ++i) {
    CAIRN_ASSIGN_OR_RETURN(const Record* r, txn->LiveRecord(op.args[i]));
    if (r != nullptr && !r->is_string()) return Value::Error(errors::kWrongType);
    sources.push_back(r != nullptr ? r->value : std::string());
    longest = std::max(longest, sources.back().size());
  }
  const std::string& dest = op.args[0];
  if (longest == 0) {
    CAIRN_RETURN_IF_ERROR(txn->Erase(dest));
    return Value::Int(0);
  }
  std::string out(longest, '\0');
  for (std::size_t j = 0; j < longest; ++j) {
    auto at = [&](const std::string& s) {
      return j < s.size() ? static_cast<unsigned char>(s[j]) : static_cast<unsigned char>(0);
    };
    unsigned char acc = at(sources[0]);
    if (op.flags == kBitOpNot) acc = static_cast<unsigned char>(~acc);
    for (std::size_t k = 1; k < sources.size(); ++k) {
      const unsigned char b = at(sources[k]);
      if (op.flags == kBitOpAnd)
        acc &= b;
      else if (op.flags == kBitOpOr)
        acc |= b;
      else
        acc ^= b;
    }
    out[j] = static_cast<char>(acc);
  }
  CAIRN_RETURN_IF_ERROR(txn->Put(dest, std::move(out), 0));
  return Value::Int(static_cast<std::int64_t>(longest));
}

// BITFIELD with a SET or INCRBY: the string grows (zero bytes) to hold the
// last bit any of them writes, as Redis 7.0 grows it before it runs them,
// then each subcommand runs in order and sees the ones before it. As in
// Redis 7.0.15, the key counts as written (its version moves, a WATCH
// fails; the expiry stays) only if it was made or grew or a field's bits
// changed: a write that stores what was there, or that OVERFLOW FAIL
// refused, writes nothing.
Result<Value> ApplyBitField(ApplyTxn* txn, const Op& op) {
  bool writes = false;
  Result<std::vector<BitFieldOp>> ops = ParseBitField(op.args, 1, &writes);
  if (!ops.ok()) return Value::Error(ops.status().message());  // (the log checked it)
  CAIRN_ASSIGN_OR_RETURN(std::optional<Record> old, txn->Live(op.args[0]));
  if (old && !old->is_string()) return Value::Error(errors::kWrongType);
  std::uint64_t last = 0;
  for (const BitFieldOp& f : *ops) {
    if (f.kind != BitFieldOp::Kind::kGet) {
      last = std::max(last, f.offset + static_cast<std::uint64_t>(f.bits) - 1);
    }
  }
  std::string value = old ? std::move(old->value) : std::string();
  const std::uint64_t size = (last >> 3) + 1;
  if (size > kValueBytesMax) return Value::Error(errors::kTooBig);
  bool changed = !old || value.size() < size;
  if (value.size() < size) value.resize(size, '\0');
  Value out = Value::Array();
  for (const BitFieldOp& f : *ops) {
    if (f.kind == BitFieldOp::Kind::kGet) {
      out.elems.push_back(Value::Int(GetBitField(value, f)));
      continue;
    }
    bool bits_changed = false;
    const std::optional<std::int64_t> reply = kv::ApplyBitField(&value, f, &bits_changed);
    out.elems.push_back(reply ? Value::Int(*reply) : Value::Null());
    changed = changed || bits_changed;
  }
  if (!changed) return out;  // the version stays (WATCH)
  CAIRN_RETURN_IF_ERROR(txn->Put(op.args[0], std::move(value), old ? old->expire_at_ms : 0));
  return out;
}

// BITFIELD_RO, and BITFIELD with GETs only.
Value ReadBitField(const Op& op, const Record* rec) {
  bool writes = false;
  Result<std::vector<BitFieldOp>> ops = ParseBitField(op.args, 1, &writes);
  if (!ops.ok()) return Value::Error(ops.status().message());
  if (rec != nullptr && !rec->is_string()) return Value::Error(errors::kWrongType);
  const std::string_view value = rec != nullptr ? std::string_view(rec->value) : "";
  Value out = Value::Array();
  for (const BitFieldOp& f : *ops) out.elems.push_back(Value::Int(GetBitField(value, f)));
  return out;
}

}  // namespace

Result<Value> ApplyBitmapWrite(ApplyTxn* txn, const Op& op) {
  if (op.code == OpCode::kSetBit) return ApplySetBit(txn, op);
  if (op.code == OpCode::kBitField) return ApplyBitField(txn, op);
  return ApplyBitOp(txn, op);
}

Value ReadBitmap(const Op& op, const Record* rec) {
  switch (op.code) {
    case OpCode::kGetBit:
      if (rec == nullptr) return Value::Int(0);
      if (!rec->is_string()) return Value::Error(errors::kWrongType);
      return Value::Int(Bit(rec->value, static_cast<std::uint64_t>(op.num)) ? 1 : 0);
    case OpCode::kBitCount: return ReadBitCount(op, rec);
    case OpCode::kBitFieldRo: return ReadBitField(op, rec);
    default: return ReadBitPos(op, rec);
  }
}

}  // namespace cairn::kv
