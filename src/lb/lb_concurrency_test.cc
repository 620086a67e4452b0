// Pickers and the health tracker under concurrent use (run under TSan).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "lb/pickers.h"

namespace cairn::lb {
namespace {

using namespace std::chrono_literals;

TEST(LbConcurrency, PickersBalanceFromManyThreads) {
  ManualClock clock;
  HealthTracker health(4, HealthConfig{}, clock);
  std::vector<Endpoint> eps = {{"a", 1}, {"b", 1}, {"c", 1}, {"d", 1}};
  std::vector<std::unique_ptr<Picker>> pickers;
  pickers.push_back(std::make_unique<RoundRobinPicker>(PickerContext{eps, &health, &clock}));
  pickers.push_back(std::make_unique<SmoothWeightedRoundRobinPicker>(PickerContext{eps, &health, &clock}));
  pickers.push_back(std::make_unique<LeastOutstandingPicker>(PickerContext{eps, &health, &clock}));
  pickers.push_back(std::make_unique<PeakEwmaPicker>(PickerContext{eps, &health, &clock}, PeakEwmaPicker::Options{}));
  for (auto& picker : pickers) {
    std::vector<std::atomic<int>> counts(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        Xoshiro256 rng(t + 1);
        for (int i = 0; i < 5000; ++i) {
          const std::size_t e = *picker->Pick(rng);
          picker->OnStart(e);
          counts[e].fetch_add(1);
          health.Record(e, true);
          picker->OnFinish(e, 1ms, true);
        }
      });
    }
    for (auto& th : threads) th.join();
    // Rotations stay fair whatever the interleaving. Load-aware pickers
    // rightly avoid an endpoint whose request sits in a preempted thread
    // between OnStart and OnFinish (a busy machine makes that last a whole
    // time slice, thousands of picks), so for them only "nobody starved".
    const bool rotation = &picker == &pickers[0] || &picker == &pickers[1];
    int total = 0;
    for (std::size_t e = 0; e < counts.size(); ++e) {
      total += counts[e].load();
      if (rotation) {
        EXPECT_GT(counts[e].load(), 20000 / 4 / 3)
            << "picker " << (&picker - &pickers[0]) << " endpoint " << e;
      } else {
        EXPECT_GT(counts[e].load(), 0) << "picker " << (&picker - &pickers[0]) << " endpoint " << e;
      }
    }
    EXPECT_EQ(total, 20000);
  }
}

}  // namespace
}  // namespace cairn::lb
