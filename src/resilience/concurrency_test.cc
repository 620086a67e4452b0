// Concurrency tests, run under ThreadSanitizer (LABELS concurrency). Each
// checks an invariant that a race would break, with bounded loops.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "resilience/adaptive_limiter.h"
#include "resilience/bulkhead.h"
#include "resilience/circuit_breaker.h"
#include "resilience/rate_limiter.h"

namespace cairn::resilience {
namespace {

constexpr int kThreads = 4;
constexpr int kIters = 20000;

template <typename F>
void RunThreads(F f) {
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t) ts.emplace_back([&f, t] { f(t); });
  for (auto& th : ts) th.join();
}

TEST(ConcurrencyTest, BreakerWindowTotalsMatchAfterConcurrentRecords) {
  ManualClock clock;
  CircuitBreakerConfig c;
  c.window_size = 1000;
  c.minimum_calls = 1000;
  c.failure_rate_threshold_pct = 100;
  CircuitBreaker cb(c, clock);
  RunThreads([&](int t) {
    for (int i = 0; i < kIters; ++i) {
      auto p = cb.TryAcquire();
      cb.OnComplete(p, (t == 0 && i % 10 == 0) ? Status::Unavailable("x") : Status::Ok());
    }
  });
  // Each slot's last write decides the totals; they must agree exactly.
  const WindowSnapshot s = cb.Snapshot();
  EXPECT_EQ(s.calls, 1000u);
  EXPECT_LE(s.failures, 1000u);
  EXPECT_EQ(cb.state(), CircuitState::kClosed);
}

TEST(ConcurrencyTest, BreakerTripsAndProbesUnderContention) {
  ManualClock clock;
  CircuitBreakerConfig c;
  c.window_size = 50;
  c.minimum_calls = 10;
  c.half_open_probes = 3;
  c.open_duration = std::chrono::seconds(1);
  CircuitBreaker cb(c, clock);
  std::atomic<int> transitions{0};
  cb.AddListener([&](const CircuitTransition&) { transitions.fetch_add(1); });
  std::atomic<int> probes_in_half_open{0};
  RunThreads([&](int t) {
    for (int i = 0; i < kIters / 4; ++i) {
      auto p = cb.TryAcquire();
      if (t == 0 && i % 100 == 0) clock.Advance(std::chrono::milliseconds(300));
      if (p && cb.state() == CircuitState::kHalfOpen) probes_in_half_open.fetch_add(1);
      cb.OnComplete(p, i % 2 ? Status::Unavailable("x") : Status::Ok());
    }
  });
  EXPECT_GT(transitions.load(), 2);
  EXPECT_GT(cb.rejected(), 0u);
}

TEST(ConcurrencyTest, BulkheadNeverExceedsItsLimit) {
  Bulkhead b({3, 2, std::chrono::milliseconds(50)});
  std::atomic<int> running{0}, max_seen{0}, done{0};
  RunThreads([&](int) {
    for (int i = 0; i < kIters / 10; ++i) {
      (void)b.Execute([&] {
        const int now = running.fetch_add(1) + 1;
        int prev = max_seen.load();
        while (now > prev && !max_seen.compare_exchange_weak(prev, now)) {
        }
        running.fetch_sub(1);
        done.fetch_add(1);
        return Status::Ok();
      });
    }
  });
  EXPECT_LE(max_seen.load(), 3);
  EXPECT_GT(done.load(), 0);
  EXPECT_EQ(b.in_use(), 0u);
}

TEST(ConcurrencyTest, TokenBucketAndGcraAdmitExactlyTheirBudget) {
  ManualClock clock;
  TokenBucket tb({1, std::chrono::hours(1), 1000}, clock);
  Gcra g({1e-3, 1000}, clock);
  std::atomic<int> tb_ok{0}, g_ok{0};
  RunThreads([&](int) {
    for (int i = 0; i < 1000; ++i) {
      tb_ok += tb.TryAcquire();
      g_ok += g.TryAcquire();
    }
  });
  EXPECT_EQ(tb_ok.load(), 1000);
  EXPECT_EQ(g_ok.load(), 1000);
}

TEST(ConcurrencyTest, AdaptiveLimiterInflightStaysBounded) {
  ManualClock clock;
  AdaptiveLimiter lim(std::make_unique<GradientLimit>(GradientConfig{}), clock);
  std::atomic<int> over{0};
  RunThreads([&](int t) {
    for (int i = 0; i < kIters / 4; ++i) {
      auto p = lim.TryAcquire();
      if (!p) continue;
      if (lim.inflight() > 1000) over.fetch_add(1);
      if (t == 0) clock.Advance(std::chrono::microseconds(10));
      if (i % 7 == 0) {
        lim.OnDropped(p);
      } else {
        lim.OnSuccess(p);
      }
    }
  });
  EXPECT_EQ(over.load(), 0);
  EXPECT_EQ(lim.inflight(), 0u);
  EXPECT_GE(lim.limit(), 1u);
}

}  // namespace
}  // namespace cairn::resilience
