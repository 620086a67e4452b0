// Proves the hot paths never touch the heap: a replaced global operator new
// counts allocations, and each path must leave the count unchanged. The
// counter is shown to work by a deliberate allocation.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>

#include "resilience/pipeline.h"

namespace {
std::atomic<long> g_allocs{0};
}  // namespace

// GCC cannot see that these replacements pair malloc with free.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace cairn::resilience {
namespace {

template <typename F>
long AllocationsIn(F f) {
  const long before = g_allocs.load();
  for (int i = 0; i < 1000; ++i) f();
  return g_allocs.load() - before;
}

TEST(AllocTest, CounterCatchesAnAllocation) {
  EXPECT_GT(AllocationsIn([] {
              auto p = std::make_unique<std::string>(100, 'x');
              asm volatile("" : : "r"(p.get()) : "memory");  // keep the allocation
            }),
            0);
  EXPECT_GT(AllocationsIn([] { (void)Status::Unavailable("dynamic message"); }), 0);
}

TEST(AllocTest, BreakerSuccessAndRejectionPathsDoNotAllocate) {
  CircuitBreakerConfig c;
  c.slow_call_duration = std::chrono::seconds(1);  // the timed path too
  CircuitBreaker cb(c);
  EXPECT_EQ(AllocationsIn([&] { (void)cb.Execute([] { return Result<int>(1); }); }), 0);
  cb.ForceOpen();
  EXPECT_EQ(AllocationsIn([&] { (void)cb.Execute([] { return Result<int>(1); }); }), 0);
}

TEST(AllocTest, PipelineSuccessAndRejectionPathsDoNotAllocate) {
  auto built = PipelineBuilder()
                   .WithRetry({})
                   .WithCircuitBreaker({})
                   .WithTokenBucket({1'000'000, std::chrono::seconds(1), 1'000'000})
                   .WithTimeout({})
                   .WithBulkhead({})
                   .WithGradientLimit({})
                   .Build();
  ASSERT_TRUE(built.ok());
  Pipeline& p = **built;
  EXPECT_EQ(AllocationsIn([&] { (void)p.Execute([] { return Status::Ok(); }); }), 0);
  EXPECT_EQ(AllocationsIn([&] {
              (void)p.Execute([] { return Result<int>(1); },
                              [](const Status&) { return Result<int>(0); });
            }),
            0);
  p.circuit_breaker()->ForceOpen();
  EXPECT_EQ(AllocationsIn([&] { (void)p.Execute([] { return Status::Ok(); }); }), 0);
  EXPECT_GT(p.stats().rejected_circuit.value(), 0u);
}

TEST(AllocTest, RateLimitersAndBulkheadDoNotAllocate) {
  TokenBucket tb({1, std::chrono::hours(1), 10});
  Gcra g({1, 10});
  Bulkhead b({1, 0, Nanos(0)});
  EXPECT_EQ(AllocationsIn([&] {
              (void)tb.TryAcquire();
              (void)g.TryAcquire();
              (void)b.Execute([] { return Status::Ok(); });
            }),
            0);
}

}  // namespace
}  // namespace cairn::resilience
