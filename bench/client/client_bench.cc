// libcairn throughput and latency against a live server (Cairn cluster or
// Redis), named by CAIRN_BENCH_SEEDS (comma-separated host:port). run.py
// starts the servers, runs this and redis-benchmark, and records peak RSS.
//
//   BM_PipelinedSet/depth  async SETs with `depth` in flight (items/s)
//   BM_PipelinedGet/depth  async GETs with `depth` in flight
//   BM_BlockingGet         one blocking GET at a time (round-trip latency)
//   BM_CacheL1Hit          MultiLevelCache::Get of a hot key (L1 hit)
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <future>
#include <mutex>
#include <condition_variable>

#include "client/client.h"
#include "client/multi_level_cache.h"

namespace {

using cairn::client::Client;

Client& Shared() {
  static std::unique_ptr<Client> c = [] {
    cairn::client::ClientOptions o;
    const char* env = std::getenv("CAIRN_BENCH_SEEDS");
    std::string seeds = env ? env : "127.0.0.1:6379";
    std::size_t pos = 0;
    while (pos <= seeds.size()) {
      std::size_t comma = seeds.find(',', pos);
      if (comma == std::string::npos) comma = seeds.size();
      o.seeds.push_back(seeds.substr(pos, comma - pos));
      pos = comma + 1;
    }
    auto r = Client::Connect(o);
    if (!r.ok()) {
      std::fprintf(stderr, "connect: %s\n", r.status().ToString().c_str());
      std::exit(1);
    }
    return std::move(*r);
  }();
  return *c;
}

// Keeps `depth` commands in flight until `total` have completed.
void RunPipelined(benchmark::State& state, bool set) {
  Client& c = Shared();
  const int depth = static_cast<int>(state.range(0));
  const std::string value(16, 'v');
  std::int64_t done_total = 0;
  for (auto _ : state) {
    const int total = 20000;
    std::mutex mu;
    std::condition_variable cv;
    int in_flight = 0, completed = 0, failed = 0;
    for (int i = 0; i < total; ++i) {
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return in_flight < depth; });
        ++in_flight;
      }
      std::string key = "bench:" + std::to_string(i % 1000);
      std::vector<std::string> args = set ? std::vector<std::string>{"SET", key, value}
                                          : std::vector<std::string>{"GET", key};
      c.CommandAsync(std::move(args), [&](cairn::client::Reply r) {
        std::lock_guard lock(mu);
        --in_flight;
        ++completed;
        if (!r.status.ok()) ++failed;
        cv.notify_all();
      });
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return completed == total; });
    if (failed) state.SkipWithError("a command failed");
    done_total += total;
  }
  state.SetItemsProcessed(done_total);
}

void BM_PipelinedSet(benchmark::State& state) { RunPipelined(state, true); }
void BM_PipelinedGet(benchmark::State& state) { RunPipelined(state, false); }
BENCHMARK(BM_PipelinedSet)->Arg(1)->Arg(16)->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PipelinedGet)->Arg(1)->Arg(16)->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BlockingGet(benchmark::State& state) {
  Client& c = Shared();
  (void)c.Set("bench:blocking", "v");
  for (auto _ : state) {
    auto v = c.Get("bench:blocking");
    if (!v.ok()) state.SkipWithError("GET failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BlockingGet)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_CacheL1Hit(benchmark::State& state) {
  Client& c = Shared();
  cairn::client::MultiLevelCache cache(c, {});
  (void)c.Set("bench:hot", "value");
  for (int i = 0; i < 3; ++i) (void)cache.Get("bench:hot");
  (void)cache.ProbeNow();
  if (!cache.PeekL1("bench:hot")) state.SkipWithError("not in L1");
  for (auto _ : state) benchmark::DoNotOptimize(cache.Get("bench:hot"));
  state.SetItemsProcessed(state.iterations());
  auto st = cache.stats();
  state.counters["l1_hit_ratio"] =
      static_cast<double>(st.l1_hits) / static_cast<double>(st.l1_hits + st.l2_hits + 1);
}
BENCHMARK(BM_CacheL1Hit)->Unit(benchmark::kNanosecond);

}  // namespace

BENCHMARK_MAIN();
