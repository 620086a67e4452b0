#include "resilience/adaptive_limiter.h"

#include <gtest/gtest.h>

namespace cairn::resilience {
namespace {

using std::chrono::milliseconds;

TEST(AimdTest, AdditiveIncreaseMultiplicativeDecrease) {
  AimdLimit aimd({10, 2, 100, 0.5, milliseconds(500)});
  EXPECT_EQ(aimd.Update(milliseconds(10), 2, false), 10u);  // app-limited: no growth
  EXPECT_EQ(aimd.Update(milliseconds(10), 8, false), 11u);
  EXPECT_EQ(aimd.Update(milliseconds(10), 8, true), 5u);
  EXPECT_EQ(aimd.Update(milliseconds(900), 8, false), 2u);  // too slow = drop
  EXPECT_EQ(aimd.Update(milliseconds(900), 8, false), 2u);  // floor at min
}

// Gradient: with flat latency and a loaded client the limit probes upwards;
// when latency jumps (a queue forms downstream) it falls fast, before any
// error; an application-limited client does not inflate its limit.
TEST(GradientTest, GrowsOnFlatLatencyAndFallsWhenLatencyRises) {
  GradientLimit g({20, 1, 1000, 0.2, 1.5, 100});
  for (int i = 0; i < 200; ++i) g.Update(milliseconds(10), g.limit(), false);
  const std::uint32_t grown = g.limit();
  EXPECT_GT(grown, 100u);
  for (int i = 0; i < 50; ++i) g.Update(milliseconds(200), g.limit(), false);
  EXPECT_LT(g.limit(), grown / 4);
  const std::uint32_t low = g.limit();
  for (int i = 0; i < 100; ++i) g.Update(milliseconds(10), 0, false);  // idle client
  EXPECT_EQ(g.limit(), low);
}

TEST(GradientTest, DropHalvesTheEstimateGradually) {
  GradientLimit g({100, 1, 1000, 1.0, 1.5, 100});
  g.Update(milliseconds(10), 100, true);
  EXPECT_EQ(g.limit(), 60u);  // 100 * 0.5 + sqrt(100)
}

TEST(AdaptiveLimiterTest, AdmitsUpToTheLimitAndLearns) {
  ManualClock clock;
  AdaptiveLimiter lim(std::make_unique<AimdLimit>(AimdConfig{2, 1, 10, 0.5, milliseconds(100)}),
                      clock);
  auto a = lim.TryAcquire();
  auto b = lim.TryAcquire();
  EXPECT_TRUE(a && b);
  EXPECT_FALSE(lim.TryAcquire());
  EXPECT_EQ(lim.rejected(), 1u);
  lim.OnDropped(a);
  EXPECT_EQ(lim.limit(), 1u);
  lim.OnSuccess(b);  // b started with 2 in flight: 2 * 2 >= 1, grows
  EXPECT_EQ(lim.limit(), 2u);
  EXPECT_EQ(lim.inflight(), 0u);
  Status s = lim.Execute([] { return Status::Ok(); });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(lim.limit(), 3u);
}

}  // namespace
}  // namespace cairn::resilience
