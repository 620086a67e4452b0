#include "kv/bitfield.h"

#include <strings.h>

#include "kv/parse.h"

namespace cairn::kv {
namespace {

constexpr std::string_view kBadType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
    "i64 is.";
constexpr std::string_view kBadOffset = "ERR bit offset is not an integer or out of range";
constexpr std::string_view kBadInteger = "ERR value is not an integer or out of range";
// Redis's proto-max-bulk-len: a field must start within the first 512 MB.
constexpr std::uint64_t kMaxBytes = 512ULL * 1024 * 1024;

bool Is(const std::string& a, const char* b) { return strcasecmp(a.c_str(), b) == 0; }

bool ParseType(const std::string& text, BitFieldOp* op) {
  if (text.empty()) return false;
  if (text[0] == 'i') {  // (lower case only, as Redis 7.0)
    op->is_signed = true;
  } else if (text[0] == 'u') {
    op->is_signed = false;
  } else {
    return false;
  }
  std::int64_t bits = 0;
  if (!ParseStrictInt64(std::string_view(text).substr(1), &bits) || bits < 1 ||
      bits > (op->is_signed ? 64 : 63)) {
    return false;
  }
  op->bits = static_cast<int>(bits);
  return true;
}

// An offset in bits, or "#n" for n fields of this width (the product wraps
// as Redis's does on a 64-bit machine).
bool ParseOffset(const std::string& text, BitFieldOp* op) {
  const bool fields = !text.empty() && text[0] == '#';
  std::int64_t n = 0;
  if (!ParseStrictInt64(std::string_view(text).substr(fields ? 1 : 0), &n)) return false;
  if (fields) {
    n = static_cast<std::int64_t>(static_cast<std::uint64_t>(n) *
                                  static_cast<std::uint64_t>(op->bits));
  }
  if (n < 0 || (static_cast<std::uint64_t>(n) >> 3) >= kMaxBytes) return false;
  op->offset = static_cast<std::uint64_t>(n);
  return true;
}

std::uint64_t ReadBits(std::string_view s, std::uint64_t offset, int bits) {
  std::uint64_t v = 0;
  for (int i = 0; i < bits; ++i) {
    const std::uint64_t pos = offset + static_cast<std::uint64_t>(i);
    const std::uint64_t byte = pos >> 3;
    const unsigned bit =
        byte < s.size() ? (static_cast<unsigned char>(s[byte]) >> (7 - (pos & 7))) & 1u : 0u;
    v = (v << 1) | bit;
  }
  return v;
}

void WriteBits(std::string* s, std::uint64_t offset, int bits, std::uint64_t v) {
  for (int i = 0; i < bits; ++i) {
    const std::uint64_t pos = offset + static_cast<std::uint64_t>(i);
    const bool bit = (v >> (bits - 1 - i)) & 1u;
    auto& c = reinterpret_cast<unsigned char&>((*s)[pos >> 3]);
    const auto mask = static_cast<unsigned char>(1u << (7 - (pos & 7)));
    c = bit ? (c | mask) : (c & ~mask);
  }
}

std::int64_t SignExtend(std::uint64_t v, int bits) {
  if (bits < 64 && (v >> (bits - 1)) & 1u) v |= ~std::uint64_t{0} << bits;
  return static_cast<std::int64_t>(v);
}

std::uint64_t Mask(int bits) {
  return bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
}

}  // namespace

Result<std::vector<BitFieldOp>> ParseBitField(const std::vector<std::string>& args,
                                              std::size_t first, bool* writes) {
  std::vector<BitFieldOp> ops;
  BitFieldOverflow overflow = BitFieldOverflow::kWrap;
  *writes = false;
  for (std::size_t j = first; j < args.size();) {
    const std::size_t rest = args.size() - j - 1;  // arguments after this one
    BitFieldOp op;
    if (Is(args[j], "get") && rest >= 2) {
      op.kind = BitFieldOp::Kind::kGet;
    } else if (Is(args[j], "set") && rest >= 3) {
      op.kind = BitFieldOp::Kind::kSet;
    } else if (Is(args[j], "incrby") && rest >= 3) {
      op.kind = BitFieldOp::Kind::kIncrBy;
    } else if (Is(args[j], "overflow") && rest >= 1) {
      const std::string& how = args[j + 1];
      if (Is(how, "wrap")) {
        overflow = BitFieldOverflow::kWrap;
      } else if (Is(how, "sat")) {
        overflow = BitFieldOverflow::kSat;
      } else if (Is(how, "fail")) {
        overflow = BitFieldOverflow::kFail;
      } else {
        return Status::InvalidArgument("ERR Invalid OVERFLOW type specified");
      }
      j += 2;
      continue;
    } else {
      return Status::InvalidArgument("ERR syntax error");
    }
    if (!ParseType(args[j + 1], &op)) return Status::InvalidArgument(kBadType);
    if (!ParseOffset(args[j + 2], &op)) return Status::InvalidArgument(kBadOffset);
    if (op.kind != BitFieldOp::Kind::kGet) {
      *writes = true;
      if (!ParseStrictInt64(args[j + 3], &op.value)) return Status::InvalidArgument(kBadInteger);
    }
    op.overflow = overflow;
    ops.push_back(op);
    j += op.kind == BitFieldOp::Kind::kGet ? 3 : 4;
  }
  return ops;
}

std::int64_t GetBitField(std::string_view s, const BitFieldOp& op) {
  const std::uint64_t v = ReadBits(s, op.offset, op.bits);
  return op.is_signed ? SignExtend(v, op.bits) : static_cast<std::int64_t>(v);
}

namespace {

// Which way a signed field overflows (+1, -1) or 0, with Redis 7.0's own
// test (checkSignedBitfieldOverflow), whose differences wrap: a SET of a
// value far below the field's range (incr 0) can count as an overflow
// upwards, and SAT then stores the maximum. Replies and stored values
// follow Redis in that too.
int SignedOverflow(std::int64_t value, std::int64_t incr, int bits) {
  const std::int64_t max = bits == 64 ? INT64_MAX : (std::int64_t{1} << (bits - 1)) - 1;
  const std::int64_t min = -max - 1;
  const auto max_incr = static_cast<std::int64_t>(static_cast<std::uint64_t>(max) -
                                                  static_cast<std::uint64_t>(value));
  const auto min_incr = static_cast<std::int64_t>(static_cast<std::uint64_t>(min) -
                                                  static_cast<std::uint64_t>(value));
  if (value > max || (bits != 64 && incr > max_incr) ||
      (value >= 0 && incr > 0 && incr > max_incr)) {
    return 1;
  }
  if (value < min || (bits != 64 && incr < min_incr) ||
      (value < 0 && incr < 0 && incr < min_incr)) {
    return -1;
  }
  return 0;
}

}  // namespace

std::optional<std::int64_t> ApplyBitField(std::string* s, const BitFieldOp& op, bool* changed) {
  *changed = false;
  const bool incr = op.kind == BitFieldOp::Kind::kIncrBy;
  const std::int64_t old = GetBitField(*s, op);
  // SET's value as given (read as unsigned for an unsigned field, as Redis
  // does), or INCRBY's old value and increment; wrapping keeps the low bits
  // of their sum.
  const std::uint64_t base =
      incr ? static_cast<std::uint64_t>(old) : static_cast<std::uint64_t>(op.value);
  const std::int64_t step = incr ? op.value : 0;
  const std::uint64_t wrapped = (base + static_cast<std::uint64_t>(step)) & Mask(op.bits);
  int overflow = 0;
  std::uint64_t saturated = 0;
  if (op.is_signed) {
    overflow = SignedOverflow(static_cast<std::int64_t>(base), step, op.bits);
    const std::int64_t max = op.bits == 64 ? INT64_MAX : (std::int64_t{1} << (op.bits - 1)) - 1;
    saturated = static_cast<std::uint64_t>(overflow > 0 ? max : -max - 1) & Mask(op.bits);
  } else {
    const std::uint64_t max = Mask(op.bits);
    if (base > max || (step > 0 && static_cast<std::uint64_t>(step) > max - base)) {
      overflow = 1;
    } else if (step < 0 && static_cast<std::uint64_t>(-(step + 1)) + 1 > base) {
      overflow = -1;
    }
    saturated = overflow > 0 ? max : 0;
  }
  std::uint64_t stored = wrapped;
  if (overflow != 0) {
    if (op.overflow == BitFieldOverflow::kFail) return std::nullopt;
    if (op.overflow == BitFieldOverflow::kSat) stored = saturated;
  }
  *changed = stored != (static_cast<std::uint64_t>(old) & Mask(op.bits));
  WriteBits(s, op.offset, op.bits, stored);
  if (!incr) return old;
  return op.is_signed ? SignExtend(stored, op.bits) : static_cast<std::int64_t>(stored);
}

}  // namespace cairn::kv
