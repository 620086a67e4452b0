// A group entry's writes to one hash, set, sorted set or stream (HSET,
// HDEL, SADD, SREM, ZADD, ZREM, XADD, XACK...) decode the value once and
// encode it once (ApplyTxn::Decoded). Whatever else the group does to the
// key in between, the replies and the stored values (their order too) must
// be what the same commands give one by one. (The differential test's grouped runs hold
// random groups against redis-server too.)
#include <gtest/gtest.h>

#include <algorithm>

#include "kv/test_driver.h"

namespace cairn::kv {
namespace {

using resp::Value;
using Commands = std::vector<std::vector<std::string>>;
constexpr std::int64_t kT = 1'700'000'000'000;

// Each command at its time (kT if `times` is empty); the reads at the last.
void ExpectGroupMatchesOneByOne(const Commands& commands, const std::vector<std::string>& reads,
                                std::vector<std::int64_t> times = {}) {
  if (times.empty()) times.assign(commands.size(), kT);
  const std::int64_t read_at = times.back();
  testing::Driver one_by_one, grouped;
  std::vector<Value> expected;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    expected.push_back(one_by_one.Run(commands[i], times[i]));
  }
  std::vector<Value> actual = grouped.RunGroup(commands, times);
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (commands[i][0] == "spop") {  // its draw is seeded by the index: compare as sets
      auto by_text = [](const Value& a, const Value& b) { return a.str < b.str; };
      std::sort(actual[i].elems.begin(), actual[i].elems.end(), by_text);
      std::sort(expected[i].elems.begin(), expected[i].elems.end(), by_text);
    }
    EXPECT_EQ(actual[i], expected[i]) << "member " << i << ": " << commands[i][0];
  }
  for (const std::string& read : reads) {
    std::vector<std::string> args;
    for (std::size_t from = 0, to; from <= read.size(); from = to + 1) {
      to = read.find(' ', from);
      if (to == std::string::npos) to = read.size();
      args.push_back(read.substr(from, to - from));
    }
    EXPECT_EQ(grouped.Run(args, read_at), one_by_one.Run(args, read_at)) << read;
  }
}

TEST(GroupedWritesTest, HashesMatchTheCommandsOneByOne) {
  ExpectGroupMatchesOneByOne({{"hset", "h", "a", "1", "b", "2"},
                              {"hset", "h", "a", "3", "c", "4"},
                              {"hsetnx", "h", "a", "5"},
                              {"hsetnx", "h", "d", "6"},
                              {"hdel", "h", "b"},
                              {"hset", "h", "b", "7"},
                              {"hincrby", "h", "a", "10"},
                              {"hmset", "h", "e", "8", "a", "9"},
                              {"pexpire", "h", "100000"},
                              {"hset", "h", "f", "10"},
                              {"set", "s", "x"},
                              {"hset", "s", "a", "1"},
                              {"del", "h"},
                              {"hset", "h", "z", "0"}},
                             {"hgetall h", "pttl h", "hgetall s", "get s"});
}

TEST(GroupedWritesTest, SetsMatchTheCommandsOneByOne) {
  ExpectGroupMatchesOneByOne({{"sadd", "s", "a", "b", "a"},
                              {"sadd", "s", "b", "c"},
                              {"sadd", "s", "a"},
                              {"srem", "s", "b"},
                              {"sadd", "s", "b", "d"},
                              {"spop", "s", "10"},
                              {"sadd", "s", "e"},
                              {"pexpire", "s", "100000"},
                              {"sadd", "s", "f"},
                              {"rpush", "l", "x"},
                              {"sadd", "l", "a"},
                              {"sadd", "t", "one"}},
                             {"smembers s", "pttl s", "smembers t", "lrange l 0 -1"});
}

