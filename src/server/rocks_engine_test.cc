// RocksEngine against MemoryEngine (the reference): the same random batches
// must give the same reads, scans, counts and applied state, also after a
// reopen. And the state machine on RocksDB resumes at the engine's index.
#include "server/rocks_engine.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "common/random.h"
#include "kv/log_entry.h"
#include "kv/parse.h"
#include "kv/state_machine.h"

namespace cairn::server {
namespace {

std::uint64_t Seed() {
  const char* env = std::getenv("CAIRN_SEED");
  std::uint64_t seed = env ? std::strtoull(env, nullptr, 10) : std::random_device{}();
  std::printf("CAIRN_SEED=%llu\n", static_cast<unsigned long long>(seed));
  return seed;
}

class RocksEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cairn-rocks-engine-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::unique_ptr<RocksEngine> Open(std::size_t cache_bytes = 0) {
    auto store = storage::KvStore::Open(root_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return std::make_unique<RocksEngine>(std::move(store).value(), cache_bytes);
  }
  std::string root_;
};

// The same checks with the read cache off, small enough to evict all the
// time, and large enough to hold every key.
class RocksEngineCacheTest : public RocksEngineTest,
                             public ::testing::WithParamInterface<std::size_t> {};

std::string RandomKey(Random& rng) {
  static const std::vector<std::string> kAlphabet = {"a", "b", "k", std::string(1, '\0'), "\xff", "u", "zz"};
  std::string k;
  std::size_t n = rng.Range(0, 3);
  for (std::size_t i = 0; i < n; i++) k += kAlphabet[rng.Uniform(kAlphabet.size())];
  return k;
}

void ExpectSame(const kv::Engine& want, const kv::Engine& got, Random& rng, const char* when) {
  SCOPED_TRACE(when);
  ASSERT_EQ(want.Count(), got.Count());
  ASSERT_EQ(want.applied(), got.applied());
  for (int i = 0; i < 30; i++) {
    std::string k = RandomKey(rng);
    ASSERT_EQ(want.Get(k).value(), got.Get(k).value()) << "key " << k;
    std::size_t limit = rng.Range(0, 10);
    std::vector<std::pair<std::string, std::string>> a, b = {{"stale", "x"}};
    ASSERT_TRUE(want.Scan(k, limit, &a).ok());
    ASSERT_TRUE(got.Scan(k, limit, &b).ok());
    ASSERT_EQ(a, b) << "scan from " << k << " limit " << limit;
  }
  std::vector<std::pair<std::string, std::string>> all_a, all_b;
  ASSERT_TRUE(want.Scan("", 1000, &all_a).ok());
  ASSERT_TRUE(got.Scan("", 1000, &all_b).ok());
  ASSERT_EQ(all_a, all_b);
}

TEST_P(RocksEngineCacheTest, DifferentialAgainstMemoryEngine) {
  Xoshiro256 rng(Seed());
  kv::MemoryEngine mem;
  auto rocks = Open(GetParam());
  std::uint64_t index = 0;
  std::int64_t clock = 1000;
  bool grouping = false;
  for (int round = 0; round < 4; round++) {
    for (int b = 0; b < 150; b++) {
      kv::EngineBatch batch;
      batch.clear_first = rng.OneIn(40);
      std::size_t n = rng.Range(0, 6);
      for (std::size_t i = 0; i < n; i++) {
        std::optional<std::string> v;
        if (!rng.OneIn(3)) v = "v" + std::to_string(rng.Uniform(1000));
        batch.writes.emplace_back(RandomKey(rng), v);
      }
      kv::AppliedState st{index += rng.Range(1, 3), clock += static_cast<std::int64_t>(rng.Uniform(50))};
      rocks->set_applying_term(round + 1);
      // Apply groups of random length (one RocksDB batch each); inside a
      // group, Get must see the group's own writes.
      if (!grouping && rng.OneIn(4)) {
        rocks->BeginGroup();
        grouping = true;
      }
      // Half the batches say which keys were stored before them, as the
      // state machine's do (the key count then needs no lookups); the
      // count must come out the same either way.
      if (rng.OneIn(2)) {
        for (const auto& [key, value] : batch.writes) {
          batch.existed.push_back(rocks->Get(key).value().has_value());
        }
      }
      // Reads before the write fill the cache with what is about to change.
      for (int r = 0; r < 3; r++) {
        std::string k = RandomKey(rng);
        ASSERT_EQ(mem.Get(k).value(), rocks->Get(k).value()) << "key " << k;
      }
      ASSERT_TRUE(mem.Apply(batch, st).ok());
      ASSERT_TRUE(rocks->Apply(batch, st).ok());
      for (const auto& [key, value] : batch.writes) {
        ASSERT_EQ(mem.Get(key).value(), rocks->Get(key).value()) << "key " << key;
      }
      ASSERT_EQ(mem.applied(), rocks->applied());
      if (grouping && rng.OneIn(8)) {
        ASSERT_TRUE(rocks->EndGroup().ok());
        grouping = false;
      }
    }
    if (grouping) {
      ASSERT_TRUE(rocks->EndGroup().ok());
      grouping = false;
    }
    ExpectSame(mem, *rocks, rng, "live");
    rocks.reset();
    rocks = Open(GetParam());
    ExpectSame(mem, *rocks, rng, "after reopen");
    EXPECT_EQ(rocks->store().applied().term, static_cast<raft::Term>(round + 1));
  }
}

TEST_F(RocksEngineTest, ChecksCatchADifferentEngine) {
  // The comparison above must be able to fail: one lost delete shows.
  Xoshiro256 rng(7);
  kv::MemoryEngine mem;
  auto rocks = Open();
  kv::EngineBatch put{false, {{"k", std::string("v")}}}, del{false, {{"k", std::nullopt}}};
  ASSERT_TRUE(mem.Apply(put, {1, 0}).ok());
  ASSERT_TRUE(rocks->Apply(put, {1, 0}).ok());
  ASSERT_TRUE(mem.Apply(del, {2, 0}).ok());
  ASSERT_TRUE(rocks->Apply(kv::EngineBatch{}, {2, 0}).ok());
  EXPECT_NE(mem.Count(), rocks->Count());
  EXPECT_NE(mem.Get("k").value(), rocks->Get("k").value());
}

// A group is one RocksDB batch: until EndGroup nothing reaches the store,
// and a crash (here: dropping the engine mid-group) leaves the store at the
// index before the group, with none of its writes.
INSTANTIATE_TEST_SUITE_P(ReadCache, RocksEngineCacheTest,
                         ::testing::Values(std::size_t{0}, std::size_t{1024},
                                           std::size_t{1} << 20));

TEST_F(RocksEngineTest, ChecksCatchAStaleCache) {
  // The differential comparison must see a cache that kept an old value:
  // here the store changes behind the engine's back (as a missed
  // invalidation would leave it), and the cached read differs from the model.
  kv::MemoryEngine mem;
  auto rocks = Open(1 << 20);
  kv::EngineBatch put{false, {{"k", std::string("v1")}}};
  ASSERT_TRUE(mem.Apply(put, {1, 0}).ok());
  ASSERT_TRUE(rocks->Apply(put, {1, 0}).ok());
  ASSERT_EQ(rocks->Get("k").value(), std::optional<std::string>("v1"));  // now cached
  kv::EngineBatch put2{false, {{"k", std::string("v2")}}};
  ASSERT_TRUE(mem.Apply(put2, {2, 0}).ok());
  storage::KvBatch direct;
  direct.ops.push_back({storage::KvOp::Kind::kPut, "k", "v2"});
  direct.applied = {2, 0, 0};
  ASSERT_TRUE(rocks->store().Write(direct).ok());
  EXPECT_NE(mem.Get("k").value(), rocks->Get("k").value());
  EXPECT_EQ(rocks->cache_stats().hits, 1u);
}

TEST_F(RocksEngineTest, ReadCacheServesRepeatedReadsAndForgetsWrites) {
  auto rocks = Open(1 << 20);
  ASSERT_TRUE(rocks->Apply(kv::EngineBatch{false, {{"k", std::string("v1")}}}, {1, 0}).ok());
  for (int i = 0; i < 5; i++) ASSERT_EQ(rocks->Get("k").value(), std::optional<std::string>("v1"));
  ASSERT_EQ(rocks->Get("absent").value(), std::nullopt);
  ASSERT_EQ(rocks->Get("absent").value(), std::nullopt);
  cache::CacheStats s = rocks->cache_stats();
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(s.hits, 5u);  // four of "k", one "absent"
  EXPECT_GT(rocks->cache_bytes_used(), 0u);
  // A write inside a group is seen at once and stays seen after the flush.
  rocks->BeginGroup();
  ASSERT_TRUE(rocks->Apply(kv::EngineBatch{false, {{"k", std::string("v2")}}}, {2, 0}).ok());
  EXPECT_EQ(rocks->Get("k").value(), std::optional<std::string>("v2"));
  ASSERT_TRUE(rocks->EndGroup().ok());
  EXPECT_EQ(rocks->Get("k").value(), std::optional<std::string>("v2"));
  // FLUSHDB empties the cache; the counters survive it.
  ASSERT_TRUE(rocks->Apply(kv::EngineBatch{true, {}}, {3, 0}).ok());
  EXPECT_EQ(rocks->Get("k").value(), std::nullopt);
  EXPECT_EQ(rocks->cache_bytes_used(), 96u + 1u);  // only "k" as absent
  EXPECT_GE(rocks->cache_stats().hits, 5u);
  // Off: nothing is counted.
  rocks.reset();
  auto plain = Open(0);
  ASSERT_EQ(plain->Get("k").value(), std::nullopt);
  EXPECT_EQ(plain->cache_stats().misses, 0u);
}

TEST_F(RocksEngineTest, GroupIsWrittenAsOneBatch) {
  auto rocks = Open();
  ASSERT_TRUE(rocks->Apply({false, {{"a", std::string("1")}}}, {1, 10}).ok());
  rocks->BeginGroup();
  ASSERT_TRUE(rocks->Apply({false, {{"a", std::string("2")}, {"b", std::string("x")}}}, {2, 20}).ok());
  rocks->set_next_cluster("record at 3");
  ASSERT_TRUE(rocks->Apply({false, {{"b", std::nullopt}}}, {3, 30}).ok());
  EXPECT_EQ(rocks->Get("a").value(), std::optional<std::string>("2"));
  EXPECT_EQ(rocks->Get("b").value(), std::nullopt);
  EXPECT_EQ(rocks->applied().index, 3u);
  EXPECT_EQ(rocks->store().applied_index(), 1u) << "nothing written before EndGroup";
  EXPECT_EQ(rocks->store().cluster(), "");
  ASSERT_TRUE(rocks->EndGroup().ok());
  EXPECT_EQ(rocks->store().applied_index(), 3u);
  EXPECT_EQ(rocks->store().cluster(), "record at 3");
  EXPECT_EQ(rocks->Count(), 1u);
  rocks->BeginGroup();
  ASSERT_TRUE(rocks->Apply({false, {{"c", std::string("lost")}}}, {4, 40}).ok());
  rocks.reset();  // the process dies mid-group
  auto reopened = Open();
  EXPECT_EQ(reopened->store().applied_index(), 3u);
  EXPECT_EQ(reopened->Get("c").value(), std::nullopt);
  EXPECT_EQ(reopened->Get("a").value(), std::optional<std::string>("2"));
}

TEST_F(RocksEngineTest, StateMachineResumesAtTheEnginesAppliedIndex) {
  auto entry = [](std::vector<std::string> args, std::int64_t now) {
    kv::LogEntry e;
    e.now_ms = now;
    e.ops.push_back(kv::ParseCommand(args, now).value());
    return kv::Encode(e);
  };
  {
    auto sm = kv::StateMachine::Open(Open()).value();
    ASSERT_TRUE(sm->Apply(1, entry({"set", "a", "1"}, 5000)).ok());
    ASSERT_TRUE(sm->Apply(2, entry({"incr", "a"}, 6000)).ok());
    ASSERT_TRUE(sm->Apply(3, entry({"set", "t", "x", "px", "100000"}, 7000)).ok());
  }
  auto sm = kv::StateMachine::Open(Open()).value();
  EXPECT_EQ(sm->applied_index(), 3u);
  EXPECT_EQ(sm->clock_ms(), 7000);
  EXPECT_EQ(sm->stored_keys(), 2u);
  // Replaying entries the engine already holds changes nothing.
  auto replay = sm->Apply(2, entry({"incr", "a"}, 6000));
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->empty());
  auto r = sm->Apply(4, entry({"incr", "a"}, 8000)).value();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], resp::Value::Int(3));
  EXPECT_EQ(sm->ExpiredKeys(200000), 1u) << "the expiry index is rebuilt from RocksDB";
}

