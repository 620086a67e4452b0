#pragma once
// Parsing and validation of client commands into typed Ops.
//
// Errors are InvalidArgument whose message is the exact Redis 7.0 error reply
// ("ERR wrong number of arguments for 'get' command", "ERR syntax error",
// "ERR value is not an integer or out of range", "ERR invalid expire time in
// 'set' command", "ERR unknown command ..."). A command the server must handle
// itself (PING, MULTI...) yields Unimplemented; check FindCommand first.
//
// Errors that depend on the data (INCR of a non-number, WRONGTYPE, overflow)
// cannot be decided here: they come from StateMachine::Apply/Read.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string_view>

#include "kv/command_table.h"

namespace cairn::kv {

Result<Op> ParseCommand(const Args& args, std::int64_t now_ms);

// Whether a parse error is one Redis gives while finding the command, before
// MULTI queues it (an unknown subcommand, a subcommand's wrong arity).
bool IsCommandLookupError(std::string_view message);

// Whether `arg` is the keyword `word` in any ASCII case (Redis's strcasecmp
// of an option or subcommand name).
bool IsKeyword(const std::string& arg, const char* word);
// `s` in ASCII lower case (command, subcommand and setting names).
std::string AsciiLower(std::string s);

// Redis's strict integer syntax (string2ll): optional '-', no '+', no leading
// zeros or spaces, fits in int64.
bool ParseStrictInt64(std::string_view s, std::int64_t* out);
// A float as INCRBYFLOAT reads it (Redis 7.0's string2ld): the whole string,
// no leading space, not NaN, no overflow. False if it is not one.
bool ParseLongDouble(std::string_view s, long double* out);
// How INCRBYFLOAT prints its result (Redis 7.0): "%.17Lf" without trailing
// zeros, so 10.5 + 0.1 is "10.6".
std::string FormatLongDouble(long double v);

// A sorted-set range's min and max as `by` (kZByRank, kZByScore, kZByLex)
// reads them, or the error Redis gives for them.
Status CheckZRangeBounds(std::string_view min, std::string_view max, std::uint32_t by);
// A blocking command's timeout (BLPOP ... timeout): seconds, fractions
// allowed, 0 = forever, with Redis 7.0's errors. Milliseconds in *ms.
Status ParseBlockingTimeout(std::string_view text, std::int64_t* ms);
// The timeout of a blocking command (kCmdBlocking: BLPOP, BRPOP, BLMOVE,
// BRPOPLPUSH, BZPOPMIN, BZPOPMAX: the last argument; BLMPOP, BZMPOP: the
// first; XREAD: its BLOCK option, nullopt without one); nullopt for any other
// command or a timeout that does not parse.
std::optional<std::int64_t> BlockingTimeoutMs(const Args& args);

// Individual parsers, used by the command table.
namespace parsers {
Result<Op> Get(const Args& a, std::int64_t now_ms);
Result<Op> Set(const Args& a, std::int64_t now_ms);
Result<Op> GetSet(const Args& a, std::int64_t now_ms);
Result<Op> SetNx(const Args& a, std::int64_t now_ms);
Result<Op> SetEx(const Args& a, std::int64_t now_ms);
Result<Op> PSetEx(const Args& a, std::int64_t now_ms);
Result<Op> GetDel(const Args& a, std::int64_t now_ms);
Result<Op> Del(const Args& a, std::int64_t now_ms);
Result<Op> Exists(const Args& a, std::int64_t now_ms);
Result<Op> Incr(const Args& a, std::int64_t now_ms);
Result<Op> Decr(const Args& a, std::int64_t now_ms);
Result<Op> IncrBy(const Args& a, std::int64_t now_ms);
Result<Op> DecrBy(const Args& a, std::int64_t now_ms);
Result<Op> Append(const Args& a, std::int64_t now_ms);
Result<Op> Strlen(const Args& a, std::int64_t now_ms);
Result<Op> MGet(const Args& a, std::int64_t now_ms);
Result<Op> MSet(const Args& a, std::int64_t now_ms);
Result<Op> Expire(const Args& a, std::int64_t now_ms);
Result<Op> PExpire(const Args& a, std::int64_t now_ms);
Result<Op> ExpireAt(const Args& a, std::int64_t now_ms);
Result<Op> PExpireAt(const Args& a, std::int64_t now_ms);
Result<Op> Ttl(const Args& a, std::int64_t now_ms);
Result<Op> Pttl(const Args& a, std::int64_t now_ms);
Result<Op> ExpireTime(const Args& a, std::int64_t now_ms);
Result<Op> PExpireTime(const Args& a, std::int64_t now_ms);
Result<Op> Persist(const Args& a, std::int64_t now_ms);
Result<Op> Type(const Args& a, std::int64_t now_ms);
Result<Op> Scan(const Args& a, std::int64_t now_ms);
Result<Op> DbSize(const Args& a, std::int64_t now_ms);
Result<Op> FlushDb(const Args& a, std::int64_t now_ms);
Result<Op> Publish(const Args& a, std::int64_t now_ms);
Result<Op> Eval(const Args& a, std::int64_t now_ms);
Result<Op> Memory(const Args& a, std::int64_t now_ms);
Result<Op> GetEx(const Args& a, std::int64_t now_ms);
Result<Op> GetRange(const Args& a, std::int64_t now_ms);
Result<Op> SetRange(const Args& a, std::int64_t now_ms);
Result<Op> MSetNx(const Args& a, std::int64_t now_ms);
Result<Op> IncrByFloat(const Args& a, std::int64_t now_ms);
Result<Op> Rename(const Args& a, std::int64_t now_ms);
Result<Op> RenameNx(const Args& a, std::int64_t now_ms);
Result<Op> Copy(const Args& a, std::int64_t now_ms);
Result<Op> Touch(const Args& a, std::int64_t now_ms);
Result<Op> Unlink(const Args& a, std::int64_t now_ms);
Result<Op> Keys(const Args& a, std::int64_t now_ms);
Result<Op> RandomKey(const Args& a, std::int64_t now_ms);
Result<Op> Sort(const Args& a, std::int64_t now_ms);
Result<Op> Lcs(const Args& a, std::int64_t now_ms);
Result<Op> SortRo(const Args& a, std::int64_t now_ms);
Result<Op> Object(const Args& a, std::int64_t now_ms);
Result<Op> Dump(const Args& a, std::int64_t now_ms);
Result<Op> Restore(const Args& a, std::int64_t now_ms);
Result<Op> HSet(const Args& a, std::int64_t now_ms);
Result<Op> HMSet(const Args& a, std::int64_t now_ms);
Result<Op> HSetNx(const Args& a, std::int64_t now_ms);
Result<Op> HDel(const Args& a, std::int64_t now_ms);
Result<Op> HIncrBy(const Args& a, std::int64_t now_ms);
Result<Op> HIncrByFloat(const Args& a, std::int64_t now_ms);
Result<Op> HGet(const Args& a, std::int64_t now_ms);
Result<Op> HMGet(const Args& a, std::int64_t now_ms);
Result<Op> HGetAll(const Args& a, std::int64_t now_ms);
Result<Op> HKeys(const Args& a, std::int64_t now_ms);
Result<Op> HVals(const Args& a, std::int64_t now_ms);
Result<Op> HLen(const Args& a, std::int64_t now_ms);
Result<Op> HExists(const Args& a, std::int64_t now_ms);
Result<Op> HStrlen(const Args& a, std::int64_t now_ms);
Result<Op> HScan(const Args& a, std::int64_t now_ms);
Result<Op> SAdd(const Args& a, std::int64_t now_ms);
Result<Op> LPush(const Args& a, std::int64_t now_ms);
Result<Op> RPush(const Args& a, std::int64_t now_ms);
Result<Op> LPushX(const Args& a, std::int64_t now_ms);
Result<Op> RPushX(const Args& a, std::int64_t now_ms);
Result<Op> LPop(const Args& a, std::int64_t now_ms);
Result<Op> RPop(const Args& a, std::int64_t now_ms);
Result<Op> LSet(const Args& a, std::int64_t now_ms);
Result<Op> LRem(const Args& a, std::int64_t now_ms);
Result<Op> LTrim(const Args& a, std::int64_t now_ms);
Result<Op> LInsert(const Args& a, std::int64_t now_ms);
Result<Op> LMove(const Args& a, std::int64_t now_ms);
Result<Op> RPopLPush(const Args& a, std::int64_t now_ms);
Result<Op> LLen(const Args& a, std::int64_t now_ms);
Result<Op> LPos(const Args& a, std::int64_t now_ms);
Result<Op> LIndex(const Args& a, std::int64_t now_ms);
Result<Op> LRange(const Args& a, std::int64_t now_ms);
Result<Op> SRem(const Args& a, std::int64_t now_ms);
Result<Op> SMove(const Args& a, std::int64_t now_ms);
Result<Op> SPop(const Args& a, std::int64_t now_ms);
Result<Op> SIsMember(const Args& a, std::int64_t now_ms);
Result<Op> SMIsMember(const Args& a, std::int64_t now_ms);
Result<Op> SCard(const Args& a, std::int64_t now_ms);
Result<Op> SMembers(const Args& a, std::int64_t now_ms);
Result<Op> SScan(const Args& a, std::int64_t now_ms);
Result<Op> SInter(const Args& a, std::int64_t now_ms);
Result<Op> SUnion(const Args& a, std::int64_t now_ms);
Result<Op> SDiff(const Args& a, std::int64_t now_ms);
Result<Op> SInterStore(const Args& a, std::int64_t now_ms);
Result<Op> SUnionStore(const Args& a, std::int64_t now_ms);
Result<Op> SDiffStore(const Args& a, std::int64_t now_ms);
Result<Op> ZAdd(const Args& a, std::int64_t now_ms);
Result<Op> ZIncrBy(const Args& a, std::int64_t now_ms);
Result<Op> ZRem(const Args& a, std::int64_t now_ms);
Result<Op> ZPopMin(const Args& a, std::int64_t now_ms);
Result<Op> ZPopMax(const Args& a, std::int64_t now_ms);
Result<Op> ZRemRangeByRank(const Args& a, std::int64_t now_ms);
Result<Op> ZRemRangeByScore(const Args& a, std::int64_t now_ms);
Result<Op> ZRemRangeByLex(const Args& a, std::int64_t now_ms);
Result<Op> ZCard(const Args& a, std::int64_t now_ms);
Result<Op> ZScore(const Args& a, std::int64_t now_ms);
Result<Op> ZMScore(const Args& a, std::int64_t now_ms);
Result<Op> ZRank(const Args& a, std::int64_t now_ms);
Result<Op> ZRevRank(const Args& a, std::int64_t now_ms);
Result<Op> ZCount(const Args& a, std::int64_t now_ms);
Result<Op> ZLexCount(const Args& a, std::int64_t now_ms);
Result<Op> ZRange(const Args& a, std::int64_t now_ms);
Result<Op> ZRevRange(const Args& a, std::int64_t now_ms);
Result<Op> ZRangeByScore(const Args& a, std::int64_t now_ms);
Result<Op> ZRevRangeByScore(const Args& a, std::int64_t now_ms);
Result<Op> ZRangeByLex(const Args& a, std::int64_t now_ms);
Result<Op> ZRevRangeByLex(const Args& a, std::int64_t now_ms);
Result<Op> ZScan(const Args& a, std::int64_t now_ms);
Result<Op> ZUnionStore(const Args& a, std::int64_t now_ms);
Result<Op> ZInterStore(const Args& a, std::int64_t now_ms);
Result<Op> ZDiffStore(const Args& a, std::int64_t now_ms);
Result<Op> ZUnion(const Args& a, std::int64_t now_ms);
Result<Op> ZInterCard(const Args& a, std::int64_t now_ms);
Result<Op> XAdd(const Args& a, std::int64_t now_ms);
Result<Op> XTrim(const Args& a, std::int64_t now_ms);
Result<Op> XDel(const Args& a, std::int64_t now_ms);
Result<Op> XLen(const Args& a, std::int64_t now_ms);
Result<Op> XRange(const Args& a, std::int64_t now_ms);
Result<Op> XRevRange(const Args& a, std::int64_t now_ms);
Result<Op> XRead(const Args& a, std::int64_t now_ms);
Result<Op> XReadGroup(const Args& a, std::int64_t now_ms);
Result<Op> XGroup(const Args& a, std::int64_t now_ms);
Result<Op> XAck(const Args& a, std::int64_t now_ms);
Result<Op> XInfo(const Args& a, std::int64_t now_ms);
Result<Op> XSetId(const Args& a, std::int64_t now_ms);
Result<Op> SetBit(const Args& a, std::int64_t now_ms);
Result<Op> GetBit(const Args& a, std::int64_t now_ms);
Result<Op> BitCount(const Args& a, std::int64_t now_ms);
Result<Op> BitPos(const Args& a, std::int64_t now_ms);
Result<Op> BitOp(const Args& a, std::int64_t now_ms);
Result<Op> BitField(const Args& a, std::int64_t now_ms);
Result<Op> BitFieldRo(const Args& a, std::int64_t now_ms);
Result<Op> PfAdd(const Args& a, std::int64_t now_ms);
Result<Op> PfCount(const Args& a, std::int64_t now_ms);
Result<Op> PfMerge(const Args& a, std::int64_t now_ms);
Result<Op> XClaim(const Args& a, std::int64_t now_ms);
Result<Op> XAutoClaim(const Args& a, std::int64_t now_ms);
Result<Op> XPending(const Args& a, std::int64_t now_ms);
Result<Op> LMPop(const Args& a, std::int64_t now_ms);
Result<Op> BLMPop(const Args& a, std::int64_t now_ms);
Result<Op> ZMPop(const Args& a, std::int64_t now_ms);
Result<Op> BZMPop(const Args& a, std::int64_t now_ms);
Result<Op> SInterCard(const Args& a, std::int64_t now_ms);
Result<Op> SRandMember(const Args& a, std::int64_t now_ms);
Result<Op> HRandField(const Args& a, std::int64_t now_ms);
Result<Op> ZRandMember(const Args& a, std::int64_t now_ms);
Result<Op> ZInter(const Args& a, std::int64_t now_ms);
Result<Op> ZDiff(const Args& a, std::int64_t now_ms);
Result<Op> ZRangeStore(const Args& a, std::int64_t now_ms);
Result<Op> GeoAdd(const Args& a, std::int64_t now_ms);
Result<Op> GeoPos(const Args& a, std::int64_t now_ms);
Result<Op> GeoHash(const Args& a, std::int64_t now_ms);
Result<Op> GeoDist(const Args& a, std::int64_t now_ms);
Result<Op> GeoRadius(const Args& a, std::int64_t now_ms);
Result<Op> GeoRadiusRo(const Args& a, std::int64_t now_ms);
Result<Op> GeoRadiusByMember(const Args& a, std::int64_t now_ms);
Result<Op> GeoRadiusByMemberRo(const Args& a, std::int64_t now_ms);
Result<Op> GeoSearch(const Args& a, std::int64_t now_ms);
Result<Op> GeoSearchStore(const Args& a, std::int64_t now_ms);
Result<Op> BLPop(const Args& a, std::int64_t now_ms);
Result<Op> BRPop(const Args& a, std::int64_t now_ms);
Result<Op> BLMove(const Args& a, std::int64_t now_ms);
Result<Op> BRPopLPush(const Args& a, std::int64_t now_ms);
Result<Op> BZPopMin(const Args& a, std::int64_t now_ms);
Result<Op> BZPopMax(const Args& a, std::int64_t now_ms);
}  // namespace parsers

}  // namespace cairn::kv
