#include "kv/log_entry.h"

#include "kv/bitfield.h"
#include "kv/coding.h"
#include "kv/geo.h"
#include "kv/hash.h"
#include "kv/list.h"
#include "kv/parse.h"
#include "kv/record.h"
#include "kv/set.h"
#include "kv/stream.h"
#include "kv/zset.h"

namespace cairn::kv {
namespace {

constexpr std::uint64_t kOpsMax = 1u << 20;

void EncodeOp(const Op& op, std::string* out) {
  out->push_back(static_cast<char>(op.code));
  PutVarint(out, op.flags);
  PutZigzag(out, op.num);
  PutZigzag(out, op.num2);
  PutVarint(out, op.args.size());
  for (const std::string& a : op.args) PutBytes(out, a);
}

Status Bad(const char* what) { return Status::Corruption(what); }

// A sorted-set op's min and max (args[1], args[2]) as `by` reads them.
bool ZRangeArgsOk(const Op& op, std::uint32_t by) {
  return op.args.size() == 3 && CheckZRangeBounds(op.args[1], op.args[2], by).ok();
}

// kZStore's and kZCombine's args from `first`: num keys, then num weights
// if kZWeights says so.
bool ZCombineOk(const Op& op, std::size_t first, bool store) {
  const std::uint32_t f = op.flags;
  if ((f & ~kZCombineFlagsAll) != 0 || (f & 3) > kSetDiff || (f & kZAggMin && f & kZAggMax)) {
    return false;
  }
  if (store && (f & (kZCombineWithScores | kZCombineCard))) return false;
  if ((f & kZBadOption) && ((f & (kZWeights | kZAggMin | kZAggMax | kZCombineWithScores)) ||
                            op.num2 < 0 || op.num2 > 2)) {
    return false;
  }
  if ((f & kZCombineCard) &&
      ((f & 3) != kSetInter || (f & (kZWeights | kZAggMin | kZAggMax | kZCombineWithScores)) ||
       op.num2 < 0)) {
    return false;
  }
  if (op.num < 1 || static_cast<std::uint64_t>(op.num) > op.args.size()) return false;
  const auto n = static_cast<std::size_t>(op.num);
  const std::size_t weights = (f & kZWeights) ? n : 0;
  if (op.args.size() != first + n + weights) return false;
  for (std::size_t i = first + n; i < op.args.size(); ++i) {
    double w = 0;
    if (!ParseScore(op.args[i], &w)) return false;
  }
  return true;
}

// kXAdd's and kXTrim's args and trimming options.
bool XTrimOk(const Op& op) {
  const std::uint32_t f = op.flags;
  const bool xadd = op.code == OpCode::kXAdd;
  const bool maxlen = f & kXTrimMaxLen, minid = f & kXTrimMinId;
  if ((f & ~kXFlagsAll) != 0 || (maxlen && minid) || op.num < 0 || op.num2 < 0) return false;
  if (!xadd && ((f & kXAddNoMkStream) || !(maxlen || minid))) return false;
  if (!maxlen && op.num != 0) return false;
  std::size_t next = 1;
  StreamId id;
  if (xadd) {
    if (op.args.size() < 2) return false;
    bool seq_given = true;
    const std::string& spec = op.args[next++];
    if (spec != "*" &&
        (!ParseStreamId(spec, 0, true, &id, &seq_given) || (seq_given && id == StreamId{}))) {
      return false;
    }
  }
  if (minid && (op.args.size() <= next || !ParseStreamId(op.args[next++], 0, true, &id))) {
    return false;
  }
  const std::size_t fields = op.args.size() - std::min(next, op.args.size());
  return xadd ? op.args.size() > next && fields >= 2 && fields % 2 == 0 : op.args.size() == next;
}

bool ZAddOk(const Op& op) {
  const std::uint32_t f = op.flags;
  const std::size_t n = op.args.size();
  if ((f & ~kZAddFlagsAll) != 0 || n < 3 || n % 2 == 0) return false;
  if ((f & kZAddIncr) && n != 3) return false;
  if ((f & kZAddNx) && (f & (kZAddXx | kZAddGt | kZAddLt))) return false;
  if ((f & kZAddGt) && (f & kZAddLt)) return false;
  for (std::size_t i = 1; i < n; i += 2) {
    double score = 0;
    if (!ParseScore(op.args[i], &score)) return false;
  }
  return true;
}

Status DecodeOp(Decoder* d, EntryKind kind, Op* op) {
  std::uint8_t code = 0;
  std::uint64_t flags = 0;
  std::uint64_t nargs = 0;
  if (!d->Byte(&code) || !d->Varint(&flags) || !d->Zigzag(&op->num) || !d->Zigzag(&op->num2) ||
      !d->Varint(&nargs)) {
    return Bad("kv entry: truncated op");
  }
  // Every argument takes at least its one length byte: bound the allocation.
  if (nargs > d->rest().size()) return Bad("kv entry: argument count exceeds entry size");
  if (flags > 0xffffffffu) return Bad("kv entry: bad op flags");
  op->code = static_cast<OpCode>(code);
  op->flags = static_cast<std::uint32_t>(flags);
  op->args.resize(nargs);
  for (std::string& a : op->args) {
    std::string_view s;
    if (!d->Bytes(&s)) return Bad("kv entry: truncated argument");
    a.assign(s);
  }
  return ValidateOp(*op, kind);
}

}  // namespace

bool IsTransactionalRead(OpCode code) {
  switch (code) {
    case OpCode::kGet: case OpCode::kExists: case OpCode::kStrlen: case OpCode::kMGet:
    case OpCode::kTtl: case OpCode::kPttl: case OpCode::kType: case OpCode::kExpireTime:
    case OpCode::kPExpireTime:
    case OpCode::kGetRange:
    case OpCode::kGetBit:
    case OpCode::kBitCount:
    case OpCode::kBitPos:
    case OpCode::kPfCount:
    case OpCode::kBitFieldRo: return true;
    case OpCode::kHGet:
    case OpCode::kHMGet:
    case OpCode::kHGetAll:
    case OpCode::kHKeys:
    case OpCode::kHVals:
    case OpCode::kHLen:
    case OpCode::kHExists:
    case OpCode::kHStrlen:
    case OpCode::kHScan:
    case OpCode::kSIsMember:
    case OpCode::kSMIsMember:
    case OpCode::kSCard:
    case OpCode::kSMembers:
    case OpCode::kSScan:
    case OpCode::kSCombine:
    case OpCode::kLLen:
    case OpCode::kLIndex:
    case OpCode::kLRange:
    case OpCode::kLPos:
    case OpCode::kZCard:
    case OpCode::kZScore:
    case OpCode::kZMScore:
    case OpCode::kZRank:
    case OpCode::kZCount:
    case OpCode::kZLexCount:
    case OpCode::kZRange:
    case OpCode::kZScan:
    case OpCode::kZCombine:
    case OpCode::kSRandMember:
    case OpCode::kHRandField:
    case OpCode::kZRandMember:
    case OpCode::kXLen:
    case OpCode::kXRange:
    case OpCode::kXRead:
    case OpCode::kXPending:
    case OpCode::kXInfo:
    case OpCode::kGeoPos:
    case OpCode::kGeoDist:
    case OpCode::kGeoHash:
    case OpCode::kGeoSearch:
    case OpCode::kSort:
    case OpCode::kLcs:
    case OpCode::kDump: return true;
    default:
      return false;
  }
}

void AppendWrittenKeys(const Op& op, std::vector<std::string>* keys) {
  if (!IsWrite(op.code)) return;
  const auto first = op.args.begin();
  switch (op.code) {
    case OpCode::kFlushDb:
    case OpCode::kExpireUpTo:
    case OpCode::kPublish: return;
    case OpCode::kMSet:
    case OpCode::kMSetNx:
      for (std::size_t i = 0; i < op.args.size(); i += 2) keys->push_back(op.args[i]);
      return;
    case OpCode::kRename:
    case OpCode::kCopy:
    case OpCode::kSMove:
    case OpCode::kLMove: keys->insert(keys->end(), first, first + 2); return;
    case OpCode::kDel:
    case OpCode::kLPopFirst:  // pops from one of its keys
    case OpCode::kZPopFirst: keys->insert(keys->end(), first, op.args.end()); return;
    case OpCode::kXReadGroup:  // group consumer key... id...
      keys->insert(keys->end(), first + 2, first + 2 + static_cast<std::ptrdiff_t>(op.num2));
      return;
    case OpCode::kEval: keys->insert(keys->end(), first + 1, first + 1 + op.num); return;
    default:
      // Every other write names its one key first.
      if (!op.args.empty()) keys->push_back(op.args[0]);
      return;
  }
}

Status ValidateOp(const Op& op, EntryKind kind) {
  std::size_t n = op.args.size();
  auto check = [](bool ok) { return ok ? Status::Ok() : Bad("kv entry: malformed op"); };
  if (IsTransactionalRead(op.code)) {
    if (kind != EntryKind::kTransaction) return Bad("kv entry: read op outside a transaction");
    switch (op.code) {
      case OpCode::kHGet:
      case OpCode::kHExists:
      case OpCode::kHStrlen: return check(op.flags == 0 && n == 2);
      case OpCode::kHMGet: return check(op.flags == 0 && n >= 2);
      case OpCode::kHGetAll:
      case OpCode::kHKeys:
      case OpCode::kHVals:
      case OpCode::kHLen: return check(op.flags == 0 && n == 1);
      case OpCode::kSIsMember: return check(op.flags == 0 && n == 2);
      case OpCode::kSMIsMember: return check(op.flags == 0 && n >= 2);
      case OpCode::kSCard:
      case OpCode::kSMembers: return check(op.flags == 0 && n == 1);
      case OpCode::kSCombine:
        return check(n >= 1 &&
                     (op.flags <= kSetDiff || (op.flags == (kSetInter | kSetCard) && op.num >= 0)));
      case OpCode::kSRandMember:
      case OpCode::kHRandField:
      case OpCode::kZRandMember: {
        // The seed is the state machine's to draw: never in the log.
        const std::uint32_t allowed =
            op.code == OpCode::kSRandMember ? kRandCount : kRandCount | kRandWith;
        const bool count_ok = (op.flags & kRandCount)
                                  ? op.num >= -kRandCountMax && op.num <= kRandCountMax
                                  : op.num == 0 && !(op.flags & kRandWith);
        return check(n == 1 && (op.flags & ~allowed) == 0 && count_ok && op.num2 == 0);
      }
      case OpCode::kLLen:
      case OpCode::kLRange: return check(op.flags == 0 && n == 1);
      case OpCode::kXLen: return check(op.flags == 0 && n == 1);
      case OpCode::kXRange: {
        StreamId lo, hi;
        return check((op.flags & ~kXRev) == 0 && n == 3 && op.num >= -1 &&
                     ParseStreamRange(op.args[1], op.args[2], &lo, &hi).ok());
      }
      // The IDs are checked on read (after each key's type, as Redis does).
      case OpCode::kXRead:
        return check(op.flags == 0 && op.num >= 0 && op.num2 >= 1 &&
                     n == 2 * static_cast<std::uint64_t>(op.num2));
      case OpCode::kGetBit:
        return check(n == 1 && op.flags == 0 && op.num >= 0 && op.num < kBitOffsetEnd &&
                     op.num2 == 0);
      case OpCode::kPfCount: return check(n >= 1 && op.flags == 0 && op.num == 0 && op.num2 == 0);
      case OpCode::kBitFieldRo: {
        bool writes = false;
        return check(n >= 1 && op.flags == 0 && op.num == 0 && op.num2 == 0 &&
                     ParseBitField(op.args, 1, &writes).ok() && !writes);
      }
      // The range options are checked on read, as Redis 7.0 checks them.
      case OpCode::kBitCount: return check(n >= 1 && op.flags == 0 && op.num == 0 && op.num2 == 0);
      case OpCode::kBitPos:
        return check(n >= 1 && (op.flags & ~kBitPosOne) == 0 && op.num == 0 && op.num2 == 0);
      case OpCode::kXInfo:
        if (op.flags == kXInfoStreamFull) return check(n == 1 && op.num >= 0 && op.num2 == 0);
        return check(op.num == 0 && op.num2 == 0 &&
                     ((op.flags == kXInfoGroups && n == 1) ||
                      (op.flags == kXInfoConsumers && n == 2) ||
                      (op.flags == kXInfoStream && (n == 1 || n >= 3))));
      case OpCode::kXPending: {
        if (op.flags == 0) return check(n == 2 && op.num == 0 && op.num2 == 0);
        StreamId lo, hi;
        return check(op.flags == kXPendingRange && (n == 4 || n == 5) && op.num >= 0 &&
                     ParseStreamRange(op.args[2], op.args[3], &lo, &hi).ok());
      }
      case OpCode::kLIndex: return check((op.flags & ~kListBadIndex) == 0 && n == 1);
      case OpCode::kLPos: {
        std::int64_t maxlen = -1;
        return check(op.flags == 0 && n == 3 && op.num != 0 && op.num2 >= -1 &&
                     ParseStrictInt64(op.args[2], &maxlen) && maxlen >= 0);
      }
      case OpCode::kGeoPos:
      case OpCode::kGeoHash: return check(op.flags == 0 && n >= 1);
      case OpCode::kGeoDist: return check(op.flags == 0 && n == 4 && GeoUnit(op.args[3]));
      case OpCode::kGeoSearch:  // the arguments are checked on read, after the key's type
        return check(n >= 1 && (op.flags & ~(kGeoFormMask | kGeoReadOnly)) == 0 &&
                     (op.flags & kGeoFormMask) !=
                         static_cast<std::uint32_t>(GeoForm::kSearchStore));
      case OpCode::kLcs: return check(op.flags == 0 && n >= 2);
      case OpCode::kSort:
        return check((op.flags & ~kSortFlagsAll) == 0 && n >= ((op.flags & kSortBy) ? 2u : 1u));
      case OpCode::kZCard: return check(op.flags == 0 && n == 1);
      case OpCode::kZScore: return check(op.flags == 0 && n == 2);
      case OpCode::kZMScore: return check(op.flags == 0 && n >= 2);
      case OpCode::kZRank: return check((op.flags & ~kZRev) == 0 && n == 2);
      case OpCode::kZCount: return check(op.flags == 0 && ZRangeArgsOk(op, kZByScore));
      case OpCode::kZLexCount: return check(op.flags == 0 && ZRangeArgsOk(op, kZByLex));
      case OpCode::kZCombine: return check(ZCombineOk(op, 0, false));
      case OpCode::kZRange: {
        const std::uint32_t by = op.flags & kZByMask;
        return check((op.flags & ~(kZByMask | kZRev | kZWithScores)) == 0 &&
                     !(by == kZByLex && (op.flags & kZWithScores)) && ZRangeArgsOk(op, by));
      }
      case OpCode::kHScan:
      case OpCode::kSScan:
      case OpCode::kZScan: {
        const bool bad_ok = !(op.flags & kHScanBadOption) || op.num2 == 0 || op.num2 == 1;
        return check((op.flags & ~(kScanMatch | kHScanBadOption)) == 0 && bad_ok &&
                     n == ((op.flags & kScanMatch) ? 2u : 1u));
      }
      default: break;
    }
    bool multi_key = op.code == OpCode::kExists || op.code == OpCode::kMGet;
    return check(op.flags == 0 && (multi_key ? n >= 1 : n == 1));
  }
  switch (op.code) {
    case OpCode::kSet: return check(n == 2 && (op.flags & ~kSetFlagsAll) == 0);
    case OpCode::kDel: return check(n >= 1 && op.flags == 0);
    case OpCode::kIncrBy: return check(n == 1 && op.flags == 0);
    case OpCode::kAppend: return check(n == 2 && op.flags == 0);
    case OpCode::kPublish:
      return check(n == 2 && (op.flags & ~kPublishSharded) == 0 && op.num >= 0 && op.num2 == 0);
    case OpCode::kEval:
      return check(n >= 1 && (op.flags & ~kEvalReadOnly) == 0 && op.num >= 0 &&
                   static_cast<std::uint64_t>(op.num) <= n - 1 && op.num2 == 0);
    case OpCode::kMSet: return check(n >= 2 && n % 2 == 0 && op.flags == 0);
    case OpCode::kExpireAt: return check(n == 1 && (op.flags & ~kExpireFlagsAll) == 0);
    case OpCode::kPersist: return check(n == 1 && op.flags == 0);
    case OpCode::kGetDel: return check(n == 1 && op.flags == 0);
    case OpCode::kFlushDb: return check(n == 0 && op.flags == 0);
    case OpCode::kExpireUpTo: return check(n == 0 && op.flags == 0 && op.num2 > 0);
    case OpCode::kSetRange: return check(n == 2 && op.flags == 0 && op.num >= 0);
    case OpCode::kMSetNx: return check(n >= 2 && n % 2 == 0 && op.flags == 0);
    case OpCode::kRename: return check(n == 2 && (op.flags & ~kRenameNx) == 0);
    case OpCode::kCopy: return check(n == 2 && (op.flags & ~kCopyReplace) == 0);
    case OpCode::kGetEx:
      return check(n == 1 &&
                   (op.flags == 0 || op.flags == kGetExExpire || op.flags == kGetExPersist ||
                    (op.flags == kGetExInvalid && (op.num == 0 || op.num == 1))));
    case OpCode::kIncrByFloat: return check(n == 2 && op.flags == 0);
    case OpCode::kHSet:
      if (op.flags & kHSetNx) return check(n == 3 && op.flags == kHSetNx);
      return check(n >= 3 && n % 2 == 1 && (op.flags & ~kHSetFlagsAll) == 0);
    case OpCode::kHDel: return check(n >= 2 && op.flags == 0);
    case OpCode::kHIncrBy: return check(n == 2 && op.flags == 0);
    case OpCode::kHIncrByFloat: return check(n == 3 && op.flags == 0);
    case OpCode::kSAdd:
    case OpCode::kSRem: return check(n >= 2 && op.flags == 0);
    case OpCode::kSPop:
      return check(n == 1 && (op.flags & ~kSPopCount) == 0 && op.num >= 0 &&
                   ((op.flags & kSPopCount) || op.num == 0));
    case OpCode::kSMove: return check(n == 3 && op.flags == 0);
    case OpCode::kSStore: return check(n >= 2 && op.flags <= kSetDiff);
    case OpCode::kLPush: return check(n >= 2 && (op.flags & ~(kListLeft | kListExisting)) == 0);
    case OpCode::kLPop:
      return check(n == 1 && (op.flags & ~(kListLeft | kListCount)) == 0 && op.num >= 0 &&
                   ((op.flags & kListCount) || op.num == 0));
    case OpCode::kLSet: return check(n == 2 && (op.flags & ~kListBadIndex) == 0);
    case OpCode::kLRem: return check(n == 2 && op.flags == 0);
    case OpCode::kLTrim: return check(n == 1 && op.flags == 0);
    case OpCode::kLInsert: return check(n == 3 && (op.flags & ~kListLeft) == 0);
    case OpCode::kLMove: return check(n == 2 && (op.flags & ~(kListLeft | kListToLeft)) == 0);
    case OpCode::kZAdd: return check(ZAddOk(op));
    case OpCode::kZRem: return check(n >= 2 && op.flags == 0);
    case OpCode::kZPop: return check(n == 1 && (op.flags & ~kZMax) == 0 && op.num >= -1);
    case OpCode::kZStore: return check(ZCombineOk(op, 1, true));
    // kMPop's count is at least 1; without kMPop there is none.
    case OpCode::kLPopFirst:
      return check(n >= 1 && (op.flags & ~(kListLeft | kMPop)) == 0 &&
                   ((op.flags & kMPop) ? op.num >= 1 : op.num == 0));
    case OpCode::kZPopFirst:
      return check(n >= 1 && (op.flags & ~(kZMax | kMPop)) == 0 &&
                   ((op.flags & kMPop) ? op.num >= 1 : op.num == 0));
    case OpCode::kZRangeStore: {
      if (n != 4) return Bad("kv entry: malformed op");
      Op range = op;
      range.args.erase(range.args.begin());
      const std::uint32_t by = op.flags & kZByMask;
      return check((op.flags & ~(kZByMask | kZRev)) == 0 && ZRangeArgsOk(range, by));
    }
    case OpCode::kSortStore:
      return check((op.flags & ~kSortFlagsAll) == 0 && n >= ((op.flags & kSortBy) ? 3u : 2u));
    case OpCode::kRestore: {
      if (op.flags & kRestoreError) {
        return check(n == 1 && (op.flags & ~(kRestoreError | kRestoreReplace)) == 0 &&
                     op.num2 >= kRestoreErrNotInteger && op.num2 <= kRestoreErrTooLarge);
      }
      if (n != 2 || (op.flags & ~kRestoreReplace) != 0 || op.num < 0) {
        return Bad("kv entry: malformed op");
      }
      // The value must be whole for its type, as the apply stores it as is.
      switch (op.num2) {
        case kTypeString: return Status::Ok();
        case kTypeHash: return ValidateHash(op.args[1]);
        case kTypeSet: return ValidateSet(op.args[1]);
        case kTypeList: return ValidateList(op.args[1]);
        case kTypeZSet: return ValidateZSet(op.args[1]);
        case kTypeStream: return ValidateStream(op.args[1]);
        default: return Bad("kv entry: malformed op");
      }
    }
    case OpCode::kGeoStore: {
      // The same checks as the parser's, so that the apply's never fail.
      if (n < 2 || (op.flags & ~kGeoFormMask) != 0) return Bad("kv entry: malformed op");
      const auto form = static_cast<GeoForm>(op.flags);
      if (form == GeoForm::kSearch) return Bad("kv entry: malformed op");
      GeoQuery q;
      const Status parsed = ParseGeoQuery(
          form, std::vector<std::string>(op.args.begin() + 2, op.args.end()), false,
          form == GeoForm::kSearchStore ? std::optional(op.args[0]) : std::nullopt, nullptr, &q);
      return check(parsed.ok() && q.store == op.args[0]);
    }
    case OpCode::kZRemRange:
      return check((op.flags & ~kZByMask) == 0 && ZRangeArgsOk(op, op.flags & kZByMask));
    case OpCode::kXAdd:
    case OpCode::kXTrim: return check(XTrimOk(op));
    case OpCode::kXDel: return check(n >= 2 && op.flags == 0);  // IDs are checked on apply
    case OpCode::kXAck: return check(n >= 3 && op.flags == 0);  // the same
    case OpCode::kXClaim: return check(n >= 5 && op.flags == 0);  // all checked on apply
    case OpCode::kXAutoClaim: {
      StreamId lo, hi;
      return check(n == 4 && (op.flags & ~kXJustId) == 0 && op.num >= 0 && op.num2 >= 1 &&
                   op.num2 <= INT64_MAX / 16 && ParseStreamRange(op.args[3], "+", &lo, &hi).ok());
    }
    case OpCode::kXGroup: {
      const std::uint32_t sub = op.flags & kXGroupSubMask;
      const bool mkstream_ok = !(op.flags & kXGroupMkStream) || sub == kXGroupCreate;
      const bool read_ok = (op.flags & kXGroupEntriesRead)
                               ? (sub == kXGroupCreate || sub == kXGroupSetId) && op.num >= -1
                               : op.num == 0;
      const std::size_t args = sub == kXGroupDestroy ? 2 : 3;
      return check((op.flags & ~(kXGroupSubMask | kXGroupMkStream | kXGroupEntriesRead)) == 0 &&
                   sub >= kXGroupCreate && sub <= kXGroupDelConsumer && mkstream_ok && read_ok &&
                   n == args);
    }
    case OpCode::kPfAdd:
    case OpCode::kPfMerge: return check(n >= 1 && op.flags == 0 && op.num == 0 && op.num2 == 0);
    case OpCode::kBitField: {
      bool writes = false;
      return check(n >= 1 && op.flags == 0 && op.num == 0 && op.num2 == 0 &&
                   ParseBitField(op.args, 1, &writes).ok() && writes);
    }
    case OpCode::kSetBit:
      return check(n == 1 && op.flags == 0 && op.num >= 0 && op.num < kBitOffsetEnd &&
                   (op.num2 == 0 || op.num2 == 1));
    case OpCode::kBitOp:
      return check(n >= 2 && op.flags <= kBitOpNot && (op.flags != kBitOpNot || n == 2) &&
                   op.num == 0 && op.num2 == 0);
    case OpCode::kXSetId: {
      StreamId last, max_deleted;
      const bool max_given = op.flags & kXSetIdMaxDeleted;
      return check((op.flags & ~(kXSetIdEntriesAdded | kXSetIdMaxDeleted)) == 0 && op.num >= 0 &&
                   ((op.flags & kXSetIdEntriesAdded) || op.num == 0) &&
                   n == (max_given ? 3u : 2u) && ParseStreamId(op.args[1], 0, true, &last) &&
                   (!max_given ||
                    (ParseStreamId(op.args[2], 0, true, &max_deleted) && max_deleted <= last)));
    }
    case OpCode::kXReadGroup:
      return check((op.flags & ~kXNoAck) == 0 && op.num >= 0 && op.num2 >= 1 &&
                   n == 2 + 2 * static_cast<std::uint64_t>(op.num2));
    default: return Bad("kv entry: unknown or read-only op code");
  }
}

void EncodeTo(const LogEntry& entry, std::string* out) {
  out->push_back(static_cast<char>(kLogFormatVersion));
  out->push_back(static_cast<char>(entry.kind));
  PutZigzag(out, entry.now_ms);
  if (entry.kind == EntryKind::kTransaction) {
    PutVarint(out, entry.watches.size());
    for (const WatchedKey& w : entry.watches) {
      PutBytes(out, w.key);
      PutVarint(out, w.version);
    }
  }
  PutVarint(out, entry.ops.size());
  for (const Op& op : entry.ops) EncodeOp(op, out);
}

std::string Encode(const LogEntry& entry) {
  // One allocation: a bound on the encoding (each varint is at most 10 bytes).
  std::size_t bound = 16;
  for (const WatchedKey& w : entry.watches) bound += w.key.size() + 20;
  for (const Op& op : entry.ops) {
    bound += 41;
    for (const std::string& a : op.args) bound += a.size() + 10;
  }
  std::string out;
  out.reserve(bound);
  EncodeTo(entry, &out);
  return out;
}

Result<LogEntry> Decode(std::string_view bytes) {
  LogEntry entry;
  CAIRN_RETURN_IF_ERROR(DecodeInto(bytes, &entry));
  return entry;
}

Status DecodeInto(std::string_view bytes, LogEntry* out) {
  LogEntry& entry = *out;
  Decoder d(bytes);
  std::uint8_t version = 0;
  std::uint8_t kind = 0;
  if (!d.Byte(&version) || !d.Byte(&kind) || !d.Zigzag(&entry.now_ms)) {
    return Bad("kv entry: truncated header");
  }
  if (version != kLogFormatVersion) return Bad("kv entry: unknown format version");
  if (kind != 1 && kind != 2) return Bad("kv entry: unknown entry kind");
  entry.kind = static_cast<EntryKind>(kind);
  entry.watches.clear();  // (a batch has none: not encoded)
  if (entry.kind == EntryKind::kTransaction) {
    std::uint64_t n = 0;
    if (!d.Varint(&n) || n > d.rest().size()) return Bad("kv entry: bad watch count");
    entry.watches.resize(n);
    for (WatchedKey& w : entry.watches) {
      std::string_view key;
      if (!d.Bytes(&key) || !d.Varint(&w.version)) return Bad("kv entry: truncated watch");
      w.key.assign(key);
    }
  }
  std::uint64_t nops = 0;
  if (!d.Varint(&nops) || nops > kOpsMax || nops > d.rest().size()) {
    return Bad("kv entry: bad op count");
  }
  entry.ops.resize(nops);
  for (Op& op : entry.ops) CAIRN_RETURN_IF_ERROR(DecodeOp(&d, entry.kind, &op));
  if (!d.done()) return Bad("kv entry: trailing bytes");
  return Status::Ok();
}

bool IsGroup(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<std::uint8_t>(bytes[0]) == kLogFormatVersion &&
         static_cast<std::uint8_t>(bytes[1]) == kGroupKind;
}

void EncodeGroupHeader(std::size_t count, std::string* out) {
  out->push_back(static_cast<char>(kLogFormatVersion));
  out->push_back(static_cast<char>(kGroupKind));
  PutVarint(out, count);
}

void AppendGroupMember(std::string_view entry, std::string* out) { PutBytes(out, entry); }

Result<std::vector<std::string_view>> SplitGroup(std::string_view bytes) {
  if (!IsGroup(bytes)) return Bad("kv group: bad header");
  Decoder d(bytes.substr(2));
  std::uint64_t n = 0;
  // A group of one is never written (the entry goes alone), so it is not
  // accepted either: one canonical encoding per content.
  if (!d.Varint(&n) || n < 2 || n > kGroupMembersMax || n > d.rest().size()) {
    return Bad("kv group: bad member count");
  }
  std::vector<std::string_view> members(n);
  for (std::string_view& m : members) {
    if (!d.Bytes(&m)) return Bad("kv group: truncated member");
  }
  if (!d.done()) return Bad("kv group: trailing bytes");
  return members;
}

}  // namespace cairn::kv
