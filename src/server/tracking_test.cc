#include "server/tracking.h"

#include <gtest/gtest.h>

namespace cairn::server {
namespace {

using Keys = std::vector<std::string>;

kv::Op MakeOp(kv::OpCode code, Keys args) {
  kv::Op op;
  op.code = code;
  op.args = std::move(args);
  return op;
}

TEST(TrackingTable, DefaultModeInvalidatesReadersOnceThenForgets) {
  TrackingTable t;
  t.EnableDefault(1);
  t.EnableDefault(2);
  EXPECT_TRUE(t.Track(1, "a").empty());
  EXPECT_TRUE(t.Track(2, "a").empty());
  EXPECT_TRUE(t.Track(2, "b").empty());
  Invalidations inv = t.OnWrite({"a", "c"});
  ASSERT_EQ(inv.size(), 2u);
  EXPECT_EQ(inv[1], Keys{"a"});
  EXPECT_EQ(inv[2], Keys{"a"});
  // Told once: a second write needs a new read first.
  EXPECT_TRUE(t.OnWrite({"a"}).empty());
  EXPECT_EQ(t.OnWrite({"b"})[2], Keys{"b"});
  EXPECT_EQ(t.tracked_keys(), 0u);
}

TEST(TrackingTable, UntrackedAndDisabledConnectionsAreNotTold) {
  TrackingTable t;
  EXPECT_TRUE(t.Track(7, "a").empty());  // not tracking: ignored
  EXPECT_EQ(t.tracked_keys(), 0u);
  t.EnableDefault(1);
  (void)t.Track(1, "a");
  t.Disable(1);
  EXPECT_FALSE(t.IsTracking(1));
  EXPECT_TRUE(t.OnWrite({"a"}).empty());
}

TEST(TrackingTable, BroadcastMatchesPrefixesWithoutReads) {
  TrackingTable t;
  t.EnableBroadcast(1, {"user:", "cfg:"});
  t.EnableBroadcast(2, {});  // every key
  Invalidations inv = t.OnWrite({"user:1", "other", "cfg:x"});
  EXPECT_EQ(inv[1], (Keys{"user:1", "cfg:x"}));
  EXPECT_EQ(inv[2], (Keys{"user:1", "other", "cfg:x"}));
  // Broadcast connections are told every time, not once.
  EXPECT_EQ(t.OnWrite({"user:1"})[1], Keys{"user:1"});
}

TEST(TrackingTable, BoundEvictsOldestKeyAndInvalidatesIt) {
  TrackingTable t(/*keys_max=*/2);
  t.EnableDefault(1);
  (void)t.Track(1, "a");
  (void)t.Track(1, "b");
  Invalidations inv = t.Track(1, "c");
  EXPECT_EQ(inv[1], Keys{"a"});
  EXPECT_EQ(t.tracked_keys(), 2u);
  EXPECT_TRUE(t.OnWrite({"a"}).empty());
  EXPECT_EQ(t.OnWrite({"b", "c"})[1], (Keys{"b", "c"}));
}

TEST(TrackingTable, FlushAllTellsEveryTrackingConnection) {
  TrackingTable t;
  t.EnableDefault(1);
  t.EnableBroadcast(2, {"x"});
  (void)t.Track(1, "a");
  EXPECT_EQ(t.OnFlushAll(), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(t.tracked_keys(), 0u);
}

TEST(WrittenKeys, NamesEveryKeyAWriteTouches) {
  kv::LogEntry e;
  e.ops.push_back(MakeOp(kv::OpCode::kSet, {"k1", "v"}));
  e.ops.push_back(MakeOp(kv::OpCode::kMSet, {"m1", "v1", "m2", "v2"}));
  e.ops.push_back(MakeOp(kv::OpCode::kDel, {"d1", "d2"}));
  e.ops.push_back(MakeOp(kv::OpCode::kGet, {"readonly"}));  // a read in a transaction
  WrittenSet w = WrittenKeys(e);
  EXPECT_FALSE(w.all);
  EXPECT_FALSE(w.expiry);
  EXPECT_EQ(w.keys, (Keys{"k1", "m1", "m2", "d1", "d2"}));
}

TEST(WrittenKeys, FlushAndExpiryAreFlagged) {
  kv::LogEntry flush;
  flush.ops.push_back(MakeOp(kv::OpCode::kFlushDb, {}));
  EXPECT_TRUE(WrittenKeys(flush).all);
  kv::LogEntry expiry;
  expiry.ops.push_back(MakeOp(kv::OpCode::kExpireUpTo, {}));
  EXPECT_TRUE(WrittenKeys(expiry).expiry);
}

TEST(ReadKeys, KeyReadsOnly) {
  EXPECT_EQ(ReadKeys(MakeOp(kv::OpCode::kMGet, {"a", "b"})), (Keys{"a", "b"}));
  EXPECT_TRUE(ReadKeys(MakeOp(kv::OpCode::kScan, {"pat*"})).empty());
  // A hash read names its key first and fields after it: only the key counts.
  EXPECT_EQ(ReadKeys(MakeOp(kv::OpCode::kHMGet, {"h", "f", "g"})), (Keys{"h"}));
  EXPECT_EQ(ReadKeys(MakeOp(kv::OpCode::kHScan, {"h", "f*"})), (Keys{"h"}));
  EXPECT_EQ(ReadKeys(MakeOp(kv::OpCode::kSMIsMember, {"s", "m"})), (Keys{"s"}));
  EXPECT_EQ(ReadKeys(MakeOp(kv::OpCode::kSCombine, {"s", "t"})), (Keys{"s", "t"}));  // SINTER
  EXPECT_EQ(ReadKeys(MakeOp(kv::OpCode::kPfCount, {"a", "b"})), (Keys{"a", "b"}));
  // LCS's two keys, not its options; a script's declared KEYS, not its ARGV.
  EXPECT_EQ(ReadKeys(MakeOp(kv::OpCode::kLcs, {"a", "b", "idx"})), (Keys{"a", "b"}));
  kv::Op eval = MakeOp(kv::OpCode::kEval, {"return 1", "k1", "k2", "arg"});
  eval.num = 2;
  EXPECT_EQ(ReadKeys(eval), (Keys{"k1", "k2"}));
  EXPECT_EQ(ReadKeys(MakeOp(kv::OpCode::kLRange, {"l"})), (Keys{"l"}));
  EXPECT_TRUE(ReadKeys(MakeOp(kv::OpCode::kSet, {"a", "v"})).empty());
}

}  // namespace
}  // namespace cairn::server

// Safety under random operation sequences: a default-mode connection that
// read a key and has not been told about it since is told when the key is
// written (or earlier, when the bound evicts the key); the table never holds
// more than keys_max keys.
#include <rapidcheck/gtest.h>

namespace cairn::server {
namespace {

RC_GTEST_PROP(TrackingTableProperty, EveryTrackedReaderIsToldOfTheNextWrite, ()) {
  const std::size_t keys_max = *rc::gen::inRange<std::size_t>(1, 6);
  TrackingTable t(keys_max);
  std::map<std::uint64_t, bool> mode;               // conn -> bcast
  std::set<std::pair<std::uint64_t, std::string>> owed;  // (conn, key) awaiting a message
  auto told = [&](const Invalidations& inv) {
    for (const auto& [c, keys] : inv) {
      for (const auto& k : keys) owed.erase({c, k});
    }
  };
  const int steps = *rc::gen::inRange(1, 60);
  for (int i = 0; i < steps; ++i) {
    const std::uint64_t conn = *rc::gen::inRange<std::uint64_t>(1, 4);
    const std::string key(1, static_cast<char>('a' + *rc::gen::inRange(0, 5)));
    switch (*rc::gen::inRange(0, 6)) {
      case 0:
        if (mode.count(conn) && mode[conn]) std::erase_if(owed, [&](auto& p) { return p.first == conn; });
        t.EnableDefault(conn);
        mode[conn] = false;
        break;
      case 1:
        std::erase_if(owed, [&](auto& p) { return p.first == conn; });
        t.EnableBroadcast(conn, {});
        mode[conn] = true;
        break;
      case 2:
        std::erase_if(owed, [&](auto& p) { return p.first == conn; });
        t.Disable(conn);
        mode.erase(conn);
        break;
      case 3: {
        Invalidations inv = t.Track(conn, key);
        told(inv);
        if (mode.count(conn) && !mode[conn]) owed.insert({conn, key});
        break;
      }
      case 4: {
        Invalidations inv = t.OnWrite({key});
        for (const auto& [c, k] : owed) {
          if (k == key) {
            auto it = inv.find(c);
            RC_ASSERT(it != inv.end());
            RC_ASSERT(std::find(it->second.begin(), it->second.end(), key) != it->second.end());
          }
        }
        // BCAST connections with no prefix hear of every write.
        for (const auto& [c, bcast] : mode) {
          if (bcast) RC_ASSERT(inv.count(c) == 1u);
        }
        told(inv);
        break;
      }
      case 5: {
        std::vector<std::uint64_t> all = t.OnFlushAll();
        for (const auto& [c, k] : owed) {
          RC_ASSERT(std::find(all.begin(), all.end(), c) != all.end());
        }
        owed.clear();
        break;
      }
    }
    RC_ASSERT(t.tracked_keys() <= keys_max);
  }
}

}  // namespace
}  // namespace cairn::server
