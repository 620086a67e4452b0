#include "kv/command_table.h"

#include <algorithm>
#include <unordered_map>

#include "kv/parse.h"
#include "kv/subcommand_help.h"

namespace cairn::kv {
namespace {

constexpr std::uint32_t W = kCmdWrite;
constexpr std::uint32_t R = kCmdReadonly;
constexpr std::uint32_t F = kCmdFast;
constexpr std::uint32_t M = kCmdDenyOom;
constexpr std::uint32_t C = kCmdConnection;
constexpr std::uint32_t NS = kCmdNoScript;
constexpr std::uint32_t LS = kCmdLoading | kCmdStale;
constexpr std::uint32_t B = kCmdBlocking | kCmdNoScript;

std::vector<CommandSpec> BuildTable() {
  namespace p = parsers;
  return {
      // Strings.
      {"get", 2, R | F, 1, 1, 1, "string", "1.0.0", "Reads a string key's value.", p::Get},
      {"set", -3, W | M, 1, 1, 1, "string", "1.0.0",
       "Sets a key to a string value, with optional expiry and conditions.", p::Set},
      {"getset", 3, W | M | F, 1, 1, 1, "string", "1.0.0",
       "Sets a key and returns its previous value; clears the expiry.", p::GetSet},
      {"setnx", 3, W | M | F, 1, 1, 1, "string", "1.0.0", "Sets a key only if it is absent.",
       p::SetNx},
      {"setex", 4, W | M, 1, 1, 1, "string", "2.0.0", "Sets a key with an expiry in seconds.",
       p::SetEx},
      {"psetex", 4, W | M, 1, 1, 1, "string", "2.6.0", "Sets a key with an expiry in milliseconds.",
       p::PSetEx},
      {"getdel", 2, W | F, 1, 1, 1, "string", "6.2.0", "Returns a key's value and deletes it.",
       p::GetDel},
      {"incr", 2, W | M | F, 1, 1, 1, "string", "1.0.0", "Adds one to an integer value.", p::Incr},
      {"decr", 2, W | M | F, 1, 1, 1, "string", "1.0.0", "Subtracts one from an integer value.",
       p::Decr},
      {"incrby", 3, W | M | F, 1, 1, 1, "string", "1.0.0", "Adds an amount to an integer value.",
       p::IncrBy},
      {"decrby", 3, W | M | F, 1, 1, 1, "string", "1.0.0",
       "Subtracts an amount from an integer value.", p::DecrBy},
      {"append", 3, W | M | F, 1, 1, 1, "string", "2.0.0",
       "Appends to a string value, creating the key if needed.", p::Append},
      {"strlen", 2, R | F, 1, 1, 1, "string", "2.2.0", "Returns the length of a string value.",
       p::Strlen},
      {"mget", -2, R | F, 1, -1, 1, "string", "1.0.0", "Returns the values of several keys.",
       p::MGet},
      {"mset", -3, W | M, 1, -1, 2, "string", "1.0.1", "Sets several keys at once.", p::MSet},
      {"msetnx", -3, W | M, 1, -1, 2, "string", "1.0.1",
       "Sets several keys at once, only if none of them exists.", p::MSetNx},
      {"getex", -2, W | F, 1, 1, 1, "string", "6.2.0",
       "Returns a key's value and optionally sets or removes its expiry.", p::GetEx},
      {"getrange", 4, R, 1, 1, 1, "string", "2.4.0", "Returns a substring of a string value.",
       p::GetRange},
      {"substr", 4, R, 1, 1, 1, "string", "1.0.0",
       "Returns a substring of a string value (GETRANGE's old name).", p::GetRange},
      {"lcs", -3, R, 1, 2, 1, "string", "7.0.0",
       "The longest common subsequence of two strings (LEN, IDX, MINMATCHLEN, WITHMATCHLEN).",
       p::Lcs},
      {"setrange", 4, W | M, 1, 1, 1, "string", "2.2.0",
       "Overwrites part of a string value at an offset, padding with zero bytes.", p::SetRange},
      {"incrbyfloat", 3, W | M | F, 1, 1, 1, "string", "2.6.0",
       "Adds a floating point amount to a numeric value.", p::IncrByFloat},
      // Bits of strings (kv/bitmap_ops.cc).
      {"setbit", 4, W | M, 1, 1, 1, "bitmap", "2.2.0",
       "Sets or clears one bit of a string, padding it with zero bytes; returns the old bit.",
       p::SetBit},
      {"getbit", 3, R | F, 1, 1, 1, "bitmap", "2.2.0", "Returns one bit of a string.", p::GetBit},
      {"bitcount", -2, R, 1, 1, 1, "bitmap", "2.6.0",
       "Counts the set bits of a string, or of a range of its bytes or bits.", p::BitCount},
      {"bitpos", -3, R, 1, 1, 1, "bitmap", "2.8.7",
       "Finds the first set or clear bit of a string, or of a range of its bytes or bits.",
       p::BitPos},
      {"bitop", -4, W | M, 2, -1, 1, "bitmap", "2.6.0",
       "Combines strings bit by bit (AND, OR, XOR, NOT) into a destination key.", p::BitOp},
      {"bitfield", -2, W | M, 1, 1, 1, "bitmap", "3.2.0",
       "Reads, sets and increments integer fields of any width at any bit offset of a string.",
       p::BitField},
      {"bitfield_ro", -2, R | F, 1, 1, 1, "bitmap", "6.0.0",
       "Reads integer fields of any width at any bit offset of a string.", p::BitFieldRo},
      // HyperLogLogs, strings in Redis's format (kv/hyperloglog.h).
      {"pfadd", -2, W | M | F, 1, 1, 1, "hyperloglog", "2.8.9",
       "Adds elements to a HyperLogLog; returns 1 if its estimate may have changed.", p::PfAdd},
      {"pfcount", -2, R, 1, -1, 1, "hyperloglog", "2.8.9",
       "Estimates the number of distinct elements added to one HyperLogLog, or to their union.",
       p::PfCount},
      {"pfmerge", -2, W | M, 1, -1, 1, "hyperloglog", "2.8.9",
       "Merges HyperLogLogs into a destination key.", p::PfMerge},
      // Hashes (one record per hash: kv/hash.h).
      {"hset", -4, W | M | F, 1, 1, 1, "hash", "2.0.0",
       "Sets fields of a hash; returns how many were new.", p::HSet},
      {"hmset", -4, W | M | F, 1, 1, 1, "hash", "2.0.0", "Sets fields of a hash (HSET's old form).",
       p::HMSet},
      {"hsetnx", 4, W | M | F, 1, 1, 1, "hash", "2.0.0", "Sets a hash field only if it is absent.",
       p::HSetNx},
      {"hdel", -3, W | F, 1, 1, 1, "hash", "2.0.0",
       "Deletes fields of a hash (the key goes with the last one).", p::HDel},
      {"hincrby", 4, W | M | F, 1, 1, 1, "hash", "2.0.0",
       "Adds an amount to an integer hash field.", p::HIncrBy},
      {"hincrbyfloat", 4, W | M | F, 1, 1, 1, "hash", "2.6.0",
       "Adds a floating point amount to a hash field.", p::HIncrByFloat},
      {"hget", 3, R | F, 1, 1, 1, "hash", "2.0.0", "Returns the value of a hash field.", p::HGet},
      {"hmget", -3, R | F, 1, 1, 1, "hash", "2.0.0", "Returns the values of hash fields.",
       p::HMGet},
      {"hgetall", 2, R, 1, 1, 1, "hash", "2.0.0",
       "Returns every field and value of a hash, in the order the fields were added.", p::HGetAll},
      {"hkeys", 2, R, 1, 1, 1, "hash", "2.0.0", "Returns the fields of a hash.", p::HKeys},
      {"hvals", 2, R, 1, 1, 1, "hash", "2.0.0", "Returns the values of a hash.", p::HVals},
      {"hlen", 2, R | F, 1, 1, 1, "hash", "2.0.0", "Returns the number of fields in a hash.",
       p::HLen},
      {"hexists", 3, R | F, 1, 1, 1, "hash", "2.0.0", "Tells whether a hash field exists.",
       p::HExists},
      {"hstrlen", 3, R | F, 1, 1, 1, "hash", "3.2.0", "Returns the length of a hash field's value.",
       p::HStrlen},
      {"hscan", -3, R, 1, 1, 1, "hash", "2.8.0",
       "Iterates over the fields of a hash (all of them in one reply).", p::HScan},
      {"hrandfield", -2, R, 1, 1, 1, "hash", "6.2.0",
       "Returns random fields, optionally with their values.", p::HRandField},
      // Lists (one record per list: kv/list.h).
      {"lpush", -3, W | M | F, 1, 1, 1, "list", "1.0.0", "Adds elements at the head of a list.",
       p::LPush},
      {"rpush", -3, W | M | F, 1, 1, 1, "list", "1.0.0", "Adds elements at the tail of a list.",
       p::RPush},
      {"lpushx", -3, W | M | F, 1, 1, 1, "list", "2.2.0",
       "Adds elements at the head of a list, only if it exists.", p::LPushX},
      {"rpushx", -3, W | M | F, 1, 1, 1, "list", "2.2.0",
       "Adds elements at the tail of a list, only if it exists.", p::RPushX},
      {"lpop", -2, W | F, 1, 1, 1, "list", "1.0.0", "Removes and returns elements from the head.",
       p::LPop},
      {"rpop", -2, W | F, 1, 1, 1, "list", "1.0.0", "Removes and returns elements from the tail.",
       p::RPop},
      {"lset", 4, W | M, 1, 1, 1, "list", "1.0.0", "Replaces the element at an index.", p::LSet},
      {"lrem", 4, W, 1, 1, 1, "list", "1.0.0", "Removes occurrences of an element.", p::LRem},
      {"ltrim", 4, W, 1, 1, 1, "list", "1.0.0", "Keeps only a range of a list.", p::LTrim},
      {"linsert", 5, W | M, 1, 1, 1, "list", "2.2.0", "Inserts an element before or after another.",
       p::LInsert},
      {"lmove", 5, W | M, 1, 2, 1, "list", "6.2.0",
       "Moves an element from one end of a list to an end of another.", p::LMove},
      {"rpoplpush", 3, W | M, 1, 2, 1, "list", "1.2.0",
       "Moves the tail of a list to the head of another (LMOVE's old form).", p::RPopLPush},
      {"blpop", -3, W | B, 1, -2, 1, "list", "2.0.0",
       "Pops the head of the first non-empty list, or waits for one (timeout in seconds, 0 "
       "forever).",
       p::BLPop},
      {"brpop", -3, W | B, 1, -2, 1, "list", "2.0.0",
       "Pops the tail of the first non-empty list, or waits for one.", p::BRPop},
      {"blmove", 6, W | M | B, 1, 2, 1, "list", "6.2.0", "LMOVE, or waits for the source.",
       p::BLMove},
      {"brpoplpush", 4, W | M | B, 1, 2, 1, "list", "2.2.0",
       "RPOPLPUSH, or waits for the source (BLMOVE's old form).", p::BRPopLPush},
      {"lmpop", -4, W, 0, 0, 0, "list", "7.0.0",
       "Pops up to COUNT elements from one end of the first non-empty list of several.", p::LMPop},
      {"blmpop", -5, W | B, 0, 0, 0, "list", "7.0.0", "LMPOP, or waits for one of the lists.",
       p::BLMPop},
      {"llen", 2, R | F, 1, 1, 1, "list", "1.0.0", "Returns the length of a list.", p::LLen},
      {"lpos", -3, R, 1, 1, 1, "list", "6.0.6", "Returns the positions of an element in a list.",
       p::LPos},
      {"lindex", 3, R, 1, 1, 1, "list", "1.0.0", "Returns the element at an index.", p::LIndex},
      {"lrange", 4, R, 1, 1, 1, "list", "1.0.0", "Returns a range of elements.", p::LRange},
      // Sets (one record per set: kv/set.h).
      {"sadd", -3, W | M | F, 1, 1, 1, "set", "1.0.0",
       "Adds members to a set; returns how many were new.", p::SAdd},
      {"srem", -3, W | F, 1, 1, 1, "set", "1.0.0",
       "Removes members from a set (the key goes with the last one).", p::SRem},
      {"spop", -2, W | F, 1, 1, 1, "set", "1.0.0",
       "Removes and returns members of a set (the same ones on every replica).", p::SPop},
      {"smove", 4, W | F, 1, 2, 1, "set", "1.0.0", "Moves a member from one set to another.",
       p::SMove},
      {"sismember", 3, R | F, 1, 1, 1, "set", "1.0.0", "Tells whether a value is in a set.",
       p::SIsMember},
      {"smismember", -3, R | F, 1, 1, 1, "set", "6.2.0",
       "Tells, for each value, whether it is in a set.", p::SMIsMember},
      {"scard", 2, R | F, 1, 1, 1, "set", "1.0.0", "Returns the number of members of a set.",
       p::SCard},
      {"smembers", 2, R, 1, 1, 1, "set", "1.0.0", "Returns every member of a set.", p::SMembers},
      {"sscan", -3, R, 1, 1, 1, "set", "2.8.0",
       "Iterates over the members of a set (all of them in one reply).", p::SScan},
      {"sinter", -2, R, 1, -1, 1, "set", "1.0.0", "Returns the intersection of sets.", p::SInter},
      {"sunion", -2, R, 1, -1, 1, "set", "1.0.0", "Returns the union of sets.", p::SUnion},
      {"sdiff", -2, R, 1, -1, 1, "set", "1.0.0",
       "Returns the members of the first set that are in none of the others.", p::SDiff},
      {"sinterstore", -3, W | M, 1, -1, 1, "set", "1.0.0",
       "Stores the intersection of sets in a key.", p::SInterStore},
      {"sunionstore", -3, W | M, 1, -1, 1, "set", "1.0.0", "Stores the union of sets in a key.",
       p::SUnionStore},
      {"sdiffstore", -3, W | M, 1, -1, 1, "set", "1.0.0", "Stores the difference of sets in a key.",
       p::SDiffStore},
      {"sintercard", -3, R, 0, 0, 0, "set", "7.0.0",
       "Counts the members of the intersection of sets (at most LIMIT).", p::SInterCard},
      {"srandmember", -2, R, 1, 1, 1, "set", "1.0.0",
       "Returns random members of a set (a negative count allows repeats).", p::SRandMember},
      // Sorted sets (one record per sorted set: kv/zset.h).
      {"zadd", -4, W | M | F, 1, 1, 1, "sorted_set", "1.2.0",
       "Adds members with scores, or updates their scores (NX, XX, GT, LT, CH, INCR).", p::ZAdd},
      {"zincrby", 4, W | M | F, 1, 1, 1, "sorted_set", "1.2.0",
       "Adds to a member's score; returns the new score.", p::ZIncrBy},
      {"zrem", -3, W | F, 1, 1, 1, "sorted_set", "1.2.0",
       "Removes members (the key goes with the last one).", p::ZRem},
      {"zpopmin", -2, W | F, 1, 1, 1, "sorted_set", "5.0.0",
       "Removes and returns the members with the lowest scores.", p::ZPopMin},
      {"zpopmax", -2, W | F, 1, 1, 1, "sorted_set", "5.0.0",
       "Removes and returns the members with the highest scores.", p::ZPopMax},
      {"bzpopmin", -3, W | F | B, 1, -2, 1, "sorted_set", "5.0.0",
       "Pops the lowest-scored member of the first non-empty sorted set, or waits for one.",
       p::BZPopMin},
      {"bzpopmax", -3, W | F | B, 1, -2, 1, "sorted_set", "5.0.0",
       "Pops the highest-scored member of the first non-empty sorted set, or waits for one.",
       p::BZPopMax},
      {"zmpop", -4, W, 0, 0, 0, "sorted_set", "7.0.0",
       "Pops up to COUNT lowest- or highest-scored members of the first non-empty sorted set.",
       p::ZMPop},
      {"bzmpop", -5, W | B, 0, 0, 0, "sorted_set", "7.0.0",
       "ZMPOP, or waits for one of the sorted sets.", p::BZMPop},
      {"zremrangebyrank", 4, W, 1, 1, 1, "sorted_set", "2.0.0",
       "Removes the members within a range of ranks.", p::ZRemRangeByRank},
      {"zremrangebyscore", 4, W, 1, 1, 1, "sorted_set", "1.2.0",
       "Removes the members within a range of scores.", p::ZRemRangeByScore},
      {"zremrangebylex", 4, W, 1, 1, 1, "sorted_set", "2.8.9",
       "Removes the members within a lexicographical range.", p::ZRemRangeByLex},
      {"zcard", 2, R | F, 1, 1, 1, "sorted_set", "1.2.0", "Returns the number of members.",
       p::ZCard},
      {"zscore", 3, R | F, 1, 1, 1, "sorted_set", "1.2.0", "Returns a member's score.", p::ZScore},
      {"zmscore", -3, R | F, 1, 1, 1, "sorted_set", "6.2.0", "Returns the scores of members.",
       p::ZMScore},
      {"zrank", 3, R | F, 1, 1, 1, "sorted_set", "2.0.0",
       "Returns a member's rank, lowest score first.", p::ZRank},
      {"zrevrank", 3, R | F, 1, 1, 1, "sorted_set", "2.0.0",
       "Returns a member's rank, highest score first.", p::ZRevRank},
      {"zcount", 4, R | F, 1, 1, 1, "sorted_set", "2.0.0",
       "Counts the members within a range of scores.", p::ZCount},
      {"zlexcount", 4, R | F, 1, 1, 1, "sorted_set", "2.8.9",
       "Counts the members within a lexicographical range.", p::ZLexCount},
      {"zrange", -4, R, 1, 1, 1, "sorted_set", "1.2.0",
       "Returns members by rank, score (BYSCORE) or name (BYLEX), optionally reversed.", p::ZRange},
      {"zrevrange", -4, R, 1, 1, 1, "sorted_set", "1.2.0",
       "Returns members by rank, highest score first (ZRANGE ... REV).", p::ZRevRange},
      {"zrangebyscore", -4, R, 1, 1, 1, "sorted_set", "1.0.5",
       "Returns members within a range of scores (ZRANGE ... BYSCORE).", p::ZRangeByScore},
      {"zrevrangebyscore", -4, R, 1, 1, 1, "sorted_set", "2.2.0",
       "Returns members within a range of scores, highest first.", p::ZRevRangeByScore},
      {"zrangebylex", -4, R, 1, 1, 1, "sorted_set", "2.8.9",
       "Returns members within a lexicographical range (ZRANGE ... BYLEX).", p::ZRangeByLex},
      {"zrevrangebylex", -4, R, 1, 1, 1, "sorted_set", "2.8.9",
       "Returns members within a lexicographical range, last first.", p::ZRevRangeByLex},
      {"zscan", -3, R, 1, 1, 1, "sorted_set", "2.8.0",
       "Iterates over members and scores (all of them in one reply).", p::ZScan},
      {"zunionstore", -4, W | M, 1, 1, 1, "sorted_set", "2.0.0",
       "Stores the union of sorted sets (WEIGHTS, AGGREGATE SUM|MIN|MAX).", p::ZUnionStore},
      {"zinterstore", -4, W | M, 1, 1, 1, "sorted_set", "2.0.0",
       "Stores the intersection of sorted sets (WEIGHTS, AGGREGATE SUM|MIN|MAX).", p::ZInterStore},
      {"zdiffstore", -4, W | M, 1, 1, 1, "sorted_set", "6.2.0",
       "Stores the members of the first sorted set that are in none of the others.", p::ZDiffStore},
      {"zunion", -3, R, 0, 0, 0, "sorted_set", "6.2.0", "Returns the union of sorted sets.",
       p::ZUnion},
      {"zinter", -3, R, 0, 0, 0, "sorted_set", "6.2.0", "Returns the intersection of sorted sets.",
       p::ZInter},
      {"zdiff", -3, R, 0, 0, 0, "sorted_set", "6.2.0",
       "Returns the members of the first sorted set that are in none of the others.", p::ZDiff},
      {"zintercard", -3, R, 0, 0, 0, "sorted_set", "7.0.0",
       "Counts the members of the intersection of sorted sets (at most LIMIT).", p::ZInterCard},
      {"zrandmember", -2, R, 1, 1, 1, "sorted_set", "6.2.0",
       "Returns random members, optionally with their scores.", p::ZRandMember},
      {"zrangestore", -5, W | M, 1, 2, 1, "sorted_set", "6.2.0",
       "Stores a range of a sorted set (ZRANGE's grammar) in a key.", p::ZRangeStore},
      // Geospatial indexes: sorted sets of geohash scores (kv/geo.h).
      {"geoadd", -5, W | M, 1, 1, 1, "geo", "3.2.0",
       "Adds places by longitude and latitude, or moves them (NX, XX, CH).", p::GeoAdd},
      {"geopos", -2, R, 1, 1, 1, "geo", "3.2.0", "Returns the longitude and latitude of places.",
       p::GeoPos},
      {"geohash", -2, R, 1, 1, 1, "geo", "3.2.0", "Returns places as standard geohash strings.",
       p::GeoHash},
      {"geodist", -4, R, 1, 1, 1, "geo", "3.2.0",
       "Returns the distance between two places (M, KM, FT or MI).", p::GeoDist},
      {"georadius", -6, W | M, 1, 1, 1, "geo", "3.2.0",
       "Returns the places within a radius of a point, or stores them (STORE, STOREDIST).",
       p::GeoRadius},
      {"georadius_ro", -6, R, 1, 1, 1, "geo", "3.2.10",
       "Returns the places within a radius of a point.", p::GeoRadiusRo},
      {"georadiusbymember", -5, W | M, 1, 1, 1, "geo", "3.2.0",
       "Returns the places within a radius of a place, or stores them (STORE, STOREDIST).",
       p::GeoRadiusByMember},
      {"georadiusbymember_ro", -5, R, 1, 1, 1, "geo", "3.2.10",
       "Returns the places within a radius of a place.", p::GeoRadiusByMemberRo},
      {"geosearch", -7, R, 1, 1, 1, "geo", "6.2.0",
       "Returns the places within a circle or box around a point or place.", p::GeoSearch},
      {"geosearchstore", -8, W | M, 1, 2, 1, "geo", "6.2.0",
       "Stores the places within a circle or box around a point or place in a key.",
       p::GeoSearchStore},
      // Streams (one record per stream: kv/stream.h).
      {"xadd", -5, W | M | F, 1, 1, 1, "stream", "5.0.0",
       "Appends an entry (ID * or given; NOMKSTREAM; MAXLEN or MINID trimming).", p::XAdd},
      {"xdel", -3, W | F, 1, 1, 1, "stream", "5.0.0", "Removes entries by ID.", p::XDel},
      {"xtrim", -4, W, 1, 1, 1, "stream", "5.0.0",
       "Removes the oldest entries (MAXLEN count or MINID id).", p::XTrim},
      {"xlen", 2, R | F, 1, 1, 1, "stream", "5.0.0", "Returns the number of entries.", p::XLen},
      {"xrange", -4, R, 1, 1, 1, "stream", "5.0.0",
       "Returns the entries within a range of IDs, oldest first.", p::XRange},
      {"xrevrange", -4, R, 1, 1, 1, "stream", "5.0.0",
       "Returns the entries within a range of IDs, newest first.", p::XRevRange},
      {"xread", -4, R | B, 0, 0, 0, "stream", "5.0.0",
       "Returns entries after given IDs from several streams, or waits for one (BLOCK ms).",
       p::XRead},
      {"xreadgroup", -7, W | B, 0, 0, 0, "stream", "5.0.0",
       "Reads as a consumer of a group: new entries (>) or its own pending ones.", p::XReadGroup},
      {"xgroup", -2, 0, 0, 0, 0, "stream", "5.0.0",
       "Consumer groups: CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER.", p::XGroup},
      {"xack", -4, W | F, 1, 1, 1, "stream", "5.0.0",
       "Acknowledges entries: removes them from a group's pending entries.", p::XAck},
      {"xclaim", -6, W | F, 1, 1, 1, "stream", "5.0.0",
       "Takes pending entries over from other consumers (IDLE, TIME, RETRYCOUNT, FORCE, JUSTID).",
       p::XClaim},
      {"xautoclaim", -6, W | F, 1, 1, 1, "stream", "6.2.0",
       "Takes over the entries pending longer than a time, from a cursor.", p::XAutoClaim},
      {"xpending", -3, R, 1, 1, 1, "stream", "5.0.0",
       "Summarises a group's pending entries, or lists them with their idle times.", p::XPending},
      {"xinfo", -2, 0, 0, 0, 0, "stream", "5.0.0",
       "Reports a stream (STREAM [FULL]), its consumer groups (GROUPS) or a group's consumers "
       "(CONSUMERS).",
       p::XInfo},
      {"xsetid", -3, W | F, 1, 1, 1, "stream", "5.0.0",
       "Sets a stream's last ID (and its entries-added and max-deleted-ID counters).", p::XSetId},
      // Keyspace.
      {"del", -2, W, 1, -1, 1, "generic", "1.0.0", "Deletes keys.", p::Del},
      {"unlink", -2, W | F, 1, -1, 1, "generic", "4.0.0", "Deletes keys (at once, as DEL).",
       p::Unlink},
      {"exists", -2, R | F, 1, -1, 1, "generic", "1.0.0", "Counts how many of the keys exist.",
       p::Exists},
      {"touch", -2, R | F, 1, -1, 1, "generic", "3.2.1",
       "Counts how many of the keys exist (there is no access time to update).", p::Touch},
      {"rename", 3, W, 1, 2, 1, "generic", "1.0.0", "Renames a key, replacing the destination.",
       p::Rename},
      {"renamenx", 3, W | F, 1, 2, 1, "generic", "1.0.0",
       "Renames a key only if the destination is absent.", p::RenameNx},
      {"copy", -3, W | M, 1, 2, 1, "generic", "6.2.0",
       "Copies a key's value and expiry to another key.", p::Copy},
      {"keys", 2, R, 0, 0, 0, "generic", "1.0.0",
       "Returns every live key matching a glob pattern (reads the whole keyspace).", p::Keys},
      {"expire", -3, W | F, 1, 1, 1, "generic", "1.0.0", "Sets a key's time to live in seconds.",
       p::Expire},
      {"pexpire", -3, W | F, 1, 1, 1, "generic", "2.6.0",
       "Sets a key's time to live in milliseconds.", p::PExpire},
      {"expireat", -3, W | F, 1, 1, 1, "generic", "1.2.0",
       "Sets a key's expiry as a Unix time in seconds.", p::ExpireAt},
      {"pexpireat", -3, W | F, 1, 1, 1, "generic", "2.6.0",
       "Sets a key's expiry as a Unix time in milliseconds.", p::PExpireAt},
      {"ttl", 2, R | F, 1, 1, 1, "generic", "1.0.0", "Returns a key's time to live in seconds.",
       p::Ttl},
      {"pttl", 2, R | F, 1, 1, 1, "generic", "2.6.0",
       "Returns a key's time to live in milliseconds.", p::Pttl},
      {"expiretime", 2, R | F, 1, 1, 1, "generic", "7.0.0",
       "Returns a key's expiry as a Unix time in seconds.", p::ExpireTime},
      {"pexpiretime", 2, R | F, 1, 1, 1, "generic", "7.0.0",
       "Returns a key's expiry as a Unix time in milliseconds.", p::PExpireTime},
      {"persist", 2, W | F, 1, 1, 1, "generic", "2.2.0", "Removes a key's expiry.", p::Persist},
      {"sort", -2, W | M, 1, 1, 1, "generic", "1.0.0",
       "Sorts a list, set or sorted set (BY, LIMIT, GET, ASC/DESC, ALPHA), or stores the result "
       "(STORE).",
       p::Sort},
      {"sort_ro", -2, R, 1, 1, 1, "generic", "7.0.0",
       "Sorts a list, set or sorted set (SORT without STORE).", p::SortRo},
      {"randomkey", 1, R, 0, 0, 0, "generic", "1.0.0", "Returns a random live key, or nil.",
       p::RandomKey},
      {"dump", 2, R, 1, 1, 1, "generic", "2.6.0",
       "Returns a key's value as a Redis DUMP payload (strings, lists, sets, sorted sets, hashes).",
       p::Dump},
      {"restore", -4, W | M, 1, 1, 1, "generic", "2.6.0",
       "Creates a key from a DUMP payload of Redis 2.6 to 7.2 or of Cairn (TTL, REPLACE, ABSTTL).",
       p::Restore},
      {"object", -2, 0, 0, 0, 0, "generic", "2.2.3",
       "Reports on a key's value: ENCODING (Redis's name for it), REFCOUNT, FREQ, IDLETIME.",
       p::Object},
      {"type", 2, R | F, 1, 1, 1, "generic", "1.0.0", "Returns the type of a key's value.",
       p::Type},
      {"scan", -2, R, 0, 0, 0, "generic", "2.8.0", "Iterates over the keys with a cursor.",
       p::Scan},
      {"dbsize", 1, R | F, 0, 0, 0, "server", "1.0.0", "Returns the number of live keys.",
       p::DbSize},
      {"memory", -2, R, 0, 0, 0, "server", "4.0.0",
       "MEMORY USAGE key: the bytes a key takes in the store.", p::Memory},
      {"flushdb", -1, W, 0, 0, 0, "server", "1.0.0", "Deletes every key.", p::FlushDb},
      {"slowlog", -2, 0, 0, 0, 0, "server", "2.2.12",
       "The operations that took longest to run on this node: GET, LEN, RESET.", nullptr},
      {"acl", -2, 0, 0, 0, 0, "server", "6.0.0",
       "Describes the node's one user, default (WHOAMI, USERS, LIST, GETUSER, CAT, DRYRUN, "
       "GENPASS, LOG); other users cannot be made.",
       nullptr},
      {"latency", -2, 0, 0, 0, 0, "server", "2.8.13",
       "Each command's latency on this node as a cumulative histogram (HISTOGRAM); no "
       "latency-monitor events are kept.",
       nullptr},
      {"flushall", -1, W, 0, 0, 0, "server", "1.0.0",
       "Deletes every key (FLUSHDB: Cairn has one database).", p::FlushDb},
      // Served by the server (connection state, transactions, introspection).
      {"ping", -1, F | C, 0, 0, 0, "connection", "1.0.0", "Returns PONG or the argument.", nullptr},
      {"echo", 2, F | C, 0, 0, 0, "connection", "1.0.0", "Returns the argument.", nullptr},
      {"auth", -2, F | C | NS | LS, 0, 0, 0, "connection", "1.0.0",
       "Authenticates the connection with the node's password (requirepass).", nullptr},
      {"hello", -1, F | C | NS | LS, 0, 0, 0, "connection", "6.0.0",
       "Switches protocol version and returns server information.", nullptr},
      {"select", 2, F | C | LS, 0, 0, 0, "connection", "1.0.0",
       "Selects a database (only 0 exists).", nullptr},
      {"monitor", 1, NS | LS, 0, 0, 0, "server", "1.0.0",
       "Streams every command this node's clients send, as they arrive.", nullptr},
      {"quit", -1, F | C | NS | LS, 0, 0, 0, "connection", "1.0.0", "Closes the connection.",
       nullptr},
      {"reset", 1, F | C | NS | LS, 0, 0, 0, "connection", "6.2.0",
       "Returns the connection to its initial state (MULTI, WATCH, tracking, subscriptions, "
       "protocol, name, consistency).",
       nullptr},
      {"multi", 1, F | C | NS | LS, 0, 0, 0, "transactions", "1.2.0", "Starts a transaction.",
       nullptr},
      {"exec", 1, C | NS | LS, 0, 0, 0, "transactions", "1.2.0",
       "Runs the queued commands atomically.", nullptr},
      {"discard", 1, F | C | NS | LS, 0, 0, 0, "transactions", "2.0.0",
       "Drops the queued commands.", nullptr},
      {"watch", -2, F | C | NS | LS, 1, -1, 1, "transactions", "2.2.0",
       "Makes the next EXEC conditional on keys being unchanged.", nullptr},
      {"unwatch", 1, F | C | NS | LS, 0, 0, 0, "transactions", "2.2.0", "Forgets watched keys.",
       nullptr},
      {"command", -1, C | LS, 0, 0, 0, "server", "2.8.13", "Describes the commands.", nullptr},
      {"client", -2, 0, 0, 0, 0, "connection", "2.4.0",
       "Connections: ID, SETNAME, GETNAME, INFO, LIST, KILL, TRACKING, GETREDIR, UNBLOCK, "
       "SETINFO, NO-EVICT.",
       nullptr},
      {"config", -2, 0, 0, 0, 0, "server", "2.0.0",
       "The node's settings: GET, and SET of the run-time ones.", nullptr},
      {"info", -1, LS, 0, 0, 0, "server", "1.0.0", "Reports on the node, by section.", nullptr},
      {"readonly", 1, F | LS, 0, 0, 0, "cluster", "3.0.0",
       "Accepted (any node serves reads at the connection's consistency level).", nullptr},
      {"readwrite", 1, F | LS, 0, 0, 0, "cluster", "3.0.0", "Accepted (as READONLY).", nullptr},
      {"shutdown", -1, NS | LS, 0, 0, 0, "server", "1.0.0",
       "Stops the node as SIGTERM does: hands leadership over, flushes, exits 0.", nullptr},
      {"save", 1, NS, 0, 0, 0, "server", "1.0.0",
       "Takes a snapshot of the state and compacts the log (as cairn ctl snapshot).", nullptr},
      {"bgsave", -1, NS, 0, 0, 0, "server", "1.0.0", "As SAVE.", nullptr},
      {"lastsave", 1, F | LS, 0, 0, 0, "server", "1.0.0",
       "The Unix time of this node's last snapshot (its start until one is taken).", nullptr},
      {"move", 3, W | F, 1, 1, 1, "generic", "1.0.0", "Refused: Cairn has one database.", nullptr},
      {"swapdb", 3, W | F, 0, 0, 0, "server", "4.0.0",
       "Accepted only for database 0 with itself: Cairn has one database.", nullptr},
      {"time", 1, F | LS, 0, 0, 0, "server", "2.6.0",
       "Returns this node's wall clock (seconds and microseconds).", nullptr},
      // Scripting (kv/script.h). EVALSHA is turned into EVAL by the server,
      // which keeps the script cache; SCRIPT is the server's.
      {"eval", -3, NS, 0, 0, 0, "scripting", "2.6.0",
       "Runs a Lua script on every replica, atomically, through the log.", p::Eval},
      {"eval_ro", -3, R | NS, 0, 0, 0, "scripting", "7.0.0",
       "Runs a Lua script that may only read, atomically, through the log.", p::Eval},
      {"evalsha", -3, NS, 0, 0, 0, "scripting", "2.6.0",
       "Runs a cached script by its SHA1 digest (the server's script cache).", nullptr},
      {"evalsha_ro", -3, R | NS, 0, 0, 0, "scripting", "7.0.0",
       "Runs a cached read-only script by its SHA1 digest.", nullptr},
      {"script", -2, NS, 0, 0, 0, "scripting", "2.6.0",
       "Manages this node's script cache: LOAD, EXISTS, FLUSH, KILL.", nullptr},
      {"publish", 3, F | LS, 0, 0, 0, "pubsub", "2.0.0",
       "Sends a message to a channel's subscribers on every node.", p::Publish},
      {"subscribe", -2, NS | LS, 0, 0, 0, "pubsub", "2.0.0", "Listens for messages on channels.",
       nullptr},
      {"spublish", 3, F | LS, 1, 1, 1, "pubsub", "7.0.0",
       "Sends a message to a shard channel's subscribers on every node.", p::Publish},
      {"ssubscribe", -2, NS | LS, 1, -1, 1, "pubsub", "7.0.0",
       "Listens for messages on shard channels.", nullptr},
      {"sunsubscribe", -1, NS | LS, 1, -1, 1, "pubsub", "7.0.0",
       "Stops listening on shard channels (all of them if none is named).", nullptr},
      {"unsubscribe", -1, NS | LS, 0, 0, 0, "pubsub", "2.0.0",
       "Stops listening on channels (all of them if none is named).", nullptr},
      {"psubscribe", -2, NS | LS, 0, 0, 0, "pubsub", "2.0.0",
       "Listens for messages on channels matching glob patterns.", nullptr},
      {"punsubscribe", -1, NS | LS, 0, 0, 0, "pubsub", "2.0.0",
       "Stops listening on patterns (all of them if none is named).", nullptr},
      {"pubsub", -2, LS, 0, 0, 0, "pubsub", "2.8.0",
       "Lists this node's channels and counts its subscribers (CHANNELS, NUMSUB, NUMPAT).",
       nullptr},
      {"wait", 3, NS, 0, 0, 0, "generic", "3.0.0",
       "Waits until replicas hold the connection's writes; returns how many do.", nullptr},
  };
}

// ASCII only, as Redis matches command names (and no locale call per byte).
std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

const std::unordered_map<std::string, const CommandSpec*>& Index() {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string, const CommandSpec*>();
    for (const CommandSpec& spec : AllCommands()) (*m)[std::string(spec.name)] = &spec;
    return m;
  }();
  return *index;
}

resp::Value FlagSet(const CommandSpec& spec) {
  static const std::pair<std::uint32_t, std::string_view> kNames[] = {
      {kCmdWrite, "write"},     {kCmdReadonly, "readonly"}, {kCmdAdmin, "admin"},
      {kCmdDenyOom, "denyoom"}, {kCmdNoScript, "noscript"}, {kCmdLoading, "loading"},
      {kCmdStale, "stale"},     {kCmdFast, "fast"},         {kCmdBlocking, "blocking"}};
  resp::Value set = resp::Value::Set();
  for (const auto& [bit, name] : kNames) {
    if (spec.flags & bit) set.elems.push_back(resp::Value::Simple(name));
  }
  return set;
}

resp::Value AclCategories(const CommandSpec& spec) {
  resp::Value set = resp::Value::Set();
  auto add = [&](std::string_view c) { set.elems.push_back(resp::Value::Simple(c)); };
  if (spec.flags & kCmdWrite) add("@write");
  if (spec.flags & kCmdReadonly) add("@read");
  if (spec.group == "string") add("@string");
  if (spec.group == "geo") add("@geo");
  if (spec.group == "generic") add("@keyspace");
  if (spec.group == "connection") add("@connection");
  if (spec.group == "transactions") add("@transaction");
  add(spec.flags & kCmdFast ? "@fast" : "@slow");
  return set;
}

resp::Value Info(const CommandSpec& spec) {
  return resp::Value::Array({resp::Value::Bulk(spec.name), resp::Value::Int(spec.arity),
                             FlagSet(spec), resp::Value::Int(spec.first_key),
                             resp::Value::Int(spec.last_key), resp::Value::Int(spec.step),
                             AclCategories(spec), resp::Value::Set(), resp::Value::Array(),
                             resp::Value::Array()});
}

resp::Value Docs(const CommandSpec& spec) {
  return resp::Value::Map({resp::Value::Bulk("summary"), resp::Value::Bulk(spec.summary),
                           resp::Value::Bulk("since"), resp::Value::Bulk(spec.since),
                           resp::Value::Bulk("group"), resp::Value::Bulk(spec.group)});
}

}  // namespace

