#include "kv/parse.h"

#include <gtest/gtest.h>

#include <limits>

namespace cairn::kv {
namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;

std::string ErrorOf(const Args& args) {
  Result<Op> op = ParseCommand(args, kNow);
  return op.ok() ? "<ok>" : std::string(op.status().message());
}

TEST(ParseTest, StrictIntegers) {
  std::int64_t v = 0;
  EXPECT_TRUE(ParseStrictInt64("0", &v));
  EXPECT_TRUE(ParseStrictInt64("-9223372036854775808", &v));
  EXPECT_EQ(v, std::numeric_limits<std::int64_t>::min());
  EXPECT_TRUE(ParseStrictInt64("9223372036854775807", &v));
  EXPECT_FALSE(ParseStrictInt64("9223372036854775808", &v));
  for (const char* bad : {"", "01", "-0", "+1", " 1", "1 ", "1a", "--1", "-", "1.5"}) {
    EXPECT_FALSE(ParseStrictInt64(bad, &v)) << bad;
  }
}

TEST(ParseTest, UnknownCommandAndArity) {
  EXPECT_EQ(ErrorOf({"foo", "a", "b"}),
            "ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
  EXPECT_EQ(ErrorOf({"FOO"}), "ERR unknown command 'FOO', with args beginning with: ");
  EXPECT_EQ(ErrorOf({"GET"}), "ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(ErrorOf({"get", "a", "b"}), "ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(ErrorOf({"mset", "a", "1", "b"}), "ERR wrong number of arguments for 'mset' command");
  EXPECT_EQ(ParseCommand({"PING"}, kNow).status().code(), StatusCode::kUnimplemented);
}

TEST(ParseTest, SetOptions) {
  Result<Op> op = ParseCommand({"set", "k", "v", "EX", "10", "NX", "GET"}, kNow);
  ASSERT_TRUE(op.ok());
  EXPECT_EQ(op->code, OpCode::kSet);
  EXPECT_EQ(op->flags, kSetNx | kSetGet | kSetExpire);
  EXPECT_EQ(op->num, kNow + 10000);
  op = ParseCommand({"set", "k", "v", "pxat", "123"}, kNow);
  ASSERT_TRUE(op.ok());
  EXPECT_EQ(op->num, 123);
  op = ParseCommand({"set", "k", "v", "ex", "1", "ex", "2"}, kNow);  // repeats: last wins
  ASSERT_TRUE(op.ok());
  EXPECT_EQ(op->num, kNow + 2000);
  EXPECT_EQ(ErrorOf({"set", "k", "v", "NX", "XX"}), "ERR syntax error");
  EXPECT_EQ(ErrorOf({"set", "k", "v", "EX", "1", "PX", "1"}), "ERR syntax error");
  EXPECT_EQ(ErrorOf({"set", "k", "v", "KEEPTTL", "EX", "1"}), "ERR syntax error");
  EXPECT_EQ(ErrorOf({"set", "k", "v", "EX"}), "ERR syntax error");
  EXPECT_EQ(ErrorOf({"set", "k", "v", "bogus"}), "ERR syntax error");
  EXPECT_EQ(ErrorOf({"set", "k", "v", "EX", "x"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(ErrorOf({"set", "k", "v", "EX", "0"}), "ERR invalid expire time in 'set' command");
  EXPECT_EQ(ErrorOf({"set", "k", "v", "PX", "-5"}), "ERR invalid expire time in 'set' command");
  EXPECT_EQ(ErrorOf({"set", "k", "v", "EX", "9223372036854775"}),
            "ERR invalid expire time in 'set' command");  // overflows once now is added
  EXPECT_EQ(ErrorOf({"set", "k", "v", "EX", "9223372036854776"}),
            "ERR invalid expire time in 'set' command");
}

TEST(ParseTest, ExpireOptions) {
  Result<Op> op = ParseCommand({"expire", "k", "-5", "gt"}, kNow);
  ASSERT_TRUE(op.ok());
  EXPECT_EQ(op->code, OpCode::kExpireAt);
  EXPECT_EQ(op->num, kNow - 5000);
  EXPECT_EQ(op->flags, kExpireGt);
  EXPECT_EQ(ErrorOf({"expire", "k", "5", "nx", "xx"}),
            "ERR NX and XX, GT or LT options at the same time are not compatible");
  EXPECT_EQ(ErrorOf({"expire", "k", "5", "gt", "lt"}),
            "ERR GT and LT options at the same time are not compatible");
  EXPECT_EQ(ErrorOf({"expire", "k", "5", "zz"}), "ERR Unsupported option zz");
  EXPECT_EQ(ErrorOf({"expire", "k", "x"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(ErrorOf({"pexpire", "k", "9223372036854775807"}),
            "ERR invalid expire time in 'pexpire' command");
  EXPECT_EQ(ErrorOf({"expire", "k", "9223372036854775807"}),
            "ERR invalid expire time in 'expire' command");
}

TEST(ParseTest, CountersAndScan) {
  EXPECT_EQ(ErrorOf({"incrby", "k", "1.5"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(ErrorOf({"decrby", "k", "-9223372036854775808"}), "ERR decrement would overflow");
  EXPECT_EQ(ParseCommand({"decr", "k"}, kNow)->num, -1);
  EXPECT_EQ(ErrorOf({"scan", "x"}), "ERR invalid cursor");
  EXPECT_EQ(ErrorOf({"scan", " 1"}), "ERR invalid cursor");
  EXPECT_EQ(ErrorOf({"scan", "-"}), "ERR invalid cursor");
  EXPECT_EQ(ErrorOf({"scan", "18446744073709551616"}), "ERR invalid cursor");
  EXPECT_EQ(ParseCommand({"scan", "-1"}, kNow)->num, -1);  // wraps, as strtoul does
  EXPECT_EQ(ParseCommand({"scan", ""}, kNow)->num, 0);
  EXPECT_EQ(ErrorOf({"scan", "0", "count", "0"}), "ERR syntax error");
  EXPECT_EQ(ErrorOf({"scan", "0", "count"}), "ERR syntax error");
  EXPECT_EQ(ErrorOf({"scan", "0", "count", "x"}), "ERR value is not an integer or out of range");
  Result<Op> op = ParseCommand({"scan", "42", "MATCH", "a*", "COUNT", "7", "TYPE", "string"}, kNow);
  ASSERT_TRUE(op.ok());
  EXPECT_EQ(op->num, 42);
  EXPECT_EQ(op->num2, 7);
  EXPECT_EQ(op->args, (std::vector<std::string>{"a*", "string"}));
  EXPECT_EQ(ErrorOf({"flushdb", "now"}), "ERR syntax error");
  EXPECT_EQ(ErrorOf({"flushdb", "ASYNC"}), "<ok>");
}

}  // namespace
}  // namespace cairn::kv
