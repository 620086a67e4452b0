#include "kv/parse.h"

#include <strings.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "kv/bitfield.h"
#include "kv/dump_payload.h"
#include "kv/errors.h"
#include "kv/geo.h"
#include "kv/stream.h"
#include "kv/zset.h"

namespace cairn::kv {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

Status Err(std::string_view reply) { return Status::InvalidArgument(reply); }

const auto& Is = IsKeyword;

Op Make(OpCode code, const Args& a, std::size_t first, std::size_t end) {
  Op op;
  op.code = code;
  op.args.assign(a.begin() + static_cast<std::ptrdiff_t>(first),
                 a.begin() + static_cast<std::ptrdiff_t>(end));
  return op;
}

Op KeysOp(OpCode code, const Args& a) { return Make(code, a, 1, a.size()); }

Result<std::int64_t> Int(const std::string& s) {
  std::int64_t v = 0;
  if (!ParseStrictInt64(s, &v)) return Err(errors::kNotInteger);
  return v;
}

// EXPIRE family: `when` in `unit_ms` units, relative to `base_ms` (0 for *AT).
Result<Op> ExpireGeneric(const Args& a, std::int64_t base_ms, std::int64_t unit_ms,
                         std::string_view name) {
  std::uint32_t flags = 0;
  for (std::size_t i = 3; i < a.size(); ++i) {
    if (Is(a[i], "nx")) flags |= kExpireNx;
    else if (Is(a[i], "xx")) flags |= kExpireXx;
    else if (Is(a[i], "gt")) flags |= kExpireGt;
    else if (Is(a[i], "lt")) flags |= kExpireLt;
    else return Err(errors::UnsupportedOption(a[i]));
  }
  if ((flags & kExpireNx) && (flags & (kExpireXx | kExpireGt | kExpireLt))) {
    return Err(errors::kExpireNxAndOthers);
  }
  if ((flags & kExpireGt) && (flags & kExpireLt)) return Err(errors::kExpireGtAndLt);
  CAIRN_ASSIGN_OR_RETURN(std::int64_t when, Int(a[2]));
  if (unit_ms == 1000) {
    if (when > kMax / 1000 || when < kMin / 1000) return Err(errors::InvalidExpire(name));
    when *= 1000;
  }
  if (when > kMax - base_ms) return Err(errors::InvalidExpire(name));
  Op op = Make(OpCode::kExpireAt, a, 1, 2);
  op.flags = flags;
  op.num = when + base_ms;
  return op;
}

Result<Op> IncrGeneric(const Args& a, std::int64_t delta) {
  Op op = Make(OpCode::kIncrBy, a, 1, 2);
  op.num = delta;
  return op;
}

// SET's option grammar, following Redis 7.0's parseExtendedStringArgumentsOrReply:
// options may repeat, conflicting ones are a syntax error.
constexpr std::uint32_t kEX = 1 << 8;
constexpr std::uint32_t kPX = 1 << 9;
constexpr std::uint32_t kEXAT = 1 << 10;
constexpr std::uint32_t kPXAT = 1 << 11;
constexpr std::uint32_t kAnyExpire = kEX | kPX | kEXAT | kPXAT;

// The option grammar of SET (from a[3]) and GETEX (from a[2]), following
// Redis 7.0's parseExtendedStringArgumentsOrReply: options may repeat,
// conflicting ones are a syntax error. NX, XX, GET and KEEPTTL are SET's;
// PERSIST is GETEX's.
constexpr std::uint32_t kPersistOpt = 1 << 12;

Status ParseExpireOptions(const Args& a, std::size_t first, bool getex, std::uint32_t* flags,
                          const std::string** expire) {
  for (std::size_t j = first; j < a.size(); ++j) {
    const std::string& opt = a[j];
    bool has_next = j + 1 < a.size();
    std::uint32_t unit = Is(opt, "ex") ? kEX : Is(opt, "px") ? kPX
                       : Is(opt, "exat") ? kEXAT : Is(opt, "pxat") ? kPXAT : 0;
    if (!getex && Is(opt, "nx") && !(*flags & kSetXx)) {
      *flags |= kSetNx;
    } else if (!getex && Is(opt, "xx") && !(*flags & kSetNx)) {
      *flags |= kSetXx;
    } else if (!getex && Is(opt, "get")) {
      *flags |= kSetGet;
    } else if (!getex && Is(opt, "keepttl") && !(*flags & kAnyExpire)) {
      *flags |= kSetKeepTtl;
    } else if (getex && Is(opt, "persist") && !(*flags & kAnyExpire)) {
      *flags |= kPersistOpt;
    } else if (unit != 0 && !(*flags & (kSetKeepTtl | kPersistOpt)) &&
               !(*flags & (kAnyExpire & ~unit)) && has_next) {
      *flags |= unit;
      *expire = &a[++j];
    } else {
      return Err(errors::kSyntax);
    }
  }
  return Status::Ok();
}

// The absolute expiry (Unix ms) an EX/PX/EXAT/PXAT argument names, checked
// as Redis 7.0's getExpireMillisecondsOrReply checks it.
Result<std::int64_t> ExpireAtMs(const std::string& arg, std::uint32_t flags, std::int64_t now_ms,
                                std::string_view name) {
  CAIRN_ASSIGN_OR_RETURN(std::int64_t ms, Int(arg));
  bool seconds = flags & (kEX | kEXAT);
  if (ms <= 0 || (seconds && ms > kMax / 1000)) return Err(errors::InvalidExpire(name));
  if (seconds) ms *= 1000;
  if (flags & (kEX | kPX)) {
    if (__builtin_add_overflow(ms, now_ms, &ms)) return Err(errors::InvalidExpire(name));
  }
  if (ms <= 0) return Err(errors::InvalidExpire(name));
  return ms;
}

// SCAN cursors are read the way Redis reads them (strtoul): an optional sign,
// decimal digits, no leading space; "-1" wraps around and "" is 0.
bool ParseCursor(std::string_view s, std::uint64_t* out) {
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i == s.size() && i > 0) return false;  // a sign without digits
  std::uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    auto d = static_cast<std::uint64_t>(s[i] - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = negative ? 0 - v : v;
  return true;
}

}  // namespace

