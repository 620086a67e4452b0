// Sorted sets: the record codec, the score and range grammars, and what the
// differential test cannot compare (RESP3 shapes, exact score text, WATCH
// versions, the log codec). Replies are compared as Values here; the
// differential test holds the same commands against redis-server.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "kv/errors.h"
#include "kv/parse.h"
#include "kv/test_driver.h"
#include "resp/writer.h"

namespace cairn::kv {
namespace {

using resp::Value;
constexpr std::int64_t kT = 1'700'000'000'000;
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ZSetCodecTest, RoundTripsAndRejectsMalformedValues) {
  ZMembers members = {{-kInf, "z"}, {-0.5, "y"}, {1, "a"}, {1, "b"}, {kInf, ""}};
  std::string bytes = EncodeZSet(members);
  ASSERT_TRUE(ValidateZSet(bytes).ok());
  EXPECT_EQ(DecodeZSet(bytes), members);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(ValidateZSet(bytes.substr(0, n)).code(), StatusCode::kCorruption) << n;
  }
  EXPECT_EQ(ValidateZSet(bytes + "x").code(), StatusCode::kCorruption);
  EXPECT_EQ(ValidateZSet(EncodeZSet({})).code(), StatusCode::kCorruption);
  // Out of order, a member twice, a NaN score.
  EXPECT_EQ(ValidateZSet(EncodeZSet({{2, "a"}, {1, "b"}})).code(), StatusCode::kCorruption);
  EXPECT_EQ(ValidateZSet(EncodeZSet({{1, "b"}, {1, "a"}})).code(), StatusCode::kCorruption);
  EXPECT_EQ(ValidateZSet(EncodeZSet({{1, "a"}, {2, "a"}})).code(), StatusCode::kCorruption);
  EXPECT_EQ(ValidateZSet(EncodeZSet({{std::nan(""), "a"}})).code(), StatusCode::kCorruption);
  Record r{3, 0, "junk", kTypeZSet};
  EXPECT_EQ(DecodeRecord(EncodeRecord(r)).status().code(), StatusCode::kCorruption);
  r.value = bytes;
  EXPECT_EQ(*DecodeRecord(EncodeRecord(r)), r);
}

TEST(ZSetGrammarTest, ScoresAndRanges) {
  double s = 0;
  EXPECT_TRUE(ParseScore("1.5", &s) && s == 1.5);
  EXPECT_TRUE(ParseScore("-inf", &s) && s == -kInf);
  EXPECT_TRUE(ParseScore("+inf", &s) && s == kInf);
  for (const char* bad : {"", " 1", "1 ", "nan", "1e999", "abc", "(1"}) {
    EXPECT_FALSE(ParseScore(bad, &s)) << bad;
  }
  EXPECT_FALSE(ParseScore(std::string_view("1\0", 2), &s));
  ScoreRange r;
  ASSERT_TRUE(ParseScoreRange("(1", "+inf", &r));
  EXPECT_TRUE(r.min_exclusive && !r.max_exclusive && r.min == 1 && r.max == kInf);
  EXPECT_FALSE(r.AboveMin(1));
  EXPECT_TRUE(r.AboveMin(1.5) && r.BelowMax(1e300));
  // Read as C strings, as Redis does: empty is 0, the bytes after a zero are
  // not looked at, a leading space is allowed.
  ASSERT_TRUE(ParseScoreRange("", std::string_view("2\0x", 3), &r));
  EXPECT_TRUE(r.min == 0 && r.max == 2);
  EXPECT_TRUE(ParseScoreRange(" 1", "(", &r));
  EXPECT_FALSE(ParseScoreRange("nan", "1", &r));
  EXPECT_FALSE(ParseScoreRange("1", "x", &r));
  LexRange l;
  ASSERT_TRUE(ParseLexRange("-", "(b", &l));
  EXPECT_TRUE(l.AboveMin("") && l.BelowMax("a") && !l.BelowMax("b"));
  ASSERT_TRUE(ParseLexRange("[b", "+", &l));
  EXPECT_TRUE(l.AboveMin("b") && !l.AboveMin("a") && l.BelowMax("\xff"));
  for (const char* bad : {"", "a", "+a", "-a", "1"}) {
    EXPECT_FALSE(ParseLexRange(bad, "+", &l)) << bad;
  }
}

