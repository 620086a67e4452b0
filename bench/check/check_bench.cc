// Linearizability checker speed on generated register histories (valid by
// construction, so the search must explore until it proves it), and the
// parser's speed. Sizes: ops x clients x keys.
#include <benchmark/benchmark.h>

#include "check/history_format.h"
#include "check/history_gen.h"
#include "check/linearizability.h"

namespace cairn::check {
namespace {

History Make(int ops, int clients, int keys, double info) {
  Xoshiro256 rng(42);
  RegisterGenOptions o;
  o.ops = ops;
  o.clients = clients;
  o.keys = keys;
  o.info_fraction = info;
  return GenerateRegisterHistory(rng, o);
}

void BM_Linearizable(benchmark::State& state) {
  History h = Make(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
                   static_cast<int>(state.range(2)), static_cast<double>(state.range(3)) / 1000);
  SearchStats stats;
  for (auto _ : state) {
    Verdict v = CheckLinearizable(h);
    if (!v.valid()) state.SkipWithError(v.summary.c_str());
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
// ops, clients, keys, info per mille
BENCHMARK(BM_Linearizable)
    ->Args({1000, 10, 1, 20})
    ->Args({10000, 10, 1, 0})
    ->Args({10000, 10, 1, 20})
    ->Args({10000, 10, 10, 20})
    ->Args({10000, 30, 1, 0})
    ->Args({10000, 30, 1, 20})
    ->Unit(benchmark::kMillisecond);

void BM_ParseHistory(benchmark::State& state) {
  std::string text = FormatHistory(Make(10000, 10, 10, 0.02));
  for (auto _ : state) {
    Result<History> h = ParseHistory(text);
    benchmark::DoNotOptimize(h);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseHistory)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cairn::check

BENCHMARK_MAIN();
