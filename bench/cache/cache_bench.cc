// Speed of Cache<uint64_t, uint64_t>: hits on a warm cache (1 and 2 threads)
// and a Zipf get-or-put mix.
#include <benchmark/benchmark.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "cache/cache.h"
#include "common/random.h"

namespace cairn::cache {
namespace {

constexpr std::size_t kEntries = 100'000;
constexpr std::size_t kKeyMask = (1 << 16) - 1;  // 65536 hot keys, all resident

Cache<std::uint64_t, std::uint64_t>& WarmCache() {
  static auto* cache = [] {
    auto* c = new Cache<std::uint64_t, std::uint64_t>(
        CacheOptions{.max_entries = kEntries, .shards = 64});
    for (std::uint64_t k = 0; k <= kKeyMask; ++k) c->Put(k, k);
    return c;
  }();
  return *cache;
}

// range(0): how many of the resident keys are read (65536 = all; 1024 = a hot
// set that fits in the CPU caches, to separate memory stalls from code cost).
void BM_Hit(benchmark::State& state) {
  auto& cache = WarmCache();
  Xoshiro256 rng(state.thread_index() + 1);
  std::vector<std::uint64_t> keys(4096);
  const std::uint64_t mask = static_cast<std::uint64_t>(state.range(0)) - 1;
  for (auto& k : keys) k = rng.NextU64() & mask;
  std::size_t i = 0;
  std::uint64_t sum = 0;
  for (auto _ : state) {
    auto v = cache.Get(keys[i++ & 4095]);
    sum += *v;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Hit)->Arg(65536)->Arg(1024)->Threads(1)->Threads(2)->UseRealTime();

// The same hits with the client's types: std::string keys ("user:<n>") and
// 32-byte std::string values, so every hit also hashes a string and copies
// a value onto the heap (Get returns a copy).
void BM_HitString(benchmark::State& state) {
  static auto* cache = [] {
    auto* c =
        new Cache<std::string, std::string>(CacheOptions{.max_entries = kEntries, .shards = 64});
    for (std::uint64_t k = 0; k <= kKeyMask; ++k)
      c->Put("user:" + std::to_string(k), std::string(32, 'v'));
    return c;
  }();
  Xoshiro256 rng(state.thread_index() + 1);
  std::vector<std::string> keys(4096);
  for (auto& k : keys) k = "user:" + std::to_string(rng.NextU64() & kKeyMask);
  std::size_t i = 0;
  std::uint64_t sum = 0;
  for (auto _ : state) {
    auto v = cache->Get(keys[i++ & 4095]);
    sum += v->size();
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HitString)->Threads(1)->Threads(2)->UseRealTime();

// Baseline for the same run: a bare std::unordered_map lookup of the same keys,
// no lock, no policy. Shows how much of a hit is the hash table itself.
void BM_BaselineMapFind(benchmark::State& state) {
  static const auto* map = [] {
    auto* m = new std::unordered_map<std::uint64_t, std::uint64_t>();
    for (std::uint64_t k = 0; k <= kKeyMask; ++k) m->emplace(k, k);
    return m;
  }();
  Xoshiro256 rng(state.thread_index() + 1);
  std::vector<std::uint64_t> keys(4096);
  for (auto& k : keys) k = rng.NextU64() & kKeyMask;
  std::size_t i = 0;
  std::uint64_t sum = 0;
  for (auto _ : state) sum += map->find(keys[i++ & 4095])->second;
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BaselineMapFind)->Threads(1)->Threads(2)->UseRealTime();

void BM_ZipfGetOrPut(benchmark::State& state) {
  static Cache<std::uint64_t, std::uint64_t> cache(
      CacheOptions{.max_entries = 10'000, .shards = 64});
  Xoshiro256 rng(state.thread_index() + 7);
  // Approximate Zipf: squaring a uniform skews towards small ranks.
  std::vector<std::uint64_t> keys(1 << 16);
  for (auto& k : keys) {
    const double u = rng.NextDouble();
    k = static_cast<std::uint64_t>(u * u * u * 200'000);
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const std::uint64_t k = keys[i++ & 0xffff];
    if (!cache.Get(k)) cache.Put(k, k);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ZipfGetOrPut)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace cairn::cache

BENCHMARK_MAIN();
