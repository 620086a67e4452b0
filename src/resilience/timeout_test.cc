#include "resilience/timeout.h"

#include <gtest/gtest.h>

namespace cairn::resilience {
namespace {

using std::chrono::milliseconds;

TEST(TimeoutTest, PassesResultWithinDeadline) {
  ManualClock clock;
  Timeout t({milliseconds(100)}, clock);
  Result<int> r = t.Execute([&] {
    clock.Advance(milliseconds(99));
    return Result<int>(5);
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 5);
}

TEST(TimeoutTest, CooperativeCalleeSeesCancellationAndResultIsReplaced) {
  ManualClock clock;
  Timeout t({milliseconds(100)}, clock);
  int polls = 0;
  Status s = t.Execute([&](const CancellationToken& token) {
    EXPECT_EQ(token.remaining(), milliseconds(100));
    while (!token.cancelled()) {  // a bounded "work loop" that checks the token
      clock.Advance(milliseconds(10));
      ++polls;
    }
    return Status::Ok();
  });
  EXPECT_EQ(polls, 10);
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(IsRejection(s));
  EXPECT_EQ(t.timeouts(), 1u);
}

TEST(CancellationTest, SourceCancelsItsTokens) {
  CancellationSource src;
  CancellationToken tok = src.Token();
  EXPECT_FALSE(tok.cancelled());
  src.Cancel();
  EXPECT_TRUE(tok.cancelled());
  EXPECT_FALSE(CancellationToken().cancelled());
}

}  // namespace
}  // namespace cairn::resilience
