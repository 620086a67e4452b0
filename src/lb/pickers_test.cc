#include "lb/pickers.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace cairn::lb {
namespace {

using namespace std::chrono_literals;

std::vector<Endpoint> Three() { return {{"a", 1}, {"b", 1}, {"c", 1}}; }

TEST(RoundRobinPicker, CyclesAndSkipsEjected) {
  ManualClock clock;
  HealthTracker health(3, HealthConfig{.consecutive_failures_max = 1, .max_ejected_percent = 50}, clock);
  RoundRobinPicker picker(PickerContext{Three(), &health, &clock});
  Xoshiro256 rng(1);
  std::vector<std::size_t> got;
  for (int i = 0; i < 6; ++i) got.push_back(*picker.Pick(rng));
  EXPECT_EQ(got, (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
  health.Record(1, false);  // ejects b
  for (int i = 0; i < 10; ++i) EXPECT_NE(*picker.Pick(rng), 1u);
}

TEST(SmoothWeightedRoundRobinPicker, InterleavesByWeight) {
  SmoothWeightedRoundRobinPicker picker(PickerContext{{{"a", 5}, {"b", 1}, {"c", 1}}});
  Xoshiro256 rng(1);
  std::string seq;
  for (int i = 0; i < 7; ++i) seq += "abc"[*picker.Pick(rng)];
  EXPECT_EQ(seq, "aabacaa");  // nginx's documented sequence for 5:1:1
}

TEST(RandomPicker, FollowsWeights) {
  RandomPicker picker(PickerContext{{{"a", 3}, {"b", 1}}});
  Xoshiro256 rng(7);
  int a = 0;
  for (int i = 0; i < 40000; ++i) a += *picker.Pick(rng) == 0;
  EXPECT_NEAR(a / 40000.0, 0.75, 0.01);
}

TEST(Pickers, EmptyListGivesNothing) {
  Xoshiro256 rng(1);
  EXPECT_FALSE(RoundRobinPicker(PickerContext{}).Pick(rng).has_value());
  EXPECT_FALSE(RandomPicker(PickerContext{}).Pick(rng).has_value());
  EXPECT_FALSE(LeastOutstandingPicker(PickerContext{}).Pick(rng).has_value());
  EXPECT_FALSE(PeakEwmaPicker(PickerContext{}, {}).Pick(rng).has_value());
}

TEST(LeastOutstandingPicker, PrefersTheIdleEndpoint) {
  LeastOutstandingPicker picker(PickerContext{Three()});
  Xoshiro256 rng(3);
  picker.OnStart(0);
  picker.OnStart(0);
  picker.OnStart(2);
  EXPECT_EQ(*picker.Pick(rng), 1u);
  picker.OnFinish(0, 1ms, true);
  picker.OnFinish(0, 1ms, true);
  picker.OnStart(1);
  picker.OnStart(1);
  EXPECT_EQ(*picker.Pick(rng), 0u);
}

TEST(PeakEwmaPicker, AvoidsTheSlowEndpointAndForgivesIt) {
  ManualClock clock;
  PeakEwmaPicker picker(PickerContext{{{"fast", 1}, {"slow", 1}}, nullptr, &clock},
                        PeakEwmaPicker::Options{.decay = 1s});
  Xoshiro256 rng(5);
  picker.OnStart(1);
  picker.OnFinish(1, 500ms, true);  // one slow answer: the peak is believed at once
  EXPECT_NEAR(picker.CostOf(1), 500e6, 1);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(*picker.Pick(rng), 0u);
  // Fast answers after a while pull the EWMA back down.
  for (int i = 0; i < 10; ++i) {
    clock.Advance(1s);
    picker.OnStart(1);
    picker.OnFinish(1, 5ms, true);
  }
  EXPECT_LT(picker.CostOf(1), 10e6);
}

TEST(PeakEwmaPicker, FailuresCountAsAPenalty) {
  ManualClock clock;
  PeakEwmaPicker picker(PickerContext{Three(), nullptr, &clock}, PeakEwmaPicker::Options{});
  picker.OnStart(2);
  picker.OnFinish(2, 1us, /*ok=*/false);  // fast failure must not look attractive
  EXPECT_GT(picker.CostOf(2), picker.CostOf(0));
}

}  // namespace
}  // namespace cairn::lb
