// Sets: the record codec and what the differential test cannot compare
// (SPOP's choice, exact expiries, snapshots, WATCH versions, the log codec).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "common/random.h"
#include "kv/errors.h"
#include "kv/record.h"
#include "kv/test_driver.h"

namespace cairn::kv {
namespace {

using resp::Value;
constexpr std::int64_t kT = 1'700'000'000'000;

TEST(SetCodecTest, RoundTripsAndRejectsMalformedValues) {
  SetMembers members = {"b", "", "a"};
  std::string bytes = EncodeSet(members);
  ASSERT_TRUE(ValidateSet(bytes).ok());
  EXPECT_EQ(DecodeSet(bytes), members);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(ValidateSet(bytes.substr(0, n)).code(), StatusCode::kCorruption) << n;
  }
  EXPECT_EQ(ValidateSet(bytes + "x").code(), StatusCode::kCorruption);
  EXPECT_EQ(ValidateSet(EncodeSet({})).code(), StatusCode::kCorruption);
  EXPECT_EQ(ValidateSet(EncodeSet({"a", "a"})).code(), StatusCode::kCorruption);
  Record r{3, 0, "junk", kTypeSet};
  EXPECT_EQ(DecodeRecord(EncodeRecord(r)).status().code(), StatusCode::kCorruption);
  r.value = bytes;
  EXPECT_EQ(*DecodeRecord(EncodeRecord(r)), r);
}

// The elements as replied, in order.
std::vector<std::string> InOrder(const Value& v) {
  std::vector<std::string> out;
  for (const Value& e : v.elems) out.push_back(e.str);
  return out;
}

std::vector<std::string> Strings(const Value& v) {
  std::vector<std::string> out;
  for (const Value& e : v.elems) out.push_back(e.str);
  std::sort(out.begin(), out.end());
  return out;
}

// SPOP removes members that were there, the same ones on every replica
// (its choice comes from the log index), and the key goes with the last.
TEST(SetTest, SpopIsDeterministicAcrossReplicas) {
  testing::Driver a;
  testing::Driver b;
  for (testing::Driver* d : {&a, &b}) {
    d->Run({"sadd", "s", "1", "2", "3", "4", "5", "6", "7", "8"}, kT);
  }
  std::vector<std::string> popped;
  for (int i = 0; i < 3; ++i) {
    Value va = a.Run({"spop", "s", "2"}, kT);
    EXPECT_EQ(va, b.Run({"spop", "s", "2"}, kT));
    EXPECT_EQ(va.type, resp::Type::kSet);
    ASSERT_EQ(va.elems.size(), 2u);
    for (const Value& m : va.elems) popped.push_back(m.str);
  }
  Value one = a.Run({"spop", "s"}, kT);
  EXPECT_EQ(one, b.Run({"spop", "s"}, kT));
  popped.push_back(one.str);
  Value rest = a.Run({"spop", "s", "10"}, kT);
  for (const Value& m : rest.elems) popped.push_back(m.str);
  std::sort(popped.begin(), popped.end());
  EXPECT_EQ(popped, (std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8"}));
  EXPECT_EQ(a.Run({"exists", "s"}, kT), Value::Int(0));
  EXPECT_EQ(a.Run({"spop", "s"}, kT), Value::Null());
  // Different log indexes choose differently (not always the same position).
  testing::Driver c;
  c.Run({"sadd", "s", "1", "2", "3", "4", "5", "6", "7", "8"}, kT);
  std::set<std::string> firsts;
  for (int i = 0; i < 8; ++i) {
    Value p = c.Run({"spop", "s"}, kT);
    firsts.insert(p.str);
    c.Run({"sadd", "s", p.str}, kT);
  }
  EXPECT_GT(firsts.size(), 1u);
}

// SPOP's draw and the order it leaves the set in are part of the replicated
// state: a new binary must reproduce them exactly, or replicas of two
// versions would diverge. The model is the draw as first shipped: a
// Fisher-Yates over the members in stored order, seeded by the entry's
// index and the key, the rest stored in the order the swaps leave.
TEST(SetTest, SpopDrawsAndLeavesTheOrderAsShipped) {
  Xoshiro256 pick(7);
  for (int round = 0; round < 40; ++round) {
    testing::Driver d;
    std::vector<std::string> model;
    auto add = [&](std::vector<std::string> args) {
      for (std::size_t i = 2; i < args.size(); ++i) {
        if (std::find(model.begin(), model.end(), args[i]) == model.end()) model.push_back(args[i]);
      }
      d.Run(args, kT);
    };
    std::vector<std::string> fill = {"sadd", "s"};
    const int n = 1 + static_cast<int>(pick.Uniform(40));
    for (int i = 0; i < n; ++i) fill.push_back("m" + std::to_string(pick.Uniform(60)));
    add(fill);
    for (int step = 0; step < 12 && !model.empty(); ++step) {
      if (pick.OneIn(4)) {
        add({"sadd", "s", "m" + std::to_string(pick.Uniform(80))});
        continue;
      }
      if (pick.OneIn(5)) {
        const std::string m = model[pick.Uniform(model.size())];
        model.erase(std::find(model.begin(), model.end(), m));
        d.Run({"srem", "s", m}, kT);
        if (model.empty()) break;
        continue;
      }
      const std::uint64_t count = 1 + pick.Uniform(5);
      Xoshiro256 rng((d.sm().applied_index() + 1) ^ KeyHash("s"));
      std::vector<std::string> popped;
      const std::uint64_t k = std::min<std::uint64_t>(count, model.size());
      for (std::uint64_t i = 0; i < k; ++i) {
        const std::size_t j = i + rng.Uniform(model.size() - i);
        std::swap(model[i], model[j]);
        popped.push_back(model[i]);
      }
      model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(k));
      Value got = d.Run({"spop", "s", std::to_string(count)}, kT);
      ASSERT_EQ(InOrder(got), popped) << "round " << round << " step " << step;
      if (model.empty()) {
        EXPECT_EQ(d.Run({"exists", "s"}, kT), Value::Int(0));
        break;
      }
      ASSERT_EQ(InOrder(d.Run({"smembers", "s"}, kT)), model) << "round " << round;
    }
  }
}

// Repeated draws (a negative count) are not bounded by the key's size: in
// one transaction their elements share a limit of a million, so several
// cannot make a reply as large as memory (a fuzzer found 2 GB).
TEST(SetTest, RepeatedDrawsInATransactionShareOneLimit) {
  testing::Driver d;
  d.Run({"sadd", "s", "a", "b"}, kT);
  d.Run({"hset", "h", "f", "v"}, kT);
  Value r = d.Exec({{"srandmember", "s", "-600000"},
                    {"srandmember", "s", "-400000"},
                    {"srandmember", "s", "-1"},
                    {"hrandfield", "h", "-1", "withvalues"}},
                   {}, kT);
  ASSERT_EQ(r.elems.size(), 4u);
  EXPECT_EQ(r.elems[0].elems.size(), 600000u);
  EXPECT_EQ(r.elems[1].elems.size(), 400000u);  // exactly the limit
  EXPECT_TRUE(r.elems[2].is_error());
  EXPECT_TRUE(r.elems[3].is_error());
  Value w = d.Exec({{"hrandfield", "h", "-500000", "withvalues"}, {"srandmember", "s", "-1"}}, {},
                   kT);  // a pair per draw: the million is used up
  EXPECT_EQ(w.elems[0].elems.size(), 500000u);
  EXPECT_TRUE(w.elems[1].is_error());
  EXPECT_EQ(d.Run({"srandmember", "s", "-3"}, kT).elems.size(), 3u);  // outside MULTI: per call
}

TEST(SetTest, MoveStoreAndTypes) {
  testing::Driver d;
  d.Run({"sadd", "a", "x", "y", "z"}, kT);
  d.Run({"sadd", "b", "y"}, kT);
  EXPECT_EQ(d.Run({"pexpire", "a", "5000"}, kT), Value::Int(1));
  EXPECT_EQ(d.Run({"smove", "a", "c", "x"}, kT), Value::Int(1));
  EXPECT_EQ(d.Run({"pttl", "a"}, kT), Value::Int(5000));  // the source keeps its expiry
  EXPECT_EQ(d.Run({"pttl", "c"}, kT), Value::Int(-1));
  EXPECT_EQ(d.Run({"type", "c"}, kT), Value::Simple("set"));
  d.Run({"hset", "h", "f", "v"}, kT);
  EXPECT_EQ(d.Run({"sinterstore", "h", "a", "b"}, kT), Value::Int(1));  // replaces the hash
  EXPECT_EQ(d.Run({"type", "h"}, kT), Value::Simple("set"));
  EXPECT_EQ(Strings(d.Run({"sunion", "a", "b", "c", "none"}, kT)),
            (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_EQ(d.Run({"sdiffstore", "h", "b", "a"}, kT), Value::Int(0));  // empty: deleted
  EXPECT_EQ(d.Run({"exists", "h"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"smembers", "a"}, kT + 5000), Value::Set());  // expired with its key
  Result<std::string> image = d.sm().Snapshot();
  ASSERT_TRUE(image.ok());
  testing::Driver e;
  ASSERT_TRUE(e.sm().Restore(*image).ok());
  EXPECT_EQ(e.Run({"smembers", "c"}, kT), Value::Set({Value::Bulk("x")}));
  EXPECT_EQ(e.Run({"scan", "0", "type", "set"}, kT).elems[1].elems.size(), 3u);  // a, b, c
}

// SMOVE's cases in Redis's order: a missing source answers 0 whatever the
// destination holds; a member already in the destination leaves only the
// source; the last member's move deletes the source; to itself, nothing.
TEST(SetTest, MovesInRedisOrder) {
  testing::Driver d;
  d.Run({"set", "str", "v"}, kT);
  EXPECT_EQ(d.Run({"smove", "none", "str", "x"}, kT), Value::Int(0));
  d.Run({"sadd", "a", "x", "y"}, kT);
  d.Run({"sadd", "b", "y", "w"}, kT);
  d.Run({"pexpire", "b", "5000"}, kT);
  EXPECT_EQ(d.Run({"smove", "a", "str", "x"}, kT), Value::Error(errors::kWrongType));
  EXPECT_EQ(d.Run({"smove", "str", "a", "x"}, kT), Value::Error(errors::kWrongType));
  EXPECT_EQ(d.Run({"smove", "a", "a", "x"}, kT), Value::Int(1));
  EXPECT_EQ(d.Run({"smove", "a", "a", "q"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"smove", "a", "b", "q"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"smove", "a", "b", "y"}, kT), Value::Int(1));  // already in b
  EXPECT_EQ(Strings(d.Run({"smembers", "a"}, kT)), (std::vector<std::string>{"x"}));
  EXPECT_EQ(d.Run({"smove", "a", "b", "x"}, kT), Value::Int(1));  // a's last
  EXPECT_EQ(d.Run({"exists", "a"}, kT), Value::Int(0));
  EXPECT_EQ(Strings(d.Run({"smembers", "b"}, kT)), (std::vector<std::string>{"w", "x", "y"}));
  EXPECT_EQ(d.Run({"pttl", "b"}, kT), Value::Int(5000));  // the destination keeps its expiry
}

TEST(SetTest, WatchSeesChangesOnly) {
  testing::Driver d;
  d.Run({"sadd", "s", "m"}, kT);
  std::uint64_t v1 = *d.sm().KeyVersion("s", kT);
  EXPECT_EQ(d.Run({"sadd", "s", "m"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"srem", "s", "nope"}, kT), Value::Int(0));
  EXPECT_EQ(*d.sm().KeyVersion("s", kT), v1);
  EXPECT_EQ(d.Exec({{"sadd", "s", "n"}, {"scard", "s"}, {"smembers", "s"}}, {{"s", v1}}, kT),
            Value::Array(
                {Value::Int(1), Value::Int(2), Value::Set({Value::Bulk("m"), Value::Bulk("n")})}));
  EXPECT_GT(*d.sm().KeyVersion("s", kT), v1);
}

TEST(SetLogTest, ValidatesTheSetOps) {
  auto decodes = [](Op op, EntryKind kind = EntryKind::kBatch) {
    LogEntry e;
    e.kind = kind;
    e.ops.push_back(std::move(op));
    return Decode(Encode(e)).ok();
  };
  EXPECT_TRUE(decodes(Op{OpCode::kSAdd, 0, 0, 0, {"s", "m"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kSAdd, 0, 0, 0, {"s"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kSPop, kSPopCount, 3, 0, {"s"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kSPop, 0, 0, 0, {"s"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kSPop, 0, 3, 0, {"s"}}));  // a count without the flag
  EXPECT_FALSE(decodes(Op{OpCode::kSPop, kSPopCount, -1, 0, {"s"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kSMove, 0, 0, 0, {"a", "b", "m"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kSStore, kSetDiff, 0, 0, {"d", "a"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kSStore, 3, 0, 0, {"d", "a"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kSCombine, kSetUnion, 0, 0, {"a"}}));  // a read
  EXPECT_TRUE(decodes(Op{OpCode::kSCombine, kSetUnion, 0, 0, {"a"}}, EntryKind::kTransaction));
  EXPECT_FALSE(decodes(Op{OpCode::kSIsMember, 0, 0, 0, {"a"}}, EntryKind::kTransaction));
}

}  // namespace
}  // namespace cairn::kv
