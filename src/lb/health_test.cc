#include "lb/health.h"

#include <gtest/gtest.h>

namespace cairn::lb {
namespace {

using namespace std::chrono_literals;

TEST(HealthTracker, ConsecutiveFailuresEjectForAGrowingTime) {
  ManualClock clock(100s);
  HealthTracker h(4, HealthConfig{.consecutive_failures_max = 3, .base_ejection = 5s}, clock);
  h.Record(0, false);
  h.Record(0, false);
  h.Record(0, true);  // resets the streak
  h.Record(0, false);
  h.Record(0, false);
  EXPECT_TRUE(h.Available(0, clock.Now()));
  h.Record(0, false);
  EXPECT_FALSE(h.Available(0, clock.Now()));
  clock.Advance(5s);
  EXPECT_TRUE(h.Available(0, clock.Now()));
  for (int i = 0; i < 3; ++i) h.Record(0, false);
  clock.Advance(5s);
  EXPECT_FALSE(h.Available(0, clock.Now())) << "second ejection should last 10 s";
  clock.Advance(5s);
  EXPECT_TRUE(h.Available(0, clock.Now()));
  EXPECT_EQ(h.ejections(), 2u);
}

TEST(HealthTracker, SuccessRateEjectsAtIntervalEnd) {
  ManualClock clock(100s);
  HealthTracker h(3, HealthConfig{.consecutive_failures_max = 1000, .success_rate_min = 0.8,
                                  .success_rate_min_requests = 10, .interval = 1s}, clock);
  for (int i = 0; i < 20; ++i) {
    h.Record(0, i % 2 == 0);  // 50 % success
    h.Record(1, true);
  }
  clock.Advance(1s);
  h.Record(1, true);  // closes the interval
  EXPECT_FALSE(h.Available(0, clock.Now()));
  EXPECT_TRUE(h.Available(1, clock.Now()));
}

TEST(HealthTracker, NeverEjectsMoreThanTheCap) {
  ManualClock clock(100s);
  HealthTracker h(4, HealthConfig{.consecutive_failures_max = 1, .max_ejected_percent = 50}, clock);
  for (std::size_t i = 0; i < 4; ++i) h.Record(i, false);
  int out = 0;
  for (std::size_t i = 0; i < 4; ++i) out += !h.Available(i, clock.Now());
  EXPECT_EQ(out, 2);
}

TEST(HealthTracker, SlowStartRampsLinearly) {
  ManualClock clock(100s);
  HealthTracker h(2, HealthConfig{.slow_start = 10s, .slow_start_floor = 0.1}, clock);
  EXPECT_DOUBLE_EQ(h.WeightFactor(0, clock.Now()), 1.0);
  h.MarkJoined(1, clock.Now());
  EXPECT_NEAR(h.WeightFactor(1, clock.Now()), 0.1, 1e-9);
  clock.Advance(5s);
  EXPECT_NEAR(h.WeightFactor(1, clock.Now()), 0.55, 1e-9);
  clock.Advance(5s);
  EXPECT_DOUBLE_EQ(h.WeightFactor(1, clock.Now()), 1.0);
}

}  // namespace
}  // namespace cairn::lb
