#include "cache/cache.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

namespace cairn::cache {
namespace {

using namespace std::chrono_literals;
using IntCache = Cache<int, int>;
using Loaded = IntCache::LoadResult;

TEST(Cache, PutGetInvalidate) {
  IntCache cache(CacheOptions{.max_entries = 100});
  EXPECT_FALSE(cache.Get(1).has_value());
  cache.Put(1, 10);
  ASSERT_TRUE(cache.Get(1).has_value());
  EXPECT_EQ(*cache.Get(1), 10);
  cache.Put(1, 11);
  EXPECT_EQ(*cache.Get(1), 11);
  EXPECT_TRUE(cache.Invalidate(1));
  EXPECT_FALSE(cache.Invalidate(1));
  EXPECT_FALSE(cache.Get(1).has_value());
  const CacheStats st = cache.Stats();
  EXPECT_EQ(st.hits, 3u);
  EXPECT_EQ(st.misses, 2u);
}

TEST(Cache, ReplaceUpdatesOnlyKeysItHolds) {
  Cache<int, std::string> cache(
      CacheOptions{.max_entries = 100, .max_bytes = 1000},
      [](const int&, const std::string& v) { return static_cast<std::uint64_t>(v.size()); });
  EXPECT_FALSE(cache.Replace(1, "abc"));  // absent: not admitted
  EXPECT_EQ(cache.EntryCount(), 0u);
  cache.Put(1, "abc");
  EXPECT_TRUE(cache.Replace(1, "abcdefgh"));
  EXPECT_EQ(*cache.Get(1), "abcdefgh");
  EXPECT_EQ(cache.WeightedBytes(), 8u);  // the new value's weight
  cache.PutNotFound(2);
  EXPECT_TRUE(cache.Replace(2, "x"));  // a cached "not found" counts as held
  EXPECT_EQ(*cache.Get(2), "x");
  EXPECT_EQ(cache.EntryCount(), 2u);
}

TEST(Cache, TtlExpiresWithInjectedClock) {
  ManualClock clock;
  IntCache cache(CacheOptions{.max_entries = 100, .default_ttl = 5s, .clock = &clock});
  cache.Put(1, 10);
  cache.Put(2, 20, 1s);  // per-entry TTL overrides the default
  clock.Advance(2s);
  EXPECT_TRUE(cache.Get(1).has_value());
  EXPECT_FALSE(cache.Get(2).has_value());
  clock.Advance(3s);
  EXPECT_FALSE(cache.Get(1).has_value());
}

RC_GTEST_PROP(Cache, NeverExceedsEntryBound, ()) {
  const auto max_entries = *rc::gen::inRange<std::size_t>(1, 1500);
  const auto ops = *rc::gen::inRange<std::size_t>(0, 4000);
  const auto keys = *rc::gen::container<std::vector<int>>(ops, rc::gen::inRange(0, 5000));
  IntCache cache(CacheOptions{.max_entries = max_entries});
  for (int k : keys) {
    if (!cache.Get(k)) cache.Put(k, k * 2);
  }
  // Shards round their share up, so the bound holds per shard: at most shards - 1 over.
  RC_ASSERT(cache.EntryCount() <= max_entries + cache.ShardCount() - 1);
  for (int k : keys) {
    auto v = cache.Get(k);
    if (v) RC_ASSERT(*v == k * 2);
  }
}

TEST(Cache, ByteBoundWithWeigher) {
  Cache<int, std::string> cache(CacheOptions{.max_entries = 1000, .max_bytes = 1000, .shards = 1},
                                [](const int&, const std::string& v) { return v.size(); });
  for (int k = 0; k < 200; ++k) cache.Put(k, std::string(50, 'x'));
  EXPECT_LE(cache.WeightedBytes(), 1000u);
  EXPECT_LE(cache.EntryCount(), 20u);
  EXPECT_GT(cache.Stats().evictions, 0u);
}

TEST(Cache, NegativeCachingHasItsOwnTtl) {
  ManualClock clock;
  IntCache cache(CacheOptions{.max_entries = 100, .default_ttl = 60s, .negative_ttl = 2s,
                              .clock = &clock});
  int loads = 0;
  auto loader = [&](const int&) -> Loaded {
    ++loads;
    return std::optional<int>();
  };
  Loaded r = cache.GetOrLoad(7, loader);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  r = cache.GetOrLoad(7, loader);
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(loads, 1) << "the not-found answer was not cached";
  EXPECT_EQ(cache.Stats().negative_hits, 1u);
  clock.Advance(3s);
  r = cache.GetOrLoad(7, loader);
  EXPECT_EQ(loads, 2) << "the not-found answer outlived negative_ttl";
}

TEST(Cache, LoadErrorsAreReturnedAndNotCached) {
  IntCache cache(CacheOptions{.max_entries = 100});
  int loads = 0;
  auto failing = [&](const int&) -> Loaded {
    ++loads;
    return Status::Unavailable("backend down");
  };
  EXPECT_FALSE(cache.GetOrLoad(1, failing).ok());
  EXPECT_FALSE(cache.GetOrLoad(1, failing).ok());
  EXPECT_EQ(loads, 2);
  EXPECT_EQ(cache.Stats().loads_failed, 2u);
}

TEST(Cache, XFetchRefreshesEarlyNearExpiryOnly) {
  ManualClock clock;
  IntCache cache(CacheOptions{.max_entries = 100, .default_ttl = 10s, .early_refresh_beta = 1.0,
                              .clock = &clock});
  int loads = 0;
  Nanos expiry(0);
  auto slow_loader = [&](const int& k) -> Loaded {
    ++loads;
    clock.Advance(1s);  // the load takes one (virtual) second
    expiry = clock.Now() + 10s;  // the entry is inserted right after the loader returns
    return std::optional<int>(k);
  };
  ASSERT_TRUE(cache.GetOrLoad(1, slow_loader).ok());
  ASSERT_EQ(loads, 1);
  // Just after the load, 9 s before expiry: P(refresh) = e^-9 per call.
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(cache.GetOrLoad(1, slow_loader).ok());
  EXPECT_LE(loads, 3);
  // 1 ms before expiry a refresh is all but certain within a few calls.
  const std::uint64_t refreshes_before = cache.Stats().early_refreshes;
  clock.Set(expiry - 1ms);
  for (int i = 0; i < 20 && cache.Stats().early_refreshes == refreshes_before; ++i) {
    Loaded r = cache.GetOrLoad(1, slow_loader);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(**r, 1) << "an early refresh must still serve the live value";
  }
  EXPECT_GT(cache.Stats().early_refreshes, refreshes_before);
}

TEST(Cache, XFetchDisabledByZeroBeta) {
  ManualClock clock;
  IntCache cache(CacheOptions{.max_entries = 100, .default_ttl = 10s, .early_refresh_beta = 0,
                              .clock = &clock});
  auto loader = [&](const int& k) -> Loaded {
    clock.Advance(1s);
    return std::optional<int>(k);
  };
  ASSERT_TRUE(cache.GetOrLoad(1, loader).ok());
  clock.Advance(8s + 999ms);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(cache.GetOrLoad(1, loader).ok());
  EXPECT_EQ(cache.Stats().early_refreshes, 0u);
}

}  // namespace
}  // namespace cairn::cache