// The cluster record rides in the batch of the entry applied right after
// set_next_cluster (and only that one), survives a reopen, and is inside a
// checkpoint (so a snapshot carries the membership).
TEST_F(RocksEngineTest, ClusterRecordIsSavedWithTheAppliedIndex) {
  {
    auto engine = Open();
    RocksEngine* raw = engine.get();
    auto sm = kv::StateMachine::Open(std::move(engine)).value();
    EXPECT_EQ(raw->store().cluster(), "");
    raw->set_next_cluster("members at 2");
    ASSERT_TRUE(sm->Apply(1, "").ok());
    EXPECT_EQ(raw->store().cluster(), "members at 2");
    ASSERT_TRUE(sm->Apply(2, "").ok());
    EXPECT_EQ(raw->store().cluster(), "members at 2") << "an unset record keeps the stored one";
    ASSERT_TRUE(raw->store().WriteCheckpoint(root_ + "/cp").ok());
  }
  auto reopened = Open();
  EXPECT_EQ(reopened->store().cluster(), "members at 2");
  EXPECT_EQ(reopened->store().applied_index(), 2u);
  auto cp = storage::KvStore::Open(root_ + "/cp-root");
  ASSERT_TRUE(cp.ok());
  cp->reset();
  std::filesystem::remove_all(root_ + "/cp-root/db");
  std::filesystem::rename(root_ + "/cp", root_ + "/cp-root/db");
  auto from_checkpoint = storage::KvStore::Open(root_ + "/cp-root");
  ASSERT_TRUE(from_checkpoint.ok()) << from_checkpoint.status().ToString();
  EXPECT_EQ((*from_checkpoint)->cluster(), "members at 2");
}

}  // namespace
}  // namespace cairn::server
