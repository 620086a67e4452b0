// Lists: the record codec and what the differential test cannot compare
// (exact expiries, snapshots, WATCH versions, the log codec, RESP3 nulls).
#include <gtest/gtest.h>

#include "kv/test_driver.h"

namespace cairn::kv {
namespace {

using resp::Value;
constexpr std::int64_t kT = 1'700'000'000'000;

Value Bulks(std::initializer_list<const char*> items) {
  Value out = Value::Array();
  for (const char* s : items) out.elems.push_back(Value::Bulk(s));
  return out;
}

TEST(ListCodecTest, RoundTripsAndRejectsMalformedValues) {
  ListElements list = {"a", "", "a"};  // repeats are fine in a list
  std::string bytes = EncodeList(list);
  ASSERT_TRUE(ValidateList(bytes).ok());
  EXPECT_EQ(DecodeList(bytes), list);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(ValidateList(bytes.substr(0, n)).code(), StatusCode::kCorruption) << n;
  }
  EXPECT_EQ(ValidateList(bytes + "x").code(), StatusCode::kCorruption);
  EXPECT_EQ(ValidateList(EncodeList({})).code(), StatusCode::kCorruption);
  Record r{3, 0, "junk", kTypeList};
  EXPECT_EQ(DecodeRecord(EncodeRecord(r)).status().code(), StatusCode::kCorruption);
  r.value = bytes;
  EXPECT_EQ(*DecodeRecord(EncodeRecord(r)), r);
}

// The in-place edits agree with decoding, changing and encoding, also when
// the count's varint grows past 127 and shrinks back.
TEST(ListCodecTest, InPlaceEditsMatchTheDecodedList) {
  std::string bytes;
  ListElements model;
  for (int i = 0; i < 300; ++i) {
    const std::string e = std::to_string(i);
    const bool head = i % 3 == 0;
    ListPush(&bytes, &e, 1, head);
    if (head) {
      model.insert(model.begin(), e);
    } else {
      model.push_back(e);
    }
    ASSERT_TRUE(ValidateList(bytes).ok()) << i;
    ASSERT_EQ(DecodeList(bytes), model) << i;
    ASSERT_EQ(ListLength(bytes), model.size());
  }
  const std::string two[] = {"x", "y"};
  ListPush(&bytes, two, 2, /*head=*/true);  // LPUSH l x y: y x ...
  model.insert(model.begin(), {"y", "x"});
  ASSERT_EQ(DecodeList(bytes), model);
  while (!model.empty()) {
    const bool head = model.size() % 2 == 0;
    const std::string want = head ? model.front() : model.back();
    if (head) {
      model.erase(model.begin());
    } else {
      model.pop_back();
    }
    ASSERT_EQ(ListPop(&bytes, head), want);
    if (model.empty()) break;
    ASSERT_TRUE(ValidateList(bytes).ok());
    ASSERT_EQ(DecodeList(bytes), model);
  }
  EXPECT_TRUE(bytes.empty());  // the last pop leaves nothing: the key is deleted
}

TEST(ListTest, PushPopMoveAndTheirReplies) {
  testing::Driver d;
  EXPECT_EQ(d.Run({"lpush", "q", "a", "b", "c"}, kT), Value::Int(3));  // c b a
  EXPECT_EQ(d.Run({"rpush", "q", "d"}, kT), Value::Int(4));
  EXPECT_EQ(d.Run({"lrange", "q", "0", "-1"}, kT), Bulks({"c", "b", "a", "d"}));
  EXPECT_EQ(d.Run({"lmove", "q", "q", "left", "right"}, kT), Value::Bulk("c"));  // rotation
  EXPECT_EQ(d.Run({"lrange", "q", "0", "-1"}, kT), Bulks({"b", "a", "d", "c"}));
  EXPECT_EQ(d.Run({"rpoplpush", "q", "other"}, kT), Value::Bulk("c"));
  EXPECT_EQ(d.Run({"lpop", "q", "2"}, kT), Bulks({"b", "a"}));
  EXPECT_EQ(d.Run({"lpop", "absent", "2"}, kT), Value::NullArray());
  EXPECT_EQ(d.Run({"rpop", "q"}, kT), Value::Bulk("d"));
  EXPECT_EQ(d.Run({"exists", "q"}, kT), Value::Int(0));  // gone with its last element
  EXPECT_EQ(d.Run({"lpushx", "q", "x"}, kT), Value::Int(0));
  EXPECT_EQ(d.Run({"type", "other"}, kT), Value::Simple("list"));
  d.Run({"rpush", "p", "a", "b", "a", "c", "a"}, kT);
  EXPECT_EQ(d.Run({"lpos", "p", "a", "rank", "-1"}, kT), Value::Int(4));
  EXPECT_EQ(d.Run({"lpos", "p", "a", "count", "0", "maxlen", "3"}, kT),
            Value::Array({Value::Int(0), Value::Int(2)}));
  EXPECT_EQ(d.Run({"lpos", "p", "z"}, kT), Value::Null());
  EXPECT_EQ(d.Run({"lpos", "p", "a", "rank", "0"}, kT).type, resp::Type::kError);
  // Refused as Redis 7.2 refuses it (7.0 overflows on it): docs/commands.md.
  EXPECT_EQ(d.Run({"lpos", "p", "a", "rank", "-9223372036854775808"}, kT),
            Value::Error("ERR value is out of range, must be between -9223372036854775807 and "
                         "9223372036854775807"));
  EXPECT_EQ(d.Run({"lpos", "p", "a", "rank", "-9223372036854775807"}, kT), Value::Null());
}

TEST(ListTest, ExpirySnapshotAndWatch) {
  testing::Driver d;
  d.Run({"rpush", "l", "a", "b", "a"}, kT);
  EXPECT_EQ(d.Run({"pexpire", "l", "5000"}, kT), Value::Int(1));
  EXPECT_EQ(d.Run({"linsert", "l", "before", "b", "x"}, kT), Value::Int(4));
  EXPECT_EQ(d.Run({"pttl", "l"}, kT), Value::Int(5000));  // element writes keep the expiry
  std::uint64_t v1 = *d.sm().KeyVersion("l", kT);
  EXPECT_EQ(d.Run({"lrem", "l", "0", "zz"}, kT), Value::Int(0));
  EXPECT_EQ(*d.sm().KeyVersion("l", kT), v1);  // nothing removed: unchanged for WATCH
  EXPECT_EQ(d.Run({"lrem", "l", "-1", "a"}, kT), Value::Int(1));  // the last "a"
  EXPECT_EQ(d.Run({"lrange", "l", "0", "-1"}, kT), Bulks({"a", "x", "b"}));
  Result<std::string> image = d.sm().Snapshot();
  ASSERT_TRUE(image.ok());
  testing::Driver e;
  ASSERT_TRUE(e.sm().Restore(*image).ok());
  EXPECT_EQ(e.Run({"lindex", "l", "-1"}, kT), Value::Bulk("b"));
  EXPECT_EQ(e.Run({"llen", "l"}, kT + 5000), Value::Int(0));  // expired with its key
  EXPECT_EQ(d.Exec({{"rpush", "l", "y"}, {"llen", "l"}, {"lindex", "l", "x"}}, {{"l", v1}}, kT),
            Value::NullArray());  // l changed since v1
}

TEST(ListLogTest, ValidatesTheListOps) {
  auto decodes = [](Op op, EntryKind kind = EntryKind::kBatch) {
    LogEntry e;
    e.kind = kind;
    e.ops.push_back(std::move(op));
    return Decode(Encode(e)).ok();
  };
  EXPECT_TRUE(decodes(Op{OpCode::kLPush, kListLeft | kListExisting, 0, 0, {"l", "x"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kLPush, 0, 0, 0, {"l"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kLPop, kListCount, 2, 0, {"l"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kLPop, 0, 2, 0, {"l"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kLSet, kListBadIndex, 0, 0, {"l", "x"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kLInsert, 0, 0, 0, {"l", "pivot"}}));
  EXPECT_TRUE(decodes(Op{OpCode::kLMove, kListLeft | kListToLeft, 0, 0, {"a", "b"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kLMove, 8, 0, 0, {"a", "b"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kLRange, 0, 0, -1, {"l"}}));  // a read outside a transaction
  EXPECT_TRUE(decodes(Op{OpCode::kLRange, 0, 0, -1, {"l"}}, EntryKind::kTransaction));
  EXPECT_TRUE(decodes(Op{OpCode::kLPos, 0, -2, 0, {"l", "e", "5"}}, EntryKind::kTransaction));
  EXPECT_FALSE(decodes(Op{OpCode::kLPos, 0, 0, -1, {"l", "e", "0"}}, EntryKind::kTransaction));
  EXPECT_FALSE(decodes(Op{OpCode::kLPos, 0, 1, -1, {"l", "e", "-1"}}, EntryKind::kTransaction));
}

}  // namespace
}  // namespace cairn::kv
