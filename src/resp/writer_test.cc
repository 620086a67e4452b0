#include "resp/writer.h"

#include <gtest/gtest.h>

#include <limits>

#include "resp/reply_parser.h"

namespace cairn::resp {
namespace {

std::string Encode(const Value& v, Protocol p) {
  std::string out;
  Writer(&out, p).Write(v);
  return out;
}

TEST(WriterTest, ScalarsInBothProtocols) {
  EXPECT_EQ(Encode(Value::Simple("OK"), Protocol::kResp2), "+OK\r\n");
  EXPECT_EQ(Encode(Value::Error("ERR bad"), Protocol::kResp2), "-ERR bad\r\n");
  EXPECT_EQ(Encode(Value::Int(-42), Protocol::kResp2), ":-42\r\n");
  EXPECT_EQ(Encode(Value::Bulk("a\r\nb"), Protocol::kResp2), "$4\r\na\r\nb\r\n");
  EXPECT_EQ(Encode(Value::Bulk(""), Protocol::kResp2), "$0\r\n\r\n");
  EXPECT_EQ(Encode(Value::Null(), Protocol::kResp2), "$-1\r\n");
  EXPECT_EQ(Encode(Value::Null(), Protocol::kResp3), "_\r\n");
  EXPECT_EQ(Encode(Value::NullArray(), Protocol::kResp2), "*-1\r\n");
  EXPECT_EQ(Encode(Value::NullArray(), Protocol::kResp3), "_\r\n");
  EXPECT_EQ(Encode(Value::Boolean(true), Protocol::kResp3), "#t\r\n");
  EXPECT_EQ(Encode(Value::Boolean(false), Protocol::kResp2), ":0\r\n");
  EXPECT_EQ(Encode(Value::Double(1.5), Protocol::kResp3), ",1.5\r\n");
  EXPECT_EQ(Encode(Value::Double(1.5), Protocol::kResp2), "$3\r\n1.5\r\n");
  EXPECT_EQ(Encode(Value::Double(std::numeric_limits<double>::infinity()), Protocol::kResp3),
            ",inf\r\n");
}

TEST(WriterTest, ErrorTextCannotBreakFraming) {
  EXPECT_EQ(Encode(Value::Error("ERR a\r\nb"), Protocol::kResp2), "-ERR a  b\r\n");
}

TEST(WriterTest, AggregatesDowngradeInResp2) {
  Value map = Value::Map({Value::Bulk("k"), Value::Int(1)});
  EXPECT_EQ(Encode(map, Protocol::kResp3), "%1\r\n$1\r\nk\r\n:1\r\n");
  EXPECT_EQ(Encode(map, Protocol::kResp2), "*2\r\n$1\r\nk\r\n:1\r\n");
  Value set = Value::Set({Value::Bulk("x")});
  EXPECT_EQ(Encode(set, Protocol::kResp3), "~1\r\n$1\r\nx\r\n");
  EXPECT_EQ(Encode(set, Protocol::kResp2), "*1\r\n$1\r\nx\r\n");
  Value push = Value::Push({Value::Bulk("message")});
  EXPECT_EQ(Encode(push, Protocol::kResp3), ">1\r\n$7\r\nmessage\r\n");
  EXPECT_EQ(Encode(Value::Array(), Protocol::kResp2), "*0\r\n");
}

TEST(WriterTest, AppendsWithoutClearing) {
  std::string out = "prefix";
  Writer w(&out, Protocol::kResp2);
  w.SimpleString("OK");
  w.Integer(1);
  EXPECT_EQ(out, "prefix+OK\r\n:1\r\n");
}

// Every value the writer produces in RESP3 parses back to itself.
TEST(WriterTest, Resp3RoundTripThroughReplyParser) {
  Value verbatim;
  verbatim.type = Type::kVerbatim;
  verbatim.str = "txt:hello";
  Value big;
  big.type = Type::kBigNumber;
  big.str = "-123456789012345678901234567890";
  Value attributed = Value::Int(7);
  attributed.attributes = {Value::Bulk("ttl"), Value::Int(3)};
  Value tree = Value::Array({
      Value::Simple("OK"), Value::Error("ERR x"), Value::Int(5), Value::Bulk("b"), Value::Null(),
      Value::Double(-0.25), Value::Boolean(true), verbatim, big,
      Value::Map({Value::Bulk("k"), Value::Set({Value::Int(1)})}),
      Value::Push({Value::Bulk("p")}), attributed});
  ReplyParser parser;
  parser.Feed(Encode(tree, Protocol::kResp3));
  Value back;
  ASSERT_TRUE(*parser.Next(&back));
  EXPECT_EQ(back, tree) << ToDebugString(back);
}

}  // namespace
}  // namespace cairn::resp