// Every reply shape that has pairs: nested in RESP3, flat in RESP2.
TEST(ZSetTest, PairsAreNestedInResp3AndFlatInResp2) {
  testing::Driver d;
  EXPECT_EQ(d.Run({"zadd", "z", "1", "a", "2.5", "b", "-inf", "c"}, kT), Value::Int(3));
  Value range = d.Run({"zrange", "z", "0", "-1", "withscores"}, kT);
  EXPECT_EQ(range, Value::Pairs({Value::Bulk("c"), Value::Double(-kInf), Value::Bulk("a"),
                                 Value::Double(1), Value::Bulk("b"), Value::Double(2.5)}));
  auto encode = [](const Value& v, resp::Protocol p) {
    std::string out;
    resp::Writer(&out, p).Write(v);
    return out;
  };
  EXPECT_EQ(encode(range, resp::Protocol::kResp2),
            "*6\r\n$1\r\nc\r\n$4\r\n-inf\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n");
  EXPECT_EQ(encode(range, resp::Protocol::kResp3),
            "*3\r\n*2\r\n$1\r\nc\r\n,-inf\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n");
  // ZPOPMIN without a count: one flat pair in both protocols.
  Value one = d.Run({"zpopmin", "z"}, kT);
  EXPECT_EQ(one, Value::Array({Value::Bulk("c"), Value::Double(-kInf)}));
  EXPECT_FALSE(one.flat_in_resp2);
  Value two = d.Run({"zpopmax", "z", "5"}, kT);
  EXPECT_EQ(two, Value::Pairs(
                     {Value::Bulk("b"), Value::Double(2.5), Value::Bulk("a"), Value::Double(1)}));
  EXPECT_EQ(d.Run({"exists", "z"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"zpopmin", "z", "2"}, kT), Value::Array());
}

// Scores print in their shortest exact form (Redis 7.0 prints 17 digits).
TEST(ZSetTest, ScoresKeepTheirValue) {
  testing::Driver d;
  d.Run({"zadd", "z", "0.1", "a"}, kT);
  EXPECT_EQ(d.Run({"zincrby", "z", "0.2", "a"}, kT), Value::Double(0.1 + 0.2));
  EXPECT_EQ(d.Run({"zscore", "z", "a"}, kT), Value::Double(0.1 + 0.2));
  EXPECT_EQ(d.Run({"zscan", "z", "0"}, kT),
            Value::Array({Value::Bulk("0"),
                          Value::Array({Value::Bulk("a"), Value::Bulk("0.30000000000000004")})}));
  // inf + -inf is NaN: refused, the score stays.
  d.Run({"zadd", "z", "inf", "b"}, kT);
  EXPECT_EQ(d.Run({"zincrby", "z", "-inf", "b"}, kT),
            Value::Error("ERR resulting score is not a number (NaN)"));
  EXPECT_EQ(d.Run({"zscore", "z", "b"}, kT), Value::Double(kInf));
}

// The removals by range and the pops take exactly their members, wherever
// they sit in the set.
TEST(ZSetTest, RangeRemovalsAndPopsTakeTheirMembers) {
  testing::Driver d;
  d.Run({"zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f", "7", "g"}, kT);
  EXPECT_EQ(d.Run({"zremrangebyrank", "z", "2", "3"}, kT), Value::Int(2));    // c d
  EXPECT_EQ(d.Run({"zremrangebyscore", "z", "(5", "6"}, kT), Value::Int(1));  // f
  EXPECT_EQ(d.Run({"zpopmax", "z"}, kT), Value::Array({Value::Bulk("g"), Value::Double(7)}));
  EXPECT_EQ(d.Run({"zrange", "z", "0", "-1"}, kT),
            Value::Array({Value::Bulk("a"), Value::Bulk("b"), Value::Bulk("e")}));
  EXPECT_EQ(d.Run({"zpopmin", "z", "2"}, kT),
            Value::Pairs({Value::Bulk("a"), Value::Double(1), Value::Bulk("b"), Value::Double(2)}));
  EXPECT_EQ(d.Run({"zrange", "z", "0", "-1", "withscores"}, kT),
            Value::Pairs({Value::Bulk("e"), Value::Double(5)}));
  // (lex ranges are meant for members of one score)
  d.Run({"zadd", "l", "0", "m", "0", "n", "0", "o", "0", "p"}, kT);
  EXPECT_EQ(d.Run({"zremrangebylex", "l", "(m", "[o"}, kT), Value::Int(2));  // n o
  EXPECT_EQ(d.Run({"zrange", "l", "0", "-1"}, kT),
            Value::Array({Value::Bulk("m"), Value::Bulk("p")}));
}

