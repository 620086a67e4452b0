#include "resp/reply_parser.h"

#include <gtest/gtest.h>

#include <cmath>

#include "resp/writer.h"

namespace cairn::resp {
namespace {

Result<std::vector<Value>> ParseAll(std::string_view input, std::size_t chunk,
                                    ReplyLimits limits = {}) {
  ReplyParser parser(limits);
  std::vector<Value> out;
  for (std::size_t i = 0; i < input.size(); i += chunk) {
    parser.Feed(input.substr(i, chunk));
    Value v;
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool got, parser.Next(&v));
      if (!got) break;
      out.push_back(v);
    }
  }
  return out;
}

TEST(ReplyParserTest, Resp2RepliesInEveryChunking) {
  std::string input = "+OK\r\n-ERR no\r\n:12\r\n$3\r\nfoo\r\n$-1\r\n*-1\r\n*2\r\n$1\r\na\r\n:1\r\n";
  for (std::size_t chunk = 1; chunk <= input.size(); ++chunk) {
    auto r = ParseAll(input, chunk);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->size(), 7u);
    EXPECT_EQ((*r)[0], Value::Simple("OK"));
    EXPECT_EQ((*r)[1], Value::Error("ERR no"));
    EXPECT_EQ((*r)[2], Value::Int(12));
    EXPECT_EQ((*r)[3], Value::Bulk("foo"));
    EXPECT_EQ((*r)[4], Value::Null());
    EXPECT_EQ((*r)[5], Value::NullArray());
    EXPECT_EQ((*r)[6], Value::Array({Value::Bulk("a"), Value::Int(1)}));
  }
}

TEST(ReplyParserTest, Resp3Types) {
  auto r = ParseAll(
      "_\r\n#f\r\n,3.25\r\n,-inf\r\n(12345678901234567890\r\n=7\r\ntxt:abc\r\n!5\r\nERR x\r\n"
      "%1\r\n+k\r\n~2\r\n:1\r\n:2\r\n>2\r\n+message\r\n$2\r\nhi\r\n"
      "|1\r\n+key-popularity\r\n,0.5\r\n:9\r\n",
      5);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 10u);
  EXPECT_EQ((*r)[0].type, Type::kNull);
  EXPECT_EQ((*r)[1], Value::Boolean(false));
  EXPECT_EQ((*r)[2], Value::Double(3.25));
  EXPECT_TRUE(std::isinf((*r)[3].dbl));
  EXPECT_EQ((*r)[4].type, Type::kBigNumber);
  EXPECT_EQ((*r)[4].str, "12345678901234567890");
  EXPECT_EQ((*r)[5].type, Type::kVerbatim);
  EXPECT_EQ((*r)[5].str, "txt:abc");
  EXPECT_EQ((*r)[6], Value::Error("ERR x"));
  EXPECT_EQ((*r)[7].type, Type::kMap);
  EXPECT_EQ((*r)[7].elems, (std::vector<Value>{Value::Simple("k"),
                                               Value::Set({Value::Int(1), Value::Int(2)})}));
  EXPECT_EQ((*r)[8], Value::Push({Value::Simple("message"), Value::Bulk("hi")}));
  EXPECT_EQ((*r)[9].integer, 9);
  EXPECT_EQ((*r)[9].attributes,
            (std::vector<Value>{Value::Simple("key-popularity"), Value::Double(0.5)}));
}

// A relaying node keeps a double's digits, so writing it again repeats them.
TEST(ReplyParserTest, KeepsDoubleTextWhenAsked) {
  for (bool keep : {false, true}) {
    ReplyParser parser;
    parser.set_keep_double_text(keep);
    parser.Feed(",13.36138933897018433\r\n");
    Value v;
    ASSERT_TRUE(parser.Next(&v).value());
    EXPECT_EQ(v.type, Type::kDouble);
    EXPECT_DOUBLE_EQ(v.dbl, 13.36138933897018433);
    std::string out;
    Writer(&out, Protocol::kResp3).Write(v);
    EXPECT_EQ(out, keep ? ",13.36138933897018433\r\n" : ",13.361389338970184\r\n");
  }
}

TEST(ReplyParserTest, MalformedRepliesAreErrors) {
  for (std::string_view bad : {"?x\r\n", ":12a\r\n", "#x\r\n", ",abc\r\n", "$3\r\nabcd\r\n",
                               "$-2\r\n", "*-2\r\n", "=2\r\nab\r\n", "(12x\r\n", "*?\r\n",
                               "_x\r\n", "%-1\r\n"}) {
    auto r = ParseAll(bad, bad.size());
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST(ReplyParserTest, LimitsAreEnforced) {
  ReplyLimits limits;
  limits.depth_max = 3;
  limits.bulk_bytes_max = 4;
  limits.aggregate_elements_max = 2;
  EXPECT_FALSE(ParseAll("*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", 100, limits).ok());
  EXPECT_TRUE(ParseAll("*1\r\n*1\r\n:1\r\n", 100, limits).ok());
  EXPECT_FALSE(ParseAll("$5\r\n", 100, limits).ok());
  EXPECT_FALSE(ParseAll("*3\r\n", 100, limits).ok());
  EXPECT_FALSE(ParseAll("%2\r\n", 100, limits).ok());  // 2 pairs = 4 elements
}

TEST(ReplyParserTest, IncompleteReplyWaitsForMoreBytes) {
  ReplyParser parser;
  parser.Feed("*2\r\n:1\r\n");
  Value v;
  EXPECT_FALSE(*parser.Next(&v));
  parser.Feed(":2\r\n");
  ASSERT_TRUE(*parser.Next(&v));
  EXPECT_EQ(v, Value::Array({Value::Int(1), Value::Int(2)}));
  EXPECT_EQ(parser.buffered_bytes(), 0u);
}

}  // namespace
}  // namespace cairn::resp
