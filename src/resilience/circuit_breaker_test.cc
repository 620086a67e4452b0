#include "resilience/circuit_breaker.h"

#include <gtest/gtest.h>

#include <vector>

namespace cairn::resilience {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const Status kDown = Status::Literal(StatusCode::kUnavailable, "down");
const Status kBadArg = Status::Literal(StatusCode::kInvalidArgument, "bad");

CircuitBreakerConfig SmallConfig() {
  CircuitBreakerConfig c;
  c.window_size = 10;
  c.minimum_calls = 4;
  c.failure_rate_threshold_pct = 50;
  c.open_duration = seconds(10);
  c.half_open_probes = 2;
  return c;
}

void Feed(CircuitBreaker& cb, const Status& s, int n) {
  for (int i = 0; i < n; ++i) {
    auto p = cb.TryAcquire();
    ASSERT_TRUE(p.admitted);
    cb.OnComplete(p, s);
  }
}

TEST(CircuitBreakerTest, TripsOnFailureRateOnlyAfterMinimumCalls) {
  ManualClock clock;
  CircuitBreaker cb(SmallConfig(), clock);
  Feed(cb, kDown, 3);
  EXPECT_EQ(cb.state(), CircuitState::kClosed);  // 3 < minimum_calls
  Feed(cb, kDown, 1);
  EXPECT_EQ(cb.state(), CircuitState::kOpen);
  EXPECT_FALSE(cb.TryAcquire().admitted);
  EXPECT_TRUE(IsCircuitOpen(cb.Execute([] { return Status::Ok(); })));
  EXPECT_EQ(cb.rejected(), 2u);
}

TEST(CircuitBreakerTest, CallerErrorsAreNotFailures) {
  ManualClock clock;
  CircuitBreaker cb(SmallConfig(), clock);
  Feed(cb, kBadArg, 10);
  EXPECT_EQ(cb.state(), CircuitState::kClosed);
  EXPECT_EQ(cb.Snapshot().failures, 0u);
}

TEST(CircuitBreakerTest, CustomClassifierDecidesFailures) {
  ManualClock clock;
  CircuitBreakerConfig c = SmallConfig();
  c.classify = [](const Status& s) {
    return s.code() == StatusCode::kInvalidArgument ? CallOutcome::kFailure : CallOutcome::kSuccess;
  };
  CircuitBreaker cb(c, clock);
  Feed(cb, kDown, 4);
  EXPECT_EQ(cb.state(), CircuitState::kClosed);
  Feed(cb, kBadArg, 4);
  EXPECT_EQ(cb.state(), CircuitState::kOpen);
}

TEST(CircuitBreakerTest, HalfOpenProbesCloseOrReopen) {
  ManualClock clock;
  CircuitBreaker cb(SmallConfig(), clock);
  std::vector<CircuitTransition> events;
  cb.AddListener([&](const CircuitTransition& t) { events.push_back(t); });
  Feed(cb, kDown, 4);
  clock.Advance(seconds(9));
  EXPECT_FALSE(cb.TryAcquire().admitted);
  clock.Advance(seconds(1));
  auto p1 = cb.TryAcquire();
  auto p2 = cb.TryAcquire();
  EXPECT_TRUE(p1.admitted);
  EXPECT_TRUE(p2.admitted);
  EXPECT_EQ(cb.state(), CircuitState::kHalfOpen);
  EXPECT_FALSE(cb.TryAcquire().admitted);  // only two probes
  cb.OnComplete(p1, Status::Ok());
  cb.OnComplete(p2, kDown);  // 50% failures >= threshold: open again
  EXPECT_EQ(cb.state(), CircuitState::kOpen);
  clock.Advance(seconds(10));
  Feed(cb, Status::Ok(), 2);
  EXPECT_EQ(cb.state(), CircuitState::kClosed);
  EXPECT_EQ(cb.Snapshot().calls, 0u);  // closing starts a fresh window
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].reason, TransitionReason::kFailureRate);
  EXPECT_EQ(events[0].window.failures, 4u);
  EXPECT_EQ(events[1].to, CircuitState::kHalfOpen);
  EXPECT_EQ(events[2].reason, TransitionReason::kProbesFailed);
  EXPECT_EQ(events[4].reason, TransitionReason::kProbesSucceeded);
}

TEST(CircuitBreakerTest, IgnoredProbeGivesItsSlotBack) {
  ManualClock clock;
  CircuitBreaker cb(SmallConfig(), clock);
  Feed(cb, kDown, 4);
  clock.Advance(seconds(10));
  auto p1 = cb.TryAcquire();
  auto p2 = cb.TryAcquire();
  ASSERT_TRUE(p2.admitted);
  cb.OnComplete(p1, Status::Literal(StatusCode::kCancelled, "caller gave up"));
  auto p3 = cb.TryAcquire();
  EXPECT_TRUE(p3.admitted);
}

