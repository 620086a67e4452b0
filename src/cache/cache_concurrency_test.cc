// Concurrency tests for Cache: run under TSan (LABELS concurrency).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "cache/cache.h"
#include "common/random.h"

namespace cairn::cache {
namespace {

using IntCache = Cache<int, int>;
using Loaded = IntCache::LoadResult;

std::uint64_t Seed() {
  const char* env = std::getenv("CAIRN_SEED");
  const std::uint64_t seed = env ? std::strtoull(env, nullptr, 10) : 20261125;
  std::printf("CAIRN_SEED=%llu\n", static_cast<unsigned long long>(seed));
  return seed;
}

TEST(CacheConcurrency, SingleFlightLoadsOncePerKey) {
  IntCache cache(CacheOptions{.max_entries = 1000});
  constexpr int kThreads = 8;
  std::atomic<int> arrived{0};
  std::atomic<int> loads{0};
  auto loader = [&](const int& k) -> Loaded {
    loads.fetch_add(1);
    // Hold the load open until every caller has at least started its call;
    // each late caller then either joins this flight or hits the inserted entry.
    while (arrived.load() < kThreads) std::this_thread::yield();
    return std::optional<int>(k * 3);
  };
  std::vector<std::thread> threads;
  std::atomic<int> correct{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      arrived.fetch_add(1);
      Loaded r = cache.GetOrLoad(5, loader);
      if (r.ok() && r->has_value() && **r == 15) correct.fetch_add(1);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(loads.load(), 1);
  EXPECT_EQ(correct.load(), kThreads);
}

TEST(CacheConcurrency, MixedOperationsKeepValuesAndBounds) {
  const std::uint64_t seed = Seed();
  IntCache cache(CacheOptions{.max_entries = 512, .shards = 4});
  constexpr int kThreads = 4;
  constexpr int kOps = 20000;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Xoshiro256 rng(seed + t);
      auto loader = [](const int& k) -> Loaded { return std::optional<int>(k * 2); };
      for (int i = 0; i < kOps; ++i) {
        const int key = static_cast<int>(rng.Uniform(2000));
        switch (rng.Uniform(4)) {
          case 0: {
            auto v = cache.Get(key);
            if (v && *v != key * 2) wrong.fetch_add(1);
            break;
          }
          case 1: cache.Put(key, key * 2); break;
          case 2: cache.Invalidate(key); break;
          default: {
            Loaded r = cache.GetOrLoad(key, loader);
            if (!r.ok() || !r->has_value() || **r != key * 2) wrong.fetch_add(1);
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(cache.EntryCount(), 512u + cache.ShardCount());
  const CacheStats st = cache.Stats();
  EXPECT_GT(st.hits, 0u);
  EXPECT_GT(st.evictions, 0u);
}

// The hit path's read buffer holds raw entry pointers while writers evict and
// invalidate: a one-shard cache far smaller than the key space, with threads
// hitting hot keys (filling and draining the buffer) while others insert,
// reweigh and invalidate. ASan catches a drain touching a freed entry, TSan a
// field read outside its lock; the values and bounds are checked here.
TEST(CacheConcurrency, HitsRaceEvictionsInvalidationsAndReweighs) {
  const std::uint64_t seed = Seed();
  Cache<int, std::string> cache(CacheOptions{.max_entries = 48, .max_bytes = 400, .shards = 1},
                                [](const int&, const std::string& v) { return v.size(); });
  ASSERT_EQ(cache.ShardCount(), 1u);
  constexpr int kThreads = 4;
  constexpr int kOps = 60000;
  auto value_of = [](int key, std::uint64_t salt) {
    return std::to_string(key) + ":" + std::string(salt % 16, 'x');
  };
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Xoshiro256 rng(seed * 31 + t);
      for (int i = 0; i < kOps; ++i) {
        const std::uint64_t r = rng.NextU64();
        const int key = static_cast<int>(r % 8 == 0 ? 16 + (r >> 8) % 400 : (r >> 8) % 16);
        switch ((r >> 40) % 8) {
          case 0: cache.Put(key, value_of(key, r >> 48)); break;
          case 1: cache.Invalidate(key); break;
          default: {
            auto v = cache.Get(key);
            if (v && v->rfind(std::to_string(key) + ":", 0) != 0) wrong.fetch_add(1);
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(cache.EntryCount(), 48u);
  EXPECT_LE(cache.WeightedBytes(), 400u);
  const CacheStats st = cache.Stats();
  EXPECT_GT(st.hits, 0u);
  EXPECT_GT(st.evictions, 0u);
}

}  // namespace
}  // namespace cairn::cache
