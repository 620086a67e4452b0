// The Redis 7.0 additions to the collection families: LMPOP / ZMPOP and
// their blocking forms, SINTERCARD / ZINTERCARD, and the random reads
// (SRANDMEMBER, HRANDFIELD, ZRANDMEMBER). The differential test compares
// their replies with redis-server; here, what it cannot: how draws are
// seeded, RESP2 and RESP3 shapes, and the log codec.
#include <gtest/gtest.h>

#include <set>

#include "kv/errors.h"
#include "kv/parse.h"
#include "kv/random_draw.h"
#include "kv/test_driver.h"
#include "resp/writer.h"

namespace cairn::kv {
namespace {

using resp::Value;
constexpr std::int64_t kT = 1'700'000'000'000;

std::string Encoded(const Value& v, resp::Protocol p) {
  std::string out;
  resp::Writer(&out, p).Write(v);
  return out;
}

TEST(DrawIndexesTest, CountsMeanWhatRedisMeans) {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    auto some = DrawIndexes(10, 4, seed);
    EXPECT_EQ(some.size(), 4u);
    EXPECT_EQ(std::set<std::size_t>(some.begin(), some.end()).size(), 4u) << "seed " << seed;
    for (std::size_t i : some) EXPECT_LT(i, 10u);
    auto repeats = DrawIndexes(3, -20, seed);
    EXPECT_EQ(repeats.size(), 20u);
    for (std::size_t i : repeats) EXPECT_LT(i, 3u);
  }
  EXPECT_EQ(DrawIndexes(3, 3, 7), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(DrawIndexes(3, 100, 7), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_TRUE(DrawIndexes(0, -5, 7).empty());
  EXPECT_TRUE(DrawIndexes(5, 0, 7).empty());
  EXPECT_EQ(DrawIndexes(100, 5, 42), DrawIndexes(100, 5, 42));  // a seed replays
}

TEST(RandomReadTest, EachReadDrawsAfresh) {
  testing::Driver d;
  std::vector<std::string> sadd = {"sadd", "s"};
  for (int i = 0; i < 50; ++i) sadd.push_back("m" + std::to_string(i));
  d.Run(sadd, kT);
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) seen.insert(d.Run({"srandmember", "s"}, kT).str);
  EXPECT_GT(seen.size(), 5u);  // 20 draws of 50 that all agree would be a fixed seed
  for (const std::string& m : seen) EXPECT_EQ(m[0], 'm');
  EXPECT_EQ(d.Run({"srandmember", "none"}, kT), Value::Null());
  EXPECT_EQ(d.Run({"srandmember", "none", "3"}, kT), Value::Array());
  EXPECT_EQ(d.Run({"srandmember", "s", "0"}, kT), Value::Array());
  EXPECT_EQ(d.Run({"srandmember", "s", "-7"}, kT).elems.size(), 7u);
  EXPECT_EQ(d.Run({"srandmember", "s", "1000"}, kT).elems.size(), 50u);
  d.Run({"set", "str", "v"}, kT);
  EXPECT_EQ(d.Run({"srandmember", "str", "0"}, kT).str, errors::kWrongType);
  EXPECT_EQ(d.Run({"hrandfield", "s"}, kT).str, errors::kWrongType);
  // A negative count builds its whole reply: beyond ten million it is refused.
  EXPECT_EQ(d.Run({"srandmember", "s", "-10000001"}, kT).str,
            "ERR count is out of range: Cairn draws at most 10000000 elements in one call");
  EXPECT_TRUE(ParseCommand({"srandmember", "s", "-10000000"}, kT).ok());
}

TEST(RandomReadTest, PairsAreNestedInResp3AndFlatInResp2) {
  testing::Driver d;
  d.Run({"hset", "h", "f", "v"}, kT);
  d.Run({"zadd", "z", "1.5", "m"}, kT);
  Value fields = d.Run({"hrandfield", "h", "-2", "withvalues"}, kT);
  EXPECT_EQ(Encoded(fields, resp::Protocol::kResp2),
            "*4\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\nf\r\n$1\r\nv\r\n");
  EXPECT_EQ(Encoded(fields, resp::Protocol::kResp3),
            "*2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
  Value members = d.Run({"zrandmember", "z", "1", "WITHSCORES"}, kT);
  EXPECT_EQ(Encoded(members, resp::Protocol::kResp2), "*2\r\n$1\r\nm\r\n$3\r\n1.5\r\n");
  EXPECT_EQ(Encoded(members, resp::Protocol::kResp3), "*1\r\n*2\r\n$1\r\nm\r\n,1.5\r\n");
  EXPECT_EQ(d.Run({"zrandmember", "z"}, kT), Value::Bulk("m"));
  EXPECT_EQ(d.Run({"hrandfield", "h", "1", "withscores"}, kT).str, errors::kSyntax);
  EXPECT_EQ(d.Run({"hrandfield", "h", "4611686018427387904", "withvalues"}, kT).str,
            "ERR value is out of range");
}

// Inside MULTI a random read is applied on every replica: each must draw
// the same members, or replicas would answer a transaction differently.
TEST(RandomReadTest, TransactionsDrawAlikeOnEveryReplica) {
  std::vector<std::string> sadd = {"sadd", "s"};
  for (int i = 0; i < 100; ++i) sadd.push_back(std::to_string(i));
  const std::vector<std::vector<std::string>> txn = {
      {"srandmember", "s", "5"}, {"srandmember", "s", "5"}, {"sadd", "s", "x"}};
  testing::Driver a, b;
  a.Run(sadd, kT);
  b.Run(sadd, kT);
  Value from_a = a.Exec(txn, {}, kT);
  Value from_b = b.Exec(txn, {}, kT);
  EXPECT_EQ(from_a, from_b);
  ASSERT_EQ(from_a.elems.size(), 3u);
  EXPECT_NE(from_a.elems[0], from_a.elems[1]);  // each read of the entry draws anew
}

TEST(MPopTest, PopsFromTheFirstNonEmptyKey) {
  testing::Driver d;
  d.Run({"rpush", "l", "a", "b", "c"}, kT);
  EXPECT_EQ(d.Run({"lmpop", "2", "none", "l", "right", "count", "2"}, kT),
            Value::Array({Value::Bulk("l"), Value::Array({Value::Bulk("c"), Value::Bulk("b")})}));
  EXPECT_EQ(d.Run({"lmpop", "1", "l", "LEFT", "COUNT", "10"}, kT),
            Value::Array({Value::Bulk("l"), Value::Array({Value::Bulk("a")})}));
  EXPECT_EQ(d.Run({"exists", "l"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"lmpop", "1", "l", "left"}, kT), Value::NullArray());
  EXPECT_EQ(d.Run({"lmpop", "0", "l", "left"}, kT).str, "ERR numkeys should be greater than 0");
  EXPECT_EQ(d.Run({"lmpop", "1", "l", "left", "count", "0"}, kT).str,
            "ERR count should be greater than 0");
  EXPECT_EQ(d.Run({"lmpop", "2", "l", "left"}, kT).str, errors::kSyntax);

  d.Run({"zadd", "z", "1", "a", "2", "b", "3", "c"}, kT);
  Value popped = d.Run({"zmpop", "1", "z", "max", "count", "2"}, kT);
  // Nested pairs in both protocols (not flat in RESP2, unlike ZPOPMAX's).
  EXPECT_EQ(Encoded(popped, resp::Protocol::kResp2),
            "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_EQ(Encoded(popped, resp::Protocol::kResp3),
            "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n");
  EXPECT_EQ(d.Run({"bzmpop", "0", "2", "l", "z", "min"}, kT),
            Value::Array({Value::Bulk("z"),
                          Value::Array({Value::Array({Value::Bulk("a"), Value::Double(1)})})}));
  EXPECT_EQ(d.Run({"bzmpop", "0", "1", "z", "min"}, kT), Value::NullArray());
  EXPECT_EQ(d.Run({"blmpop", "-1", "1", "l", "left"}, kT).str, "ERR timeout is negative");
  EXPECT_EQ(kv::BlockingTimeoutMs({"blmpop", "0.5", "1", "l", "left"}), 500);
  EXPECT_EQ(kv::BlockingTimeoutMs({"BZMPOP", "2", "1", "z", "min", "count", "3"}), 2000);
}

TEST(InterCardTest, CountsUpToTheLimit) {
  testing::Driver d;
  d.Run({"sadd", "a", "1", "2", "3", "4"}, kT);
  d.Run({"sadd", "b", "2", "3", "4", "5"}, kT);
  d.Run({"zadd", "z", "0", "3", "0", "4", "0", "9"}, kT);
  EXPECT_EQ(d.Run({"sintercard", "2", "a", "b"}, kT), Value::Int(3));
  EXPECT_EQ(d.Run({"sintercard", "2", "a", "b", "limit", "2"}, kT), Value::Int(2));
  EXPECT_EQ(d.Run({"sintercard", "2", "a", "b", "limit", "0"}, kT), Value::Int(3));
  EXPECT_EQ(d.Run({"sintercard", "3", "a", "b"}, kT).str,
            "ERR Number of keys can't be greater than number of args");
  EXPECT_EQ(d.Run({"sintercard", "1", "a", "limit", "-1"}, kT).str, "ERR LIMIT can't be negative");
  EXPECT_EQ(d.Run({"sintercard", "2", "a", "z"}, kT).str, errors::kWrongType);
  // ZINTERCARD takes sets as well, and checks LIMIT only after the types.
  EXPECT_EQ(d.Run({"zintercard", "3", "a", "b", "z"}, kT), Value::Int(2));
  EXPECT_EQ(d.Run({"zintercard", "2", "a", "z", "limit", "1"}, kT), Value::Int(1));
  d.Run({"set", "str", "v"}, kT);
  EXPECT_EQ(d.Run({"zintercard", "2", "str", "z", "limit", "-1"}, kT).str, errors::kWrongType);
  EXPECT_EQ(d.Run({"zintercard", "1", "z", "limit", "-1"}, kT).str, "ERR LIMIT can't be negative");
}

TEST(Redis7LogTest, ValidatesTheNewOps) {
  auto decodes = [](Op op, EntryKind kind = EntryKind::kBatch) {
    LogEntry e;
    e.kind = kind;
    e.ops.push_back(std::move(op));
    return Decode(Encode(e)).ok();
  };
  EXPECT_TRUE(decodes(Op{OpCode::kLPopFirst, kListLeft | kMPop, 3, 0, {"a", "b"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kLPopFirst, kMPop, 0, 0, {"a"}}));  // a count of 0
  EXPECT_FALSE(decodes(Op{OpCode::kLPopFirst, 0, 2, 0, {"a"}}));      // a count without kMPop
  EXPECT_TRUE(decodes(Op{OpCode::kZPopFirst, kZMax | kMPop, 1, 0, {"z"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kSRandMember, kRandCount, -4, 0, {"s"}}, EntryKind::kTransaction));
  EXPECT_FALSE(decodes(Op{OpCode::kSRandMember, 0, 0, 0, {"s"}}));  // a read outside MULTI
  EXPECT_FALSE(decodes(Op{OpCode::kSRandMember, kRandCount, -4, 9, {"s"}},
                       EntryKind::kTransaction));  // a seed is the state machine's
  EXPECT_FALSE(decodes(Op{OpCode::kSRandMember, kRandCount | kRandWith, 1, 0, {"s"}},
                       EntryKind::kTransaction));
  EXPECT_FALSE(decodes(Op{OpCode::kHRandField, kRandCount, -kRandCountMax - 1, 0, {"h"}},
                       EntryKind::kTransaction));
  EXPECT_TRUE(decodes(Op{OpCode::kZRandMember, kRandCount | kRandWith, 2, 0, {"z"}},
                      EntryKind::kTransaction));
  EXPECT_TRUE(decodes(Op{OpCode::kSCombine, kSetInter | kSetCard, 5, 0, {"a", "b"}},
                      EntryKind::kTransaction));
  EXPECT_FALSE(
      decodes(Op{OpCode::kSCombine, kSetUnion | kSetCard, 0, 0, {"a"}}, EntryKind::kTransaction));
  EXPECT_TRUE(decodes(Op{OpCode::kZCombine, kSetInter | kZCombineCard, 1, 3, {"a"}},
                      EntryKind::kTransaction));
  EXPECT_FALSE(
      decodes(Op{OpCode::kZCombine, kSetInter | kZCombineCard | kZWeights, 1, 0, {"a", "2"}},
              EntryKind::kTransaction));
}

}  // namespace
}  // namespace cairn::kv
