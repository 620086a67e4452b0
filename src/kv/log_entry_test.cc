#include "kv/log_entry.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "kv/test_driver.h"

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

// DecodeInto reuses the entry it is given: whatever an earlier, larger or
// different entry left there, the result equals a fresh Decode.
TEST(LogEntryTest, DecodeIntoOverwritesWhatAnEarlierEntryLeft) {
  LogEntry txn = Sample();  // watches, two ops, three-byte value
  LogEntry batch;           // no watches, one op with fewer arguments
  batch.now_ms = 42;
  batch.ops.resize(1);
  batch.ops[0].code = OpCode::kIncrBy;
  batch.ops[0].num = 3;
  batch.ops[0].args = {"counter"};
  LogEntry big = batch;  // more ops and longer arguments than either
  big.ops.push_back(Op{OpCode::kSet, 0, 0, 0, {"key", std::string(5000, 'v')}});
  big.ops.push_back(Op{OpCode::kMSet, 0, 0, 0, {"a", "1", "b", "2"}});
  LogEntry reused;
  for (const LogEntry* e : {&big, &txn, &batch, &big, &batch, &txn}) {
    ASSERT_TRUE(DecodeInto(Encode(*e), &reused).ok());
    EXPECT_EQ(reused, *e);
  }
  // A corrupt entry fails; the next good one decodes whole again.
  std::string bad = Encode(big);
  bad.resize(bad.size() - 3);
  EXPECT_FALSE(DecodeInto(bad, &reused).ok());
  ASSERT_TRUE(DecodeInto(Encode(batch), &reused).ok());
  EXPECT_EQ(reused, batch);
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

// The ops added with SETRANGE, MSETNX, RENAME, COPY, GETEX and INCRBYFLOAT:
// well-formed ones decode, each malformed shape is Corruption.
using testing::EncodeGroup;

TEST(LogEntryTest, GroupsSplitIntoTheirMembers) {
  const std::string a = Encode(Sample());
  LogEntry plain;
  plain.ops = {Sample().ops[1]};
  const std::string b = Encode(plain);
  const std::string g = EncodeGroup({a, b, a});
  EXPECT_TRUE(IsGroup(g));
  EXPECT_FALSE(IsGroup(a));
  EXPECT_FALSE(Decode(g).ok());  // a group is not an entry
  auto members = SplitGroup(g);
  ASSERT_TRUE(members.ok()) << members.status().ToString();
  EXPECT_EQ(*members, (std::vector<std::string_view>{a, b, a}));
  for (std::size_t n = 0; n < g.size(); ++n) {
    EXPECT_EQ(SplitGroup(g.substr(0, n)).status().code(), StatusCode::kCorruption) << n;
  }
  EXPECT_FALSE(SplitGroup(g + "x").ok());
  EXPECT_FALSE(SplitGroup(EncodeGroup({a})).ok());  // one member goes alone, never as a group
  EXPECT_FALSE(SplitGroup(EncodeGroup({})).ok());
  std::string huge;
  EncodeGroupHeader(kGroupMembersMax + 1, &huge);
  for (std::size_t i = 0; i <= kGroupMembersMax; ++i) AppendGroupMember("", &huge);
  EXPECT_FALSE(SplitGroup(huge).ok());
}

TEST(LogEntryTest, ValidatesTheStringAndKeyspaceOps) {
  auto decodes = [](Op op) {
    LogEntry e;
    e.ops.push_back(std::move(op));
    return Decode(Encode(e)).ok();
  };
  EXPECT_TRUE(decodes(Op{OpCode::kSetRange, 0, 3, 0, {"k", "ab"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kSetRange, 0, -1, 0, {"k", "ab"}}));  // negative offset
  EXPECT_FALSE(decodes(Op{OpCode::kSetRange, 0, 3, 0, {"k"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kMSetNx, 0, 0, 0, {"a", "1", "b", "2"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kMSetNx, 0, 0, 0, {"a", "1", "b"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kRename, kRenameNx, 0, 0, {"a", "b"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kRename, 2, 0, 0, {"a", "b"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kCopy, kCopyReplace, 0, 0, {"a", "b"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kCopy, 0, 0, 0, {"a"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kGetEx, kGetExExpire, 5, 0, {"k"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kGetEx, kGetExInvalid, 1, 0, {"k"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kGetEx, kGetExExpire | kGetExPersist, 5, 0, {"k"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kGetEx, kGetExInvalid, 2, 0, {"k"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kIncrByFloat, 0, 0, 0, {"k", "1.5"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kIncrByFloat, 0, 0, 0, {"k"}}));
  // GETRANGE may only be read inside a transaction; KEYS never travels.
  LogEntry txn;
  txn.kind = EntryKind::kTransaction;
  txn.ops.push_back(Op{OpCode::kGetRange, 0, 0, -1, {"k"}});
  EXPECT_TRUE(Decode(Encode(txn)).ok());
  txn.ops[0] = Op{OpCode::kKeys, 0, 0, 0, {"*"}};
  EXPECT_FALSE(Decode(Encode(txn)).ok());
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
