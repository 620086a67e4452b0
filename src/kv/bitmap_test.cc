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

TEST(BitmapTest, BitFieldReadsWritesAndOverflowsAsRedis) {
  testing::Driver d;
  // Fields are read from the most significant bit of the first byte.
  d.Run({"set", "k", "\x81"}, kT);
  EXPECT_EQ(d.Run({"bitfield", "k", "get", "u8", "0", "get", "i8", "0", "get", "u4", "#1"}, kT),
            Value::Array({Value::Int(129), Value::Int(-127), Value::Int(1)}));
  // Each subcommand sees the ones before it; the three overflow modes.
  EXPECT_EQ(
      d.Run({"bitfield", "n",        "set", "u8",     "0",   "250", "incrby", "u8",       "0",
             "10",       "overflow", "sat", "incrby", "u8",  "0",   "255",    "overflow", "fail",
             "incrby",   "u8",       "0",   "1",      "get", "u8",  "0"},
            kT),
      Value::Array(
          {Value::Int(0), Value::Int(4), Value::Int(255), Value::Null(), Value::Int(255)}));
  EXPECT_EQ(d.Run({"bitfield", "m", "overflow", "sat", "incrby", "i64", "0", "9223372036854775807",
                   "incrby", "i64", "0", "1"},
                  kT),
            Value::Array({Value::Int(INT64_MAX), Value::Int(INT64_MAX)}));
  // Redis 7.0's wrapping test: a SET far below an i5's range saturates up.
  EXPECT_EQ(d.Run({"bitfield", "q", "overflow", "sat", "set", "i5", "0", "-9223372036854775808",
                   "get", "i5", "0"},
                  kT),
            Value::Array({Value::Int(0), Value::Int(15)}));
  // The string grows to the last bit written, even when FAIL refuses it,
  // and the key keeps its expiry.
  d.Run({"set", "g", "a"}, kT);
  d.Run({"pexpire", "g", "100000"}, kT);
  EXPECT_EQ(d.Run({"bitfield", "g", "overflow", "fail", "set", "u2", "#20", "9"}, kT),
            Value::Array({Value::Null()}));
  EXPECT_EQ(d.Run({"strlen", "g"}, kT), Value::Int(6));
  EXPECT_EQ(d.Run({"pttl", "g"}, kT), Value::Int(100000));
  // A write that stores what was there, or that FAIL refused, writes
  // nothing (a WATCH stays valid), unless the string grows; as Redis 7.0.15.
  d.Run({"set", "w", "w"}, kT);  // 0111 0111
  const std::uint64_t version = *d.sm().KeyVersion("w", kT);
  EXPECT_EQ(d.Run({"bitfield", "w", "incrby", "i3", "0", "-200", "set", "u4", "4", "7"}, kT),
            Value::Array({Value::Int(3), Value::Int(7)}));
  EXPECT_EQ(d.Run({"bitfield", "w", "overflow", "fail", "incrby", "u3", "0", "100"}, kT),
            Value::Array({Value::Null()}));
  EXPECT_EQ(*d.sm().KeyVersion("w", kT), version);
  EXPECT_EQ(d.Run({"bitfield", "w", "set", "u8", "8", "0"}, kT), Value::Array({Value::Int(0)}));
  EXPECT_NE(*d.sm().KeyVersion("w", kT), version);  // it grew
  // Only GETs: a read, which writes nothing and makes no key.
  EXPECT_EQ(d.Run({"bitfield", "none", "get", "u8", "0"}, kT), Value::Array({Value::Int(0)}));
  EXPECT_EQ(d.Run({"exists", "none"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"bitfield_ro", "k", "get", "u8", "0"}, kT), Value::Array({Value::Int(129)}));
  EXPECT_EQ(d.Run({"bitfield_ro", "k", "set", "u8", "0", "1"}, kT).str,
            "ERR BITFIELD_RO only supports the GET subcommand");
  EXPECT_EQ(d.Run({"bitfield", "k", "get", "u64", "0"}, kT).str,
            "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
            "but i64 is.");
  EXPECT_EQ(d.Run({"bitfield", "k", "get", "u8", "4294967296"}, kT).str,
            "ERR bit offset is not an integer or out of range");
  EXPECT_EQ(d.Run({"bitfield", "k", "overflow", "x"}, kT).str,
            "ERR Invalid OVERFLOW type specified");
  EXPECT_EQ(d.Run({"bitfield", "k", "incrby", "u8", "0"}, kT).str, "ERR syntax error");
  d.Run({"rpush", "l", "x"}, kT);
  EXPECT_EQ(d.Run({"bitfield", "l", "get", "u8", "0"}, kT).str, errors::kWrongType);
  EXPECT_EQ(d.Run({"bitfield", "l", "set", "u8", "0", "1"}, kT).str, errors::kWrongType);
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
  // BITFIELD's subcommands travel as sent and must parse, as the log's
  // replay parses them again.
  EXPECT_TRUE(decodes(Op{OpCode::kBitField, 0, 0, 0, {"k", "set", "u8", "#1", "3"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kBitField, 0, 0, 0, {"k", "set", "u64", "0", "3"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kBitField, 0, 0, 0, {"k", "get", "u8", "0"}}));  // no write
  EXPECT_FALSE(decodes(Op{OpCode::kBitField, 0, 0, 0, {"k", "incrby", "i8", "0"}}));
  EXPECT_TRUE(
      decodes(Op{OpCode::kBitFieldRo, 0, 0, 0, {"k", "get", "i8", "0"}}, EntryKind::kTransaction));
  EXPECT_FALSE(decodes(Op{OpCode::kBitFieldRo, 0, 0, 0, {"k", "set", "i8", "0", "1"}},
                       EntryKind::kTransaction));
}

TEST(BitmapTest, ReadsInsideMultiAnswerAtTheirPlace) {
  testing::Driver d;
  d.RunSession({"multi"}, kT);
  d.RunSession({"setbit", "k", "9", "1"}, kT);
  d.RunSession({"getbit", "k", "9"}, kT);
  d.RunSession({"bitcount", "k"}, kT);
  d.RunSession({"bitpos", "k", "1"}, kT);
  d.RunSession({"bitcount", "k", "0"}, kT);  // refused on read: a string is there
  d.RunSession({"bitfield", "k", "incrby", "u4", "#2", "3"}, kT);  // bits 8-11: 0100 + 3
  d.RunSession({"bitfield_ro", "k", "get", "u4", "#2"}, kT);
  EXPECT_EQ(d.RunSession({"exec"}, kT),
            Value::Array({Value::Int(0), Value::Int(1), Value::Int(1), Value::Int(9),
                          Value::Error(errors::kSyntax), Value::Array({Value::Int(7)}),
                          Value::Array({Value::Int(7)})}));
}

}  // namespace
}  // namespace cairn::kv