// ZUNIONSTORE and its siblings: sets count with score 1, inf + -inf sums to
// 0 (Redis's convention), the destination is replaced and loses its expiry,
// and an empty result deletes it.
TEST(ZSetTest, CombinesSortedSetsAndSets) {
  testing::Driver d;
  d.Run({"zadd", "a", "1", "x", "inf", "y"}, kT);
  d.Run({"zadd", "b", "2", "x", "-inf", "y", "5", "z"}, kT);
  d.Run({"sadd", "s", "x", "w"}, kT);
  d.Run({"set", "dst", "old"}, kT);
  d.Run({"expire", "dst", "100"}, kT);
  EXPECT_EQ(d.Run({"zunionstore", "dst", "3", "a", "b", "s", "weights", "1", "2", "3"}, kT),
            Value::Int(4));
  EXPECT_EQ(d.Run({"zrange", "dst", "0", "-1", "withscores"}, kT),
            Value::Pairs({Value::Bulk("y"), Value::Double(0), Value::Bulk("w"), Value::Double(3),
                          Value::Bulk("x"), Value::Double(1 + 3 + 4), Value::Bulk("z"),
                          Value::Double(10)}));
  EXPECT_EQ(d.Run({"ttl", "dst"}, kT), Value::Int(-1));
  EXPECT_EQ(d.Run({"zinter", "2", "a", "b", "aggregate", "max", "withscores"}, kT),
            Value::Pairs({Value::Bulk("x"), Value::Double(2), Value::Bulk("y"),
                          Value::Double(std::numeric_limits<double>::infinity())}));
  EXPECT_EQ(d.Run({"zdiff", "2", "b", "a"}, kT), Value::Array({Value::Bulk("z")}));
  EXPECT_EQ(d.Run({"zinterstore", "dst", "2", "a", "nope"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"exists", "dst"}, kT), Value::Int(0));
  EXPECT_EQ(
      d.Run({"zrangestore", "dst", "b", "(5", "-inf", "byscore", "rev", "limit", "1", "1"}, kT),
      Value::Int(1));
  EXPECT_EQ(d.Run({"zrange", "dst", "0", "-1"}, kT), Value::Array({Value::Bulk("y")}));
  // The keys' types are checked before the options, as Redis does.
  d.Run({"set", "str", "v"}, kT);
  EXPECT_EQ(d.Run({"zunion", "2", "a", "str", "bogus"}, kT).str, errors::kWrongType);
  EXPECT_EQ(d.Run({"zunion", "2", "a", "b", "bogus"}, kT).str, errors::kSyntax);
  EXPECT_EQ(d.Run({"zunion", "1", "a", "weights", "x"}, kT).str, "ERR weight value is not a float");
}

// The blocking pops' ops: the first key that holds the type, WRONGTYPE at
// the first that holds another, a null array (the server then waits) if
// none; the timeout is checked first and not carried in the log.
TEST(ZSetTest, BlockingPopsTakeTheFirstKeyThatHasSomething) {
  testing::Driver d;
  d.Run({"zadd", "b", "1", "x", "2", "y"}, kT);
  d.Run({"rpush", "l", "e1", "e2"}, kT);
  EXPECT_EQ(d.Run({"bzpopmax", "a", "b", "0"}, kT),
            Value::Array({Value::Bulk("b"), Value::Bulk("y"), Value::Double(2)}));
  EXPECT_EQ(d.Run({"brpop", "none", "l", "0.5"}, kT),
            Value::Array({Value::Bulk("l"), Value::Bulk("e2")}));
  EXPECT_EQ(d.Run({"blpop", "none", "1"}, kT), Value::NullArray());
  EXPECT_EQ(d.Run({"bzpopmin", "l", "b", "0"}, kT).str, errors::kWrongType);
  EXPECT_EQ(d.Run({"blpop", "l", "-1"}, kT).str, "ERR timeout is negative");
  EXPECT_EQ(d.Run({"blpop", "l", "soon"}, kT).str, "ERR timeout is not a float or out of range");
  EXPECT_EQ(kv::BlockingTimeoutMs({"blpop", "l", "0.25"}), 250);
  EXPECT_EQ(kv::BlockingTimeoutMs({"BRPOPLPUSH", "a", "b", "0"}), 0);
  EXPECT_EQ(kv::BlockingTimeoutMs({"lpop", "l", "1"}), std::nullopt);
}

