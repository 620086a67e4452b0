// The bit commands on strings. The differential test (BitmapsMatchRedis and
// the random commands) holds their replies against redis-server; here, what
// it cannot see: expiries, WATCH versions, and the log codec.
#include <gtest/gtest.h>

#include "kv/errors.h"
#include "kv/log_entry.h"
#include "kv/test_driver.h"

namespace cairn::kv {
namespace {

using resp::Value;
constexpr std::int64_t kT = 1'700'000'000'000;

TEST(BitmapTest, SetBitKeepsTheExpiryAndAnUnchangedBitWritesNothing) {
  testing::Driver d;
  d.Run({"set", "k", "@"}, kT);  // 0100 0000
  d.Run({"pexpire", "k", "100000"}, kT);
  EXPECT_EQ(d.Run({"setbit", "k", "7", "1"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"get", "k"}, kT), Value::Bulk("A"));
  EXPECT_EQ(d.Run({"pttl", "k"}, kT), Value::Int(100000));
  Result<std::uint64_t> before = d.sm().KeyVersion("k", kT);
  EXPECT_EQ(d.Run({"setbit", "k", "1", "1"}, kT), Value::Int(1));  // already set
  EXPECT_EQ(*d.sm().KeyVersion("k", kT), *before);
  EXPECT_EQ(d.Run({"setbit", "k", "17", "0"}, kT), Value::Int(0));  // grows: a write
  EXPECT_EQ(d.Run({"get", "k"}, kT), Value::Bulk(std::string("A\0\0", 3)));
}

TEST(BitmapTest, BitOpReplacesTheDestinationAndDeletesItWhenEmpty) {
  testing::Driver d;
  d.Run({"set", "a", "\xf0"}, kT);
  d.Run({"rpush", "dest", "x"}, kT);
  d.Run({"pexpire", "dest", "100000"}, kT);
  EXPECT_EQ(d.Run({"bitop", "not", "dest", "a"}, kT), Value::Int(1));
  EXPECT_EQ(d.Run({"get", "dest"}, kT), Value::Bulk("\x0f"));
  EXPECT_EQ(d.Run({"pttl", "dest"}, kT), Value::Int(-1));
  EXPECT_EQ(d.Run({"bitop", "and", "dest", "none1", "none2"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"exists", "dest"}, kT), Value::Int(0));
}

TEST(BitmapLogTest, ValidatesTheBitOps) {
  auto decodes = [](Op op, EntryKind kind = EntryKind::kBatch) {
    LogEntry e;
    e.kind = kind;
    e.ops.push_back(std::move(op));
    return Decode(Encode(e)).ok();
  };
  EXPECT_TRUE(decodes(Op{OpCode::kSetBit, 0, 7, 1, {"k"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kSetBit, 0, kBitOffsetEnd, 1, {"k"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kSetBit, 0, 7, 2, {"k"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kSetBit, 0, -1, 0, {"k"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kBitOp, kBitOpXor, 0, 0, {"d", "a", "b"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kBitOp, kBitOpNot, 0, 0, {"d", "a", "b"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kBitOp, 4, 0, 0, {"d", "a"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kBitOp, kBitOpOr, 0, 0, {"d"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kGetBit, 0, 3, 0, {"k"}}));  // a read outside MULTI
  EXPECT_TRUE(decodes(Op{OpCode::kGetBit, 0, 3, 0, {"k"}}, EntryKind::kTransaction));
  EXPECT_TRUE(decodes(Op{OpCode::kBitCount, 0, 0, 0, {"k", "x", "y"}}, EntryKind::kTransaction));
  EXPECT_TRUE(decodes(Op{OpCode::kBitPos, kBitPosOne, 0, 0, {"k"}}, EntryKind::kTransaction));
  EXPECT_FALSE(decodes(Op{OpCode::kBitPos, 2, 0, 0, {"k"}}, EntryKind::kTransaction));
}

TEST(BitmapTest, ReadsInsideMultiAnswerAtTheirPlace) {
  testing::Driver d;
  d.RunSession({"multi"}, kT);
  d.RunSession({"setbit", "k", "9", "1"}, kT);
  d.RunSession({"getbit", "k", "9"}, kT);
  d.RunSession({"bitcount", "k"}, kT);
  d.RunSession({"bitpos", "k", "1"}, kT);
  d.RunSession({"bitcount", "k", "0"}, kT);  // refused on read: a string is there
  EXPECT_EQ(d.RunSession({"exec"}, kT),
            Value::Array({Value::Int(0), Value::Int(1), Value::Int(1), Value::Int(9),
                          Value::Error(errors::kSyntax)}));
}

}  // namespace
}  // namespace cairn::kv
