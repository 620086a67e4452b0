// A group entry's HSETs, SADDs, ZADDs and XADDs on one key decode the value
// once and encode it once (ApplyTxn::Decoded). Whatever else the group does
// to the key in between, the replies and the stored values must be what the
// same commands give one by one. (The differential test's grouped runs hold
// random groups against redis-server too.)
#include <gtest/gtest.h>

#include <algorithm>

#include "kv/test_driver.h"

namespace cairn::kv {
namespace {

using resp::Value;
using Commands = std::vector<std::vector<std::string>>;
constexpr std::int64_t kT = 1'700'000'000'000;

void ExpectGroupMatchesOneByOne(const Commands& commands, const std::vector<std::string>& reads) {
  std::vector<std::int64_t> times(commands.size(), kT);
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
    EXPECT_EQ(grouped.Run(args, kT), one_by_one.Run(args, kT)) << read;
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

}  // namespace
}  // namespace cairn::kv
