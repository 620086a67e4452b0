#include "kv/log_entry.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace cairn::kv {
namespace {

LogEntry Sample() {
  LogEntry e;
  e.kind = EntryKind::kTransaction;
  e.now_ms = 1'700'000'000'123;
  e.watches = {{"w1", 7}, {"", 0}};
  Op set;
  set.code = OpCode::kSet;
  set.flags = kSetNx | kSetExpire;
  set.num = -5;
  set.args = {"k", std::string("v\0x", 3)};
  Op del;
  del.code = OpCode::kDel;
  del.args = {"a", "b"};
  e.ops = {set, del};
  return e;
}

TEST(LogEntryTest, RoundTrip) {
  LogEntry e = Sample();
  Result<LogEntry> back = Decode(Encode(e));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, e);
}

TEST(LogEntryTest, EveryTruncationAndTrailingByteIsRejected) {
  std::string bytes = Encode(Sample());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(Decode(bytes.substr(0, n)).status().code(), StatusCode::kCorruption) << n;
  }
  EXPECT_FALSE(Decode(bytes + "x").ok());
}

TEST(LogEntryTest, RejectsBadVersionKindAndOps) {
  std::string bytes = Encode(Sample());
  std::string bad = bytes;
  bad[0] = 2;
  EXPECT_FALSE(Decode(bad).ok());
  bad = bytes;
  bad[1] = 3;
  EXPECT_FALSE(Decode(bad).ok());
  LogEntry read_op;
  read_op.ops.push_back(Op{OpCode::kGet, 0, 0, 0, {"k"}});
  EXPECT_FALSE(Decode(Encode(read_op)).ok());
  LogEntry txn_read;  // the same read is fine inside a transaction
  txn_read.kind = EntryKind::kTransaction;
  txn_read.ops.push_back(Op{OpCode::kGet, 0, 0, 0, {"k"}});
  EXPECT_TRUE(Decode(Encode(txn_read)).ok());
  txn_read.ops[0].code = OpCode::kScan;  // but not SCAN
  EXPECT_FALSE(Decode(Encode(txn_read)).ok());
  LogEntry bad_flags;
  bad_flags.ops.push_back(Op{OpCode::kSet, 64, 0, 0, {"k", "v"}});
  EXPECT_FALSE(Decode(Encode(bad_flags)).ok());
  LogEntry odd_mset;
  odd_mset.ops.push_back(Op{OpCode::kMSet, 0, 0, 0, {"k", "v", "x"}});
  EXPECT_FALSE(Decode(Encode(odd_mset)).ok());
  // A huge argument count with few bytes must not allocate it.
  std::string huge = {1, 1, 0, 1, static_cast<char>(OpCode::kDel), 0, 0, 0,
                      static_cast<char>(0xff), static_cast<char>(0xff), static_cast<char>(0xff), 0x0f};
  EXPECT_FALSE(Decode(huge).ok());
}

RC_GTEST_PROP(LogEntryProp, BatchRoundTrips,
              (std::int64_t now_ms, std::vector<std::string> keys, std::int64_t delta)) {
  LogEntry e;
  e.now_ms = now_ms;
  for (const std::string& k : keys) {
    e.ops.push_back(Op{OpCode::kIncrBy, 0, delta, 0, {k}});
    e.ops.push_back(Op{OpCode::kSet, kSetGet, 0, 0, {k, k + k}});
  }
  Result<LogEntry> back = Decode(Encode(e));
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == e);
}

}  // namespace
}  // namespace cairn::kv
