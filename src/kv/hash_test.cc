// Hashes: the record codec, what the differential test cannot reach (exact
// TTLs, snapshots, WATCH versions, corrupt records, the log codec), and
// HGETALL's map reply.
#include <gtest/gtest.h>

#include "kv/coding.h"
#include "kv/test_driver.h"

namespace cairn::kv {
namespace {

using resp::Value;
constexpr std::int64_t kT = 1'700'000'000'000;

TEST(HashCodecTest, RoundTripsInInsertionOrder) {
  HashFields fields = {{"b", "2"}, {"a", ""}, {"", "empty field"}};
  std::string bytes = EncodeHash(fields);
  ASSERT_TRUE(ValidateHash(bytes).ok());
  EXPECT_EQ(DecodeHash(bytes), fields);
  HashView view(bytes);
  EXPECT_EQ(view.size(), 3u);
  std::string_view v;
  EXPECT_TRUE(view.Find("a", &v));
  EXPECT_EQ(v, "");
  EXPECT_FALSE(view.Find("c", &v));
}

TEST(HashCodecTest, MalformedValuesAreCorruption) {
  std::string good = EncodeHash({{"f", "v"}, {"g", "w"}});
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_EQ(ValidateHash(good.substr(0, n)).code(), StatusCode::kCorruption) << n;
  }
  EXPECT_EQ(ValidateHash(good + "x").code(), StatusCode::kCorruption);      // trailing
  EXPECT_EQ(ValidateHash(EncodeHash({})).code(), StatusCode::kCorruption);  // no fields
  EXPECT_EQ(ValidateHash(EncodeHash({{"f", "1"}, {"f", "2"}})).code(),      // repeated
            StatusCode::kCorruption);
  std::string huge_count;
  PutVarint(&huge_count, 1u << 30);
  EXPECT_EQ(ValidateHash(huge_count + "ab").code(), StatusCode::kCorruption);
  // A record of type hash must carry a valid hash: DecodeRecord checks it.
  Record r{7, 0, "not a hash", kTypeHash};
  EXPECT_EQ(DecodeRecord(EncodeRecord(r)).status().code(), StatusCode::kCorruption);
  r.value = good;
  Result<Record> back = DecodeRecord(EncodeRecord(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, r);
  std::string unknown_type = EncodeRecord(r);
  unknown_type[0] = 2;
  EXPECT_EQ(DecodeRecord(unknown_type).status().code(), StatusCode::kCorruption);
}

class HashTest : public ::testing::Test {
 protected:
  Value Run(std::vector<std::string> args, std::int64_t now = kT) { return d_.Run(args, now); }
  testing::Driver d_;
};

TEST_F(HashTest, GetAllIsAMapInInsertionOrder) {
  EXPECT_EQ(Run({"hset", "h", "b", "1", "a", "2"}), Value::Int(2));
  EXPECT_EQ(Run({"hset", "h", "b", "3", "c", "4"}), Value::Int(1));  // b keeps its place
  EXPECT_EQ(Run({"hgetall", "h"}),
            Value::Map({Value::Bulk("b"), Value::Bulk("3"), Value::Bulk("a"), Value::Bulk("2"),
                        Value::Bulk("c"), Value::Bulk("4")}));
  EXPECT_EQ(Run({"hgetall", "absent"}), Value::Map());
  EXPECT_EQ(Run({"type", "h"}), Value::Simple("hash"));
}

TEST_F(HashTest, TheLastDeletedFieldDeletesTheKey) {
  Run({"hset", "h", "f", "v", "g", "w"});
  EXPECT_EQ(Run({"hdel", "h", "f", "f", "nope"}), Value::Int(1));
  EXPECT_EQ(Run({"exists", "h"}), Value::Int(1));
  EXPECT_EQ(Run({"hdel", "h", "g"}), Value::Int(1));
  EXPECT_EQ(Run({"exists", "h"}), Value::Int(0));
  EXPECT_EQ(d_.sm().stored_keys(), 0u);
}

TEST_F(HashTest, ExpiryRenameAndCopyKeepTheType) {
  Run({"hset", "h", "f", "v"});
  EXPECT_EQ(Run({"pexpire", "h", "5000"}), Value::Int(1));
  EXPECT_EQ(Run({"hset", "h", "g", "w"}), Value::Int(1));
  EXPECT_EQ(Run({"pttl", "h"}), Value::Int(5000));  // a field write keeps the expiry
  EXPECT_EQ(Run({"rename", "h", "r"}), Value::Simple("OK"));
  EXPECT_EQ(Run({"copy", "r", "c"}), Value::Int(1));
  EXPECT_EQ(Run({"persist", "c"}), Value::Int(1));
  EXPECT_EQ(Run({"hget", "r", "g"}), Value::Bulk("w"));
  EXPECT_EQ(Run({"hlen", "c"}), Value::Int(2));
  EXPECT_EQ(Run({"pttl", "r"}), Value::Int(5000));
  EXPECT_EQ(Run({"pttl", "c"}), Value::Int(-1));
  EXPECT_EQ(Run({"hget", "r", "f"}, kT + 5000), Value::Null());  // expired with its key
  EXPECT_EQ(Run({"get", "c"}),
            Value::Error("WRONGTYPE Operation against a key holding the wrong kind of value"));
  EXPECT_EQ(Run({"set", "c", "s"}), Value::Simple("OK"));  // SET replaces any type
  EXPECT_EQ(Run({"type", "c"}), Value::Simple("string"));
  EXPECT_EQ(Run({"hget", "c", "f"}),
            Value::Error("WRONGTYPE Operation against a key holding the wrong kind of value"));
}

TEST_F(HashTest, SnapshotRestoresHashes) {
  Run({"hset", "h", "f", "v", "n", "1"});
  Run({"hincrby", "h", "n", "41"});
  Run({"set", "s", "x"});
  Result<std::string> image = d_.sm().Snapshot();
  ASSERT_TRUE(image.ok());
  testing::Driver b;
  ASSERT_TRUE(b.sm().Restore(*image).ok());
  EXPECT_EQ(b.Run({"hmget", "h", "n", "f", "x"}, kT),
            Value::Array({Value::Bulk("42"), Value::Bulk("v"), Value::Null()}));
  EXPECT_EQ(b.Run({"scan", "0", "type", "hash"}, kT),
            Value::Array({Value::Bulk("0"), Value::Array({Value::Bulk("h")})}));
}

// WATCH sees a hash write, and not an HDEL that removed nothing.
TEST_F(HashTest, WatchVersions) {
  Run({"hset", "h", "f", "v"});
  std::uint64_t v1 = *d_.sm().KeyVersion("h", kT);
  EXPECT_EQ(Run({"hdel", "h", "nope"}), Value::Int(0));
  EXPECT_EQ(Run({"hsetnx", "h", "f", "other"}), Value::Int(0));
  EXPECT_EQ(*d_.sm().KeyVersion("h", kT), v1);
  EXPECT_EQ(Run({"hincrbyfloat", "h", "x", "1.5"}), Value::Bulk("1.5"));
  EXPECT_GT(*d_.sm().KeyVersion("h", kT), v1);
  EXPECT_EQ(d_.Exec({{"hset", "h", "y", "1"}}, {{"h", v1}}, kT), Value::NullArray());
  EXPECT_EQ(Run({"hexists", "h", "y"}), Value::Int(0));
}

// Reads inside a transaction see the transaction's own earlier writes.
TEST_F(HashTest, TransactionReadsSeeEarlierWrites) {
  Value r = d_.Exec(
      {{"hset", "h", "a", "1"}, {"hgetall", "h"}, {"hscan", "h", "0", "match", "a"}, {"incr", "h"}},
      {}, kT);
  EXPECT_EQ(r, Value::Array({Value::Int(1), Value::Map({Value::Bulk("a"), Value::Bulk("1")}),
                             Value::Array({Value::Bulk("0"),
                                           Value::Array({Value::Bulk("a"), Value::Bulk("1")})}),
                             Value::Error("WRONGTYPE Operation against a key holding the wrong "
                                          "kind of value")}));
}

TEST(HashLogTest, ValidatesTheHashOps) {
  auto decodes = [](Op op, EntryKind kind = EntryKind::kBatch) {
    LogEntry e;
    e.kind = kind;
    e.ops.push_back(std::move(op));
    return Decode(Encode(e)).ok();
  };
  EXPECT_TRUE(decodes(Op{OpCode::kHSet, 0, 0, 0, {"h", "f", "v", "g", "w"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kHSet, 0, 0, 0, {"h", "f", "v", "g"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kHSet, kHSetNx, 0, 0, {"h", "f", "v"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kHSet, kHSetNx, 0, 0, {"h", "f", "v", "g", "w"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kHSet, 8, 0, 0, {"h", "f", "v"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kHDel, 0, 0, 0, {"h", "f"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kHDel, 0, 0, 0, {"h"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kHIncrBy, 0, -3, 0, {"h", "f"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kHIncrByFloat, 0, 0, 0, {"h", "f"}}));
  // Hash reads travel only inside a transaction.
  EXPECT_FALSE(decodes(Op{OpCode::kHGet, 0, 0, 0, {"h", "f"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kHGet, 0, 0, 0, {"h", "f"}}, EntryKind::kTransaction));
  EXPECT_FALSE(decodes(Op{OpCode::kHGet, 0, 0, 0, {"h"}}, EntryKind::kTransaction));
  EXPECT_TRUE(decodes(Op{OpCode::kHScan, kScanMatch, 0, 10, {"h", "f*"}}, EntryKind::kTransaction));
  EXPECT_FALSE(decodes(Op{OpCode::kHScan, kScanMatch, 0, 10, {"h"}}, EntryKind::kTransaction));
  EXPECT_TRUE(decodes(Op{OpCode::kHScan, kHScanBadOption, 0, 1, {"h"}}, EntryKind::kTransaction));
  EXPECT_FALSE(decodes(Op{OpCode::kHScan, kHScanBadOption, 0, 2, {"h"}}, EntryKind::kTransaction));
}

}  // namespace
}  // namespace cairn::kv