TEST(GroupedWritesTest, SortedSetsMatchTheCommandsOneByOne) {
  ExpectGroupMatchesOneByOne({{"zadd", "z", "1", "a", "2", "b", "3", "c"},
                              {"zadd", "z", "0", "c", "5", "d"},
                              {"zadd", "z", "nx", "9", "a", "6", "e"},
                              {"zadd", "z", "xx", "ch", "7", "a", "8", "new"},
                              {"zadd", "z", "gt", "1", "b", "4", "b"},
                              {"zadd", "z", "lt", "ch", "9", "c", "-1", "c"},
                              {"zadd", "z", "incr", "2.5", "a"},
                              {"zadd", "z", "incr", "inf", "a"},
                              {"zadd", "z", "incr", "-inf", "a"},
                              {"zadd", "z", "-0", "zero", "0", "zero"},
                              {"zrem", "z", "b"},
                              {"zadd", "z", "2", "b", "2", "bb"},
                              {"zpopmin", "z"},
                              {"zadd", "z", "3", "a"},
                              {"zincrby", "z", "1", "a"},
                              {"zadd", "z", "xx", "1", "nobody"},
                              {"zadd", "w", "xx", "1", "nobody"},
                              {"zadd", "w", "1", "x"}},
                             {"zrange z 0 -1 withscores", "zrange w 0 -1 withscores", "exists w"});
}

TEST(GroupedWritesTest, HashRemovalsAndIncrementsMatchTheCommandsOneByOne) {
  ExpectGroupMatchesOneByOne({{"hset", "h", "a", "1", "b", "2", "c", "3"},
                              {"pexpire", "h", "100000"},
                              {"hdel", "h", "b", "nope"},
                              {"hdel", "h", "b"},
                              {"hset", "h", "b", "4"},  // back, after c
                              {"hincrby", "h", "new", "5"},
                              {"hincrby", "h", "a", "-3"},
                              {"hincrbyfloat", "h", "c", "0.5"},
                              {"hincrbyfloat", "h", "f", "1e3"},
                              {"hset", "h", "s", "x"},
                              {"hincrby", "h", "s", "1"},
                              {"hincrbyfloat", "h", "s", "1"},
                              {"hincrby", "h", "a", "9223372036854775807"},
                              {"hsetnx", "h", "b", "no"},
                              {"hdel", "h", "a", "b", "c", "new", "f", "s"},  // the last: gone
                              {"hdel", "h", "a"},
                              {"hincrby", "h", "n", "1"},  // a new hash, no expiry
                              {"hdel", "missing", "x"},
                              {"set", "str", "v"},
                              {"hdel", "str", "x"},
                              {"hincrby", "str", "x", "1"},
                              {"hincrbyfloat", "str", "x", "1"}},
                             {"hgetall h", "pttl h", "exists missing", "get str"});
  // An expiry reached within the group: the HINCRBY after it starts anew.
  ExpectGroupMatchesOneByOne({{"hset", "e", "a", "1", "b", "2"},
                              {"pexpire", "e", "10"},
                              {"hdel", "e", "a"},
                              {"hincrby", "e", "b", "1"},
                              {"hdel", "e", "b"}},
                             {"hgetall e", "pttl e"}, {kT, kT, kT + 5, kT + 20, kT + 20});
}

TEST(GroupedWritesTest, SetRemovalsMatchTheCommandsOneByOne) {
  ExpectGroupMatchesOneByOne({{"sadd", "s", "a", "b", "c", "d"},
                              {"pexpire", "s", "100000"},
                              {"srem", "s", "b", "nope"},
                              {"srem", "s", "b"},
                              {"sadd", "s", "b", "e"},  // after d
                              {"srem", "s", "a", "a"},
                              {"smove", "s", "t", "c"},
                              {"sadd", "s", "a"},
                              {"srem", "s", "a", "b", "d", "e"},  // the last: gone
                              {"srem", "s", "a"},
                              {"sadd", "s", "x"},  // a new set, no expiry
                              {"srem", "missing", "x"},
                              {"set", "str", "v"},
                              {"srem", "str", "x"}},
                             {"smembers s", "pttl s", "smembers t", "get str"});
  ExpectGroupMatchesOneByOne({{"sadd", "e", "a", "b"},
                              {"pexpire", "e", "10"},
                              {"srem", "e", "a"},
                              {"srem", "e", "b"},
                              {"sadd", "e", "c"}},
                             {"smembers e", "pttl e"}, {kT, kT, kT + 5, kT + 20, kT + 20});
}

TEST(GroupedWritesTest, SetMovesMatchTheCommandsOneByOne) {
  ExpectGroupMatchesOneByOne(
      {{"sadd", "from", "a", "b", "c"},
       {"sadd", "to", "c", "z"},
       {"pexpire", "to", "100000"},
       {"smove", "from", "to", "a"},
       {"smove", "from", "to", "a"},  // gone already
       {"smove", "from", "to", "c"},  // in both
       {"smove", "to", "from", "z"},
       {"smove", "from", "from", "z"},
       {"sadd", "from", "d"},
       {"smove", "from", "new", "b"},  // a new set, no expiry
       {"smove", "from", "new", "z"},
       {"smove", "from", "new", "d"},  // the last: from is gone
       {"smove", "new", "from", "b"},  // and back
       {"set", "str", "v"},
       {"smove", "to", "str", "a"},
       {"smove", "nothing", "str", "a"}},
      {"smembers from", "smembers to", "pttl to", "smembers new", "pttl new"});
}