TEST(CircuitBreakerTest, HalfOpenMaxWaitReopens) {
  ManualClock clock;
  CircuitBreakerConfig c = SmallConfig();
  c.half_open_max_wait = seconds(5);
  CircuitBreaker cb(c, clock);
  Feed(cb, kDown, 4);
  clock.Advance(seconds(10));
  (void)cb.TryAcquire();
  (void)cb.TryAcquire();  // both probes out, never answered
  clock.Advance(seconds(5));
  EXPECT_FALSE(cb.TryAcquire().admitted);
  EXPECT_EQ(cb.state(), CircuitState::kOpen);
}

TEST(CircuitBreakerTest, ConsecutiveFailuresTrip) {
  ManualClock clock;
  CircuitBreakerConfig c = SmallConfig();
  c.window_size = 100;
  c.minimum_calls = 100;
  c.consecutive_failures_max = 3;
  CircuitBreaker cb(c, clock);
  Feed(cb, kDown, 2);
  Feed(cb, Status::Ok(), 1);  // breaks the run
  Feed(cb, kDown, 2);
  EXPECT_EQ(cb.state(), CircuitState::kClosed);
  Feed(cb, kDown, 1);
  EXPECT_EQ(cb.state(), CircuitState::kOpen);
}

TEST(CircuitBreakerTest, SlowCallRateTrips) {
  ManualClock clock;
  CircuitBreakerConfig c = SmallConfig();
  c.slow_call_duration = milliseconds(100);
  c.slow_call_rate_threshold_pct = 50;
  CircuitBreaker cb(c, clock);
  for (int i = 0; i < 4; ++i) {
    auto p = cb.TryAcquire();
    clock.Advance(milliseconds(i < 1 ? 10 : 150));
    cb.OnComplete(p, Status::Ok());
  }
  EXPECT_EQ(cb.state(), CircuitState::kOpen);
}

TEST(CircuitBreakerTest, TimeBasedWindowForgetsOldFailures) {
  ManualClock clock;
  CircuitBreakerConfig c = SmallConfig();
  c.window_kind = WindowKind::kTimeBased;
  c.window_size = 5;  // five one-second buckets
  CircuitBreaker cb(c, clock);
  Feed(cb, kDown, 3);
  clock.Advance(seconds(6));  // those failures have left the window
  Feed(cb, Status::Ok(), 3);
  Feed(cb, kDown, 1);
  EXPECT_EQ(cb.state(), CircuitState::kClosed);  // 1 of 4
  Feed(cb, kDown, 2);
  EXPECT_EQ(cb.state(), CircuitState::kOpen);  // 3 of 6
}

TEST(CircuitBreakerTest, LateOutcomeFromBeforeATransitionIsDropped) {
  ManualClock clock;
  CircuitBreaker cb(SmallConfig(), clock);
  auto early = cb.TryAcquire();
  Feed(cb, kDown, 4);
  clock.Advance(seconds(10));
  auto probe = cb.TryAcquire();
  cb.OnComplete(early, Status::Ok());  // admitted while closed: not a probe
  EXPECT_EQ(cb.state(), CircuitState::kHalfOpen);
  cb.OnComplete(probe, Status::Ok());
  EXPECT_EQ(cb.state(), CircuitState::kHalfOpen);  // 1 of 2 probes done
}

TEST(CircuitBreakerTest, ForceOpenDisableAndReset) {
  ManualClock clock;
  CircuitBreaker cb(SmallConfig(), clock);
  cb.ForceOpen();
  clock.Advance(seconds(100));
  EXPECT_FALSE(cb.TryAcquire().admitted);
  EXPECT_EQ(cb.state(), CircuitState::kForcedOpen);
  cb.Disable();
  Feed(cb, kDown, 20);
  EXPECT_EQ(cb.state(), CircuitState::kDisabled);
  cb.Reset();
  EXPECT_EQ(cb.state(), CircuitState::kClosed);
  EXPECT_EQ(cb.Snapshot().calls, 0u);
}

TEST(CircuitBreakerTest, ValidateNamesTheBadField) {
  CircuitBreakerConfig c;
  c.minimum_calls = 1000;
  EXPECT_EQ(c.Validate().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.Validate().message().find("minimum_calls"), std::string_view::npos);
  c = {};
  c.failure_rate_threshold_pct = 0;
  EXPECT_FALSE(c.Validate().ok());
  EXPECT_TRUE(CircuitBreakerConfig{}.Validate().ok());
}

TEST(CircuitBreakerTest, ExecuteWorksWithResult) {
  ManualClock clock;
  CircuitBreaker cb(SmallConfig(), clock);
  Result<int> r = cb.Execute([] { return Result<int>(7); });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 7);
  cb.ForceOpen();
  Result<int> rejected = cb.Execute([] { return Result<int>(7); });
  EXPECT_TRUE(IsCircuitOpen(rejected.status()));
}

}  // namespace
}  // namespace cairn::resilience
