#include "kv/state_machine.h"

#include <gtest/gtest.h>

#include <set>

#include "kv/keyspace_events.h"
#include "kv/test_driver.h"

namespace cairn::kv {
namespace {

using resp::Value;
constexpr std::int64_t kT = 1'700'000'000'000;

class StateMachineTest : public ::testing::Test {
 protected:
  Value Run(std::vector<std::string> args, std::int64_t now = kT) { return d_.Run(args, now); }
  testing::Driver d_;
};

TEST_F(StateMachineTest, SetGetAndConditions) {
  EXPECT_EQ(Run({"get", "k"}), Value::Null());
  EXPECT_EQ(Run({"set", "k", "v1"}), Value::Simple("OK"));
  EXPECT_EQ(Run({"get", "k"}), Value::Bulk("v1"));
  EXPECT_EQ(Run({"set", "k", "v2", "nx"}), Value::Null());
  EXPECT_EQ(Run({"set", "k", "v2", "nx", "get"}), Value::Bulk("v1"));
  EXPECT_EQ(Run({"set", "absent", "x", "xx"}), Value::Null());
  EXPECT_EQ(Run({"exists", "absent"}), Value::Int(0));
  EXPECT_EQ(Run({"set", "k", "v3", "xx", "get"}), Value::Bulk("v1"));
  EXPECT_EQ(Run({"getset", "k", "v4"}), Value::Bulk("v3"));
  EXPECT_EQ(Run({"strlen", "k"}), Value::Int(2));
  EXPECT_EQ(Run({"type", "k"}), Value::Simple("string"));
  EXPECT_EQ(Run({"type", "nope"}), Value::Simple("none"));
}

// PUBLISH changes no key: its message goes to the sink as the entry
// applies (each node's server delivers it), once, in log order, and not
// from a transaction that WATCH aborted. The reply is the count the taking
// node put in the op.
TEST_F(StateMachineTest, PublishHandsItsMessageToTheSink) {
  std::vector<std::string> got;
  d_.sm().set_publish_sink([&](const std::string& c, const std::string& m, bool sharded) {
    got.push_back((sharded ? "shard " : "") + c + ":" + m);
  });
  EXPECT_EQ(Run({"publish", "news", "one"}), Value::Int(0));
  EXPECT_EQ(Run({"dbsize"}), Value::Int(0));
  Run({"set", "k", "v"});
  const std::uint64_t version = d_.sm().KeyVersion("k", kT).value();
  EXPECT_EQ(d_.Exec({{"publish", "news", "two"}, {"set", "k", "w"}}, {{"k", version}}, kT),
            Value::Array({Value::Int(0), Value::Simple("OK")}));
  EXPECT_EQ(d_.Exec({{"publish", "news", "lost"}}, {{"k", version}}, kT), Value::NullArray());
  EXPECT_EQ(Run({"spublish", "news", "three"}), Value::Int(0));
  EXPECT_EQ(got, (std::vector<std::string>{"news:one", "news:two", "shard news:three"}));
  // An entry applied before (a restart's replay) delivers nothing again.
  ASSERT_TRUE(d_.sm().Apply(1, "").ok());
  EXPECT_EQ(got.size(), 3u);
  // The count travels in the op; a negative one is refused by validation.
  Op op{OpCode::kPublish, 0, 3, 0, {"c", "m"}};
  EXPECT_TRUE(ValidateOp(op, EntryKind::kBatch).ok());
  op.flags = kPublishSharded;
  EXPECT_TRUE(ValidateOp(op, EntryKind::kBatch).ok());
  op.flags = 2;
  EXPECT_FALSE(ValidateOp(op, EntryKind::kBatch).ok());
  op.flags = 0;
  op.num = -1;
  EXPECT_FALSE(ValidateOp(op, EntryKind::kBatch).ok());
}

TEST_F(StateMachineTest, MemoryUsageIsTheStoredKeyAndRecord) {
  Run({"set", "k", std::string(1000, 'x')});
  const Value small = Run({"memory", "usage", "k"});
  ASSERT_EQ(small.type, resp::Type::kInteger);
  EXPECT_GT(small.integer, 1000);
  EXPECT_LT(small.integer, 1100);
  Run({"rpush", "l", std::string(5000, 'a'), std::string(5000, 'b')});
  EXPECT_GT(Run({"memory", "usage", "l", "samples", "0"}).integer, 10000);
  EXPECT_EQ(Run({"memory", "usage", "absent"}), Value::Null());
  EXPECT_EQ(Run({"memory", "usage", "k", "samples", "x"}),
            Value::Error("ERR value is not an integer or out of range"));
  EXPECT_EQ(Run({"memory", "usage", "k", "nosuch", "1"}), Value::Error("ERR syntax error"));
  EXPECT_EQ(Run({"memory", "doctor"}),
            Value::Error("ERR unknown subcommand 'doctor'. Try MEMORY HELP."));
}

// Every live key comes up within 40 draws per key; an expired one never
// does, even when it is all the keyspace holds; no key is nil. 20 keys fit
// in one window of the draw, 320 need the random position.
TEST_F(StateMachineTest, RandomKeyDrawsLiveKeysOnly) {
  EXPECT_EQ(Run({"randomkey"}), Value::Null());
  Run({"set", "gone", "x", "px", "10"});
  EXPECT_EQ(Run({"randomkey"}, kT + 100), Value::Null());
  std::set<std::string> want;
  for (int n : {20, 300}) {
    for (int i = 0; i < n; ++i) {
      const std::string key = "k" + std::to_string(n) + "-" + std::to_string(i);
      Run({"set", key, "v"}, kT + 100);
      want.insert(key);
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < want.size() * 40 && seen.size() < want.size(); ++i) {
      const Value v = Run({"randomkey"}, kT + 100);
      ASSERT_EQ(v.type, resp::Type::kBulkString);
      ASSERT_TRUE(want.contains(v.str)) << v.str;
      seen.insert(v.str);
    }
    EXPECT_EQ(seen, want);
  }
}

// LCS's table is (len1 + 1) x (len2 + 1) counts on the event loop: a pair
// that would pass 16 Mi cells (64 MiB) is refused, one just under is not.
TEST_F(StateMachineTest, LcsRefusesTablesPastItsBound) {
  Run({"set", "a", std::string(4095, 'x')});
  Run({"set", "b", std::string(4095, 'x')});
  EXPECT_EQ(Run({"lcs", "a", "b", "len"}), Value::Int(4095));
  Run({"set", "b", std::string(4096, 'x')});
  EXPECT_EQ(Run({"lcs", "a", "b", "len"}),
            Value::Error("ERR LCS of strings this long is refused by Cairn (its table would pass "
                         "64 MiB)"));
}

TEST_F(StateMachineTest, SetNxSetExGetDel) {
  EXPECT_EQ(Run({"setnx", "k", "1"}), Value::Int(1));
  EXPECT_EQ(Run({"setnx", "k", "2"}), Value::Int(0));
  EXPECT_EQ(Run({"setex", "k", "10", "v"}), Value::Simple("OK"));
  EXPECT_EQ(Run({"ttl", "k"}), Value::Int(10));
  EXPECT_EQ(Run({"psetex", "k", "0", "v"}), Value::Error("ERR invalid expire time in 'psetex' command"));
  EXPECT_EQ(Run({"getdel", "k"}), Value::Bulk("v"));
  EXPECT_EQ(Run({"getdel", "k"}), Value::Null());
}

// Exact values the differential test only compares by category (TTLs) or
// cannot reach (COPY to another database, the replicated clock).
TEST_F(StateMachineTest, RangesRenamesCopiesAndGetEx) {
  EXPECT_EQ(Run({"setrange", "r", "3", "ab"}), Value::Int(5));
  EXPECT_EQ(Run({"get", "r"}), Value::Bulk(std::string("\0\0\0ab", 5)));  // zero-padded
  EXPECT_EQ(Run({"getrange", "r", "-2", "-1"}), Value::Bulk("ab"));
  EXPECT_EQ(Run({"setrange", "r", "536870911", "ab"}),
            Value::Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
  EXPECT_EQ(Run({"set", "a", "v", "px", "5000"}), Value::Simple("OK"));
  EXPECT_EQ(Run({"rename", "a", "b"}), Value::Simple("OK"));
  EXPECT_EQ(Run({"pttl", "b"}), Value::Int(5000));  // the expiry moves with the value
  EXPECT_EQ(Run({"exists", "a"}), Value::Int(0));
  EXPECT_EQ(Run({"copy", "b", "c"}), Value::Int(1));
  EXPECT_EQ(Run({"pttl", "c"}), Value::Int(5000));
  EXPECT_EQ(Run({"copy", "b", "c", "db", "1"}), Value::Error("ERR DB index is out of range"));
  EXPECT_EQ(Run({"getex", "c", "px", "100"}), Value::Bulk("v"));
  EXPECT_EQ(Run({"pttl", "c"}), Value::Int(100));
  EXPECT_EQ(Run({"getex", "c", "persist"}), Value::Bulk("v"));
  EXPECT_EQ(Run({"pttl", "c"}), Value::Int(-1));
  // An absolute time already past deletes the key after replying.
  EXPECT_EQ(Run({"getex", "c", "pxat", std::to_string(kT - 1)}), Value::Bulk("v"));
  EXPECT_EQ(Run({"exists", "c"}), Value::Int(0));
  EXPECT_EQ(Run({"incrbyfloat", "f", "10.5"}), Value::Bulk("10.5"));
  EXPECT_EQ(Run({"incrbyfloat", "f", "0.1"}), Value::Bulk("10.6"));
  EXPECT_EQ(Run({"incrbyfloat", "f", "-10.6"}), Value::Bulk("0"));
  EXPECT_EQ(Run({"set", "z", std::string("1\0", 2)}), Value::Simple("OK"));
  EXPECT_EQ(Run({"incrbyfloat", "z", "1"}), Value::Error("ERR value is not a valid float"));
}

TEST_F(StateMachineTest, CountersAndAppend) {
  EXPECT_EQ(Run({"incr", "c"}), Value::Int(1));
  EXPECT_EQ(Run({"incrby", "c", "41"}), Value::Int(42));
  EXPECT_EQ(Run({"decrby", "c", "50"}), Value::Int(-8));
  EXPECT_EQ(Run({"decr", "c"}), Value::Int(-9));
  EXPECT_EQ(Run({"set", "s", "abc"}), Value::Simple("OK"));
  EXPECT_EQ(Run({"incr", "s"}), Value::Error("ERR value is not an integer or out of range"));
  EXPECT_EQ(Run({"set", "m", "9223372036854775807"}), Value::Simple("OK"));
  EXPECT_EQ(Run({"incr", "m"}), Value::Error("ERR increment or decrement would overflow"));
  EXPECT_EQ(Run({"get", "m"}), Value::Bulk("9223372036854775807"));  // unchanged
  EXPECT_EQ(Run({"append", "s", "de"}), Value::Int(5));
  EXPECT_EQ(Run({"append", "new", "x"}), Value::Int(1));
  EXPECT_EQ(Run({"get", "s"}), Value::Bulk("abcde"));
}

TEST_F(StateMachineTest, MultiKeyCommands) {
  EXPECT_EQ(Run({"mset", "a", "1", "b", "2", "a", "3"}), Value::Simple("OK"));
  EXPECT_EQ(Run({"mget", "a", "b", "c"}),
            Value::Array({Value::Bulk("3"), Value::Bulk("2"), Value::Null()}));
  EXPECT_EQ(Run({"exists", "a", "a", "c"}), Value::Int(2));
  EXPECT_EQ(Run({"dbsize"}), Value::Int(2));
  EXPECT_EQ(Run({"del", "a", "a", "c"}), Value::Int(1));
  EXPECT_EQ(Run({"flushdb"}), Value::Simple("OK"));
  EXPECT_EQ(Run({"dbsize"}), Value::Int(0));
  EXPECT_EQ(Run({"get", "b"}), Value::Null());
}

TEST_F(StateMachineTest, ExpiryFollowsTheReplicatedClock) {
  EXPECT_EQ(Run({"set", "k", "v", "px", "1000"}, kT), Value::Simple("OK"));
  EXPECT_EQ(Run({"pttl", "k"}, kT), Value::Int(1000));
  EXPECT_EQ(Run({"ttl", "k"}, kT + 400), Value::Int(1));  // rounds like Redis
  EXPECT_EQ(Run({"pexpiretime", "k"}), Value::Int(kT + 1000));
  // A read at a later time sees the key gone before any entry says so...
  EXPECT_EQ(Run({"get", "k"}, kT + 1000), Value::Null());
  EXPECT_EQ(Run({"ttl", "k"}, kT + 1000), Value::Int(-2));
  // ...while a follower-style read (time 0) answers from the applied clock.
  EXPECT_EQ(d_.sm().Read(*ParseCommand({"get", "k"}, 0), 0), Value::Bulk("v"));
  // A write stamped later moves the clock: now every replica agrees.
  EXPECT_EQ(Run({"set", "other", "x"}, kT + 1000), Value::Simple("OK"));
  EXPECT_EQ(d_.sm().Read(*ParseCommand({"get", "k"}, 0), 0), Value::Null());
  EXPECT_EQ(Run({"set", "k", "new", "nx"}, kT + 1000), Value::Simple("OK"));
}

TEST_F(StateMachineTest, ClockNeverGoesBackwards) {
  Run({"set", "k", "v", "px", "100"}, kT);
  Run({"set", "x", "1"}, kT + 200);  // clock = kT + 200
  // An entry from a leader whose clock lags must not revive the key.
  EXPECT_EQ(Run({"set", "k", "again", "xx"}, kT + 50), Value::Null());
  EXPECT_EQ(d_.sm().clock_ms(), kT + 200);
}

TEST_F(StateMachineTest, ExpireOptionsAndPersist) {
  Run({"set", "k", "v"});
  EXPECT_EQ(Run({"ttl", "k"}), Value::Int(-1));
  EXPECT_EQ(Run({"expire", "k", "100", "xx"}), Value::Int(0));
  EXPECT_EQ(Run({"expire", "k", "100", "gt"}), Value::Int(0));  // no ttl = infinite
  EXPECT_EQ(Run({"expire", "k", "100", "nx"}), Value::Int(1));
  EXPECT_EQ(Run({"expire", "k", "50", "gt"}), Value::Int(0));
  EXPECT_EQ(Run({"expire", "k", "200", "gt"}), Value::Int(1));
  EXPECT_EQ(Run({"expire", "k", "300", "lt"}), Value::Int(0));
  EXPECT_EQ(Run({"ttl", "k"}), Value::Int(200));
  EXPECT_EQ(Run({"set", "k", "v2", "keepttl"}), Value::Simple("OK"));
  EXPECT_EQ(Run({"ttl", "k"}), Value::Int(200));
  EXPECT_EQ(Run({"incr", "n"}), Value::Int(1));
  EXPECT_EQ(Run({"persist", "k"}), Value::Int(1));
  EXPECT_EQ(Run({"persist", "k"}), Value::Int(0));
  EXPECT_EQ(Run({"expire", "missing", "10"}), Value::Int(0));
  EXPECT_EQ(Run({"expire", "k", "-1"}), Value::Int(1));  // in the past: deleted
  EXPECT_EQ(Run({"exists", "k"}), Value::Int(0));
  EXPECT_EQ(Run({"set", "g", "v", "ex", "10"}), Value::Simple("OK"));
  EXPECT_EQ(Run({"getset", "g", "w"}), Value::Bulk("v"));
  EXPECT_EQ(Run({"ttl", "g"}), Value::Int(-1));  // GETSET clears the expiry
  EXPECT_EQ(Run({"set", "p", "v", "pxat", "1"}), Value::Simple("OK"));  // born expired
  EXPECT_EQ(Run({"exists", "p"}), Value::Int(0));
}

TEST_F(StateMachineTest, ActiveExpiryReclaimsInOrderAndIsBounded) {
  for (int i = 0; i < 10; ++i) {
    Run({"set", "k" + std::to_string(i), "v", "px", std::to_string(100 + i)});
  }
  Run({"set", "forever", "v"});
  EXPECT_EQ(d_.sm().stored_keys(), 11u);
  EXPECT_EQ(Run({"dbsize"}, kT + 105), Value::Int(5));  // k0..k5 due at kT+105
  LogEntry e;
  e.now_ms = kT + 105;
  e.ops.push_back(Op{OpCode::kExpireUpTo, 0, kT + 1'000'000, 4, {}});  // T clamps to the clock
  auto replies = d_.sm().Apply(d_.sm().applied_index() + 1, Encode(e));
  ASSERT_TRUE(replies.ok());
  EXPECT_EQ((*replies)[0], Value::Int(4));  // bounded by num2
  EXPECT_EQ(d_.sm().stored_keys(), 7u);
  EXPECT_EQ(d_.sm().ExpiredKeys(kT + 105), 2u);  // k4, k5 left
  EXPECT_EQ(Run({"get", "k6"}, kT + 105), Value::Bulk("v"));
}

// Keyspace notifications follow the node's setting: none by default; only
// the classes and channel kinds set; "expired" from active expiry; none for
// a transaction WATCH aborted or a write that changed nothing; a group
// entry's writes in order. (KeyspaceEventsMatchRedis holds the event names
// against redis-server.)
TEST_F(StateMachineTest, KeyspaceEventsFollowTheSetting) {
  std::vector<std::string> got;
  d_.sm().set_publish_sink([&](const std::string& c, const std::string& m, bool sharded) {
    EXPECT_FALSE(sharded);
    got.push_back(c + " " + m);
  });
  Run({"set", "a", "1"});
  EXPECT_TRUE(got.empty()) << "off by default";
  d_.sm().set_keyspace_events(*ParseKeyspaceEventFlags("Kl"));
  Run({"set", "a", "2"});
  Run({"rpush", "l", "x"});
  Run({"srem", "s", "nobody"});
  EXPECT_EQ(got, (std::vector<std::string>{"__keyspace@0__:l rpush"}));
  got.clear();
  d_.sm().set_keyspace_events(*ParseKeyspaceEventFlags("Egx"));
  Run({"set", "t", "v", "px", "100"});
  const std::uint64_t version = d_.sm().KeyVersion("a", kT).value();
  Run({"set", "a", "3"});
  EXPECT_EQ(d_.Exec({{"del", "a"}}, {{"a", version}}, kT), Value::NullArray());
  LogEntry e;
  e.now_ms = kT + 200;
  e.ops.push_back(Op{OpCode::kExpireUpTo, 0, kT + 200, 10, {}});
  ASSERT_TRUE(d_.sm().Apply(d_.sm().applied_index() + 1, Encode(e)).ok());
  d_.RunGroup({{"del", "a"}, {"lpop", "l"}}, {kT + 200, kT + 200});
  EXPECT_EQ(got, (std::vector<std::string>{"__keyevent@0__:expire t", "__keyevent@0__:expired t",
                                           "__keyevent@0__:del a", "__keyevent@0__:del l"}));
  EXPECT_EQ(FormatKeyspaceEventFlags(*ParseKeyspaceEventFlags("gx$lshzetdKE")), "AKE");
  EXPECT_EQ(FormatKeyspaceEventFlags(*ParseKeyspaceEventFlags("Exg")), "gxE");
  EXPECT_FALSE(ParseKeyspaceEventFlags("KEy"));
  EXPECT_FALSE(KeyspaceEventsOn(*ParseKeyspaceEventFlags("KE")));
  EXPECT_FALSE(KeyspaceEventsOn(*ParseKeyspaceEventFlags("A")));
}

// SLOWLOG's measure: reads and writes are timed with the node's clock (a
// fake one here, 7 us per reading); a script's commands count within their
// EVAL; only ops at the threshold or above are handed over.
TEST_F(StateMachineTest, OpTimerTimesReadsAndTopLevelWrites) {
  struct FakeTimer : StateMachine::OpTimer {
    std::int64_t now = 0;
    std::vector<std::string> slow;
    std::int64_t NowUs() override { return now += 7; }
    void Slow(const Op& op, std::int64_t micros) override {
      slow.push_back(std::to_string(static_cast<int>(op.code)) + ":" + std::to_string(micros));
    }
  } timer;
  d_.sm().set_op_timer(&timer, 7);
  Run({"set", "a", "1"});
  Run({"get", "a"});
  Run({"eval", "redis.call('set', KEYS[1], 'x') return redis.call('get', KEYS[1])", "1", "b"});
  EXPECT_EQ(timer.slow, (std::vector<std::string>{"1:7", "64:7", "56:7"}));
  d_.sm().set_op_timer(&timer, 8);
  Run({"get", "a"});
  EXPECT_EQ(timer.slow.size(), 3u);
  d_.sm().set_op_timer(nullptr, 0);
  const std::int64_t before = timer.now;
  Run({"get", "a"});
  EXPECT_EQ(timer.now, before) << "no timer, no clock reads";
}

TEST_F(StateMachineTest, TransactionsAndWatch) {
  Run({"set", "a", "1"});
  auto version = d_.sm().KeyVersion("a", kT);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, d_.sm().applied_index());
  EXPECT_EQ(*d_.sm().KeyVersion("absent", kT), 0u);
  // Unchanged watch: runs, with runtime errors inside the array.
  Value r = d_.Exec({{"incr", "a"}, {"append", "a", "x"}, {"incr", "a"}}, {{"a", *version}}, kT);
  EXPECT_EQ(r, Value::Array({Value::Int(2), Value::Int(2),
                             Value::Error("ERR value is not an integer or out of range")}));
  // The watched key changed since: aborted, nothing applied.
  r = d_.Exec({{"set", "b", "x"}}, {{"a", *version}}, kT);
  EXPECT_EQ(r, Value::NullArray());
  EXPECT_EQ(Run({"exists", "b"}), Value::Int(0));
  // Watching an absent key that is still absent: runs.
  r = d_.Exec({{"set", "b", "x"}}, {{"c", 0}}, kT);
  EXPECT_EQ(r, Value::Array({Value::Simple("OK")}));
  // A watched key that expired counts as changed.
  Run({"set", "e", "v", "px", "10"});
  std::uint64_t ev = *d_.sm().KeyVersion("e", kT);
  EXPECT_EQ(d_.Exec({{"del", "b"}}, {{"e", ev}}, kT + 10), Value::NullArray());
}

TEST_F(StateMachineTest, OpsInOneEntrySeeEachOther) {
  LogEntry e;
  e.now_ms = kT;
  e.ops.push_back(*ParseCommand({"set", "k", "5", "ex", "100"}, kT));
  e.ops.push_back(*ParseCommand({"incr", "k"}, kT));
  e.ops.push_back(*ParseCommand({"flushdb"}, kT));
  e.ops.push_back(*ParseCommand({"append", "k", "z"}, kT));
  auto replies = d_.sm().Apply(1, Encode(e));
  ASSERT_TRUE(replies.ok());
  EXPECT_EQ(*replies, (std::vector<Value>{Value::Simple("OK"), Value::Int(6), Value::Simple("OK"),
                                          Value::Int(1)}));
  EXPECT_EQ(Run({"get", "k"}), Value::Bulk("z"));
  EXPECT_EQ(Run({"ttl", "k"}), Value::Int(-1));
  EXPECT_EQ(d_.sm().ExpiredKeys(kT + 1'000'000), 0u);  // the flushed expiry is gone
}

std::string GroupOf(const std::vector<LogEntry>& entries) {
  std::vector<std::string> members;
  for (const auto& e : entries) members.push_back(Encode(e));
  return testing::EncodeGroup(members);
}

LogEntry WriteEntry(std::vector<std::string> args, std::int64_t now) {
  LogEntry e;
  e.now_ms = now;
  e.ops.push_back(*ParseCommand(args, now));
  return e;
}

// A group applies its members in order at one index, each answered as if it
// were an entry of its own there.
TEST_F(StateMachineTest, GroupMembersApplyInOrderWithTheirOwnReplies) {
  Run({"set", "w", "0"});
  const std::uint64_t watched = *d_.sm().KeyVersion("w", kT);
  LogEntry txn;  // sees the SET of w earlier in the group: aborted
  txn.kind = EntryKind::kTransaction;
  txn.now_ms = kT;
  txn.watches = {{"w", watched}};
  txn.ops.push_back(*ParseCommand({"set", "never", "x"}, kT));
  LogEntry txn2 = txn;  // watches nothing: runs, and reads the group's earlier write
  txn2.watches.clear();
  txn2.ops = {*ParseCommand({"incr", "n"}, kT), *ParseCommand({"get", "k"}, kT)};
  LogEntry empty;  // a batch with no op answers null
  empty.now_ms = kT;
  const std::uint64_t index = d_.sm().applied_index() + 1;
  auto replies = d_.sm().Apply(
      index, GroupOf({WriteEntry({"set", "k", "5"}, kT), WriteEntry({"incr", "k"}, kT),
                      WriteEntry({"set", "w", "1"}, kT), txn, txn2, empty,
                      WriteEntry({"set", "t", "v", "px", "100"}, kT + 50)}));
  ASSERT_TRUE(replies.ok()) << replies.status().ToString();
  EXPECT_EQ(*replies,
            (std::vector<Value>{Value::Simple("OK"), Value::Int(6), Value::Simple("OK"),
                                Value::NullArray(), Value::Array({Value::Int(1), Value::Bulk("6")}),
                                Value::Null(), Value::Simple("OK")}));
  EXPECT_EQ(d_.sm().applied_index(), index);
  EXPECT_EQ(*d_.sm().KeyVersion("k", kT), index);  // every member's write has the group's index
  EXPECT_EQ(Run({"exists", "never"}), Value::Int(0));
  // The clock is the latest member's time: t lives 100 ms from kT + 50.
  EXPECT_EQ(Run({"pttl", "t"}, kT + 50), Value::Int(100));
  // A group with a member that does not decode changes nothing.
  const std::string bad =
      testing::EncodeGroup({Encode(WriteEntry({"set", "k", "bad"}, kT)), "\x01\x07"});
  EXPECT_EQ(d_.sm().Apply(index + 1, bad).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(d_.sm().applied_index(), index);
  EXPECT_EQ(Run({"get", "k"}), Value::Bulk("6"));
}

// A follower applies with Replies::kDiscarded: the reads a transaction
// carries are skipped and no reply is built, and it must end in exactly the
// state of the leader that built every reply (watches still decide).
TEST_F(StateMachineTest, DiscardedRepliesReachTheSameState) {
  testing::Driver follower;
  for (testing::Driver* d : {&d_, &follower}) {
    d->Run({"set", "w", "0"}, kT);
    d->Run({"set", "k", "1", "px", "500"}, kT);
  }
  const std::uint64_t watched = *d_.sm().KeyVersion("w", kT);
  LogEntry reads;  // what a pipeline's GETs behind SETs become (session.h)
  reads.kind = EntryKind::kTransaction;
  reads.now_ms = kT + 10;
  reads.ops = {*ParseCommand({"get", "k"}, kT), *ParseCommand({"pttl", "k"}, kT),
               *ParseCommand({"mget", "k", "w", "none"}, kT)};
  LogEntry mixed = reads;  // reads and writes: the writes still apply
  mixed.ops.push_back(*ParseCommand({"incr", "k"}, kT));
  mixed.ops.push_back(*ParseCommand({"get", "k"}, kT));
  LogEntry aborted = mixed;  // w changed after it was watched: nothing applies
  aborted.watches = {{"w", watched}};
  aborted.ops.push_back(*ParseCommand({"set", "never", "x"}, kT));
  const std::vector<std::string> entries = {
      Encode(reads), Encode(mixed), Encode(WriteEntry({"set", "w", "1"}, kT + 20)), Encode(aborted),
      testing::EncodeGroup(
          {Encode(reads), Encode(mixed), Encode(WriteEntry({"append", "k", "x"}, kT + 30))})};
  std::vector<std::vector<Value>> leader_replies;
  for (const std::string& bytes : entries) {
    const std::uint64_t index = d_.sm().applied_index() + 1;
    auto wanted = d_.sm().Apply(index, bytes);
    ASSERT_TRUE(wanted.ok()) << wanted.status().ToString();
    leader_replies.push_back(*wanted);
    auto discarded = follower.sm().Apply(index, bytes, StateMachine::Replies::kDiscarded);
    ASSERT_TRUE(discarded.ok()) << discarded.status().ToString();
    EXPECT_TRUE(discarded->empty());
  }
  // The leader's replies are the real ones (the reads were served).
  EXPECT_EQ(leader_replies[0][0],
            Value::Array({Value::Bulk("1"), Value::Int(490),
                          Value::Array({Value::Bulk("1"), Value::Bulk("0"), Value::Null()})}));
  EXPECT_EQ(leader_replies[3][0], Value::NullArray());
  EXPECT_EQ(leader_replies[4][1].elems.back(), Value::Bulk("3"));
  auto a = d_.sm().Snapshot();
  auto b = follower.sm().Snapshot();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(follower.Run({"get", "k"}, kT + 30), Value::Bulk("3x"));
  EXPECT_EQ(follower.Run({"exists", "never"}, kT + 30), Value::Int(0));
}

TEST_F(StateMachineTest, ReplayedAndEmptyEntries) {
  EXPECT_EQ(Run({"incr", "c"}), Value::Int(1));
  LogEntry e;
  e.ops.push_back(*ParseCommand({"incr", "c"}, kT));
  auto replayed = d_.sm().Apply(1, Encode(e));  // index 1 was applied
  ASSERT_TRUE(replayed.ok());
  EXPECT_TRUE(replayed->empty());
  ASSERT_TRUE(d_.sm().Apply(2, "").ok());
  EXPECT_EQ(d_.sm().applied_index(), 2u);
  EXPECT_EQ(Run({"get", "c"}), Value::Bulk("1"));
  EXPECT_EQ(d_.sm().Apply(5, "\x01\x07").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(d_.sm().applied_index(), 2u);  // the corrupt entry changed nothing
}

// SCAN returns every key present for the whole iteration exactly when keys
// are added and deleted between calls.
TEST_F(StateMachineTest, ScanCoversStableKeysDespiteChurn) {
  std::set<std::string> stable;
  for (int i = 0; i < 300; ++i) {
    std::string key = "s" + std::to_string(i);
    Run({"set", key, "v"});
    stable.insert(key);
  }
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    Value r = Run({"scan", cursor, "count", "7"});
    ASSERT_EQ(r.elems.size(), 2u);
    cursor = r.elems[0].str;
    for (const Value& k : r.elems[1].elems) seen.insert(k.str);
    Run({"set", "churn" + std::to_string(calls), "x"});
    Run({"del", "churn" + std::to_string(calls / 2)});
    ASSERT_LT(++calls, 1000);
  } while (cursor != "0");
  for (const std::string& key : stable) EXPECT_TRUE(seen.count(key)) << key;
}

TEST_F(StateMachineTest, ScanMatchAndType) {
  Run({"mset", "user:1", "a", "user:2", "b", "order:1", "c"});
  std::set<std::string> seen;
  std::string cursor = "0";
  do {
    Value r = Run({"scan", cursor, "match", "user:*", "count", "1000", "type", "STRING"});
    cursor = r.elems[0].str;
    for (const Value& k : r.elems[1].elems) seen.insert(k.str);
  } while (cursor != "0");
  EXPECT_EQ(seen, (std::set<std::string>{"user:1", "user:2"}));
  Value none = Run({"scan", "0", "count", "1000", "type", "hash"});
  EXPECT_TRUE(none.elems[1].elems.empty());
}

// Two replicas applying the same entries agree on every reply and snapshot.
TEST_F(StateMachineTest, ReplicasAreDeterministic) {
  testing::Driver a;
  testing::Driver b;
  std::vector<std::vector<std::string>> script = {
      {"set", "k", "1", "px", "50"}, {"incr", "k"},         {"expire", "k", "1"},
      {"mset", "x", "1", "y", "2"},  {"append", "x", "9"},   {"set", "z", "v", "ex", "1"},
      {"del", "y"},                  {"persist", "k"},      {"getset", "x", "w"}};
  std::int64_t t = kT;
  for (const auto& cmd : script) {
    t += 37;
    EXPECT_EQ(a.Run(cmd, t), b.Run(cmd, t));
  }
  EXPECT_EQ(*a.sm().Snapshot(), *b.sm().Snapshot());
}

}  // namespace
}  // namespace cairn::kv