bool ParseStrictInt64(std::string_view s, std::int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  if (s == "0") {
    *out = 0;
    return true;
  }
  bool negative = s[0] == '-';
  std::size_t i = negative ? 1 : 0;
  if (i >= s.size() || s[i] < '1' || s[i] > '9') return false;
  std::uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    std::uint64_t d = static_cast<std::uint64_t>(s[i] - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  if (negative) {
    if (v > static_cast<std::uint64_t>(kMax) + 1) return false;
    *out = static_cast<std::int64_t>(0 - v);
  } else {
    if (v > static_cast<std::uint64_t>(kMax)) return false;
    *out = static_cast<std::int64_t>(v);
  }
  return true;
}

Result<Op> ParseCommand(const Args& args, std::int64_t now_ms) {
  if (args.empty()) return Err("ERR empty command");
  const CommandSpec* spec = FindCommand(args[0]);
  if (spec == nullptr) return Err(errors::UnknownCommand(args[0], args.data() + 1, args.size() - 1));
  if (!ArityOk(*spec, args.size())) return Err(errors::WrongArity(spec->name));
  if (spec->parse == nullptr) {
    return Status::Unimplemented("the server handles this command, not the state machine");
  }
  return spec->parse(args, now_ms);
}

namespace parsers {

Result<Op> Get(const Args& a, std::int64_t) { return KeysOp(OpCode::kGet, a); }
Result<Op> Del(const Args& a, std::int64_t) { return KeysOp(OpCode::kDel, a); }
Result<Op> Exists(const Args& a, std::int64_t) { return KeysOp(OpCode::kExists, a); }
Result<Op> Strlen(const Args& a, std::int64_t) { return KeysOp(OpCode::kStrlen, a); }
Result<Op> MGet(const Args& a, std::int64_t) { return KeysOp(OpCode::kMGet, a); }
Result<Op> Ttl(const Args& a, std::int64_t) { return KeysOp(OpCode::kTtl, a); }
Result<Op> Pttl(const Args& a, std::int64_t) { return KeysOp(OpCode::kPttl, a); }
Result<Op> ExpireTime(const Args& a, std::int64_t) { return KeysOp(OpCode::kExpireTime, a); }
Result<Op> PExpireTime(const Args& a, std::int64_t) { return KeysOp(OpCode::kPExpireTime, a); }
Result<Op> Persist(const Args& a, std::int64_t) { return KeysOp(OpCode::kPersist, a); }
Result<Op> Type(const Args& a, std::int64_t) { return KeysOp(OpCode::kType, a); }
Result<Op> DbSize(const Args& a, std::int64_t) { return KeysOp(OpCode::kDbSize, a); }
Result<Op> Append(const Args& a, std::int64_t) { return KeysOp(OpCode::kAppend, a); }
Result<Op> Publish(const Args& a, std::int64_t) {
  Op op = KeysOp(OpCode::kPublish, a);
  if (Is(a[0], "spublish")) op.flags = kPublishSharded;
  return op;
}

// MEMORY USAGE key [SAMPLES count] (SAMPLES is accepted and ignored: the
// size is exact). The other subcommands are unknown here.
Result<Op> Memory(const Args& a, std::int64_t) {
  if (!Is(a[1], "usage")) return Err("ERR unknown subcommand '" + a[1] + "'. Try MEMORY HELP.");
  if (a.size() != 3 && a.size() != 5)
    return Err("ERR wrong number of arguments for 'memory|usage' command");
  std::int64_t samples = 0;
  if (a.size() == 5 && !Is(a[3], "samples")) return Err(errors::kSyntax);
  if (a.size() == 5 && !ParseStrictInt64(a[4], &samples)) return Err(errors::kNotInteger);
  Op op;
  op.code = OpCode::kMemoryUsage;
  op.args.push_back(a[2]);
  return op;
}

// EVAL script numkeys [key ...] [arg ...] (and EVAL_RO).
Result<Op> Eval(const Args& a, std::int64_t) {
  std::int64_t numkeys = 0;
  if (!ParseStrictInt64(a[2], &numkeys)) return Err(errors::kNotInteger);
  if (numkeys < 0) return Err("ERR Number of keys can't be negative");
  if (static_cast<std::uint64_t>(numkeys) > a.size() - 3) {
    return Err("ERR Number of keys can't be greater than number of args");
  }
  Op op = Make(OpCode::kEval, a, 1, a.size());
  op.args.erase(op.args.begin() + 1);  // numkeys, kept in num
  op.num = numkeys;
  if (Is(a[0], "eval_ro")) op.flags = kEvalReadOnly;
  return op;
}

Result<Op> Set(const Args& a, std::int64_t now_ms) {
  std::uint32_t flags = 0;
  const std::string* expire = nullptr;
  CAIRN_RETURN_IF_ERROR(ParseExpireOptions(a, 3, /*getex=*/false, &flags, &expire));
  Op op = Make(OpCode::kSet, a, 1, 3);
  op.flags = flags & (kSetNx | kSetXx | kSetGet | kSetKeepTtl);
  if (expire == nullptr) return op;
  CAIRN_ASSIGN_OR_RETURN(op.num, ExpireAtMs(*expire, flags, now_ms, "set"));
  op.flags |= kSetExpire;
  return op;
}

Result<Op> GetSet(const Args& a, std::int64_t) {
  // GETSET is SET key value GET: returns the old value, clears any expiry.
  Op op = Make(OpCode::kSet, a, 1, 3);
  op.flags = kSetGet;
  return op;
}

Result<Op> SetNx(const Args& a, std::int64_t) {
  Op op = Make(OpCode::kSet, a, 1, 3);
  op.flags = kSetNx | kSetReplyInt;
  return op;
}

// SETEX key seconds value / PSETEX key ms value (Redis 7.0 order of checks).
Result<Op> SetExGeneric(const Args& a, std::int64_t now_ms, std::int64_t unit_ms,
                        std::string_view name) {
  CAIRN_ASSIGN_OR_RETURN(std::int64_t t, Int(a[2]));
  if (t <= 0 || (unit_ms == 1000 && t > kMax / 1000)) return Err(errors::InvalidExpire(name));
  t *= unit_ms;
  if (__builtin_add_overflow(t, now_ms, &t)) return Err(errors::InvalidExpire(name));
  Op op;
  op.code = OpCode::kSet;
  op.flags = kSetExpire;
  op.num = t;
  op.args = {a[1], a[3]};
  return op;
}

Result<Op> SetEx(const Args& a, std::int64_t now_ms) { return SetExGeneric(a, now_ms, 1000, "setex"); }
Result<Op> PSetEx(const Args& a, std::int64_t now_ms) { return SetExGeneric(a, now_ms, 1, "psetex"); }
Result<Op> GetDel(const Args& a, std::int64_t) { return KeysOp(OpCode::kGetDel, a); }

Result<Op> Incr(const Args& a, std::int64_t) { return IncrGeneric(a, 1); }
Result<Op> Decr(const Args& a, std::int64_t) { return IncrGeneric(a, -1); }

Result<Op> IncrBy(const Args& a, std::int64_t) {
  CAIRN_ASSIGN_OR_RETURN(std::int64_t delta, Int(a[2]));
  return IncrGeneric(a, delta);
}

Result<Op> DecrBy(const Args& a, std::int64_t) {
  CAIRN_ASSIGN_OR_RETURN(std::int64_t delta, Int(a[2]));
  if (delta == kMin) return Err(errors::kDecrOverflow);
  return IncrGeneric(a, -delta);
}

Result<Op> MSet(const Args& a, std::int64_t) {
  if (a.size() % 2 == 0) return Err(errors::WrongArity("mset"));
  return KeysOp(OpCode::kMSet, a);
}

Result<Op> Expire(const Args& a, std::int64_t now_ms) {
  return ExpireGeneric(a, now_ms, 1000, "expire");
}
Result<Op> PExpire(const Args& a, std::int64_t now_ms) {
  return ExpireGeneric(a, now_ms, 1, "pexpire");
}
Result<Op> ExpireAt(const Args& a, std::int64_t) { return ExpireGeneric(a, 0, 1000, "expireat"); }
Result<Op> PExpireAt(const Args& a, std::int64_t) { return ExpireGeneric(a, 0, 1, "pexpireat"); }

Result<Op> Scan(const Args& a, std::int64_t) {
  Op op;
  op.code = OpCode::kScan;
  std::uint64_t cursor = 0;
  if (!ParseCursor(a[1], &cursor)) return Err(errors::kInvalidCursor);
  op.num = static_cast<std::int64_t>(cursor);
  op.num2 = 10;
  std::string pattern;
  std::string type;
  for (std::size_t i = 2; i < a.size(); i += 2) {
    bool has_value = i + 1 < a.size();
    if (Is(a[i], "count") && has_value) {
      CAIRN_ASSIGN_OR_RETURN(op.num2, Int(a[i + 1]));
      if (op.num2 < 1) return Err(errors::kSyntax);
    } else if (Is(a[i], "match") && has_value) {
      pattern = a[i + 1];
      if (pattern == "*") op.flags &= ~kScanMatch; else op.flags |= kScanMatch;
    } else if (Is(a[i], "type") && has_value) {
      op.flags |= kScanType;
      type = a[i + 1];
    } else {
      return Err(errors::kSyntax);
    }
  }
  if (op.flags & kScanMatch) op.args.push_back(std::move(pattern));
  if (op.flags & kScanType) op.args.push_back(std::move(type));
  return op;
}

Result<Op> FlushDb(const Args& a, std::int64_t) {
  if (a.size() > 2 || (a.size() == 2 && !Is(a[1], "sync") && !Is(a[1], "async"))) {
    return Err(errors::kSyntax);
  }
  Op op;
  op.code = OpCode::kFlushDb;
  return op;
}

Result<Op> GetEx(const Args& a, std::int64_t now_ms) {
  std::uint32_t flags = 0;
  const std::string* expire = nullptr;
  CAIRN_RETURN_IF_ERROR(ParseExpireOptions(a, 2, /*getex=*/true, &flags, &expire));
  Op op = Make(OpCode::kGetEx, a, 1, 2);
  if (flags & kPersistOpt) op.flags = kGetExPersist;
  if (expire == nullptr) return op;
  Result<std::int64_t> at = ExpireAtMs(*expire, flags, now_ms, "getex");
  if (at.ok()) {
    op.flags = kGetExExpire;
    op.num = *at;
  } else {
    op.flags = kGetExInvalid;
    op.num = at.status().message() == errors::kNotInteger ? 0 : 1;
  }
  return op;
}

Result<Op> GetRange(const Args& a, std::int64_t) {
  Op op = Make(OpCode::kGetRange, a, 1, 2);
  CAIRN_ASSIGN_OR_RETURN(op.num, Int(a[2]));
  CAIRN_ASSIGN_OR_RETURN(op.num2, Int(a[3]));
  return op;
}

Result<Op> SetRange(const Args& a, std::int64_t) {
  CAIRN_ASSIGN_OR_RETURN(std::int64_t offset, Int(a[2]));
  if (offset < 0) return Err(errors::kOffsetRange);
  Op op;
  op.code = OpCode::kSetRange;
  op.num = offset;
  op.args = {a[1], a[3]};
  return op;
}

// A bit offset as SETBIT and GETBIT take it: Redis 7.0's bound and error.
Result<std::int64_t> BitOffset(const std::string& text) {
  std::int64_t offset = 0;
  if (!ParseStrictInt64(text, &offset) || offset < 0 || offset >= kBitOffsetEnd) {
    return Err("ERR bit offset is not an integer or out of range");
  }
  return offset;
}

Result<Op> SetBit(const Args& a, std::int64_t) {
  CAIRN_ASSIGN_OR_RETURN(std::int64_t offset, BitOffset(a[2]));
  std::int64_t bit = 0;
  if (!ParseStrictInt64(a[3], &bit) || (bit != 0 && bit != 1)) {
    return Err("ERR bit is not an integer or out of range");
  }
  Op op = Make(OpCode::kSetBit, a, 1, 2);
  op.num = offset;
  op.num2 = bit;
  return op;
}

Result<Op> GetBit(const Args& a, std::int64_t) {
  CAIRN_ASSIGN_OR_RETURN(std::int64_t offset, BitOffset(a[2]));
  Op op = Make(OpCode::kGetBit, a, 1, 2);
  op.num = offset;
  return op;
}

// BITCOUNT key [start end [BYTE|BIT]]: checked on read (kv/op.h).
Result<Op> BitCount(const Args& a, std::int64_t) { return KeysOp(OpCode::kBitCount, a); }

// BITPOS key bit [start [end [BYTE|BIT]]]: the bit here, before the key is
// looked at, as Redis 7.0 checks it; the range on read.
Result<Op> BitPos(const Args& a, std::int64_t) {
  CAIRN_ASSIGN_OR_RETURN(std::int64_t bit, Int(a[2]));
  if (bit != 0 && bit != 1) return Err("ERR The bit argument must be 1 or 0.");
  Op op = KeysOp(OpCode::kBitPos, a);
  op.args.erase(op.args.begin() + 1);
  op.flags = bit == 1 ? kBitPosOne : 0;
  return op;
}

// BITOP AND|OR|XOR|NOT destination source...
Result<Op> BitOp(const Args& a, std::int64_t) {
  Op op = Make(OpCode::kBitOp, a, 2, a.size());
  if (Is(a[1], "and"))
    op.flags = kBitOpAnd;
  else if (Is(a[1], "or"))
    op.flags = kBitOpOr;
  else if (Is(a[1], "xor"))
    op.flags = kBitOpXor;
  else if (Is(a[1], "not"))
    op.flags = kBitOpNot;
  else
    return Err(errors::kSyntax);
  if (op.flags == kBitOpNot && a.size() != 4) {
    return Err("ERR BITOP NOT must be called with a single source key.");
  }
  return op;
}

// BITFIELD key subcommand...: checked whole before the key is looked at, as
// Redis 7.0 does; with only GETs it is a read.
Result<Op> BitField(const Args& a, std::int64_t) {
  bool writes = false;
  Result<std::vector<BitFieldOp>> ops = ParseBitField(a, 2, &writes);
  if (!ops.ok()) return Err(ops.status().message());
  return KeysOp(writes ? OpCode::kBitField : OpCode::kBitFieldRo, a);
}

Result<Op> BitFieldRo(const Args& a, std::int64_t) {
  bool writes = false;
  Result<std::vector<BitFieldOp>> ops = ParseBitField(a, 2, &writes);
  if (!ops.ok()) return Err(ops.status().message());
  if (writes) return Err("ERR BITFIELD_RO only supports the GET subcommand");
  return KeysOp(OpCode::kBitFieldRo, a);
}

Result<Op> PfAdd(const Args& a, std::int64_t) { return KeysOp(OpCode::kPfAdd, a); }
Result<Op> PfCount(const Args& a, std::int64_t) { return KeysOp(OpCode::kPfCount, a); }
Result<Op> PfMerge(const Args& a, std::int64_t) { return KeysOp(OpCode::kPfMerge, a); }

Result<Op> MSetNx(const Args& a, std::int64_t) {
  if (a.size() % 2 == 0) return Err(errors::WrongArity("msetnx"));
  return KeysOp(OpCode::kMSetNx, a);
}

// The increment is checked on apply: Redis reports WRONGTYPE before a bad
// increment.
Result<Op> IncrByFloat(const Args& a, std::int64_t) { return KeysOp(OpCode::kIncrByFloat, a); }

Result<Op> Rename(const Args& a, std::int64_t) { return KeysOp(OpCode::kRename, a); }

Result<Op> RenameNx(const Args& a, std::int64_t) {
  Op op = KeysOp(OpCode::kRename, a);
  op.flags = kRenameNx;
  return op;
}

// COPY source destination [DB db] [REPLACE]: only database 0 exists.
Result<Op> Copy(const Args& a, std::int64_t) {
  Op op = Make(OpCode::kCopy, a, 1, 3);
  bool other_db = false;
  for (std::size_t i = 3; i < a.size(); ++i) {
    if (Is(a[i], "replace")) {
      op.flags = kCopyReplace;
    } else if (Is(a[i], "db") && i + 1 < a.size()) {
      std::int64_t db = 0;
      if (!ParseStrictInt64(a[++i], &db) || db < std::numeric_limits<int>::min() ||
          db > std::numeric_limits<int>::max()) {
        return Err(errors::kNotInteger);
      }
      other_db = db != 0;
    } else {
      return Err(errors::kSyntax);
    }
  }
  if (other_db) return Err(errors::kDbIndexRange);
  if (a[1] == a[2]) return Err(errors::kSameObject);
  return op;
}

// TOUCH answers what EXISTS answers (there is no access time to update);
// UNLINK deletes at once, as DEL does.
Result<Op> Touch(const Args& a, std::int64_t) { return KeysOp(OpCode::kExists, a); }
Result<Op> Unlink(const Args& a, std::int64_t) { return KeysOp(OpCode::kDel, a); }
Result<Op> Keys(const Args& a, std::int64_t) { return KeysOp(OpCode::kKeys, a); }
Result<Op> RandomKey(const Args& a, std::int64_t) { return KeysOp(OpCode::kRandomKey, a); }

namespace {
// SORT key [BY pattern] [LIMIT offset count] [GET pattern...] [ASC|DESC]
// [ALPHA] [STORE destination]: the options in Redis 7.0's grammar, checked
// here, before the key's type (as Redis checks them); a repeated option
// counts last, GETs add up. SORT_RO takes no STORE.
Result<Op> SortGeneric(const Args& a, bool read_only) {
  Op op{OpCode::kSort, 0, 0, -1, {a[1]}};
  std::optional<std::string> by, store;
  std::vector<std::string> gets;
  for (std::size_t j = 2; j < a.size(); ++j) {
    const std::size_t left = a.size() - j - 1;
    if (Is(a[j], "asc")) {
      op.flags &= ~kSortDesc;
    } else if (Is(a[j], "desc")) {
      op.flags |= kSortDesc;
    } else if (Is(a[j], "alpha")) {
      op.flags |= kSortAlpha;
    } else if (Is(a[j], "limit") && left >= 2) {
      CAIRN_ASSIGN_OR_RETURN(op.num, Int(a[j + 1]));
      CAIRN_ASSIGN_OR_RETURN(op.num2, Int(a[j + 2]));
      j += 2;
    } else if (!read_only && Is(a[j], "store") && left >= 1) {
      store = a[++j];
    } else if (Is(a[j], "by") && left >= 1) {
      by = a[++j];
    } else if (Is(a[j], "get") && left >= 1) {
      gets.push_back(a[++j]);
    } else {
      return Err(errors::kSyntax);
    }
  }
  if (by) {
    op.flags |= kSortBy;
    op.args.push_back(std::move(*by));
  }
  op.args.insert(op.args.end(), gets.begin(), gets.end());
  if (store) {
    op.code = OpCode::kSortStore;
    op.args.insert(op.args.begin(), std::move(*store));
  }
  return op;
}
}  // namespace

Result<Op> Sort(const Args& a, std::int64_t) { return SortGeneric(a, false); }
Result<Op> Lcs(const Args& a, std::int64_t) { return KeysOp(OpCode::kLcs, a); }
Result<Op> SortRo(const Args& a, std::int64_t) { return SortGeneric(a, true); }

// OBJECT ENCODING|FREQ|IDLETIME|REFCOUNT key (OBJECT HELP is answered before
// parsing: kv/subcommand_help.h).
Result<Op> Object(const Args& a, std::int64_t) {
  const std::string sub = AsciiLower(a[1]);
  Op op;
  op.code = OpCode::kObject;
  if (sub == "encoding") op.flags = kObjectEncoding;
  if (sub == "freq") op.flags = kObjectFreq;
  if (sub == "idletime") op.flags = kObjectIdleTime;
  if (sub == "refcount") op.flags = kObjectRefCount;
  if (op.flags == 0 && sub != "help") {
    return Err("ERR unknown subcommand '" + a[1] + "'. Try OBJECT HELP.");
  }
  if (op.flags == 0 || a.size() != 3) {
    return Err("ERR wrong number of arguments for 'object|" + sub + "' command");
  }
  op.args = {a[2]};
  return op;
}

Result<Op> Dump(const Args& a, std::int64_t) { return KeysOp(OpCode::kDump, a); }

// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s | FREQ f]: the
// options first, as Redis checks them; then the TTL and the payload, whose
// errors Redis gives only after BUSYKEY, so they travel in the op. IDLETIME
// and FREQ are checked and then ignored: Cairn keeps no access times or
// frequencies (OBJECT IDLETIME and FREQ are refused too).
Result<Op> Restore(const Args& a, std::int64_t now_ms) {
  Op op{OpCode::kRestore, 0, 0, 0, {a[1]}};
  bool absttl = false, idle = false, freq = false;
  for (std::size_t j = 4; j < a.size(); ++j) {
    const bool more = j + 1 < a.size();
    if (Is(a[j], "replace")) {
      op.flags |= kRestoreReplace;
    } else if (Is(a[j], "absttl")) {
      absttl = true;
    } else if (Is(a[j], "idletime") && more && !freq) {
      CAIRN_ASSIGN_OR_RETURN(const std::int64_t v, Int(a[++j]));
      if (v < 0) return Err("ERR Invalid IDLETIME value, must be >= 0");
      idle = true;
    } else if (Is(a[j], "freq") && more && !idle) {
      CAIRN_ASSIGN_OR_RETURN(const std::int64_t v, Int(a[++j]));
      if (v < 0 || v > 255) return Err("ERR Invalid FREQ value, must be >= 0 and <= 255");
      freq = true;
    } else {
      return Err(errors::kSyntax);
    }
  }
  const auto fail = [&op](std::int64_t error) {
    op.flags |= kRestoreError;
    op.num2 = error;
    return op;
  };
  std::int64_t ttl = 0;
  if (!ParseStrictInt64(a[2], &ttl)) return fail(kRestoreErrNotInteger);
  if (ttl < 0) return fail(kRestoreErrNegativeTtl);
  Result<Record> value = DecodeDumpPayload(a[3]);
  if (!value.ok()) {
    const std::string_view why = value.status().message();
    return fail(why == kDumpBadFormat  ? kRestoreErrBadFormat
                : why == kDumpTooLarge ? kRestoreErrTooLarge
                                       : kRestoreErrVersionOrChecksum);
  }
  // A relative TTL past the clock's range has already expired for Redis
  // too (its sum wraps negative).
  if (ttl != 0 && !absttl) ttl = ttl > kMax - now_ms ? 1 : now_ms + ttl;
  op.num = ttl;
  op.num2 = value->type;
  op.args.push_back(std::move(value->value));
  return op;
}

// ---- Hashes ----

Result<Op> HSet(const Args& a, std::int64_t) {
  if (a.size() % 2 != 0) return Err(errors::WrongArity("hset"));
  return KeysOp(OpCode::kHSet, a);
}

Result<Op> HMSet(const Args& a, std::int64_t) {
  if (a.size() % 2 != 0) return Err(errors::WrongArity("hmset"));
  Op op = KeysOp(OpCode::kHSet, a);
  op.flags = kHSetReplyOk;
  return op;
}

Result<Op> HSetNx(const Args& a, std::int64_t) {
  Op op = KeysOp(OpCode::kHSet, a);
  op.flags = kHSetNx;
  return op;
}

Result<Op> HDel(const Args& a, std::int64_t) { return KeysOp(OpCode::kHDel, a); }

Result<Op> HIncrBy(const Args& a, std::int64_t) {
  CAIRN_ASSIGN_OR_RETURN(std::int64_t delta, Int(a[3]));
  Op op = Make(OpCode::kHIncrBy, a, 1, 3);
  op.num = delta;
  return op;
}

// Redis checks the increment before the key (unlike INCRBYFLOAT's).
Result<Op> HIncrByFloat(const Args& a, std::int64_t) {
  long double increment = 0;
  if (!ParseLongDouble(a[3], &increment)) return Err(errors::kNotFloat);
  if (std::isinf(increment)) return Err("ERR value is NaN or Infinity");
  return KeysOp(OpCode::kHIncrByFloat, a);
}

Result<Op> HGet(const Args& a, std::int64_t) { return KeysOp(OpCode::kHGet, a); }
Result<Op> HMGet(const Args& a, std::int64_t) { return KeysOp(OpCode::kHMGet, a); }
Result<Op> HGetAll(const Args& a, std::int64_t) { return KeysOp(OpCode::kHGetAll, a); }
Result<Op> HKeys(const Args& a, std::int64_t) { return KeysOp(OpCode::kHKeys, a); }
Result<Op> HVals(const Args& a, std::int64_t) { return KeysOp(OpCode::kHVals, a); }
Result<Op> HLen(const Args& a, std::int64_t) { return KeysOp(OpCode::kHLen, a); }
Result<Op> HExists(const Args& a, std::int64_t) { return KeysOp(OpCode::kHExists, a); }
Result<Op> HStrlen(const Args& a, std::int64_t) { return KeysOp(OpCode::kHStrlen, a); }

// HSCAN / SSCAN key cursor [MATCH pattern] [COUNT count]. A bad cursor is an
// error at once; a bad option only for a key holding a hash or set
// (kHScanBadOption).
Result<Op> CollectionScan(OpCode code, const Args& a) {
  Op op = Make(code, a, 1, 2);
  std::uint64_t cursor = 0;
  if (!ParseCursor(a[2], &cursor)) return Err(errors::kInvalidCursor);
  op.num = static_cast<std::int64_t>(cursor);
  op.num2 = 10;
  std::string pattern;
  for (std::size_t i = 3; i < a.size(); i += 2) {
    const bool has_value = i + 1 < a.size();
    std::int64_t count = 0;
    if (Is(a[i], "count") && has_value) {
      if (!ParseStrictInt64(a[i + 1], &count)) {
        op.flags = kHScanBadOption;
        op.num2 = 0;
        break;
      }
      if (count < 1) {
        op.flags = kHScanBadOption;
        op.num2 = 1;
        break;
      }
      op.num2 = count;
    } else if (Is(a[i], "match") && has_value) {
      pattern = a[i + 1];
      if (pattern == "*")
        op.flags &= ~kScanMatch;
      else
        op.flags |= kScanMatch;
    } else {
      op.flags = kHScanBadOption;
      op.num2 = 1;
      break;
    }
  }
  if (op.flags & kHScanBadOption) {
    op.num = 0;
  } else if (op.flags & kScanMatch) {
    op.args.push_back(std::move(pattern));
  }
  return op;
}

Result<Op> HScan(const Args& a, std::int64_t) { return CollectionScan(OpCode::kHScan, a); }

// ---- Lists ----

namespace {
Op ListOp(OpCode code, std::uint32_t flags, const Args& a, std::size_t end) {
  Op op = Make(code, a, 1, end);
  op.flags = flags;
  return op;
}
// LEFT / RIGHT of LMOVE; false if neither.
bool Side(const std::string& arg, bool* left) {
  *left = Is(arg, "left");
  return *left || Is(arg, "right");
}
}  // namespace

Result<Op> LPush(const Args& a, std::int64_t) {
  return ListOp(OpCode::kLPush, kListLeft, a, a.size());
}
Result<Op> RPush(const Args& a, std::int64_t) { return ListOp(OpCode::kLPush, 0, a, a.size()); }
Result<Op> LPushX(const Args& a, std::int64_t) {
  return ListOp(OpCode::kLPush, kListLeft | kListExisting, a, a.size());
}
Result<Op> RPushX(const Args& a, std::int64_t) {
  return ListOp(OpCode::kLPush, kListExisting, a, a.size());
}

// LPOP / RPOP key [count]: the count is checked before the key, as Redis
// does, with one message for a non-integer and a negative count.
Result<Op> PopGeneric(const Args& a, bool left) {
  if (a.size() > 3) return Err(errors::WrongArity(left ? "lpop" : "rpop"));
  Op op = ListOp(OpCode::kLPop, left ? kListLeft : 0, a, 2);
  if (a.size() == 3) {
    if (!ParseStrictInt64(a[2], &op.num) || op.num < 0) {
      return Err("ERR value is out of range, must be positive");
    }
    op.flags |= kListCount;
  }
  return op;
}
Result<Op> LPop(const Args& a, std::int64_t) { return PopGeneric(a, true); }
Result<Op> RPop(const Args& a, std::int64_t) { return PopGeneric(a, false); }

// LSET key index element: a bad index is reported after the key is found.
Result<Op> LSet(const Args& a, std::int64_t) {
  Op op = Make(OpCode::kLSet, a, 1, 2);
  op.args.push_back(a[3]);
  if (!ParseStrictInt64(a[2], &op.num)) {
    op.num = 0;
    op.flags = kListBadIndex;
  }
  return op;
}

Result<Op> LRem(const Args& a, std::int64_t) {
  CAIRN_ASSIGN_OR_RETURN(std::int64_t count, Int(a[2]));
  Op op = Make(OpCode::kLRem, a, 1, 2);
  op.args.push_back(a[3]);
  op.num = count;
  return op;
}

Result<Op> LTrim(const Args& a, std::int64_t) {
  CAIRN_ASSIGN_OR_RETURN(std::int64_t start, Int(a[2]));
  CAIRN_ASSIGN_OR_RETURN(std::int64_t stop, Int(a[3]));
  Op op = Make(OpCode::kLTrim, a, 1, 2);
  op.num = start;
  op.num2 = stop;
  return op;
}

// LINSERT key BEFORE|AFTER pivot element.
Result<Op> LInsert(const Args& a, std::int64_t) {
  const bool before = Is(a[2], "before");
  if (!before && !Is(a[2], "after")) return Err(errors::kSyntax);
  Op op = Make(OpCode::kLInsert, a, 1, 2);
  op.args.push_back(a[3]);
  op.args.push_back(a[4]);
  op.flags = before ? kListLeft : 0;
  return op;
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT.
Result<Op> LMove(const Args& a, std::int64_t) {
  bool from_left = false;
  bool to_left = false;
  if (!Side(a[3], &from_left) || !Side(a[4], &to_left)) return Err(errors::kSyntax);
  return ListOp(OpCode::kLMove, (from_left ? kListLeft : 0) | (to_left ? kListToLeft : 0), a, 3);
}
Result<Op> RPopLPush(const Args& a, std::int64_t) {
  return ListOp(OpCode::kLMove, kListToLeft, a, 3);
}

// The blocking forms: the same ops (BLPOP and BZPOPMIN pop from the first
// of several keys); the connection waits on an empty answer
// (server/blocking.cc) until its timeout, the last argument, which Redis
// checks first (BLMOVE: after the sides).
Result<Op> BlockingPop(const Args& a, OpCode code, std::uint32_t flags) {
  std::int64_t ms = 0;
  CAIRN_RETURN_IF_ERROR(ParseBlockingTimeout(a.back(), &ms));
  Op op = Make(code, a, 1, a.size() - 1);
  op.flags = flags;
  return op;
}
Result<Op> BLPop(const Args& a, std::int64_t) {
  return BlockingPop(a, OpCode::kLPopFirst, kListLeft);
}
Result<Op> BRPop(const Args& a, std::int64_t) { return BlockingPop(a, OpCode::kLPopFirst, 0); }
Result<Op> BZPopMin(const Args& a, std::int64_t) { return BlockingPop(a, OpCode::kZPopFirst, 0); }
Result<Op> BZPopMax(const Args& a, std::int64_t) {
  return BlockingPop(a, OpCode::kZPopFirst, kZMax);
}
Result<Op> BLMove(const Args& a, std::int64_t now_ms) {
  CAIRN_ASSIGN_OR_RETURN(Op op, LMove(a, now_ms));
  std::int64_t ms = 0;
  CAIRN_RETURN_IF_ERROR(ParseBlockingTimeout(a[5], &ms));
  return op;
}
Result<Op> BRPopLPush(const Args& a, std::int64_t now_ms) {
  std::int64_t ms = 0;
  CAIRN_RETURN_IF_ERROR(ParseBlockingTimeout(a[3], &ms));
  return RPopLPush(a, now_ms);
}

namespace {

// LMPOP / ZMPOP numkeys key... LEFT|RIGHT (MIN|MAX) [COUNT count], and the
// blocking forms with a timeout before numkeys. Redis 7.0 checks numkeys,
// the side, COUNT and only then the timeout, each with its own message.
Result<Op> MPopGeneric(const Args& a, OpCode code, bool blocking) {
  const std::size_t numkeys_at = blocking ? 2 : 1;
  std::int64_t n = 0;
  if (!ParseStrictInt64(a[numkeys_at], &n) || n < 1) {
    return Err("ERR numkeys should be greater than 0");
  }
  const std::size_t first = numkeys_at + 1;
  if (n >= static_cast<std::int64_t>(a.size() - first)) return Err(errors::kSyntax);
  const std::size_t where_at = first + static_cast<std::size_t>(n);
  Op op = Make(code, a, first, where_at);
  op.flags = kMPop;
  const std::string& where = a[where_at];
  if (code == OpCode::kLPopFirst) {
    bool left = false;
    if (!Side(where, &left)) return Err(errors::kSyntax);
    if (left) op.flags |= kListLeft;
  } else if (Is(where, "max")) {
    op.flags |= kZMax;
  } else if (!Is(where, "min")) {
    return Err(errors::kSyntax);
  }
  op.num = -1;
  for (std::size_t j = where_at + 1; j < a.size(); ++j) {
    if (op.num == -1 && Is(a[j], "count") && j + 1 < a.size()) {
      if (!ParseStrictInt64(a[++j], &op.num) || op.num < 1) {
        return Err("ERR count should be greater than 0");
      }
    } else {
      return Err(errors::kSyntax);
    }
  }
  if (op.num == -1) op.num = 1;
  if (blocking) {
    std::int64_t ms = 0;
    CAIRN_RETURN_IF_ERROR(ParseBlockingTimeout(a[1], &ms));
  }
  return op;
}

}  // namespace

Result<Op> LMPop(const Args& a, std::int64_t) { return MPopGeneric(a, OpCode::kLPopFirst, false); }
Result<Op> BLMPop(const Args& a, std::int64_t) { return MPopGeneric(a, OpCode::kLPopFirst, true); }
Result<Op> ZMPop(const Args& a, std::int64_t) { return MPopGeneric(a, OpCode::kZPopFirst, false); }
Result<Op> BZMPop(const Args& a, std::int64_t) { return MPopGeneric(a, OpCode::kZPopFirst, true); }

Result<Op> LLen(const Args& a, std::int64_t) { return KeysOp(OpCode::kLLen, a); }

// LPOS key element [RANK rank] [COUNT n] [MAXLEN len]: every option is
// checked before the key, with Redis 7.0's messages.
Result<Op> LPos(const Args& a, std::int64_t) {
  std::int64_t rank = 1;
  std::int64_t count = -1;  // no COUNT: one position or nil
  std::int64_t maxlen = 0;
  for (std::size_t j = 3; j < a.size(); ++j) {
    const bool more = j + 1 < a.size();
    if (Is(a[j], "rank") && more) {
      CAIRN_ASSIGN_OR_RETURN(rank, Int(a[++j]));
      // Redis 7.0 negates the rank unchecked (the minimum overflows and then
      // ignores COUNT); Cairn refuses it, as Redis 7.2 does.
      if (rank == kMin) {
        return Err("ERR value is out of range, must be between -9223372036854775807 and "
                   "9223372036854775807");
      }
      if (rank == 0) {
        return Err(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
            "second ... or use negative to start from the end of the list");
      }
    } else if (Is(a[j], "count") && more) {
      if (!ParseStrictInt64(a[++j], &count) || count < 0) return Err("ERR COUNT can't be negative");
    } else if (Is(a[j], "maxlen") && more) {
      if (!ParseStrictInt64(a[++j], &maxlen) || maxlen < 0) {
        return Err("ERR MAXLEN can't be negative");
      }
    } else {
      return Err(errors::kSyntax);
    }
  }
  Op op = Make(OpCode::kLPos, a, 1, 3);
  op.args.push_back(std::to_string(maxlen));
  op.num = rank;
  op.num2 = count;
  return op;
}

// LINDEX key index: a bad index is reported after the key is found.
Result<Op> LIndex(const Args& a, std::int64_t) {
  Op op = Make(OpCode::kLIndex, a, 1, 2);
  if (!ParseStrictInt64(a[2], &op.num)) {
    op.num = 0;
    op.flags = kListBadIndex;
  }
  return op;
}

Result<Op> LRange(const Args& a, std::int64_t) {
  CAIRN_ASSIGN_OR_RETURN(std::int64_t start, Int(a[2]));
  CAIRN_ASSIGN_OR_RETURN(std::int64_t stop, Int(a[3]));
  Op op = Make(OpCode::kLRange, a, 1, 2);
  op.num = start;
  op.num2 = stop;
  return op;
}

// ---- Sets ----

Result<Op> SAdd(const Args& a, std::int64_t) { return KeysOp(OpCode::kSAdd, a); }
Result<Op> SRem(const Args& a, std::int64_t) { return KeysOp(OpCode::kSRem, a); }
Result<Op> SMove(const Args& a, std::int64_t) { return KeysOp(OpCode::kSMove, a); }
Result<Op> SIsMember(const Args& a, std::int64_t) { return KeysOp(OpCode::kSIsMember, a); }
Result<Op> SMIsMember(const Args& a, std::int64_t) { return KeysOp(OpCode::kSMIsMember, a); }
Result<Op> SCard(const Args& a, std::int64_t) { return KeysOp(OpCode::kSCard, a); }
Result<Op> SMembers(const Args& a, std::int64_t) { return KeysOp(OpCode::kSMembers, a); }
Result<Op> SScan(const Args& a, std::int64_t) { return CollectionScan(OpCode::kSScan, a); }

// SPOP key [count]: the count is checked before the key, as Redis does.
Result<Op> SPop(const Args& a, std::int64_t) {
  if (a.size() > 3) return Err(errors::kSyntax);
  Op op = Make(OpCode::kSPop, a, 1, 2);
  if (a.size() == 3) {
    // Redis gives the one message for a non-integer and a negative count.
    if (!ParseStrictInt64(a[2], &op.num) || op.num < 0) {
      return Err("ERR value is out of range, must be positive");
    }
    op.flags = kSPopCount;
  }
  return op;
}

namespace {
Op Combined(OpCode code, std::uint32_t how, const Args& a) {
  Op op = KeysOp(code, a);
  op.flags = how;
  return op;
}
}  // namespace

// SINTERCARD numkeys key... [LIMIT limit]: Redis 7.0 checks the options
// before the keys.
Result<Op> SInterCard(const Args& a, std::int64_t) {
  std::int64_t n = 0;
  if (!ParseStrictInt64(a[1], &n) || n < 1) return Err("ERR numkeys should be greater than 0");
  if (n > static_cast<std::int64_t>(a.size() - 2)) {
    return Err("ERR Number of keys can't be greater than number of args");
  }
  const std::size_t end = 2 + static_cast<std::size_t>(n);
  Op op = Make(OpCode::kSCombine, a, 2, end);
  op.flags = kSetInter | kSetCard;
  for (std::size_t j = end; j < a.size(); ++j) {
    if (Is(a[j], "limit") && j + 1 < a.size()) {
      if (!ParseStrictInt64(a[++j], &op.num) || op.num < 0) {
        return Err("ERR LIMIT can't be negative");
      }
    } else {
      return Err(errors::kSyntax);
    }
  }
  return op;
}

namespace {

// SRANDMEMBER key [count], HRANDFIELD key [count [WITHVALUES]], ZRANDMEMBER
// key [count [WITHSCORES]], with Redis 7.0's checks: the count before the
// key (before a surplus argument, except in SRANDMEMBER), and a count that
// doubles (with values) within half the range.
Result<Op> RandGeneric(const Args& a, OpCode code, const char* with) {
  Op op = Make(code, a, 1, 2);
  if (a.size() < 3) return op;
  if (with == nullptr && a.size() > 3) return Err(errors::kSyntax);  // SRANDMEMBER: first
  if (!ParseStrictInt64(a[2], &op.num)) return Err(errors::kNotInteger);
  if (op.num == kMin) {  // Redis 7.0's words, as its getRangeLongFromObjectOrReply has them
    return Err(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
  }
  op.flags = kRandCount;
  if (with == nullptr ? a.size() > 3 : a.size() > 4 || (a.size() == 4 && !Is(a[3], with))) {
    return Err(errors::kSyntax);
  }
  if (a.size() == 4) {
    op.flags |= kRandWith;
    if (op.num < -kMax / 2 || op.num > kMax / 2) return Err("ERR value is out of range");
  }
  // A positive count is bounded by the key's size; a negative one is not.
  if (op.num < -kRandCountMax) {
    return Err("ERR count is out of range: Cairn draws at most 10000000 elements in one call");
  }
  return op;
}

}  // namespace

Result<Op> SRandMember(const Args& a, std::int64_t) {
  return RandGeneric(a, OpCode::kSRandMember, nullptr);
}
Result<Op> HRandField(const Args& a, std::int64_t) {
  return RandGeneric(a, OpCode::kHRandField, "withvalues");
}
Result<Op> ZRandMember(const Args& a, std::int64_t) {
  return RandGeneric(a, OpCode::kZRandMember, "withscores");
}

Result<Op> SInter(const Args& a, std::int64_t) { return Combined(OpCode::kSCombine, kSetInter, a); }
Result<Op> SUnion(const Args& a, std::int64_t) { return Combined(OpCode::kSCombine, kSetUnion, a); }
Result<Op> SDiff(const Args& a, std::int64_t) { return Combined(OpCode::kSCombine, kSetDiff, a); }
Result<Op> SInterStore(const Args& a, std::int64_t) {
  return Combined(OpCode::kSStore, kSetInter, a);
}
Result<Op> SUnionStore(const Args& a, std::int64_t) {
  return Combined(OpCode::kSStore, kSetUnion, a);
}
Result<Op> SDiffStore(const Args& a, std::int64_t) {
  return Combined(OpCode::kSStore, kSetDiff, a);
}

// ---- Streams ----

namespace {

constexpr std::string_view kBadStreamId = kBadStreamIdError;

// XADD's and XTRIM's trimming options (Redis 7.0's
// streamParseAddOrTrimArgsOrReply), from a[2]. For XADD the loop ends at the
// ID, whose index goes to *id_at. Fills the op's trimming flags, num (MAXLEN),
// num2 (LIMIT) and *minid.
Status ParseTrimArgs(const Args& a, bool xadd, Op* op, std::string* minid, std::size_t* id_at) {
  std::size_t i = 2;
  bool limit_given = false;
  std::int64_t limit = 0;
  for (; i < a.size(); ++i) {
    const std::size_t more = a.size() - 1 - i;
    const std::string& opt = a[i];
    if (xadd && opt == "*") break;
    if ((Is(opt, "maxlen") || Is(opt, "minid")) && more > 0) {
      if (op->flags & (kXTrimMaxLen | kXTrimMinId)) {
        return Err(
            "ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
      }
      const bool maxlen = Is(opt, "maxlen");
      op->flags &= ~kXTrimApprox;
      if (more >= 2 && (a[i + 1] == "~" || a[i + 1] == "=")) {
        if (a[i + 1] == "~") op->flags |= kXTrimApprox;
        ++i;
      }
      const std::string& threshold = a[i + 1];
      if (maxlen) {
        if (!ParseStrictInt64(threshold, &op->num)) return Err(errors::kNotInteger);
        if (op->num < 0) return Err("ERR The MAXLEN argument must be >= 0.");
        op->flags |= kXTrimMaxLen;
      } else {
        StreamId id;
        if (!ParseStreamId(threshold, 0, /*strict=*/true, &id)) return Err(kBadStreamId);
        *minid = threshold;
        op->flags |= kXTrimMinId;
      }
      ++i;
    } else if (Is(opt, "limit") && more > 0) {
      if (!ParseStrictInt64(a[i + 1], &limit)) return Err(errors::kNotInteger);
      if (limit < 0) return Err("ERR The LIMIT argument must be >= 0.");
      limit_given = true;
      ++i;
    } else if (xadd && Is(opt, "nomkstream")) {
      op->flags |= kXAddNoMkStream;
    } else if (xadd) {
      StreamId id;
      bool seq_given = false;
      if (!ParseStreamId(opt, 0, true, &id, &seq_given)) return Err(kBadStreamId);
      break;
    } else {
      return Err(errors::kSyntax);
    }
  }
  const bool strategy = op->flags & (kXTrimMaxLen | kXTrimMinId);
  if (limit != 0 && !strategy) {
    return Err("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
  }
  if (!xadd && !strategy) {
    return Err("ERR syntax error, XTRIM must be called with a trimming strategy");
  }
  if (limit_given && !(op->flags & kXTrimApprox)) {
    return Err("ERR syntax error, LIMIT cannot be used without the special ~ option");
  }
  // Redis trims at most 100 stream nodes' worth with "~" unless told.
  op->num2 = limit_given ? limit : (op->flags & kXTrimApprox) ? 10000 : 0;
  if (id_at != nullptr) *id_at = i;
  return Status::Ok();
}

}  // namespace

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT n]] *|id field value...
Result<Op> XAdd(const Args& a, std::int64_t) {
  Op op;
  op.code = OpCode::kXAdd;
  std::string minid;
  std::size_t id_at = 0;
  CAIRN_RETURN_IF_ERROR(ParseTrimArgs(a, true, &op, &minid, &id_at));
  const std::size_t fields = id_at + 1;
  if (id_at >= a.size() || a.size() - fields < 2 || (a.size() - fields) % 2 == 1) {
    return Err("ERR wrong number of arguments for 'xadd' command");
  }
  StreamId id;
  bool seq_given = true;
  if (a[id_at] != "*" && ParseStreamId(a[id_at], 0, true, &id, &seq_given) && seq_given &&
      id == StreamId{}) {
    return Err("ERR The ID specified in XADD must be greater than 0-0");
  }
  op.args = {a[1], a[id_at]};
  if (op.flags & kXTrimMinId) op.args.push_back(minid);
  op.args.insert(op.args.end(), a.begin() + static_cast<std::ptrdiff_t>(fields), a.end());
  return op;
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT n]
Result<Op> XTrim(const Args& a, std::int64_t) {
  Op op;
  op.code = OpCode::kXTrim;
  std::string minid;
  CAIRN_RETURN_IF_ERROR(ParseTrimArgs(a, false, &op, &minid, nullptr));
  op.args = {a[1]};
  if (op.flags & kXTrimMinId) op.args.push_back(minid);
  return op;
}

// XDEL key id...: Redis 7.0 checks the IDs only once it has found the
// stream, so they travel as sent.
Result<Op> XDel(const Args& a, std::int64_t) { return KeysOp(OpCode::kXDel, a); }

Result<Op> XLen(const Args& a, std::int64_t) { return KeysOp(OpCode::kXLen, a); }

namespace {

// XRANGE key start end [COUNT n] and XREVRANGE key end start [COUNT n]: the
// bounds ("(" for an exclusive one), then COUNT, before the key.
Result<Op> XRangeGeneric(const Args& a, bool rev) {
  const std::string& start = rev ? a[3] : a[2];
  const std::string& end = rev ? a[2] : a[3];
  StreamId lo, hi;
  CAIRN_RETURN_IF_ERROR(ParseStreamRange(start, end, &lo, &hi));
  Op op;
  op.code = OpCode::kXRange;
  op.flags = rev ? kXRev : 0;
  op.args = {a[1], start, end};
  op.num = -1;
  for (std::size_t j = 4; j < a.size(); ++j) {
    if (Is(a[j], "count") && j + 1 < a.size()) {
      if (!ParseStrictInt64(a[++j], &op.num)) return Err(errors::kNotInteger);
      if (op.num < 0) op.num = 0;
    } else {
      return Err(errors::kSyntax);
    }
  }
  return op;
}

}  // namespace

Result<Op> XRange(const Args& a, std::int64_t) { return XRangeGeneric(a, false); }
Result<Op> XRevRange(const Args& a, std::int64_t) { return XRangeGeneric(a, true); }

namespace {

// XREAD [COUNT n] [BLOCK ms] STREAMS key... id..., and XREADGROUP GROUP g c
// [COUNT n] [BLOCK ms] [NOACK] STREAMS key... id...: the options; the IDs
// are checked on read, key by key after each key's type, as Redis does.
Result<Op> XReadGeneric(const Args& a, bool group) {
  Op op;
  op.code = group ? OpCode::kXReadGroup : OpCode::kXRead;
  std::string group_name, consumer;
  bool has_group = false;
  std::size_t streams_at = 0;
  for (std::size_t i = 1; i < a.size(); ++i) {
    const bool more = i + 1 < a.size();
    if (Is(a[i], "block") && more) {
      std::int64_t ms = 0;
      if (!ParseStrictInt64(a[++i], &ms))
        return Err("ERR timeout is not an integer or out of range");
      if (ms < 0) return Err("ERR timeout is negative");
    } else if (Is(a[i], "count") && more) {
      if (!ParseStrictInt64(a[++i], &op.num)) return Err(errors::kNotInteger);
      if (op.num < 0) op.num = 0;
    } else if (Is(a[i], "streams") && more) {
      streams_at = i + 1;
      break;
    } else if (Is(a[i], "group") && i + 2 < a.size()) {
      if (!group) {
        return Err(
            "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
      }
      group_name = a[i + 1];
      consumer = a[i + 2];
      has_group = true;
      i += 2;
    } else if (Is(a[i], "noack")) {
      if (!group) {
        return Err(
            "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
      }
      op.flags |= kXNoAck;
    } else {
      return Err(errors::kSyntax);
    }
  }
  if (streams_at == 0) return Err(errors::kSyntax);
  if (group && !has_group) return Err("ERR Missing GROUP option for XREADGROUP");
  const std::size_t rest = a.size() - streams_at;
  if (rest % 2 != 0) {
    return Err(std::string("ERR Unbalanced ") + (group ? "XREADGROUP" : "XREAD") +
               " list of streams: for each stream key an ID or '" + (group ? ">" : "$") +
               "' must be specified.");
  }
  if (group) op.args = {group_name, consumer};
  op.args.insert(op.args.end(), a.begin() + static_cast<std::ptrdiff_t>(streams_at), a.end());
  op.num2 = static_cast<std::int64_t>(rest / 2);
  return op;
}

// XGROUP's subcommands and their Redis 7.0 arities (as xgroup|create...).
struct XGroupSub {
  const char* name;
  std::uint32_t code;
  int arity;
};
constexpr XGroupSub kXGroupSubs[] = {{"create", kXGroupCreate, -5},
                                     {"setid", kXGroupSetId, -5},
                                     {"destroy", kXGroupDestroy, 4},
                                     {"createconsumer", kXGroupCreateConsumer, 5},
                                     {"delconsumer", kXGroupDelConsumer, 5}};

}  // namespace

Result<Op> XRead(const Args& a, std::int64_t) { return XReadGeneric(a, false); }
Result<Op> XReadGroup(const Args& a, std::int64_t) { return XReadGeneric(a, true); }

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n], SETID key group
// id|$ [ENTRIESREAD n], DESTROY key group, CREATECONSUMER / DELCONSUMER key
// group consumer. The options are checked here; the key, the group and the
// ID on apply, in Redis 7.0's order.
Result<Op> XGroup(const Args& a, std::int64_t) {
  const std::string sub = AsciiLower(a[1]);
  const XGroupSub* found = nullptr;
  for (const XGroupSub& x : kXGroupSubs) {
    if (sub == x.name) found = &x;
  }
  if (found == nullptr) {
    // (XGROUP HELP alone is answered before parsing: kv/subcommand_help.h.)
    if (sub == "help") return Err("ERR wrong number of arguments for 'xgroup|help' command");
    return Err("ERR unknown subcommand '" + a[1] + "'. Try XGROUP HELP.");
  }
  const auto argc = static_cast<int>(a.size());
  if (found->arity > 0 ? argc != found->arity : argc < -found->arity) {
    return Err("ERR wrong number of arguments for 'xgroup|" + sub + "' command");
  }
  Op op;
  op.code = OpCode::kXGroup;
  op.flags = found->code;
  auto syntax = [&] {
    return Err("ERR unknown subcommand or wrong number of arguments for '" + a[1] +
               "'. Try XGROUP HELP.");
  };
  if (found->code == kXGroupCreate || found->code == kXGroupSetId) {
    for (std::size_t i = 5; i < a.size();) {
      if (found->code == kXGroupCreate && Is(a[i], "mkstream")) {
        op.flags |= kXGroupMkStream;
        ++i;
      } else if (Is(a[i], "entriesread") && i + 1 < a.size()) {
        std::int64_t n = 0;
        if (!ParseStrictInt64(a[i + 1], &n)) return Err(errors::kNotInteger);
        if (n < 0 && n != -1) return Err("ERR value for ENTRIESREAD must be positive or -1");
        op.flags |= kXGroupEntriesRead;
        op.num = n;
        i += 2;
      } else {
        return syntax();
      }
    }
    // What the dispatch accepts after the options (CREATE 5-8, SETID 5 or 7).
    if (found->code == kXGroupCreate ? argc > 8 : argc != 5 && argc != 7) return syntax();
    op.args = {a[2], a[3], a[4]};
  } else {
    op.args.assign(a.begin() + 2, a.end());
  }
  return op;
}

// XCLAIM key group consumer min-idle-time id... [IDLE ms] [TIME ms] [RETRYCOUNT
// n] [FORCE] [JUSTID] [LASTID id]: everything is checked once the group is
// found, as Redis 7.0 does.
Result<Op> XClaim(const Args& a, std::int64_t) { return KeysOp(OpCode::kXClaim, a); }

// XAUTOCLAIM key group consumer min-idle-time start [COUNT n] [JUSTID]: the
// arguments are checked before the key.
Result<Op> XAutoClaim(const Args& a, std::int64_t) {
  Op op;
  op.code = OpCode::kXAutoClaim;
  if (!ParseStrictInt64(a[4], &op.num))
    return Err("ERR Invalid min-idle-time argument for XAUTOCLAIM");
  if (op.num < 0) op.num = 0;
  StreamId lo, hi;
  CAIRN_RETURN_IF_ERROR(ParseStreamRange(a[5], "+", &lo, &hi));
  op.num2 = 100;
  for (std::size_t j = 6; j < a.size(); ++j) {
    if (Is(a[j], "count") && j + 1 < a.size()) {
      // Redis bounds it so that count * 10 attempts cannot overflow.
      if (!ParseStrictInt64(a[++j], &op.num2) || op.num2 < 1 || op.num2 > kMax / 16) {
        return Err("ERR COUNT must be > 0");
      }
    } else if (Is(a[j], "justid")) {
      op.flags |= kXJustId;
    } else {
      return Err(errors::kSyntax);
    }
  }
  op.args = {a[1], a[2], a[3], a[5]};
  return op;
}

// XINFO GROUPS key, CONSUMERS key group and STREAM key [FULL [COUNT n]]
// (Redis 7.0's arities, as xinfo|groups...). STREAM's options are checked
// once the key is found, as Redis does, so they travel as sent.
Result<Op> XInfo(const Args& a, std::int64_t) {
  const std::string sub = AsciiLower(a[1]);
  Op op;
  op.code = OpCode::kXInfo;
  if (sub == "groups" || sub == "consumers" || sub == "stream") {
    const std::size_t arity = sub == "consumers" ? 4 : 3;
    if (sub == "stream" ? a.size() < arity : a.size() != arity)
      return Err("ERR wrong number of arguments for 'xinfo|" + sub + "' command");
    op.flags = sub == "groups" ? kXInfoGroups : sub == "consumers" ? kXInfoConsumers : kXInfoStream;
    op.args.assign(a.begin() + 2, a.end());
    if (sub == "stream" && a.size() > 3) {
      std::int64_t count = 10;
      const bool shape =
          Is(a[3], "full") && (a.size() == 4 || (a.size() == 6 && Is(a[4], "count")));
      if (shape && (a.size() == 4 || ParseStrictInt64(a[5], &count))) {
        op.flags = kXInfoStreamFull;
        op.num = count < 0 ? 10 : count;
        op.args.resize(1);
      } else {
        // Redis 7.0 looks the key up first (a missing key is "no such key"
        // whatever the options), so bad options are answered on read:
        // args key, the subcommand as typed, the options.
        op.args.insert(op.args.begin() + 1, a[1]);
      }
    }
    return op;
  }
  // (XINFO HELP alone is answered before parsing: kv/subcommand_help.h.)
  if (sub == "help") return Err("ERR wrong number of arguments for 'xinfo|help' command");
  std::string message = "ERR unknown subcommand '";
  message.append(a[1]).append("'. Try XINFO HELP.");
  return Err(message);
}

// XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]: the options are
// checked here, in Redis 7.0's order; the key and the stream's top entry
// on apply.
Result<Op> XSetId(const Args& a, std::int64_t) {
  Op op;
  op.code = OpCode::kXSetId;
  StreamId last, max_deleted;
  if (!ParseStreamId(a[2], 0, true, &last)) return Err(kBadStreamIdError);
  std::string max_deleted_text;
  for (std::size_t i = 3; i < a.size(); i += 2) {
    if (i + 1 >= a.size()) return Err(errors::kSyntax);
    if (Is(a[i], "entriesadded")) {
      std::int64_t n = 0;
      if (!ParseStrictInt64(a[i + 1], &n)) return Err(errors::kNotInteger);
      if (n < 0) return Err("ERR entries_added must be positive");
      op.flags |= kXSetIdEntriesAdded;
      op.num = n;
    } else if (Is(a[i], "maxdeletedid")) {
      if (!ParseStreamId(a[i + 1], 0, true, &max_deleted)) return Err(kBadStreamIdError);
      if (last < max_deleted) {
        return Err(
            "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      }
      op.flags |= kXSetIdMaxDeleted;
      max_deleted_text = a[i + 1];
    } else {
      return Err(errors::kSyntax);
    }
  }
  op.args = {a[1], a[2]};
  if (op.flags & kXSetIdMaxDeleted) op.args.push_back(max_deleted_text);
  return op;
}

// XACK key group id...: the IDs are checked once the group is found.
Result<Op> XAck(const Args& a, std::int64_t) { return KeysOp(OpCode::kXAck, a); }

// XPENDING key group [[IDLE min-idle] start end count [consumer]]: the range,
// count and IDLE are checked before the key, as Redis 7.0 does.
Result<Op> XPending(const Args& a, std::int64_t) {
  const std::size_t argc = a.size();
  if (argc != 3 && (argc < 6 || argc > 9)) return Err(errors::kSyntax);
  Op op;
  op.code = OpCode::kXPending;
  op.args = {a[1], a[2]};
  if (argc == 3) return op;
  std::size_t start = 3;
  if (Is(a[3], "idle")) {
    if (!ParseStrictInt64(a[4], &op.num2)) return Err(errors::kNotInteger);
    if (argc < 8) return Err(errors::kSyntax);
    start += 2;
  }
  if (!ParseStrictInt64(a[start + 2], &op.num)) return Err(errors::kNotInteger);
  if (op.num < 0) op.num = 0;
  StreamId lo, hi;
  CAIRN_RETURN_IF_ERROR(ParseStreamRange(a[start], a[start + 1], &lo, &hi));
  op.flags = kXPendingRange;
  op.args.push_back(a[start]);
  op.args.push_back(a[start + 1]);
  if (start + 3 < argc) op.args.push_back(a[start + 3]);  // Redis ignores any further one
  return op;
}

// ---- Sorted sets ----

namespace {

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...], and
// ZINCRBY (ZADD ... INCR, its options read from the same place, as Redis
// does). Redis 7.0's zaddGenericCommand: the options, the pairs, their
// conflicts, then every score, all before the key is looked at.
Result<Op> ZAddGeneric(const Args& a, std::uint32_t flags) {
  std::size_t i = 2;
  for (; i < a.size(); ++i) {
    if (Is(a[i], "nx"))
      flags |= kZAddNx;
    else if (Is(a[i], "xx"))
      flags |= kZAddXx;
    else if (Is(a[i], "ch"))
      flags |= kZAddCh;
    else if (Is(a[i], "incr"))
      flags |= kZAddIncr;
    else if (Is(a[i], "gt"))
      flags |= kZAddGt;
    else if (Is(a[i], "lt"))
      flags |= kZAddLt;
    else
      break;
  }
  const std::size_t items = a.size() - i;
  if (items == 0 || items % 2 != 0) return Err(errors::kSyntax);
  if ((flags & kZAddNx) && (flags & kZAddXx)) {
    return Err("ERR XX and NX options at the same time are not compatible");
  }
  if (((flags & kZAddNx) && (flags & (kZAddGt | kZAddLt))) ||
      ((flags & kZAddGt) && (flags & kZAddLt))) {
    return Err("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if ((flags & kZAddIncr) && items > 2) {
    return Err("ERR INCR option supports a single increment-element pair");
  }
  for (std::size_t j = i; j < a.size(); j += 2) {
    double score = 0;
    if (!ParseScore(a[j], &score)) return Err(errors::kNotFloat);
  }
  Op op = Make(OpCode::kZAdd, a, 1, 2);
  op.args.insert(op.args.end(), a.begin() + static_cast<std::ptrdiff_t>(i), a.end());
  op.flags = flags;
  return op;
}

// ZPOPMIN / ZPOPMAX key [count]: the count is checked before the key.
Result<Op> ZPop(const Args& a, std::uint32_t flags) {
  if (a.size() > 3) return Err(errors::kSyntax);
  Op op = Make(OpCode::kZPop, a, 1, 2);
  op.flags = flags;
  op.num = -1;
  // Redis gives the one message for a non-integer and a negative count.
  if (a.size() == 3 && (!ParseStrictInt64(a[2], &op.num) || op.num < 0)) {
    return Err("ERR value is out of range, must be positive");
  }
  return op;
}

// key min max, for ZCOUNT, ZLEXCOUNT and the ZREMRANGEBY* commands.
Result<Op> ZRangeOp(OpCode code, const Args& a, std::uint32_t by, std::uint32_t flags) {
  CAIRN_RETURN_IF_ERROR(CheckZRangeBounds(a[2], a[3], by));
  Op op = Make(code, a, 1, 4);
  op.flags = flags;
  return op;
}

constexpr int kByAuto = -1;

// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count]
// [WITHSCORES] and its older forms, which preset the kind of range and the
// order (and then refuse those options). Redis 7.0's zrangeGenericCommand:
// the options, their conflicts, then the range, before the key.
Result<Op> ZRangeGeneric(const Args& a, int by, bool rev, bool order_preset, bool store = false) {
  bool with_scores = false;
  std::int64_t offset = 0, limit = -1;
  for (std::size_t j = 4; j < a.size(); ++j) {
    const std::size_t left = a.size() - j - 1;
    if (!store && Is(a[j], "withscores")) {  // ZRANGESTORE has no WITHSCORES
      with_scores = true;
    } else if (Is(a[j], "limit") && left >= 2) {
      CAIRN_ASSIGN_OR_RETURN(offset, Int(a[j + 1]));
      CAIRN_ASSIGN_OR_RETURN(limit, Int(a[j + 2]));
      j += 2;
    } else if (!order_preset && Is(a[j], "rev")) {
      rev = order_preset = true;
    } else if (by == kByAuto && Is(a[j], "bylex")) {
      by = kZByLex;
    } else if (by == kByAuto && Is(a[j], "byscore")) {
      by = kZByScore;
    } else {
      return Err(errors::kSyntax);
    }
  }
  if (by == kByAuto) by = kZByRank;
  if (limit != -1 && by == kZByRank) {
    return Err(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (with_scores && by == kZByLex) {
    return Err("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  Op op = Make(OpCode::kZRange, a, 1, 4);
  // Reversed score and lex ranges are written max first.
  if (rev && by != kZByRank) std::swap(op.args[1], op.args[2]);
  CAIRN_RETURN_IF_ERROR(CheckZRangeBounds(op.args[1], op.args[2], static_cast<std::uint32_t>(by)));
  op.flags = static_cast<std::uint32_t>(by) | (rev ? kZRev : 0) | (with_scores ? kZWithScores : 0);
  op.num = offset;
  op.num2 = limit;
  return op;
}

// ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE dst numkeys key... [WEIGHTS w...]
// [AGGREGATE SUM|MIN|MAX], and ZUNION / ZINTER / ZDIFF numkeys key... [...]
// [WITHSCORES] (ZDIFF takes neither WEIGHTS nor AGGREGATE). Redis 7.0's
// zunionInterDiffGenericCommand checks numkeys, then the keys' types, then
// the options: a bad option travels in the op (kZBadOption).
Result<Op> ZCombineGeneric(const Args& a, std::uint32_t how, bool store, bool card = false) {
  const std::size_t numkeys_at = store ? 2 : 1;
  std::int64_t n = 0;
  if (!ParseStrictInt64(a[numkeys_at], &n)) return Err(errors::kNotInteger);
  if (n < 1) {
    const std::string name = AsciiLower(a[0]);
    return Err("ERR at least 1 input key is needed for '" + name + "' command");
  }
  const std::size_t first = numkeys_at + 1, keys = static_cast<std::size_t>(n);
  if (n > static_cast<std::int64_t>(a.size() - first)) return Err(errors::kSyntax);
  Op op;
  op.code = store ? OpCode::kZStore : OpCode::kZCombine;
  op.num = n;
  op.flags = how;
  if (store) op.args.push_back(a[1]);
  op.args.insert(op.args.end(), a.begin() + static_cast<std::ptrdiff_t>(first),
                 a.begin() + static_cast<std::ptrdiff_t>(first + keys));
  std::vector<std::string> weights;
  if (card) op.flags |= kZCombineCard;
  auto bad = [&](std::int64_t which) {
    op.flags = (op.flags & ~(kZAggMin | kZAggMax | kZCombineWithScores)) | kZBadOption;
    op.num2 = which;
    return op;
  };
  for (std::size_t j = first + keys; j < a.size();) {
    const std::size_t remaining = a.size() - j;
    if (card) {
      // ZINTERCARD: only LIMIT, after the keys' types (so it travels too).
      if (remaining < 2 || !Is(a[j], "limit")) return bad(0);
      if (!ParseStrictInt64(a[j + 1], &op.num2) || op.num2 < 0) return bad(2);
      j += 2;
    } else if (how != kSetDiff && remaining >= keys + 1 && Is(a[j], "weights")) {
      weights.clear();
      for (++j; weights.size() < keys; ++j) {
        double w = 0;
        if (!ParseScore(a[j], &w)) return bad(1);
        weights.push_back(a[j]);
      }
    } else if (how != kSetDiff && remaining >= 2 && Is(a[j], "aggregate")) {
      op.flags &= ~(kZAggMin | kZAggMax);
      if (Is(a[j + 1], "min")) {
        op.flags |= kZAggMin;
      } else if (Is(a[j + 1], "max")) {
        op.flags |= kZAggMax;
      } else if (!Is(a[j + 1], "sum")) {
        return bad(0);
      }
      j += 2;
    } else if (!store && Is(a[j], "withscores")) {
      op.flags |= kZCombineWithScores;
      ++j;
    } else {
      return bad(0);
    }
  }
  if (!weights.empty()) {
    op.flags |= kZWeights;
    op.args.insert(op.args.end(), weights.begin(), weights.end());
  }
  return op;
}

}  // namespace

Result<Op> ZUnionStore(const Args& a, std::int64_t) { return ZCombineGeneric(a, kSetUnion, true); }
Result<Op> ZInterStore(const Args& a, std::int64_t) { return ZCombineGeneric(a, kSetInter, true); }
Result<Op> ZDiffStore(const Args& a, std::int64_t) { return ZCombineGeneric(a, kSetDiff, true); }
Result<Op> ZUnion(const Args& a, std::int64_t) { return ZCombineGeneric(a, kSetUnion, false); }
Result<Op> ZInterCard(const Args& a, std::int64_t) {
  return ZCombineGeneric(a, kSetInter, false, /*card=*/true);
}
Result<Op> ZInter(const Args& a, std::int64_t) { return ZCombineGeneric(a, kSetInter, false); }
Result<Op> ZDiff(const Args& a, std::int64_t) { return ZCombineGeneric(a, kSetDiff, false); }

// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]:
// ZRANGE's grammar without WITHSCORES.
Result<Op> ZRangeStore(const Args& a, std::int64_t) {
  Args range(a.begin() + 1, a.end());  // as ZRANGE src min max ...
  CAIRN_ASSIGN_OR_RETURN(Op op, ZRangeGeneric(range, kByAuto, false, false, /*store=*/true));
  op.code = OpCode::kZRangeStore;
  op.args.insert(op.args.begin(), a[1]);
  return op;
}

// GEOADD key [NX|XX] [CH] lon lat member...: a ZADD of the places' geohash
// scores (kv/geo.h), with Redis 7.0's checks in its order.
Result<Op> GeoAdd(const Args& a, std::int64_t) {
  std::size_t i = 2;
  std::uint32_t flags = 0;
  for (; i < a.size(); ++i) {
    if (Is(a[i], "nx")) {
      flags |= kZAddNx;
    } else if (Is(a[i], "xx")) {
      flags |= kZAddXx;
    } else if (Is(a[i], "ch")) {
      flags |= kZAddCh;
    } else {
      break;
    }
  }
  const bool both = (flags & kZAddNx) && (flags & kZAddXx);
  if (i == a.size() || (a.size() - i) % 3 != 0 || both) return Err(errors::kSyntax);
  Op op{OpCode::kZAdd, flags, 0, 0, {a[1]}};
  for (; i < a.size(); i += 3) {
    GeoPoint p;
    if (!ParseScore(a[i], &p.lon) || !ParseScore(a[i + 1], &p.lat)) {
      return Err("ERR value is not a valid float");
    }
    if (!GeoValid(p)) return Err(GeoInvalidPairError(p));
    op.args.push_back(std::to_string(GeoEncode(p)));
    op.args.push_back(a[i + 2]);
  }
  return op;
}
Result<Op> GeoPos(const Args& a, std::int64_t) { return KeysOp(OpCode::kGeoPos, a); }
Result<Op> GeoHash(const Args& a, std::int64_t) { return KeysOp(OpCode::kGeoHash, a); }
// GEODIST key member member [unit]: a bad unit is refused before the key is
// looked at, as in Redis.
Result<Op> GeoDist(const Args& a, std::int64_t) {
  if (a.size() > 5) return Err(errors::kSyntax);
  if (a.size() == 5 && !GeoUnit(a[4])) return Err(kGeoBadUnit);
  Op op = KeysOp(OpCode::kGeoDist, a);
  if (a.size() == 4) op.args.push_back("m");
  return op;
}

namespace {
// The searches. With STORE (or GEOSEARCHSTORE) a write, checked here so that
// no malformed write reaches the log; otherwise a read whose arguments the
// state machine checks after the key's type, as Redis does.
Result<Op> GeoSearchGeneric(const Args& a, GeoForm form, bool read_only) {
  const std::size_t src = form == GeoForm::kSearchStore ? 2 : 1;
  std::vector<std::string> rest(a.begin() + static_cast<std::ptrdiff_t>(src) + 1, a.end());
  GeoQuery q;
  const Status parsed =
      ParseGeoQuery(form, rest, read_only,
                    form == GeoForm::kSearchStore ? std::optional<std::string>(a[1]) : std::nullopt,
                    /*members=*/nullptr, &q);
  if (form == GeoForm::kSearchStore && !parsed.ok()) return parsed;
  const auto form_bits = static_cast<std::uint32_t>(form);
  if (parsed.ok() && q.store) {
    Op op{OpCode::kGeoStore, form_bits, 0, 0, {*q.store, a[src]}};
    op.args.insert(op.args.end(), rest.begin(), rest.end());
    return op;
  }
  Op op{OpCode::kGeoSearch, form_bits | (read_only ? kGeoReadOnly : 0), 0, 0, {a[src]}};
  op.args.insert(op.args.end(), rest.begin(), rest.end());
  return op;
}
}  // namespace

Result<Op> GeoRadius(const Args& a, std::int64_t) {
  return GeoSearchGeneric(a, GeoForm::kRadius, false);
}
Result<Op> GeoRadiusRo(const Args& a, std::int64_t) {
  return GeoSearchGeneric(a, GeoForm::kRadius, true);
}
Result<Op> GeoRadiusByMember(const Args& a, std::int64_t) {
  return GeoSearchGeneric(a, GeoForm::kRadiusByMember, false);
}
Result<Op> GeoRadiusByMemberRo(const Args& a, std::int64_t) {
  return GeoSearchGeneric(a, GeoForm::kRadiusByMember, true);
}
Result<Op> GeoSearch(const Args& a, std::int64_t) {
  return GeoSearchGeneric(a, GeoForm::kSearch, true);
}
Result<Op> GeoSearchStore(const Args& a, std::int64_t) {
  return GeoSearchGeneric(a, GeoForm::kSearchStore, false);
}

Result<Op> ZAdd(const Args& a, std::int64_t) { return ZAddGeneric(a, 0); }
Result<Op> ZIncrBy(const Args& a, std::int64_t) { return ZAddGeneric(a, kZAddIncr); }
Result<Op> ZRem(const Args& a, std::int64_t) { return KeysOp(OpCode::kZRem, a); }
Result<Op> ZPopMin(const Args& a, std::int64_t) { return ZPop(a, 0); }
Result<Op> ZPopMax(const Args& a, std::int64_t) { return ZPop(a, kZMax); }
Result<Op> ZRemRangeByRank(const Args& a, std::int64_t) {
  return ZRangeOp(OpCode::kZRemRange, a, kZByRank, kZByRank);
}
Result<Op> ZRemRangeByScore(const Args& a, std::int64_t) {
  return ZRangeOp(OpCode::kZRemRange, a, kZByScore, kZByScore);
}
Result<Op> ZRemRangeByLex(const Args& a, std::int64_t) {
  return ZRangeOp(OpCode::kZRemRange, a, kZByLex, kZByLex);
}
Result<Op> ZCard(const Args& a, std::int64_t) { return KeysOp(OpCode::kZCard, a); }
Result<Op> ZScore(const Args& a, std::int64_t) { return KeysOp(OpCode::kZScore, a); }
Result<Op> ZMScore(const Args& a, std::int64_t) { return KeysOp(OpCode::kZMScore, a); }
Result<Op> ZRank(const Args& a, std::int64_t) { return KeysOp(OpCode::kZRank, a); }
Result<Op> ZRevRank(const Args& a, std::int64_t) {
  Op op = KeysOp(OpCode::kZRank, a);
  op.flags = kZRev;
  return op;
}
Result<Op> ZCount(const Args& a, std::int64_t) {
  return ZRangeOp(OpCode::kZCount, a, kZByScore, 0);
}
Result<Op> ZLexCount(const Args& a, std::int64_t) {
  return ZRangeOp(OpCode::kZLexCount, a, kZByLex, 0);
}
Result<Op> ZRange(const Args& a, std::int64_t) { return ZRangeGeneric(a, kByAuto, false, false); }
Result<Op> ZRevRange(const Args& a, std::int64_t) { return ZRangeGeneric(a, kZByRank, true, true); }
Result<Op> ZRangeByScore(const Args& a, std::int64_t) {
  return ZRangeGeneric(a, kZByScore, false, true);
}
Result<Op> ZRevRangeByScore(const Args& a, std::int64_t) {
  return ZRangeGeneric(a, kZByScore, true, true);
}
Result<Op> ZRangeByLex(const Args& a, std::int64_t) {
  return ZRangeGeneric(a, kZByLex, false, true);
}
Result<Op> ZRevRangeByLex(const Args& a, std::int64_t) {
  return ZRangeGeneric(a, kZByLex, true, true);
}
Result<Op> ZScan(const Args& a, std::int64_t) { return CollectionScan(OpCode::kZScan, a); }

}  // namespace parsers

Status ParseBlockingTimeout(std::string_view text, std::int64_t* ms) {
  long double seconds = 0;
  if (!ParseLongDouble(text, &seconds)) return Err("ERR timeout is not a float or out of range");
  // Redis converts with a cast: beyond int64 it becomes the minimum (x86),
  // which then reads as negative.
  const long double millis = seconds * 1000.0L;
  if (!(millis < 9223372036854775807.0L) || millis < 0) return Err("ERR timeout is negative");
  *ms = static_cast<std::int64_t>(millis);
  return Status::Ok();
}

std::optional<std::int64_t> BlockingTimeoutMs(const Args& args) {
  if (args.empty()) return std::nullopt;
  const CommandSpec* spec = FindCommand(args[0]);
  if (spec == nullptr || !(spec->flags & kCmdBlocking) || args.size() < 2) return std::nullopt;
  if (spec->name == "xread" || spec->name == "xreadgroup") {  // ... BLOCK ms ... STREAMS ...
    for (std::size_t i = 1; i + 1 < args.size(); ++i) {
      if (strcasecmp(args[i].c_str(), "streams") == 0) break;
      std::int64_t ms = -1;
      if (strcasecmp(args[i].c_str(), "block") == 0 && ParseStrictInt64(args[i + 1], &ms) &&
          ms >= 0) {
        return ms;
      }
    }
    return std::nullopt;
  }
  // BLMPOP and BZMPOP name the timeout first; the others last.
  const bool first = spec->name == "blmpop" || spec->name == "bzmpop";
  std::int64_t ms = 0;
  if (!ParseBlockingTimeout(first ? args[1] : args.back(), &ms).ok()) return std::nullopt;
  return ms;
}

bool IsKeyword(const std::string& arg, const char* word) {
  return strcasecmp(arg.c_str(), word) == 0;
}

std::string AsciiLower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

bool IsCommandLookupError(std::string_view message) {
  constexpr std::string_view kArity = "ERR wrong number of arguments for '";
  if (message.starts_with("ERR unknown subcommand '")) return true;
  // A subcommand's arity ('xgroup|create'); a command's own arity errors
  // that a parser finds (MSET's pairs) are runtime errors in Redis.
  if (!message.starts_with(kArity)) return false;
  const std::string_view name = message.substr(kArity.size());
  return name.substr(0, name.find('\'')).find('|') != std::string_view::npos;
}

Status CheckZRangeBounds(std::string_view min, std::string_view max, std::uint32_t by) {
  switch (by) {
    case kZByRank: {
      std::int64_t v = 0;
      return ParseStrictInt64(min, &v) && ParseStrictInt64(max, &v) ? Status::Ok()
                                                                    : Err(errors::kNotInteger);
    }
    case kZByScore: {
      ScoreRange r;
      return ParseScoreRange(min, max, &r) ? Status::Ok() : Err(errors::kMinMaxNotFloat);
    }
    case kZByLex: {
      LexRange r;
      return ParseLexRange(min, max, &r) ? Status::Ok() : Err(errors::kMinMaxNotLex);
    }
    default: return Err(errors::kSyntax);
  }
}

bool ParseLongDouble(std::string_view s, long double* out) {
  // Redis 7.0's string2ld: strtold over a copy, the whole string (an
  // embedded zero byte ends it early: not a float), no leading space, no
  // NaN, no overflow or underflow to zero.
  constexpr std::size_t kCharsMax = 5 * 1024;
  if (s.empty() || s.size() >= kCharsMax) return false;
  char buf[kCharsMax];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  errno = 0;
  char* end = nullptr;
  long double v = std::strtold(buf, &end);
  if (std::isspace(static_cast<unsigned char>(buf[0])) || end != buf + s.size() ||
      (errno == ERANGE && (std::isinf(v) || v == 0)) || std::isnan(v)) {
    return false;
  }
  *out = v;
  return true;
}

std::string FormatLongDouble(long double v) {
  // Redis 7.0's ld2string in its "human" mode: 17 digits after the point,
  // then trailing zeros (and a bare point) dropped, and "-0" printed as "0".
  char buf[5 * 1024 + 64];
  int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof(buf)) return "0";
  std::string_view text(buf, static_cast<std::size_t>(n));
  if (text.find('.') != std::string_view::npos) {
    while (!text.empty() && text.back() == '0') text.remove_suffix(1);
    if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  }
  if (text == "-0") return "0";
  return std::string(text);
}
}  // namespace cairn::kv
