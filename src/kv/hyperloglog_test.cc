// HyperLogLog values (kv/hyperloglog.h) and the PF commands through the
// state machine. That the counts and registers are Redis's own is held
// against redis-server by HyperLogLogsMatchRedis (redis_differential_test.cc).
#include "kv/hyperloglog.h"

#include <gtest/gtest.h>

#include <cmath>

#include "kv/errors.h"
#include "kv/test_driver.h"

namespace cairn::kv {
namespace {

using resp::Value;
constexpr std::int64_t kT = 1'700'000'000'000;

TEST(HyperLogLogTest, AnEmptyValueIsOneLongZeroRun) {
  const std::string empty = Hll().Encode();
  ASSERT_EQ(empty.size(), kHllHeaderSize + 2);
  EXPECT_EQ(empty.substr(0, 5), std::string("HYLL\x01", 5));
  EXPECT_EQ(empty.substr(16), "\x7f\xff");  // 16384 zero registers
  Hll back;
  ASSERT_EQ(ParseHll(empty, &back), HllParse::kOk);
  EXPECT_EQ(back.Count(), 0u);
  EXPECT_EQ(back.CachedCount(), 0u);
}

TEST(HyperLogLogTest, SparseAndDenseFormsRoundTrip) {
  Hll h;
  for (int i = 0; i < 300; ++i) h.Add("element:" + std::to_string(i));
  h.cache[7] = 0x80;  // a stale cached count
  for (bool dense : {false, true}) {
    h.dense = dense;
    const std::string bytes = h.Encode();
    if (dense) {
      EXPECT_EQ(bytes.size(), kHllDenseSize);
    }
    Hll back;
    ASSERT_EQ(ParseHll(bytes, &back), HllParse::kOk);
    EXPECT_EQ(back.registers, h.registers);
    EXPECT_EQ(back.dense, dense);
    EXPECT_EQ(back.CachedCount(), std::nullopt);
    EXPECT_EQ(back.Count(), h.Count());
  }
  // Every register value a dense value can hold survives, at every offset.
  Hll all;
  all.dense = true;
  for (std::size_t i = 0; i < kHllRegisterCount; ++i) all.registers[i] = (i * 7) % 64;
  Hll back;
  ASSERT_EQ(ParseHll(all.Encode(), &back), HllParse::kOk);
  EXPECT_EQ(back.registers, all.registers);
}

TEST(HyperLogLogTest, EstimatesAreCloseAndGrowWithDistinctElements) {
  Hll h;
  for (int n = 1; n <= 100000; ++n) {
    h.Add("e" + std::to_string(n));
    if (n == 10 || n == 1000 || n == 100000) {
      const double count = static_cast<double>(h.Count());
      // The standard error at 16384 registers is 0.81 %; allow five of them.
      EXPECT_NEAR(count, n, std::max(1.0, 0.0405 * n)) << n;
    }
  }
  const std::uint64_t before = h.Count();
  for (int n = 1; n <= 1000; ++n) EXPECT_FALSE(h.Add("e" + std::to_string(n)));  // seen
  EXPECT_EQ(h.Count(), before);
}

TEST(HyperLogLogTest, TurnsDenseOnceTheSparseFormWouldPassItsLimit) {
  Hll h;
  int n = 0;
  while (!h.dense) {
    h.Add("x" + std::to_string(n++));
    h.Promote();
    if (!h.dense) {
      EXPECT_LE(h.Encode().size(), kHllSparseMaxBytes);
    }
  }
  EXPECT_GT(n, 100);
  EXPECT_EQ(h.Encode().size(), kHllDenseSize);
}

TEST(HyperLogLogTest, RefusesWhatIsNotOne) {
  Hll h;
  EXPECT_EQ(ParseHll("", &h), HllParse::kNotHll);
  EXPECT_EQ(ParseHll("HYLL", &h), HllParse::kNotHll);
  EXPECT_EQ(ParseHll(std::string("HYLX\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff", 18), &h),
            HllParse::kNotHll);
  EXPECT_EQ(ParseHll(std::string("HYLL\x02\0\0\0\0\0\0\0\0\0\0\0\x7f\xff", 18), &h),
            HllParse::kNotHll);
  std::string dense = Hll{.dense = true}.Encode();
  EXPECT_EQ(ParseHll(dense.substr(0, dense.size() - 1), &h), HllParse::kNotHll);
  // Sparse runs that do not cover exactly 16384 registers.
  const std::string header("HYLL\x01\0\0\0\0\0\0\0\0\0\0\0", 16);
  EXPECT_EQ(ParseHll(header, &h), HllParse::kCorrupt);
  EXPECT_EQ(ParseHll(header + "\x7f\xfe", &h), HllParse::kCorrupt);  // one short
  EXPECT_EQ(ParseHll(header + std::string("\x7f\xff\x00", 3), &h), HllParse::kCorrupt);  // over
  EXPECT_EQ(ParseHll(header + "\x7f", &h), HllParse::kCorrupt);     // cut short
  EXPECT_EQ(ParseHll(header + "\x80\x7f\xfe", &h), HllParse::kOk);  // 1 value + rest
}

TEST(HyperLogLogCommandsTest, AddCountAndMerge) {
  testing::Driver d;
  EXPECT_EQ(d.Run({"pfadd", "a"}, kT), Value::Int(1));  // created, its cached count fresh
  EXPECT_EQ(d.Run({"getrange", "a", "8", "15"}, kT), Value::Bulk(std::string(8, '\0')));
  EXPECT_EQ(d.Run({"pfadd", "a"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"pfadd", "a", "x", "y", "z"}, kT), Value::Int(1));
  EXPECT_EQ(d.Run({"pfadd", "a", "x", "y"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"pfcount", "a"}, kT), Value::Int(3));
  EXPECT_EQ(d.Run({"getrange", "a", "8", "15"}, kT),  // stored with the change
            Value::Bulk(std::string("\x03\0\0\0\0\0\0\0", 8)));
  EXPECT_EQ(d.Run({"pfadd", "b", "z", "w"}, kT), Value::Int(1));
  EXPECT_EQ(d.Run({"pfcount", "a", "b", "missing"}, kT), Value::Int(4));
  EXPECT_EQ(d.Run({"pfcount", "missing"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"pfmerge", "c", "a", "b"}, kT), Value::Simple("OK"));
  EXPECT_EQ(d.Run({"pfcount", "c"}, kT), Value::Int(4));
  EXPECT_EQ(d.Run({"getrange", "c", "4", "4"}, kT), Value::Bulk("\x01"));  // all sparse: sparse
  EXPECT_EQ(d.Run({"type", "c"}, kT), Value::Simple("string"));
  for (int i = 0; i < 2000; ++i) d.Run({"pfadd", "big", "e" + std::to_string(i)}, kT);
  EXPECT_EQ(d.Run({"strlen", "big"}, kT), Value::Int(static_cast<std::int64_t>(kHllDenseSize)));
  EXPECT_EQ(d.Run({"pfmerge", "c", "big"}, kT), Value::Simple("OK"));  // one dense: dense
  EXPECT_EQ(d.Run({"strlen", "c"}, kT), Value::Int(static_cast<std::int64_t>(kHllDenseSize)));
  // A HyperLogLog is a string: GET and SET carry it, with its registers.
  const Value bytes = d.Run({"get", "a"}, kT);
  EXPECT_EQ(d.Run({"set", "copy", bytes.str}, kT), Value::Simple("OK"));
  EXPECT_EQ(d.Run({"pfcount", "copy"}, kT), Value::Int(3));
  // A fresh cached count is believed, as Redis believes it.
  std::string cached = bytes.str;
  cached[8] = 42;
  cached[15] = 0;
  d.Run({"set", "cached", cached}, kT);
  EXPECT_EQ(d.Run({"pfcount", "cached"}, kT), Value::Int(42));
  EXPECT_EQ(d.Run({"pfcount", "cached", "missing"}, kT), Value::Int(3));  // a union counts
}

TEST(HyperLogLogCommandsTest, OtherValuesGetRedisErrors) {
  testing::Driver d;
  d.Run({"set", "s", "not a hyperloglog"}, kT);
  d.Run({"rpush", "l", "x"}, kT);
  // Runs one register short, its cached count stale (a fresh one would be
  // believed without reading the runs, as Redis does).
  d.Run({"set", "bad", std::string("HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80\x7f\xfe", 18)}, kT);
  d.Run({"set", "bad-cached", std::string("HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xfe", 18)}, kT);
  EXPECT_EQ(d.Run({"pfcount", "bad-cached"}, kT), Value::Int(0));
  for (const auto& cmd : std::vector<std::vector<std::string>>{
           {"pfadd", "s", "x"}, {"pfcount", "s"}, {"pfcount", "s", "l"}, {"pfmerge", "d", "s"}}) {
    EXPECT_EQ(d.Run(cmd, kT).str, kHllNotValid) << cmd[0];
  }
  EXPECT_EQ(d.Run({"pfadd", "l", "x"}, kT).str, errors::kWrongType);
  EXPECT_EQ(d.Run({"pfcount", "l"}, kT).str, errors::kWrongType);
  EXPECT_EQ(d.Run({"pfmerge", "l", "missing"}, kT).str, errors::kWrongType);
  EXPECT_EQ(d.Run({"pfadd", "bad", "x"}, kT).str, kHllCorrupt);
  EXPECT_EQ(d.Run({"pfadd", "bad"}, kT), Value::Int(0));  // no element: the header only
  EXPECT_EQ(d.Run({"pfadd", "s"}, kT).str, kHllNotValid);
  EXPECT_EQ(d.Run({"pfcount", "bad"}, kT).str, kHllCorrupt);
  EXPECT_EQ(d.Run({"pfmerge", "d", "bad"}, kT).str, kHllCorrupt);
  EXPECT_EQ(d.Run({"exists", "d"}, kT), Value::Int(0));  // a refused merge writes nothing
  EXPECT_EQ(d.Run({"get", "s"}, kT), Value::Bulk("not a hyperloglog"));
}

TEST(HyperLogLogCommandsTest, MergeKeepsTheDestinationsExpiry) {
  testing::Driver d;
  d.Run({"pfadd", "dst", "a"}, kT);
  d.Run({"pexpire", "dst", "5000"}, kT);
  d.Run({"pfadd", "src", "b"}, kT);
  EXPECT_EQ(d.Run({"pfmerge", "dst", "src"}, kT), Value::Simple("OK"));
  EXPECT_EQ(d.Run({"pttl", "dst"}, kT), Value::Int(5000));
  EXPECT_EQ(d.Run({"pfcount", "dst"}, kT), Value::Int(2));
}

// A group entry's PFADDs on one key parse it once and encode it once;
// the outcome must be the commands' one by one, turning dense at the
// same element.
TEST(HyperLogLogCommandsTest, GroupedAddsMatchTheCommandsOneByOne) {
  std::vector<std::vector<std::string>> commands;
  for (int i = 0; i < 400; ++i) {
    commands.push_back({"pfadd", "h", "a" + std::to_string(i), "b" + std::to_string(i)});
    if (i % 50 == 0) commands.push_back({"pfmerge", "m", "h"});
    if (i == 100) commands.push_back({"set", "s", "plain"});
    if (i == 101) commands.push_back({"pfadd", "s", "x"});
  }
  std::vector<std::int64_t> times(commands.size(), kT);
  testing::Driver one_by_one, grouped;
  std::vector<Value> expected;
  for (const auto& c : commands) expected.push_back(one_by_one.Run(c, kT));
  EXPECT_EQ(grouped.RunGroup(commands, times), expected);
  for (const char* key : {"h", "m", "s"}) {
    EXPECT_EQ(grouped.Run({"get", key}, kT), one_by_one.Run({"get", key}, kT)) << key;
  }
}

}  // namespace
}  // namespace cairn::kv