const std::vector<CommandSpec>& AllCommands() {
  static const auto* table = new std::vector<CommandSpec>(BuildTable());
  return *table;
}

const CommandSpec* FindCommand(std::string_view name) {
  if (name.size() > 32) return nullptr;
  auto it = Index().find(Lower(name));
  return it == Index().end() ? nullptr : it->second;
}

bool ArityOk(const CommandSpec& spec, std::size_t argc) {
  if (spec.arity >= 0) return argc == static_cast<std::size_t>(spec.arity);
  return argc >= static_cast<std::size_t>(-spec.arity);
}

resp::Value CommandCommand(const Args& args) {
  if (args.size() == 1) {
    resp::Value all = resp::Value::Array();
    for (const CommandSpec& spec : AllCommands()) all.elems.push_back(Info(spec));
    return all;
  }
  std::string sub = Lower(args[1]);
  if (sub == "count" && args.size() == 2) {
    return resp::Value::Int(static_cast<std::int64_t>(AllCommands().size()));
  }
  if (sub == "list" && args.size() == 2) {
    resp::Value names = resp::Value::Array();
    for (const CommandSpec& spec : AllCommands()) names.elems.push_back(resp::Value::Bulk(spec.name));
    return names;
  }
  if (sub == "info") {
    resp::Value out = resp::Value::Array();
    if (args.size() == 2) return CommandCommand({args[0]});
    for (std::size_t i = 2; i < args.size(); ++i) {
      const CommandSpec* spec = FindCommand(args[i]);
      out.elems.push_back(spec ? Info(*spec) : resp::Value::Null());
    }
    return out;
  }
  if (sub == "docs") {
    resp::Value out = resp::Value::Map();
    auto add = [&](const CommandSpec& spec) {
      out.elems.push_back(resp::Value::Bulk(spec.name));
      out.elems.push_back(Docs(spec));
    };
    if (args.size() == 2) {
      for (const CommandSpec& spec : AllCommands()) add(spec);
    }
    for (std::size_t i = 2; i < args.size(); ++i) {
      if (const CommandSpec* spec = FindCommand(args[i])) add(*spec);
    }
    return out;
  }
  if (sub == "getkeys") return CommandGetKeys(args);
  if (sub == "help" && args.size() == 2) {
    return HelpLines({
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Every command's details.",
        "COUNT",
        "    How many commands there are.",
        "DOCS [<command-name> ...]",
        "    The commands' documentation: summary, since, group.",
        "GETKEYS <full-command>",
        "    The keys the full command names.",
        "INFO [<command-name> ...]",
        "    The commands' details: arity, flags, key positions.",
        "LIST",
        "    Every command's name.",
        "HELP",
        "    This text.",
    });
  }
  if (sub == "count" || sub == "list") {
    return resp::Value::Error("ERR wrong number of arguments for 'command|" + sub + "' command");
  }
  return resp::Value::Error("ERR unknown subcommand '" + std::string(args[1].substr(0, 128)) +
                            "'. Try COMMAND HELP.");
}

}  // namespace cairn::kv
