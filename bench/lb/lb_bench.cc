// Cost of one pick per strategy (16 endpoints), 1 and 2 threads.
#include <benchmark/benchmark.h>

#include "lb/hashers.h"
#include "lb/pickers.h"

namespace cairn::lb {
namespace {

std::vector<Endpoint> Sixteen() {
  std::vector<Endpoint> eps;
  for (int i = 0; i < 16; ++i) eps.push_back({"10.0.0." + std::to_string(i) + ":6379", 1});
  return eps;
}

template <typename P>
void BM_Pick(benchmark::State& state) {
  static P* picker = [] {
    if constexpr (std::is_same_v<P, PeakEwmaPicker>) return new P(PickerContext{Sixteen()}, {});
    else return new P(PickerContext{Sixteen()});
  }();
  Xoshiro256 rng(state.thread_index() + 1);
  for (auto _ : state) {
    const std::size_t i = *picker->Pick(rng);
    picker->OnStart(i);
    picker->OnFinish(i, std::chrono::milliseconds(1), true);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Pick<RoundRobinPicker>)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_Pick<SmoothWeightedRoundRobinPicker>)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_Pick<RandomPicker>)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_Pick<LeastOutstandingPicker>)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_Pick<PeakEwmaPicker>)->Threads(1)->Threads(2)->UseRealTime();

template <typename H>
void BM_Locate(benchmark::State& state) {
  H hasher(Sixteen());
  std::uint64_t k = 1, sum = 0;
  for (auto _ : state) sum += hasher.Locate(k++ * 0x9e3779b97f4a7c15ULL);
  benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_Locate<RingHash>);
BENCHMARK(BM_Locate<JumpHash>);
BENCHMARK(BM_Locate<RendezvousHash>);
BENCHMARK(BM_Locate<MaglevHash>);

}  // namespace
}  // namespace cairn::lb

BENCHMARK_MAIN();
