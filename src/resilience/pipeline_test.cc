#include "resilience/pipeline.h"

#include <gtest/gtest.h>

#include <vector>

namespace cairn::resilience {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const Status kDown = Status::Literal(StatusCode::kUnavailable, "down");

struct Fixture {
  ManualClock clock;
  ManualSleeper sleeper{clock};
  std::vector<CircuitTransition> events;

  std::unique_ptr<Pipeline> Build(bool with_budget = false) {
    RetryConfig retry;
    retry.max_attempts = 3;
    retry.backoff = {milliseconds(10), milliseconds(10), 1.0, Jitter::kNone};
    CircuitBreakerConfig cb;
    cb.window_size = 10;
    cb.minimum_calls = 5;
    cb.open_duration = seconds(5);
    cb.half_open_probes = 1;
    PipelineBuilder b(clock);
    b.WithRetry(retry, &sleeper)
        .WithCircuitBreaker(cb)
        .WithTokenBucket({1000, seconds(1), 1000})
        .WithTimeout({milliseconds(100)})
        .WithBulkhead({4, 0, Nanos(0)})
        .OnCircuitTransition([this](const CircuitTransition& t) { events.push_back(t); });
    if (with_budget) b.WithRetryBudget({});
    auto p = b.Build();
    EXPECT_TRUE(p.ok());
    return std::move(p).value();
  }
};

TEST(PipelineTest, SuccessPassesThrough) {
  Fixture f;
  auto p = f.Build();
  Result<int> r = p->Execute([] { return Result<int>(42); });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(p->stats().successes.value(), 1u);
  EXPECT_EQ(p->stats().latency.count(), 1u);
}

TEST(PipelineTest, RetriesThenBreakerOpensThenFallbackAnswers) {
  Fixture f;
  auto p = f.Build();
  int calls = 0;
  Status s = p->Execute([&] { return ++calls, kDown; });
  EXPECT_EQ(s, kDown);
  EXPECT_EQ(calls, 3);  // three attempts
  (void)p->Execute([&] { return ++calls, kDown; });
  // Five failures in the window: the breaker opened during the second call's
  // retries, and its rejection ended the retrying.
  EXPECT_EQ(p->circuit_breaker()->state(), CircuitState::kOpen);
  EXPECT_EQ(calls, 5);
  ASSERT_EQ(f.events.size(), 1u);
  Result<int> r = p->Execute([&] { return ++calls, Result<int>(1); },
                             [](const Status& why) {
                               EXPECT_TRUE(IsCircuitOpen(why));
                               return Result<int>(-1);
                             });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, -1);
  EXPECT_EQ(calls, 5);  // the call never ran
  EXPECT_EQ(p->stats().fallbacks.value(), 1u);
}

TEST(PipelineTest, TimeoutCountsAsBreakerFailureAndCancelsToken) {
  Fixture f;
  auto p = f.Build();
  bool saw_cancel = false;
  Status s = p->Execute([&](const CancellationToken& token) {
    f.clock.Advance(milliseconds(150));
    saw_cancel = token.cancelled();
    return Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(saw_cancel);
  EXPECT_EQ(p->circuit_breaker()->Snapshot().failures, 1u);  // not retried: not kUnavailable
  EXPECT_EQ(p->stats().timeouts.value(), 1u);
}

TEST(PipelineTest, LocalRejectionsDoNotCountAgainstTheDownstream) {
  Fixture f;
  auto p = f.Build();
  // Fill the bulkhead from inside calls: nested calls are rejected locally.
  int rejected = 0;
  std::function<Status(int)> nest = [&](int depth) -> Status {
    return p->Execute([&, depth] {
      if (depth == 5) return Status::Ok();
      Status inner = nest(depth + 1);
      if (inner.code() == StatusCode::kResourceExhausted) ++rejected;
      return Status::Ok();
    });
  };
  EXPECT_TRUE(nest(0).ok());
  EXPECT_EQ(rejected, 1);
  EXPECT_EQ(p->stats().rejected_bulkhead.value(), 1u);
  EXPECT_EQ(p->circuit_breaker()->Snapshot().failures, 0u);
}

TEST(PipelineTest, BuildRejectsBadConfig) {
  ManualClock clock;
  PipelineBuilder b(clock);
  b.WithBulkhead({0, 0, Nanos(0)});
  auto p = b.Build();
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  PipelineBuilder b2(clock);
  b2.WithRetryBudget({});
  EXPECT_FALSE(b2.Build().ok());
}

TEST(PipelineTest, MetricsExposeOutcomesStateAndLatency) {
  Fixture f;
  auto p = f.Build();
  (void)p->Execute([] { return Status::Ok(); });
  MetricsRegistry registry;
  p->RegisterMetrics(registry, "kv");
  const std::string text = registry.Expose();
  EXPECT_NE(text.find("cairn_resilience_calls_total{pipeline=\"kv\",outcome=\"success\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("cairn_resilience_circuit_state{pipeline=\"kv\",state=\"closed\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("cairn_resilience_attempt_duration_seconds_count{pipeline=\"kv\"} 1\n"),
            std::string::npos);
}

}  // namespace
}  // namespace cairn::resilience

namespace cairn::resilience {
namespace {

// The example from docs/resilience.md, compiled and run, so the guide stays true.
TEST(PipelineTest, DocsExampleWorks) {
  ManualClock clock;
  std::vector<std::string> log;
  auto pipeline = PipelineBuilder(clock)
                      .WithRetry({.max_attempts = 3})
                      .WithRetryBudget({.ratio_pct = 20})
                      .WithCircuitBreaker({.window_size = 100, .minimum_calls = 20})
                      .WithGcra({.rate_per_second = 500, .burst = 50})
                      .WithTimeout({.timeout = std::chrono::milliseconds(200)})
                      .WithBulkhead({.max_concurrent = 32})
                      .OnCircuitTransition([&](const CircuitTransition& t) {
                        log.push_back(std::string(CircuitStateName(t.to)));
                      })
                      .Build();
  ASSERT_TRUE(pipeline.ok());
  (*pipeline)->circuit_breaker()->ForceOpen();
  Result<std::string> v = (*pipeline)->Execute(
      [&](const CancellationToken&) { return Result<std::string>("fresh"); },
      [&](const Status&) { return Result<std::string>("stale"); });
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "stale");
  EXPECT_EQ(log, std::vector<std::string>{"forced_open"});
}

}  // namespace
}  // namespace cairn::resilience
