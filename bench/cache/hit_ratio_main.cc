// Replays real and synthetic traces through LRU, W-TinyLFU (adaptive and a
// fixed 1% window) and Belady's OPT, at cache sizes where LRU's hit ratio is
// 20-60 %, and prints CSV.
//
//   cache_hit_ratio [trace_dir] > bench/results/cache_hit_ratio.csv
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <unordered_set>
#include <vector>

#include "bench/cache/policies.h"
#include "bench/cache/trace_reader.h"

namespace cairn::cache::bench {
namespace {

struct Trace {
  std::string name;
  std::vector<std::uint64_t> keys;
};

// Geometric candidate sizes; keep up to 3 spread over those where LRU is in
// [20 %, 60 %], or the 2 closest to that band when none is.
std::vector<std::size_t> PickSizes(const std::vector<std::uint64_t>& keys) {
  const std::size_t unique = std::unordered_set<std::uint64_t>(keys.begin(), keys.end()).size();
  std::vector<std::pair<std::size_t, double>> curve;
  for (double s = 16; s < unique; s *= 1.4) {
    const auto size = static_cast<std::size_t>(s);
    curve.push_back({size, LruHitRatio(keys, size)});
  }
  std::vector<std::size_t> in_band;
  for (auto& [size, hr] : curve)
    if (hr >= 0.2 && hr <= 0.6) in_band.push_back(size);
  std::vector<std::size_t> out;
  if (!in_band.empty()) {
    out.push_back(in_band.front());
    if (in_band.size() > 2) out.push_back(in_band[in_band.size() / 2]);
    if (in_band.size() > 1) out.push_back(in_band.back());
    return out;
  }
  // No size in the band (loop/scan traces jump from ~0 % to the compulsory-miss
  // ceiling): take a quarter, half and three quarters of the distinct keys.
  for (double f : {0.25, 0.5, 0.75}) out.push_back(static_cast<std::size_t>(f * unique));
  return out;
}

int Main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "/work/shared/traces";
  std::vector<Trace> traces;
  for (const char* name : {"2_pools", "cpp", "cs", "gli", "loop", "multi1", "multi2", "multi3", "ps", "sprite"}) {
    auto keys = ReadLirsTrace(dir + "/lirs/" + name + ".trace.gz");
    if (!keys.ok()) {
      std::fprintf(stderr, "%s: %s\n", name, keys.status().ToString().c_str());
      return 1;
    }
    traces.push_back({std::string("lirs/") + name, std::move(*keys)});
  }
  for (const char* name : {"web07", "web12"}) {
    auto keys = ReadCache2kTrace(dir + "/cache2k/" + name + ".trace.xz");
    if (!keys.ok()) {
      std::fprintf(stderr, "%s: %s\n", name, keys.status().ToString().c_str());
      return 1;
    }
    traces.push_back({std::string("cache2k/") + name, std::move(*keys)});
  }
  traces.push_back({"synthetic/zipf0.9", ZipfTrace(100'000, 0.9, 1'000'000, 1)});
  traces.push_back({"synthetic/zipf0.7+scan20%", ScanMixedTrace(100'000, 0.7, 1'000'000, 0.2, 5000, 2)});

  std::printf("trace,accesses,size,lru,wtinylfu,wtinylfu_fixed1pct,opt,final_window_pct\n");
  for (const Trace& t : traces) {
    for (std::size_t size : PickSizes(t.keys)) {
      double window = 0;
      const double lru = LruHitRatio(t.keys, size);
      const double tlfu = TinyLfuHitRatio(t.keys, PolicyConfig{.max_entries = size}, &window);
      const double fixed =
          TinyLfuHitRatio(t.keys, PolicyConfig{.max_entries = size, .adaptive = false});
      const double opt = OptHitRatio(t.keys, size);
      std::printf("%s,%zu,%zu,%.4f,%.4f,%.4f,%.4f,%.1f\n", t.name.c_str(), t.keys.size(), size, lru,
                  tlfu, fixed, opt, window * 100);
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace
}  // namespace cairn::cache::bench

int main(int argc, char** argv) { return cairn::cache::bench::Main(argc, argv); }
