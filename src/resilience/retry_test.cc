#include "resilience/retry.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

namespace cairn::resilience {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const Status kDown = Status::Literal(StatusCode::kUnavailable, "down");

std::uint64_t Seed() {
  const char* env = std::getenv("CAIRN_SEED");
  const std::uint64_t seed = env ? std::strtoull(env, nullptr, 10) : 42;
  std::printf("CAIRN_SEED=%llu\n", static_cast<unsigned long long>(seed));
  return seed;
}

RetryConfig NoJitter(std::uint32_t attempts) {
  RetryConfig c;
  c.max_attempts = attempts;
  c.backoff = {milliseconds(100), seconds(1), 2.0, Jitter::kNone};
  return c;
}

TEST(RetryTest, RetriesUnavailableWithExponentialBackoff) {
  ManualClock clock;
  ManualSleeper sleeper(clock);
  Retry retry(NoJitter(4), clock, sleeper);
  int calls = 0;
  Status s = retry.Execute([&] { return ++calls < 4 ? kDown : Status::Ok(); });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(sleeper.total(), milliseconds(100 + 200 + 400));
  EXPECT_EQ(retry.retries(), 3u);
}

TEST(RetryTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  ManualClock clock;
  ManualSleeper sleeper(clock);
  Retry retry(NoJitter(3), clock, sleeper);
  int calls = 0;
  Status s = retry.Execute([&] { return ++calls, kDown; });
  EXPECT_EQ(s, kDown);
  EXPECT_EQ(calls, 3);
}

TEST(RetryTest, NeverRetriesCallerErrorsOrOpenCircuit) {
  ManualClock clock;
  ManualSleeper sleeper(clock);
  Retry retry(NoJitter(5), clock, sleeper);
  for (Status bad : {Status::FailedPrecondition("not leader"), Status::InvalidArgument("x"),
                     CircuitOpenRejection(), Status::Aborted("conflict")}) {
    int calls = 0;
    Status s = retry.Execute([&] { return ++calls, bad; });
    EXPECT_EQ(calls, 1) << bad.ToString();
  }
  EXPECT_EQ(sleeper.sleeps(), 0u);
}

TEST(RetryTest, ResultPredicateRetriesOkResults) {
  ManualClock clock;
  ManualSleeper sleeper(clock);
  Retry retry(NoJitter(5), clock, sleeper);
  int calls = 0;
  Result<int> r = retry.Execute([&] { return Result<int>(++calls); },
                                [](const Result<int>& v) { return v.ok() && *v < 3; });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 3);
}

TEST(RetryTest, OverallDeadlineStopsBeforeAWaitThatWouldPassIt) {
  ManualClock clock;
  ManualSleeper sleeper(clock);
  RetryConfig c = NoJitter(10);
  c.max_duration = milliseconds(350);
  Retry retry(c, clock, sleeper);
  int calls = 0;
  Status s = retry.Execute([&] { return ++calls, kDown; });
  EXPECT_EQ(calls, 3);  // waits 100 + 200; a further 400 would end at 700 > 350
  EXPECT_EQ(sleeper.total(), milliseconds(300));
}

TEST(RetryTest, HonoursRetryAfterHint) {
  ManualClock clock;
  ManualSleeper sleeper(clock);
  Retry retry(NoJitter(2), clock, sleeper);
  const Status hinted = WithRetryAfter(kDown, milliseconds(750));
  EXPECT_EQ(RetryAfterFromMessage(hinted), std::optional<Nanos>(milliseconds(750)));
  int calls = 0;
  (void)retry.Execute([&] { return ++calls == 1 ? hinted : Status::Ok(); });
  EXPECT_EQ(sleeper.last(), milliseconds(750));
  // A hint beyond retry_after_max ends the retrying.
  calls = 0;
  const Status too_long = WithRetryAfter(kDown, seconds(60));
  (void)retry.Execute([&] { return ++calls, too_long; });
  EXPECT_EQ(calls, 1);
}

TEST(RetryTest, RetryAfterParserRejectsGarbage) {
  EXPECT_FALSE(RetryAfterFromMessage(Status::Unavailable("retry-after-ms=")).has_value());
  EXPECT_FALSE(RetryAfterFromMessage(Status::Unavailable("retry-after-ms=x1")).has_value());
  EXPECT_FALSE(RetryAfterFromMessage(Status::Unavailable("nothing")).has_value());
  EXPECT_FALSE(RetryAfterFromMessage(Status::Unavailable("retry-after-ms=-5")).has_value());
  // A huge hint (a hostile or broken server) is clamped, never overflowed
  // (UBSan would flag the multiplication).
  auto huge = RetryAfterFromMessage(Status::Unavailable("retry-after-ms=9223372036854775807"));
  ASSERT_TRUE(huge.has_value());
  EXPECT_GT(huge->count(), 0);
}

TEST(BackoffTest, JitterStaysInItsRange) {
  Xoshiro256 random(Seed());
  const Backoff full{milliseconds(100), seconds(10), 2.0, Jitter::kFull};
  const Backoff equal{milliseconds(100), seconds(10), 2.0, Jitter::kEqual};
  const Backoff decor{milliseconds(100), seconds(10), 2.0, Jitter::kDecorrelated};
  Nanos prev(0);
  for (std::uint32_t n = 1; n <= 8; ++n) {
    const Nanos cap = std::min<Nanos>(seconds(10), milliseconds(100) * (1 << (n - 1)));
    for (int i = 0; i < 200; ++i) {
      const Nanos f = full.Next(n, Nanos(0), random);
      EXPECT_GE(f.count(), 0);
      EXPECT_LT(f, cap);
      const Nanos e = equal.Next(n, Nanos(0), random);
      EXPECT_GE(e, cap / 2);
      EXPECT_LE(e, cap);
      const Nanos d = decor.Next(n, prev, random);
      EXPECT_GE(d, milliseconds(100));
      EXPECT_LE(d, std::min<Nanos>(seconds(10), std::max<Nanos>(milliseconds(100), prev) * 3));
      prev = d;
    }
  }
}

TEST(RetryBudgetTest, LimitsRetriesToAFractionOfCalls) {
  ManualClock clock;
  RetryBudgetConfig c;
  c.ratio_pct = 10;
  c.min_retries_per_window = 0;
  RetryBudget budget(c, clock);
  for (int i = 0; i < 100; ++i) budget.OnCall();
  int granted = 0;
  for (int i = 0; i < 50; ++i) granted += budget.TryRetry();
  EXPECT_EQ(granted, 10);
  clock.Advance(seconds(11));  // the window has moved on
  EXPECT_FALSE(budget.TryRetry());
  for (int i = 0; i < 10; ++i) budget.OnCall();
  EXPECT_TRUE(budget.TryRetry());
}

TEST(RetryBudgetTest, StopsARetryStorm) {
  ManualClock clock;
  ManualSleeper sleeper(clock);
  RetryBudgetConfig bc;
  bc.ratio_pct = 20;
  bc.min_retries_per_window = 5;
  RetryBudget budget(bc, clock);
  RetryConfig rc = NoJitter(5);
  rc.backoff.initial = Nanos(1);
  rc.backoff.max = Nanos(1);
  Retry retry(rc, clock, sleeper, &budget);
  int attempts = 0;
  for (int i = 0; i < 100; ++i) (void)retry.Execute([&] { return ++attempts, kDown; });
  // Without the budget: 500 attempts. With it: 100 calls + at most 20% + 5.
  EXPECT_LE(attempts, 100 + 25);
  EXPECT_GT(retry.budget_denials(), 0u);
}

}  // namespace
}  // namespace cairn::resilience