TEST(GroupedWritesTest, SortedSetRemovalsMatchTheCommandsOneByOne) {
  ExpectGroupMatchesOneByOne(
      {{"zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f", "7", "g"},
       {"pexpire", "z", "100000"},
       {"zrem", "z", "b", "nope"},
       {"zrem", "z", "b"},
       {"zpopmin", "z"},
       {"zpopmax", "z", "2"},
       {"zadd", "z", "2.5", "b"},
       {"zremrangebyscore", "z", "2", "(4"},
       {"zadd", "z", "0", "x", "0", "y", "0", "w"},
       {"zremrangebylex", "z", "[x", "[y"},
       {"zremrangebyrank", "z", "0", "0"},
       {"zadd", "z", "8", "h", "9", "i", "10", "j"},
       {"zremrangebyrank", "z", "2", "-3"},  // from the middle
       {"zpopmin", "z", "0"},
       {"zincrby", "z", "10", "d"},
       {"zmpop", "1", "z", "min", "count", "1"},
       {"zadd", "z", "1", "a"},
       {"zremrangebyrank", "z", "0", "-1"},  // the last: gone
       {"zrem", "z", "a"},
       {"zpopmax", "z"},
       {"zadd", "z", "1", "n"},  // a new sorted set, no expiry
       {"zrem", "missing", "x"},
       {"zpopmin", "missing", "3"},
       {"set", "str", "v"},
       {"zrem", "str", "x"},
       {"zpopmin", "str"},
       {"zremrangebyscore", "str", "0", "1"}},
      {"zrange z 0 -1 withscores", "pttl z", "get str"});
  ExpectGroupMatchesOneByOne({{"zadd", "e", "1", "a", "2", "b"},
                              {"pexpire", "e", "10"},
                              {"zrem", "e", "a"},
                              {"zpopmin", "e"},
                              {"zadd", "e", "3", "c"}},
                             {"zrange e 0 -1 withscores", "pttl e"},
                             {kT, kT, kT + 5, kT + 20, kT + 20});
}

TEST(GroupedWritesTest, StreamGroupReadsAndAcksMatchTheCommandsOneByOne) {
  ExpectGroupMatchesOneByOne(
      {{"xadd", "s", "1-1", "f", "a"},
       {"xadd", "s", "2-1", "f", "b"},
       {"xgroup", "create", "s", "g", "0"},
       {"xadd", "s", "3-1", "f", "c"},
       {"xreadgroup", "group", "g", "alice", "count", "2", "streams", "s", ">"},
       {"xadd", "s", "4-1", "f", "d"},
       {"xreadgroup", "group", "g", "bob", "streams", "s", "s", ">", ">"},
       {"xreadgroup", "group", "g", "bob", "streams", "s", ">"},
       {"xack", "s", "g", "1-1", "9-9"},
       {"xreadgroup", "group", "g", "alice", "streams", "s", "0"},
       {"xdel", "s", "2-1", "8-1"},
       {"xreadgroup", "group", "g", "alice", "streams", "s", "0"},
       {"xack", "s", "g", "2-1", "3-1"},
       {"xadd", "s", "5-1", "f", "e"},
       {"xtrim", "s", "maxlen", "2"},
       {"xreadgroup", "group", "nogroup", "c", "streams", "s", ">"},
       {"xreadgroup", "group", "g", "carol", "noack", "streams", "s", ">"},
       {"xack", "s", "nogroup", "1-1"},
       {"xack", "missing", "g", "1-1"},
       {"xdel", "missing", "1-1"},
       {"xtrim", "missing", "maxlen", "0"},
       {"xtrim", "s", "minid", "9"},
       {"xadd", "s", "6-1", "f", "g"},
       {"set", "str", "v"},
       {"xack", "str", "g", "1-1"},
       {"xdel", "str", "1-1"},
       {"xreadgroup", "group", "g", "c", "streams", "str", ">"}},
      {"xrange s - +", "xinfo stream s full", "xpending s g", "xinfo groups s", "get str"});
}

