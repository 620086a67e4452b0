#pragma once
// kv::Op: one validated, typed key-value command.
//
// Client commands are parsed into Ops (kv/parse.h). Write Ops travel through
// Raft inside a log entry (kv/log_entry.h); read Ops are served directly by
// StateMachine::Read. Times inside write Ops are already absolute: the leader
// turns EX/PX/EXPIRE into expire-at milliseconds with the entry's now_ms, so
// applying an Op never consults a clock.
//
// Thread-safety: a value type.

#include <cstdint>
#include <string>
#include <vector>

namespace cairn::kv {

// Codes are part of the log format (docs/formats/kv-command.md): never renumber.
enum class OpCode : std::uint8_t {
  // Writes (may appear in log entries).
  kSet = 1,            // args: key value; num: expire_at_ms if kSetExpire; flags kSet*
  kDel = 2,            // args: key...
  kIncrBy = 3,         // args: key; num: delta
  kAppend = 4,         // args: key value
  kMSet = 5,           // args: key value [key value ...]
  kExpireAt = 6,       // args: key; num: expire_at_ms (may be in the past); flags kExpire*
  kPersist = 7,        // args: key
  kFlushDb = 8,        // no args
  kExpireUpTo = 9,     // active expiry: delete keys with expire_at_ms <= num, at most num2 keys
  kGetDel = 10,        // args: key (reply: the value, then the key is deleted)
  kSetRange = 11,      // args: key value; num: offset (>= 0)
  kMSetNx = 12,        // args: key value [key value ...] (all or none)
  kRename = 13,        // args: source destination; flags kRenameNx
  kCopy = 14,          // args: source destination; flags kCopyReplace
  kGetEx = 15,         // args: key; num: expire_at_ms if kGetExExpire; flags kGetEx*
  kIncrByFloat = 16,   // args: key increment (the increment as the client sent it)
  kHSet = 17,          // args: key field value [field value ...]; flags kHSet*
  kHDel = 18,          // args: key field...
  kHIncrBy = 19,       // args: key field; num: delta
  kHIncrByFloat = 20,  // args: key field increment (as the client sent it)
  kSAdd = 21,          // args: key member...
  kSRem = 22,          // args: key member...
  kSPop = 23,          // args: key; num: count if kSPopCount
  kSMove = 24,         // args: source destination member
  kSStore = 25,        // args: destination key...; flags: kSet{Inter,Union,Diff}
  kLPush = 26,         // args: key element...; flags kListLeft, kListExisting
  kLPop = 27,          // args: key; num: count if kListCount; flags kListLeft, kListCount
  kLSet = 28,          // args: key element; num: index; flags kListBadIndex
  kLRem = 29,          // args: key element; num: count (> 0 from the head, < 0 from the tail)
  kLTrim = 30,         // args: key; num: start; num2: stop
  kLInsert = 31,       // args: key pivot element; flags kListLeft (BEFORE)
  kLMove = 32,         // args: source destination; flags kListLeft (from), kListToLeft
  kZAdd = 33,          // args: key score member [score member ...] (scores as sent); flags kZAdd*
  kZRem = 34,          // args: key member...
  kZPop = 35,          // args: key; num: count (-1: none given); flags kZMax
  kZRemRange = 36,     // args: key min max (as sent); flags kZBy*
  // args: destination key... [weight...]; num: key count; flags: kSet{Inter,
  // Union,Diff}, kZAgg*, kZWeights, kZBadOption (num2 then says which error)
  kZStore = 37,
  kZRangeStore = 38,  // args: destination source min max; the rest as kZRange's
  // BLPOP / BRPOP: one element from the first key holding a list; a null
  // array if none does (the connection then waits). args: key...; flags kListLeft
  kLPopFirst = 39,
  kZPopFirst = 40,  // BZPOPMIN / BZPOPMAX, the same way; flags kZMax
  // (LMPOP / BLMPOP and ZMPOP / BZMPOP are ops 39 and 40 with kMPop.)
  // XADD: args: key id [minid] field value...: the id as sent ("*", "ms",
  // "ms-seq", "ms-*"), the MINID threshold (as sent) if kXTrimMinId; flags
  // kXAdd*, kXTrim*; num: MAXLEN threshold; num2: the most to trim (0: all)
  kXAdd = 41,
  kXDel = 42,   // args: key id... (as sent, each a valid strict ID)
  kXTrim = 43,  // args: key [minid]; the rest as kXAdd's
  // XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER: args: key group
  // [id | consumer]; flags: the subcommand (kXGroup*), kXGroupMkStream and
  // kXGroupEntriesRead; num: ENTRIESREAD's value (>= -1)
  kXGroup = 44,
  // XREADGROUP: args: group consumer key... id... (">" or an ID, as sent);
  // num: count (0 none); num2: how many keys; flags kXNoAck
  kXReadGroup = 45,
  kXAck = 46,  // args: key group id... (as sent: checked once the group is found)
  // XCLAIM: args as sent (key group consumer min-idle id... [options]): Redis
  // 7.0 checks them all once the group is found
  kXClaim = 47,
  // XAUTOCLAIM: args: key group consumer start (as sent); num: min-idle;
  // num2: count; flags kXJustId
  kXAutoClaim = 48,
  // XSETID: args: key last-id [max-deleted-id] (strict IDs, as sent); flags
  // kXSetId*; num: ENTRIESADDED's value
  kXSetId = 49,
  kSetBit = 50,  // SETBIT: args: key; num: the bit's offset (< 2^32); num2: 0 or 1
  // BITOP: args: destination source...; flags: kBitOp* (kBitOpNot: one source)
  kBitOp = 51,
  kPfAdd = 52,    // PFADD: args: key element...
  kPfMerge = 53,  // PFMERGE: args: destination source...
  // BITFIELD with a SET or INCRBY: args: key, then the subcommands as sent
  // (kv/bitfield.h parses them alike on every replica)
  kBitField = 54,
  // PUBLISH and SPUBLISH (flag kPublishSharded): args: channel message; num:
  // how many subscribers the node that took the command counted (the reply). Changes no key: every
  // node, on
  // applying it, hands the message to its own subscribers (server/pubsub.h).
  kPublish = 55,
  // EVAL / EVAL_RO (and EVALSHA, which the server turns into EVAL): args:
  // script key... arg...; num: how many keys; flags kEvalReadOnly. Every
  // replica runs the Lua script in its apply (kv/script.h), at the entry's
  // clock and with a seed from its index, so all of them do the same.
  kEval = 56,
  // GEOSEARCHSTORE, and GEORADIUS / GEORADIUSBYMEMBER with STORE or
  // STOREDIST: args: destination source, then the command's arguments after
  // its source key, as sent (kv/geo.h parses them alike on every replica);
  // flags: the form (kv::GeoForm) in kGeoFormMask
  kGeoStore = 57,
  // SORT ... STORE: args: destination key [by] get...; the rest as kSort's
  kSortStore = 58,
  // RESTORE: args: key value (the payload's value in Cairn's layout,
  // kv/dump_payload.h, decoded by the node that took the command); num2:
  // the value's record type; num: expire_at_ms (0: none; at or before the
  // entry's clock: already expired); flags kRestoreReplace. With
  // kRestoreError: args: key; num2: the error (kRestoreErr*), which Redis
  // reports only after BUSYKEY, so it travels in the op
  kRestore = 59,
  // Reads (never in log entries).
  kGet = 64,          // args: key
  kExists = 65,       // args: key...
  kStrlen = 66,       // args: key
  kMGet = 67,         // args: key...
  kTtl = 68,          // args: key   (seconds)
  kPttl = 69,         // args: key   (milliseconds)
  kType = 70,         // args: key
  kScan = 71,         // num: cursor (uint64 bits); num2: count; args: [pattern] [type]
  kDbSize = 72,       // no args
  kExpireTime = 73,   // args: key (seconds since epoch)
  kPExpireTime = 74,  // args: key (ms since epoch)
  kGetRange = 75,     // args: key; num: start; num2: end (inclusive, negative from the end)
  kKeys = 76,         // args: pattern
  kHGet = 77,         // args: key field
  kHMGet = 78,        // args: key field...
  kHGetAll = 79,      // args: key
  kHKeys = 80,        // args: key
  kHVals = 81,        // args: key
  kHLen = 82,         // args: key
  kHExists = 83,      // args: key field
  kHStrlen = 84,      // args: key field
  kHScan = 85,        // args: key [pattern]; num: cursor; num2: count; flags kScanMatch
  kSIsMember = 86,    // args: key member
  kSMIsMember = 87,   // args: key member...
  kSCard = 88,        // args: key
  kSMembers = 89,     // args: key
  kSScan = 90,        // as kHScan
  kSCombine = 91,     // args: key...; flags: kSet{Inter,Union,Diff}
  kLLen = 92,         // args: key
  kLIndex = 93,       // args: key; num: index; flags kListBadIndex
  kLRange = 94,       // args: key; num: start; num2: stop
  kLPos = 95,     // args: key element maxlen (decimal, 0 = all); num: rank; num2: count (-1 none)
  kZCard = 96,    // args: key
  kZScore = 97,   // args: key member
  kZMScore = 98,  // args: key member...
  kZRank = 99,    // args: key member; flags kZRev
  kZCount = 100,  // args: key min max (a score range)
  kZLexCount = 101,  // args: key min max (a lex range)
  // args: key min max (ranks: start stop; scores and lex: min first, also
  // with kZRev); flags kZBy*, kZRev, kZWithScores; num: offset; num2: limit (-1 none)
  kZRange = 102,
  kZScan = 103,     // as kHScan
  kZCombine = 104,  // args: key... [weight...]; as kZStore, plus kZCombineWithScores
  // SRANDMEMBER / HRANDFIELD / ZRANDMEMBER: args: key; num: count if
  // kRandCount (negative: repeats allowed); flags kRand*. num2 is the seed the
  // state machine draws with (0 in a parsed op or a log entry).
  kSRandMember = 105,
  kHRandField = 106,
  kZRandMember = 107,
  kXLen = 108,  // args: key
  kXRange =
      109,  // args: key start end (as sent, start first even with kXRev); num: count (-1 none)
  // XREAD: args: key... id... (ids as sent, "$" allowed); num: count (0 none);
  // num2: how many keys
  kXRead = 110,
  // XPENDING: args: key group [start end [consumer]] (start and end as sent);
  // flags kXPendingRange; num: count; num2: IDLE min-idle (0 none)
  kXPending = 111,
  // XINFO GROUPS key / CONSUMERS key group / STREAM key [FULL [COUNT n]]:
  // args key [group]; flags: which (kXInfo*); num: FULL's count (0: all)
  kXInfo = 112,
  kGetBit = 113,  // args: key; num: the bit's offset (< 2^32)
  // BITCOUNT / BITPOS: args: key, then the range options as sent (Redis 7.0
  // checks them only once it found a string); BITPOS: flags kBitPosOne
  kBitCount = 114,
  kBitPos = 115,
  kPfCount = 116,  // PFCOUNT: args: key...
  // BITFIELD_RO, and BITFIELD with GETs only: args as kBitField's
  kBitFieldRo = 117,
  // MEMORY USAGE key [SAMPLES n]: args: key. The bytes the key takes in the
  // store (its stored key and record), nil if absent; never in a log entry.
  kMemoryUsage = 118,
  kGeoPos = 119,   // GEOPOS: args: key member...
  kGeoDist = 120,  // GEODIST: args: key member member unit ("m" if none was given)
  kGeoHash = 121,  // GEOHASH: args: key member...
  // GEORADIUS, GEORADIUSBYMEMBER, GEOSEARCH and their _RO forms, without a
  // STORE: args: key, then the command's arguments after it, as sent (parsed
  // again on read, so that a wrong type is reported before a bad option, as
  // Redis does); flags: the form (kv::GeoForm), kGeoReadOnly
  kGeoSearch = 122,
  // OBJECT ENCODING|FREQ|IDLETIME|REFCOUNT key: args: key; flags: which (kObject*)
  kObject = 123,
  // RANDOMKEY: no args; num2 is the seed the state machine draws with, as
  // the random reads'
  kRandomKey = 124,
  // SORT / SORT_RO: args: key [by-pattern if kSortBy] get-pattern...; flags
  // kSort*; num: LIMIT's offset (0 if none); num2: LIMIT's count (-1 if none)
  kSort = 125,
  // LCS: args: key1 key2, then the options as sent (read after the keys'
  // types are checked, as Redis orders it)
  kLcs = 126,
  // DUMP: args: key. The value as a Redis DUMP payload (kv/dump_payload.h)
  kDump = 127,
};

inline bool IsWrite(OpCode code) { return static_cast<std::uint8_t>(code) < 64; }
// The hash commands (kv/hash_ops.cc), reads and writes.
inline bool IsHashOp(OpCode code) {
  auto c = static_cast<std::uint8_t>(code);
  return (c >= 17 && c <= 20) || (c >= 77 && c <= 85) || c == 106;
}
// The list commands (kv/list_ops.cc), reads and writes.
inline bool IsListOp(OpCode code) {
  auto c = static_cast<std::uint8_t>(code);
  return (c >= 26 && c <= 32) || c == 39 || (c >= 92 && c <= 95);
}
// The geospatial commands (kv/geo_ops.cc) other than GEOADD, which is a
// ZADD: sorted sets too.
inline bool IsGeoOp(OpCode code) {
  auto c = static_cast<std::uint8_t>(code);
  return c == 57 || (c >= 119 && c <= 122);
}
// The sorted-set commands (kv/zset_ops.cc), reads and writes.
inline bool IsZSetOp(OpCode code) {
  auto c = static_cast<std::uint8_t>(code);
  return (c >= 33 && c <= 38) || c == 40 || (c >= 96 && c <= 104) || c == 107 || IsGeoOp(code);
}
// The stream commands (kv/stream_ops.cc), reads and writes.
inline bool IsStreamOp(OpCode code) {
  auto c = static_cast<std::uint8_t>(code);
  return (c >= 41 && c <= 49) || (c >= 108 && c <= 112);
}
// The bit commands on strings (kv/bitmap_ops.cc), reads and writes.
inline bool IsBitmapOp(OpCode code) {
  auto c = static_cast<std::uint8_t>(code);
  return c == 50 || c == 51 || c == 54 || (c >= 113 && c <= 115) || c == 117;
}
// The HyperLogLog commands (kv/hll_ops.cc), reads and writes.
inline bool IsHllOp(OpCode code) {
  auto c = static_cast<std::uint8_t>(code);
  return c == 52 || c == 53 || c == 116;
}
// The set commands (kv/set_ops.cc), reads and writes.
inline bool IsSetOp(OpCode code) {
  auto c = static_cast<std::uint8_t>(code);
  return (c >= 21 && c <= 25) || (c >= 86 && c <= 91) || c == 105;
}
// The reads whose answer is a random draw: the state machine seeds them.
inline bool IsRandomRead(OpCode code) {
  return code == OpCode::kSRandMember || code == OpCode::kHRandField ||
         code == OpCode::kZRandMember || code == OpCode::kRandomKey;
}

// Flags of kSet.
inline constexpr std::uint32_t kSetNx = 1;       // only if the key is absent
inline constexpr std::uint32_t kSetXx = 2;       // only if the key is present
inline constexpr std::uint32_t kSetGet = 4;      // reply with the old value
inline constexpr std::uint32_t kSetKeepTtl = 8;  // keep the existing expiry
inline constexpr std::uint32_t kSetExpire = 16;  // num holds expire_at_ms
inline constexpr std::uint32_t kSetReplyInt = 32;  // SETNX: reply :1 if set, :0 if not
inline constexpr std::uint32_t kSetFlagsAll = 63;
// Flags of kExpireAt (EXPIRE ... NX|XX|GT|LT).
inline constexpr std::uint32_t kExpireNx = 1;
inline constexpr std::uint32_t kExpireXx = 2;
inline constexpr std::uint32_t kExpireGt = 4;
inline constexpr std::uint32_t kExpireLt = 8;
inline constexpr std::uint32_t kExpireFlagsAll = 15;
// Flags of kHSet.
inline constexpr std::uint32_t kHSetNx = 1;       // HSETNX: one field, only if absent; :1 / :0
inline constexpr std::uint32_t kHSetReplyOk = 2;  // HMSET: reply +OK, not the count
inline constexpr std::uint32_t kHSetFlagsAll = 3;
// Flags of the list ops.
inline constexpr std::uint32_t kListLeft = 1;      // the head (LPUSH, LPOP, BEFORE, LMOVE LEFT ...)
inline constexpr std::uint32_t kListExisting = 2;  // LPUSHX / RPUSHX: only onto an existing list
inline constexpr std::uint32_t kListCount = 2;     // LPOP / RPOP key count: reply an array
inline constexpr std::uint32_t kListToLeft = 2;  // LMOVE ... LEFT: push onto the destination's head
// LSET / LINDEX with an index that is not an integer: Redis reports it only
// after finding the list, so the error travels in the op.
inline constexpr std::uint32_t kListBadIndex = 4;
// LMPOP / BLMPOP (kLPopFirst) and ZMPOP / BZMPOP (kZPopFirst): up to num
// elements from the first non-empty key, replied as [key, [elements]].
inline constexpr std::uint32_t kMPop = 2;
// Flags of kSPop, kSStore and kSCombine.
inline constexpr std::uint32_t kSPopCount = 1;  // SPOP key count: reply a set, not one member
inline constexpr std::uint32_t kSetInter = 0;   // SINTER / SINTERSTORE
inline constexpr std::uint32_t kSetUnion = 1;   // SUNION / SUNIONSTORE
inline constexpr std::uint32_t kSetDiff = 2;    // SDIFF / SDIFFSTORE
// SINTERCARD (kSCombine, with kSetInter): reply the count, at most num if num > 0.
inline constexpr std::uint32_t kSetCard = 4;
// Flags of the random reads.
inline constexpr std::uint32_t kRandCount = 1;  // a count was given: reply an array
inline constexpr std::uint32_t kRandWith = 2;   // WITHVALUES / WITHSCORES
// A count beyond this many elements is refused: Redis would build the whole
// reply (SRANDMEMBER key -10000000000 asks for 10^10 elements).
inline constexpr std::int64_t kRandCountMax = 10'000'000;
// Flags of kZAdd (ZINCRBY is ZADD ... INCR).
inline constexpr std::uint32_t kZAddNx = 1;
inline constexpr std::uint32_t kZAddXx = 2;
inline constexpr std::uint32_t kZAddGt = 4;
inline constexpr std::uint32_t kZAddLt = 8;
inline constexpr std::uint32_t kZAddCh = 16;    // reply added + updated, not only added
inline constexpr std::uint32_t kZAddIncr = 32;  // one pair: add to the score, reply it
inline constexpr std::uint32_t kZAddFlagsAll = 63;
// Flags of kZPop.
inline constexpr std::uint32_t kZMax = 1;  // ZPOPMAX
// Flags of kZRemRange and kZRange: what min and max are (the low two bits) ...
inline constexpr std::uint32_t kZByRank = 0;
inline constexpr std::uint32_t kZByScore = 1;
inline constexpr std::uint32_t kZByLex = 2;
inline constexpr std::uint32_t kZByMask = 3;
// ... and, of kZRange and kZRank, the order and the scores.
inline constexpr std::uint32_t kZRev = 4;
inline constexpr std::uint32_t kZWithScores = 8;
// Flags of kZStore and kZCombine: the operation in the low two bits
// (kSetInter, kSetUnion, kSetDiff), then how scores meet (sum if neither) ...
inline constexpr std::uint32_t kZAggMin = 4;
inline constexpr std::uint32_t kZAggMax = 8;
inline constexpr std::uint32_t kZWeights = 16;  // the last `num` args are the weights
// An option was invalid (num2: 0 syntax error, 1 a weight is not a float).
// Redis checks the keys' types first, so the error travels in the op.
inline constexpr std::uint32_t kZBadOption = 32;
inline constexpr std::uint32_t kZCombineWithScores = 64;
// ZINTERCARD (kZCombine, with kSetInter): reply the count, at most num2 if
// num2 > 0. With kZBadOption, num2 2 means a LIMIT that is not a count.
inline constexpr std::uint32_t kZCombineCard = 128;
inline constexpr std::uint32_t kZCombineFlagsAll = 255;
// Flags of kXAdd and kXTrim.
inline constexpr std::uint32_t kXAddNoMkStream = 1;  // XADD ... NOMKSTREAM
inline constexpr std::uint32_t kXTrimMaxLen = 2;
inline constexpr std::uint32_t kXTrimMinId = 4;
inline constexpr std::uint32_t kXTrimApprox = 8;  // "~": Cairn trims exactly, at most num2
inline constexpr std::uint32_t kXFlagsAll = 15;
// Flags of kXGroup: the subcommand in the low three bits, then MKSTREAM.
inline constexpr std::uint32_t kXGroupCreate = 1;
inline constexpr std::uint32_t kXGroupSetId = 2;
inline constexpr std::uint32_t kXGroupDestroy = 3;
inline constexpr std::uint32_t kXGroupCreateConsumer = 4;
inline constexpr std::uint32_t kXGroupDelConsumer = 5;
inline constexpr std::uint32_t kXGroupSubMask = 7;
inline constexpr std::uint32_t kXGroupMkStream = 8;
inline constexpr std::uint32_t kXGroupEntriesRead = 16;  // CREATE / SETID ... ENTRIESREAD

// Of kBitOp: the operation (not bits: one value).
inline constexpr std::uint32_t kBitOpAnd = 0;
inline constexpr std::uint32_t kBitOpOr = 1;
inline constexpr std::uint32_t kBitOpXor = 2;
inline constexpr std::uint32_t kBitOpNot = 3;
// Of kBitPos: look for a 1 (else a 0).
inline constexpr std::uint32_t kBitPosOne = 1;
// The largest bit offset + 1: Redis's 512 MB string limit, in bits.
inline constexpr std::int64_t kBitOffsetEnd = std::int64_t{1} << 32;

// Flags of kXSetId: which options were given.
inline constexpr std::uint32_t kXSetIdEntriesAdded = 1;
inline constexpr std::uint32_t kXSetIdMaxDeleted = 2;
// Of kXReadGroup: NOACK (deliver without adding to the pending entries).
inline constexpr std::uint32_t kXNoAck = 1;
// Of kXInfo: which report.
inline constexpr std::uint32_t kXInfoGroups = 1;
inline constexpr std::uint32_t kXInfoConsumers = 2;
inline constexpr std::uint32_t kXInfoStream = 3;
inline constexpr std::uint32_t kXInfoStreamFull = 4;
// Of kXAutoClaim: JUSTID (reply IDs; the delivery count stays).
inline constexpr std::uint32_t kXJustId = 1;
// Of kXPending: the extended form (start end count [consumer]).
inline constexpr std::uint32_t kXPendingRange = 1;
// Flags of kXRange.
inline constexpr std::uint32_t kXRev = 1;  // XREVRANGE: newest first
// Of kXRead, never in a log entry: reply each stream's last ID (the IDs given
// for the others), so a blocking XREAD can pin "$" before it waits.
inline constexpr std::uint32_t kXReadLastIds = 1;
// Of kPublish: SPUBLISH, to the shard channel's subscribers (a namespace of
// its own, server/pubsub.h).
inline constexpr std::uint32_t kPublishSharded = 1;
// Of kGeoStore and kGeoSearch: which command's grammar (kv::GeoForm) ...
inline constexpr std::uint32_t kGeoFormMask = 3;
// ... and, of kGeoSearch, the _RO forms (STORE is refused).
inline constexpr std::uint32_t kGeoReadOnly = 4;
// Of kObject: the subcommand.
inline constexpr std::uint32_t kObjectEncoding = 1;
inline constexpr std::uint32_t kObjectFreq = 2;
inline constexpr std::uint32_t kObjectIdleTime = 3;
inline constexpr std::uint32_t kObjectRefCount = 4;
// Of kSort and kSortStore.
inline constexpr std::uint32_t kSortDesc = 1;
inline constexpr std::uint32_t kSortAlpha = 2;
inline constexpr std::uint32_t kSortBy = 4;
inline constexpr std::uint32_t kSortFlagsAll = 7;
// Of kEval: EVAL_RO / EVALSHA_RO, whose script may not write.
inline constexpr std::uint32_t kEvalReadOnly = 1;
// Flags of kRename, kCopy and kGetEx.
inline constexpr std::uint32_t kRenameNx = 1;      // RENAMENX: only if the destination is absent
inline constexpr std::uint32_t kCopyReplace = 1;   // COPY ... REPLACE
inline constexpr std::uint32_t kGetExExpire = 1;   // num holds the new expire_at_ms
inline constexpr std::uint32_t kGetExPersist = 2;  // remove the expiry
// The expiry argument was invalid: Redis checks it only once the key is
// found, so the error travels in the op (num: 0 not an integer, 1 invalid
// expire time) and an absent key still replies nil.
inline constexpr std::uint32_t kGetExInvalid = 4;
// Flags of kRestore, and its errors (num2 with kRestoreError).
inline constexpr std::uint32_t kRestoreReplace = 1;
inline constexpr std::uint32_t kRestoreError = 2;
inline constexpr std::int64_t kRestoreErrNotInteger = 0;  // the TTL is not an integer
inline constexpr std::int64_t kRestoreErrNegativeTtl = 1;
inline constexpr std::int64_t kRestoreErrVersionOrChecksum = 2;
inline constexpr std::int64_t kRestoreErrBadFormat = 3;
inline constexpr std::int64_t kRestoreErrTooLarge = 4;
// Flags of kScan: which optional args are present, in this order.
inline constexpr std::uint32_t kScanMatch = 1;
inline constexpr std::uint32_t kScanType = 2;
// Of kHScan only: an option was invalid. Redis checks HSCAN's options only
// once the key is found to hold a hash, so the error travels in the op
// (num2: 0 not an integer, 1 syntax error) like kGetExInvalid's.
inline constexpr std::uint32_t kHScanBadOption = 4;
inline constexpr std::uint32_t kScanFlagsAll = 3;

struct Op {
  OpCode code = OpCode::kGet;
  std::uint32_t flags = 0;
  std::int64_t num = 0;
  std::int64_t num2 = 0;
  std::vector<std::string> args;

  friend bool operator==(const Op&, const Op&) = default;
};

// EVAL_RO: a write op code (it may ride the log, in MULTI or behind the
// connection's writes), but served as a read when it arrives alone: at the
// connection's consistency level, on any node the level allows, without a
// log entry (StateMachine::Read runs it).
inline bool IsReadOnlyScript(const Op& op) {
  return op.code == OpCode::kEval && (op.flags & kEvalReadOnly) != 0;
}

}  // namespace cairn::kv
