#include "resilience/bulkhead.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace cairn::resilience {
namespace {

TEST(BulkheadTest, RejectsBeyondMaxConcurrent) {
  Bulkhead b({2, 0, Nanos(0)});
  EXPECT_TRUE(b.TryAcquire());
  EXPECT_TRUE(b.Acquire());
  EXPECT_FALSE(b.Acquire());
  Status s = b.Execute([] { return Status::Ok(); });
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(IsRejection(s));
  EXPECT_EQ(b.rejected(), 2u);
  b.Release();
  EXPECT_TRUE(b.Execute([] { return Status::Ok(); }).ok());
  EXPECT_EQ(b.in_use(), 1u);  // Execute gave its permit back
}

TEST(BulkheadTest, WaiterGetsAReleasedPermit) {
  Bulkhead b({1, 1, std::chrono::seconds(30)});
  ASSERT_TRUE(b.Acquire());
  std::atomic<bool> got{false};
  std::thread waiter([&] { got = b.Acquire(); });
  while (b.waiting() == 0) std::this_thread::yield();  // the waiter is queued
  b.Release();
  waiter.join();
  EXPECT_TRUE(got);
  EXPECT_EQ(b.in_use(), 1u);
}

TEST(BulkheadTest, QueueIsBoundedAndWaitIsBounded) {
  Bulkhead b({1, 1, std::chrono::milliseconds(1)});
  ASSERT_TRUE(b.Acquire());
  // The only permit is never released: the wait ends after max_wait.
  EXPECT_FALSE(b.Acquire());
  EXPECT_EQ(b.waiting(), 0u);
  EXPECT_EQ(b.rejected(), 1u);
}

TEST(KeyedBulkheadTest, OneBulkheadPerKey) {
  KeyedBulkhead kb({1, 0, Nanos(0)});
  ASSERT_TRUE(kb.Configure("big", {3, 0, Nanos(0)}).ok());
  EXPECT_TRUE(kb.For("a").Acquire());
  EXPECT_FALSE(kb.For("a").Acquire());
  EXPECT_TRUE(kb.For("b").Acquire());  // a different downstream is unaffected
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(kb.For("big").Acquire());
  EXPECT_FALSE(kb.For("big").Acquire());
  EXPECT_EQ(kb.size(), 3u);
  EXPECT_EQ(kb.Configure("a", {5, 0, Nanos(0)}).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(kb.Configure("c", {0, 0, Nanos(0)}).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cairn::resilience
