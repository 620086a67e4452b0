// HedgeBlocking runs attempts on threads (LABELS concurrency, TSan). The
// scenarios are built so the outcome never depends on timing: a "slow"
// attempt blocks until its token is cancelled, never on a clock.
#include "resilience/hedge.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace cairn::resilience {
namespace {

using std::chrono::seconds;

// Blocks until cancelled (yielding), then reports it.
Result<int> BlockUntilCancelled(const CancellationToken& token, std::atomic<bool>* saw_cancel) {
  while (!token.cancelled()) std::this_thread::yield();
  saw_cancel->store(true);
  return Status::Cancelled("stopped");
}

TEST(HedgeBlockingTest, HedgeWinsAndTheSlowAttemptIsCancelledAndJoined) {
  HedgePolicy policy({2, Nanos(0), 0, 100});  // hedge at once
  std::atomic<bool> first_cancelled{false};
  Result<int> r = HedgeBlocking(
      [&](const CancellationToken& t, std::uint32_t attempt) -> Result<int> {
        if (attempt == 0) return BlockUntilCancelled(t, &first_cancelled);
        return 2;
      },
      policy);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 2);
  EXPECT_TRUE(first_cancelled.load());  // joined: it had finished before we returned
}

TEST(HedgeBlockingTest, FastAnswerMeansNoHedge) {
  HedgePolicy policy({3, seconds(30), 0, 100});
  std::atomic<int> started{0};
  Result<int> r = HedgeBlocking(
      [&](const CancellationToken&, std::uint32_t) -> Result<int> {
        started.fetch_add(1);
        return 1;
      },
      policy);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(started.load(), 1);  // woken by the answer, not by the 30 s delay
}

TEST(HedgeBlockingTest, FailuresHedgeAtOnceAndTheLastFailureIsReturned) {
  HedgePolicy policy({3, seconds(30), 0, 100});
  std::atomic<int> started{0};
  Status s = HedgeBlocking(
      [&](const CancellationToken&, std::uint32_t attempt) {
        started.fetch_add(1);
        return attempt == 2 ? Status::Unavailable("last") : Status::Unavailable("early");
      },
      policy);
  EXPECT_EQ(started.load(), 3);
  EXPECT_EQ(s.message(), "last");
}

}  // namespace
}  // namespace cairn::resilience
