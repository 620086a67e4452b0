// Overhead per call of the resilience strategies around a call that does
// nothing, on 1 and 2 threads. The real SystemClock is used throughout.
//
//   scripts/build.sh release resilience_bench
//   build/release/bench/resilience/resilience_bench
#include <benchmark/benchmark.h>

#include <memory>

#include "resilience/coarse_clock.h"
#include "resilience/pipeline.h"

namespace cairn::resilience {
namespace {

Status Noop() {
  benchmark::ClobberMemory();
  return Status::Ok();
}

void BM_Baseline(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Noop());
}
BENCHMARK(BM_Baseline)->Threads(1)->Threads(2);

CircuitBreaker& SharedBreaker() {
  static CircuitBreaker cb(CircuitBreakerConfig{});
  return cb;
}

void BM_BreakerClosed(benchmark::State& state) {
  CircuitBreaker& cb = SharedBreaker();
  for (auto _ : state) benchmark::DoNotOptimize(cb.Execute(Noop));
}
BENCHMARK(BM_BreakerClosed)->Threads(1)->Threads(2);

void BM_BreakerClosedSlowCallTracking(benchmark::State& state) {
  static CircuitBreaker cb([] {
    CircuitBreakerConfig c;
    c.slow_call_duration = std::chrono::seconds(1);
    return c;
  }());
  for (auto _ : state) benchmark::DoNotOptimize(cb.Execute(Noop));
}
BENCHMARK(BM_BreakerClosedSlowCallTracking)->Threads(1)->Threads(2);

void BM_BreakerTimeWindow(benchmark::State& state) {
  static CircuitBreaker cb([] {
    CircuitBreakerConfig c;
    c.window_kind = WindowKind::kTimeBased;
    c.window_size = 60;
    return c;
  }());
  for (auto _ : state) benchmark::DoNotOptimize(cb.Execute(Noop));
}
BENCHMARK(BM_BreakerTimeWindow)->Threads(1)->Threads(2);

void BM_BreakerOpenRejection(benchmark::State& state) {
  static CircuitBreaker cb([] {
    CircuitBreakerConfig c;
    c.open_duration = std::chrono::hours(1);
    c.minimum_calls = 1;
    return c;
  }());
  if (state.thread_index() == 0) {
    auto p = cb.TryAcquire();
    cb.OnComplete(p, Status::Unavailable("trip"));
  }
  for (auto _ : state) benchmark::DoNotOptimize(cb.Execute(Noop));
}
BENCHMARK(BM_BreakerOpenRejection)->Threads(1)->Threads(2);

void BM_BreakerForcedOpenRejection(benchmark::State& state) {
  static CircuitBreaker cb(CircuitBreakerConfig{});
  if (state.thread_index() == 0) cb.ForceOpen();
  for (auto _ : state) benchmark::DoNotOptimize(cb.Execute(Noop));
}
BENCHMARK(BM_BreakerForcedOpenRejection)->Threads(1)->Threads(2);

void BM_RetryNeverRetries(benchmark::State& state) {
  static Retry retry(RetryConfig{});
  for (auto _ : state) benchmark::DoNotOptimize(retry.Execute(Noop));
}
BENCHMARK(BM_RetryNeverRetries)->Threads(1)->Threads(2);

void BM_RetryWithBudgetNeverRetries(benchmark::State& state) {
  static RetryBudget budget(RetryBudgetConfig{});
  static Retry retry(RetryConfig{}, SystemClock::Instance(), ThreadSleeper::Instance(), &budget);
  for (auto _ : state) benchmark::DoNotOptimize(retry.Execute(Noop));
}
BENCHMARK(BM_RetryWithBudgetNeverRetries)->Threads(1)->Threads(2);

void BM_Bulkhead(benchmark::State& state) {
  static Bulkhead b(BulkheadConfig{});
  for (auto _ : state) benchmark::DoNotOptimize(b.Execute(Noop));
}
BENCHMARK(BM_Bulkhead)->Threads(1)->Threads(2);

void BM_TokenBucket(benchmark::State& state) {
  static TokenBucket tb({1u << 23, std::chrono::milliseconds(1), (1u << 24) - 1});
  for (auto _ : state) benchmark::DoNotOptimize(tb.Execute(Noop));
}
BENCHMARK(BM_TokenBucket)->Threads(1)->Threads(2);

void BM_Gcra(benchmark::State& state) {
  static Gcra g({1e9, 1000000});
  for (auto _ : state) benchmark::DoNotOptimize(g.Execute(Noop));
}
BENCHMARK(BM_Gcra)->Threads(1)->Threads(2);

void BM_Timeout(benchmark::State& state) {
  static Timeout t(TimeoutConfig{});
  for (auto _ : state) benchmark::DoNotOptimize(t.Execute(Noop));
}
BENCHMARK(BM_Timeout)->Threads(1)->Threads(2);

void BM_ClockRead(benchmark::State& state) {
  const Clock& clock = SystemClock::Instance();
  for (auto _ : state) benchmark::DoNotOptimize(clock.Now());
}
BENCHMARK(BM_ClockRead)->Threads(1)->Threads(2);

Pipeline& FivePipeline() {
  static std::unique_ptr<Pipeline> p = [] {
    auto built = PipelineBuilder()
                     .WithRetry({})
                     .WithCircuitBreaker({})
                     .WithTokenBucket({1u << 23, std::chrono::milliseconds(1), (1u << 24) - 1})
                     .WithTimeout({})
                     .WithBulkhead({})
                     .Build();
    return std::move(built).value();
  }();
  return *p;
}

// Five strategies: retry, circuit breaker, rate limiter, timeout, bulkhead
// (the same five as Polly's published pipeline figure), plus metrics.
void BM_CoarseClockRead(benchmark::State& state) {
  const Clock& clock = CoarseClock::Instance();
  for (auto _ : state) benchmark::DoNotOptimize(clock.Now());
}
BENCHMARK(BM_CoarseClockRead)->Threads(1)->Threads(2);

void BM_BreakerOpenRejectionCoarseClock(benchmark::State& state) {
  static CircuitBreaker cb(
      [] {
        CircuitBreakerConfig c;
        c.open_duration = std::chrono::hours(1);
        c.minimum_calls = 1;
        return c;
      }(),
      CoarseClock::Instance());
  if (state.thread_index() == 0) {
    auto p = cb.TryAcquire();
    cb.OnComplete(p, Status::Unavailable("trip"));
  }
  for (auto _ : state) benchmark::DoNotOptimize(cb.Execute(Noop));
}
BENCHMARK(BM_BreakerOpenRejectionCoarseClock)->Threads(1)->Threads(2);

void BM_PipelineFiveCoarseClock(benchmark::State& state) {
  static std::unique_ptr<Pipeline> p = [] {
    auto built = PipelineBuilder(CoarseClock::Instance())
                     .WithRetry({})
                     .WithCircuitBreaker({})
                     .WithTokenBucket({1u << 23, std::chrono::milliseconds(10), (1u << 24) - 1})
                     .WithTimeout({})
                     .WithBulkhead({})
                     .Build();
    return std::move(built).value();
  }();
  for (auto _ : state) benchmark::DoNotOptimize(p->Execute(Noop));
}
BENCHMARK(BM_PipelineFiveCoarseClock)->Threads(1)->Threads(2);

void BM_PipelineFive(benchmark::State& state) {
  Pipeline& p = FivePipeline();
  for (auto _ : state) benchmark::DoNotOptimize(p.Execute(Noop));
}
BENCHMARK(BM_PipelineFive)->Threads(1)->Threads(2);

void BM_PipelineFiveWithFallback(benchmark::State& state) {
  Pipeline& p = FivePipeline();
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        p.Execute([] { return Result<int>(1); }, [](const Status&) { return Result<int>(0); }));
  }
}
BENCHMARK(BM_PipelineFiveWithFallback)->Threads(1)->Threads(2);

void BM_PipelineRejectedByOpenBreaker(benchmark::State& state) {
  static std::unique_ptr<Pipeline> p = [] {
    auto built = PipelineBuilder()
                     .WithRetry({})
                     .WithCircuitBreaker({})
                     .WithTokenBucket({1u << 23, std::chrono::milliseconds(1), (1u << 24) - 1})
                     .WithTimeout({})
                     .WithBulkhead({})
                     .Build();
    auto pipeline = std::move(built).value();
    pipeline->circuit_breaker()->ForceOpen();
    return pipeline;
  }();
  for (auto _ : state) benchmark::DoNotOptimize(p->Execute(Noop));
}
BENCHMARK(BM_PipelineRejectedByOpenBreaker)->Threads(1)->Threads(2);

}  // namespace
}  // namespace cairn::resilience

BENCHMARK_MAIN();
