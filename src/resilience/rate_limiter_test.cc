#include "resilience/rate_limiter.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace cairn::resilience {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(TokenBucketTest, BurstThenRefillPerPeriod) {
  ManualClock clock;
  TokenBucket tb({2, seconds(1), 5}, clock);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(tb.TryAcquire()) << i;
  EXPECT_FALSE(tb.TryAcquire());
  clock.Advance(milliseconds(999));
  EXPECT_FALSE(tb.TryAcquire());
  clock.Advance(milliseconds(1));
  EXPECT_TRUE(tb.TryAcquire());
  EXPECT_TRUE(tb.TryAcquire());
  EXPECT_FALSE(tb.TryAcquire());
  clock.Advance(seconds(100));
  EXPECT_EQ(tb.available(clock.Now()), 5u);  // capped at burst
  EXPECT_EQ(tb.Execute([] { return Status::Ok(); }).code(), StatusCode::kOk);
  EXPECT_FALSE(tb.TryAcquire(5));
  EXPECT_EQ(tb.rejected(), 4u);
}

TEST(GcraTest, SmoothRateWithBurst) {
  ManualClock clock;
  Gcra g({10, 3}, clock);  // one per 100 ms, three back to back
  EXPECT_TRUE(g.TryAcquire());
  EXPECT_TRUE(g.TryAcquire());
  EXPECT_TRUE(g.TryAcquire());
  EXPECT_FALSE(g.TryAcquire());
  EXPECT_EQ(g.WaitTime(clock.Now()), milliseconds(100));
  clock.Advance(milliseconds(100));
  EXPECT_TRUE(g.TryAcquire());
  EXPECT_FALSE(g.TryAcquire());
}

// Over any run, GCRA admits at most burst + elapsed * rate calls.
RC_GTEST_PROP(GcraProp, NeverExceedsRatePlusBurst, ()) {
  const auto rate = *rc::gen::inRange(1, 1000);
  const auto burst = *rc::gen::inRange<std::uint32_t>(1, 20);
  const auto steps = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 5'000'000));
  ManualClock clock;
  Gcra g({static_cast<double>(rate), burst}, clock);
  std::uint64_t admitted = 0;
  for (int step : steps) {
    clock.Advance(Nanos(step));
    admitted += g.TryAcquire();
    const double elapsed_s = clock.Now().count() / 1e9;
    RC_ASSERT(admitted <= burst + elapsed_s * rate + 1e-9);
  }
}

TEST(RateLimiterTest, ValidateRejectsBadConfig) {
  EXPECT_FALSE((TokenBucketConfig{0, seconds(1), 1}).Validate().ok());
  EXPECT_FALSE((TokenBucketConfig{1, seconds(1), 0}).Validate().ok());
  EXPECT_FALSE((GcraConfig{0, 1}).Validate().ok());
  EXPECT_FALSE((GcraConfig{1, 0}).Validate().ok());
}

}  // namespace
}  // namespace cairn::resilience