TEST(GroupedWritesTest, StreamClaimsMatchTheCommandsOneByOne) {
  ExpectGroupMatchesOneByOne(
      {{"xadd", "s", "1-1", "f", "a"},
       {"xadd", "s", "2-1", "f", "b"},
       {"xadd", "s", "3-1", "f", "c"},
       {"xgroup", "create", "s", "g", "0"},
       {"xreadgroup", "group", "g", "alice", "streams", "s", ">"},
       {"xclaim", "s", "g", "bob", "0", "1-1", "9-9"},
       {"xclaim", "s", "g", "bob", "999999", "2-1"},        // not idle enough: nothing
       {"xclaim", "s", "g", "carol", "0", "5-5", "force"},  // not in the stream
       {"xdel", "s", "2-1"},
       {"xclaim", "s", "g", "bob", "0", "2-1", "justid", "lastid", "3-1"},  // drops 2-1
       {"xautoclaim", "s", "g", "dave", "0", "0", "count", "1"},
       {"xautoclaim", "s", "g", "erin", "0", "0", "justid"},
       {"xclaim", "s", "nogroup", "bob", "0", "1-1"},
       {"xclaim", "s", "g", "bob", "x", "1-1"},  // bad min-idle
       {"xautoclaim", "missing", "g", "c", "0", "0"},
       {"set", "str", "v"},
       {"xclaim", "str", "g", "c", "0", "1-1"},
       {"xautoclaim", "str", "g", "c", "0", "0"}},
      {"xrange s - +", "xinfo stream s full", "xpending s g - + 10", "xinfo consumers s g"},
      {kT, kT, kT, kT, kT, kT + 10, kT + 10, kT + 20, kT + 20, kT + 30, kT + 40, kT + 50, kT + 50,
       kT + 50, kT + 50, kT + 50, kT + 50, kT + 50});
}

// A command that changes nothing leaves the value it decoded attached, so
// the next one need not decode it again; the key must still count as
// unwritten (WATCH), and a later change in the same entry must be kept.
TEST(GroupedWritesTest, WritesThatChangeNothingLeaveTheKeyAsItWas) {
  testing::Driver d;
  d.Run({"sadd", "s", "a", "b"}, kT);
  d.Run({"pfadd", "h", "x"}, kT);
  d.Run({"hset", "hh", "f", "v"}, kT);
  d.Run({"zadd", "z", "1", "a"}, kT);
  d.Run({"xadd", "x", "1-1", "f", "v"}, kT);
  const std::vector<std::string> keys = {"s", "h", "hh", "z", "x"};
  std::vector<std::uint64_t> before;
  for (const std::string& k : keys) before.push_back(*d.sm().KeyVersion(k, kT));
  const Commands nothing = {{"sadd", "s", "a"},         {"srem", "s", "zz"},
                            {"pfadd", "h", "x"},        {"hdel", "hh", "nope"},
                            {"hsetnx", "hh", "f", "w"}, {"zadd", "z", "nx", "5", "a"},
                            {"zrem", "z", "nope"},      {"xack", "x", "g", "1-1"},
                            {"xdel", "x", "9-9"},       {"sadd", "s", "b"}};
  const std::vector<Value> replies =
      d.RunGroup(nothing, std::vector<std::int64_t>(nothing.size(), kT));
  for (const Value& v : replies) EXPECT_EQ(v, Value::Int(0));
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(*d.sm().KeyVersion(keys[i], kT), before[i]) << keys[i];
  }
  // Unchanged first, then changed: the change is kept.
  const Commands then = {{"sadd", "s", "a"},
                         {"sadd", "s", "c"},
                         {"srem", "s", "zz"},
                         {"hdel", "hh", "nope"},
                         {"hset", "hh", "g", "w"}};
  d.RunGroup(then, std::vector<std::int64_t>(then.size(), kT));
  EXPECT_EQ(d.Run({"smembers", "s"}, kT),
            Value::Set({Value::Bulk("a"), Value::Bulk("b"), Value::Bulk("c")}));
  EXPECT_EQ(d.Run({"hgetall", "hh"}, kT),
            Value::Map({Value::Bulk("f"), Value::Bulk("v"), Value::Bulk("g"), Value::Bulk("w")}));
  EXPECT_NE(*d.sm().KeyVersion("s", kT), before[0]);
}

}  // namespace
}  // namespace cairn::kv