TEST(ZSetTest, WatchSeesChangesOnly) {
  testing::Driver d;
  d.Run({"zadd", "z", "1", "m"}, kT);
  std::uint64_t v1 = *d.sm().KeyVersion("z", kT);
  EXPECT_EQ(d.Run({"zadd", "z", "1", "m"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"zadd", "z", "nx", "5", "m"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"zadd", "z", "gt", "0", "m"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"zrem", "z", "nope"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"zremrangebyscore", "z", "5", "6"}, kT), Value::Int(0));
  EXPECT_EQ(*d.sm().KeyVersion("z", kT), v1);
  EXPECT_EQ(d.Exec({{"zadd", "z", "ch", "2", "m"}, {"zscore", "z", "m"}}, {{"z", v1}}, kT),
            Value::Array({Value::Int(1), Value::Double(2)}));
  EXPECT_GT(*d.sm().KeyVersion("z", kT), v1);
}

TEST(ZSetTest, ExpiryAndTypeSurviveWrites) {
  testing::Driver d;
  d.Run({"zadd", "z", "1", "a", "2", "b"}, kT);
  d.Run({"pexpire", "z", "1000"}, kT);
  d.Run({"zadd", "z", "3", "c"}, kT);
  d.Run({"zpopmin", "z"}, kT);
  EXPECT_EQ(d.Run({"pttl", "z"}, kT), Value::Int(1000));
  EXPECT_EQ(d.Run({"type", "z"}, kT), Value::Simple("zset"));
  EXPECT_EQ(d.Run({"zcard", "z"}, kT + 1000), Value::Int(0));
  d.Run({"set", "s", "x"}, kT);
  EXPECT_EQ(d.Run({"zadd", "s", "1", "a"}, kT).str, errors::kWrongType);
  EXPECT_EQ(d.Run({"zrange", "s", "0", "1"}, kT).str, errors::kWrongType);
  EXPECT_EQ(d.Run({"get", "z"}, kT).str, errors::kWrongType);
}

TEST(ZSetLogTest, ValidatesTheSortedSetOps) {
  auto decodes = [](Op op, EntryKind kind = EntryKind::kBatch) {
    LogEntry e;
    e.kind = kind;
    e.ops.push_back(std::move(op));
    return Decode(Encode(e)).ok();
  };
  EXPECT_TRUE(decodes(Op{OpCode::kZAdd, 0, 0, 0, {"z", "1", "m"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kZAdd, 0, 0, 0, {"z", "1"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kZAdd, 0, 0, 0, {"z", "x", "m"}}));  // not a score
  EXPECT_FALSE(decodes(Op{OpCode::kZAdd, kZAddIncr, 0, 0, {"z", "1", "a", "2", "b"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kZAdd, kZAddNx | kZAddGt, 0, 0, {"z", "1", "m"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kZPop, kZMax, -1, 0, {"z"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kZPop, 0, -2, 0, {"z"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kZRemRange, kZByLex, 0, 0, {"z", "[a", "+"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kZRemRange, kZByLex, 0, 0, {"z", "a", "+"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kZRemRange, kZByRank, 0, 0, {"z", "1.5", "2"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kZRange, 0, 0, -1, {"z", "0", "1"}}));  // a read
  EXPECT_TRUE(
      decodes(Op{OpCode::kZRange, kZByScore | kZRev | kZWithScores, 0, -1, {"z", "(1", "inf"}},
              EntryKind::kTransaction));
  EXPECT_FALSE(decodes(Op{OpCode::kZRange, kZByLex | kZWithScores, 0, -1, {"z", "-", "+"}},
                       EntryKind::kTransaction));
  EXPECT_FALSE(decodes(Op{OpCode::kZCount, 0, 0, 0, {"z", "x", "1"}}, EntryKind::kTransaction));
  EXPECT_TRUE(decodes(Op{OpCode::kZStore, kSetUnion | kZWeights, 2, 0, {"d", "a", "b", "1", "2"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kZStore, kSetUnion | kZWeights, 2, 0, {"d", "a", "b", "1"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kZStore, kSetUnion, 3, 0, {"d", "a", "b"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kZStore, kSetInter | kZCombineWithScores, 1, 0, {"d", "a"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kZStore, kSetInter | kZBadOption, 1, 1, {"d", "a"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kZRangeStore, kZByLex, 0, -1, {"d", "s", "-", "+"}}));
  EXPECT_FALSE(
      decodes(Op{OpCode::kZRangeStore, kZByLex | kZWithScores, 0, -1, {"d", "s", "-", "+"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kZCombine, kSetDiff, 2, 0, {"a", "b"}}, EntryKind::kTransaction));
  EXPECT_TRUE(decodes(Op{OpCode::kZPopFirst, kZMax, 0, 0, {"a", "b"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kZPopFirst, 2, 0, 0, {"a"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kLPopFirst, kListLeft, 0, 0, {"a"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kLPopFirst, 0, 0, 0, {}}));
}

}  // namespace
}  // namespace cairn::kv
