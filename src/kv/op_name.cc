#include "kv/op_name.h"

namespace cairn::kv {

std::string_view OpCommandName(const Op& op) {
  const std::uint32_t f = op.flags;
  switch (op.code) {
    case OpCode::kSet: return (f & kSetReplyInt) ? "setnx" : "set";
    case OpCode::kDel: return "del";
    case OpCode::kIncrBy: return "incrby";
    case OpCode::kAppend: return "append";
    case OpCode::kMSet: return "mset";
    case OpCode::kExpireAt: return "pexpireat";
    case OpCode::kPersist: return "persist";
    case OpCode::kFlushDb: return "flushdb";
    case OpCode::kExpireUpTo: return "(active expiry)";
    case OpCode::kGetDel: return "getdel";
    case OpCode::kSetRange: return "setrange";
    case OpCode::kMSetNx: return "msetnx";
    case OpCode::kRename: return (f & kRenameNx) ? "renamenx" : "rename";
    case OpCode::kCopy: return "copy";
    case OpCode::kGetEx: return "getex";
    case OpCode::kIncrByFloat: return "incrbyfloat";
    case OpCode::kHSet: return (f & kHSetNx) ? "hsetnx" : (f & kHSetReplyOk) ? "hmset" : "hset";
    case OpCode::kHDel: return "hdel";
    case OpCode::kHIncrBy: return "hincrby";
    case OpCode::kHIncrByFloat: return "hincrbyfloat";
    case OpCode::kSAdd: return "sadd";
    case OpCode::kSRem: return "srem";
    case OpCode::kSPop: return "spop";
    case OpCode::kSMove: return "smove";
    case OpCode::kSStore:
      return (f & 3) == kSetInter   ? "sinterstore"
             : (f & 3) == kSetUnion ? "sunionstore"
                                    : "sdiffstore";
    case OpCode::kLPush: return (f & kListLeft) ? "lpush" : "rpush";
    case OpCode::kLPop: return (f & kListLeft) ? "lpop" : "rpop";
    case OpCode::kLSet: return "lset";
    case OpCode::kLRem: return "lrem";
    case OpCode::kLTrim: return "ltrim";
    case OpCode::kLInsert: return "linsert";
    case OpCode::kLMove: return "lmove";
    case OpCode::kZAdd: return (f & kZAddIncr) ? "zincrby" : "zadd";
    case OpCode::kZRem: return "zrem";
    case OpCode::kZPop: return (f & kZMax) ? "zpopmax" : "zpopmin";
    case OpCode::kZRemRange:
      return (f & kZByMask) == kZByScore ? "zremrangebyscore"
             : (f & kZByMask) == kZByLex ? "zremrangebylex"
                                         : "zremrangebyrank";
    case OpCode::kZStore:
      return (f & 3) == kSetInter   ? "zinterstore"
             : (f & 3) == kSetUnion ? "zunionstore"
                                    : "zdiffstore";
    case OpCode::kZRangeStore: return "zrangestore";
    case OpCode::kLPopFirst: return (f & kMPop) ? "lmpop" : (f & kListLeft) ? "blpop" : "brpop";
    case OpCode::kZPopFirst: return (f & kMPop) ? "zmpop" : (f & kZMax) ? "bzpopmax" : "bzpopmin";
    case OpCode::kXAdd: return "xadd";
    case OpCode::kXDel: return "xdel";
    case OpCode::kXTrim: return "xtrim";
    case OpCode::kXGroup: return "xgroup";
    case OpCode::kXReadGroup: return "xreadgroup";
    case OpCode::kXAck: return "xack";
    case OpCode::kXClaim: return "xclaim";
    case OpCode::kXAutoClaim: return "xautoclaim";
    case OpCode::kXSetId: return "xsetid";
    case OpCode::kSetBit: return "setbit";
    case OpCode::kBitOp: return "bitop";
    case OpCode::kPfAdd: return "pfadd";
    case OpCode::kPfMerge: return "pfmerge";
    case OpCode::kBitField: return "bitfield";
    case OpCode::kPublish: return (f & kPublishSharded) ? "spublish" : "publish";
    case OpCode::kEval: return (f & kEvalReadOnly) ? "eval_ro" : "eval";
    case OpCode::kGeoStore: return "geosearchstore";
    case OpCode::kSortStore: return "sort";
    case OpCode::kRestore: return "restore";
    case OpCode::kGet: return "get";
    case OpCode::kExists: return "exists";
    case OpCode::kStrlen: return "strlen";
    case OpCode::kMGet: return "mget";
    case OpCode::kTtl: return "ttl";
    case OpCode::kPttl: return "pttl";
    case OpCode::kType: return "type";
    case OpCode::kScan: return "scan";
    case OpCode::kDbSize: return "dbsize";
    case OpCode::kExpireTime: return "expiretime";
    case OpCode::kPExpireTime: return "pexpiretime";
    case OpCode::kGetRange: return "getrange";
    case OpCode::kKeys: return "keys";
    case OpCode::kHGet: return "hget";
    case OpCode::kHMGet: return "hmget";
    case OpCode::kHGetAll: return "hgetall";
    case OpCode::kHKeys: return "hkeys";
    case OpCode::kHVals: return "hvals";
    case OpCode::kHLen: return "hlen";
    case OpCode::kHExists: return "hexists";
    case OpCode::kHStrlen: return "hstrlen";
    case OpCode::kHScan: return "hscan";
    case OpCode::kSIsMember: return "sismember";
    case OpCode::kSMIsMember: return "smismember";
    case OpCode::kSCard: return "scard";
    case OpCode::kSMembers: return "smembers";
    case OpCode::kSScan: return "sscan";
    case OpCode::kSCombine:
      return (f & kSetCard)         ? "sintercard"
             : (f & 3) == kSetInter ? "sinter"
             : (f & 3) == kSetUnion ? "sunion"
                                    : "sdiff";
    case OpCode::kLLen: return "llen";
    case OpCode::kLIndex: return "lindex";
    case OpCode::kLRange: return "lrange";
    case OpCode::kLPos: return "lpos";
    case OpCode::kZCard: return "zcard";
    case OpCode::kZScore: return "zscore";
    case OpCode::kZMScore: return "zmscore";
    case OpCode::kZRank: return (f & kZRev) ? "zrevrank" : "zrank";
    case OpCode::kZCount: return "zcount";
    case OpCode::kZLexCount: return "zlexcount";
    case OpCode::kZRange: return "zrange";
    case OpCode::kZScan: return "zscan";
    case OpCode::kZCombine: return "zcombine";
    case OpCode::kSRandMember: return "srandmember";
    case OpCode::kHRandField: return "hrandfield";
    case OpCode::kZRandMember: return "zrandmember";
    case OpCode::kXLen: return "xlen";
    case OpCode::kXRange: return (f & kXRev) ? "xrevrange" : "xrange";
    case OpCode::kXRead: return "xread";
    case OpCode::kXPending: return "xpending";
    case OpCode::kXInfo: return "xinfo";
    case OpCode::kGetBit: return "getbit";
    case OpCode::kBitCount: return "bitcount";
    case OpCode::kBitPos: return "bitpos";
    case OpCode::kPfCount: return "pfcount";
    case OpCode::kBitFieldRo: return "bitfield_ro";
    case OpCode::kMemoryUsage: return "memory";
    case OpCode::kGeoPos: return "geopos";
    case OpCode::kGeoDist: return "geodist";
    case OpCode::kGeoHash: return "geohash";
    case OpCode::kGeoSearch: return "geosearch";
    case OpCode::kObject: return "object";
    case OpCode::kRandomKey: return "randomkey";
    case OpCode::kSort: return "sort";
    case OpCode::kLcs: return "lcs";
    case OpCode::kDump: return "dump";
  }
  return "unknown";
}

}  // namespace cairn::kv
