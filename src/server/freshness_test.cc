#include "server/freshness.h"

#include <gtest/gtest.h>

namespace cairn::server {
namespace {

TEST(Freshness, NeverHeardIsNeverFresh) {
  Freshness f;
  EXPECT_FALSE(f.FreshAsOf(100).has_value());
}

TEST(Freshness, AnAnswerAlreadyAppliedIsFreshAtOnce) {
  Freshness f;
  f.OnReadIndex(1000, 5, 5);
  EXPECT_EQ(f.FreshAsOf(5), 1000);
  f.OnReadIndex(1100, 5, 5);
  EXPECT_EQ(f.FreshAsOf(5), 1100);
}

// The bug this guards against: hearing from the leader kept a lagging
// follower "fresh".
TEST(Freshness, ALaggingFollowerIsOnlyAsFreshAsWhatItApplied) {
  Freshness f;
  f.OnReadIndex(1000, 10, 10);  // caught up at t=1000
  f.OnReadIndex(2000, 50, 10);  // behind from here on
  f.OnReadIndex(3000, 60, 10);
  EXPECT_EQ(f.FreshAsOf(10), 1000);
  EXPECT_EQ(f.FreshAsOf(49), 1000);
  EXPECT_EQ(f.FreshAsOf(50), 2000);
  EXPECT_EQ(f.FreshAsOf(60), 3000);
}

TEST(Freshness, ALaterAnswerWithALowerIndexReplacesEarlierOnes) {
  Freshness f;
  f.OnReadIndex(1000, 50, 0);
  f.OnReadIndex(2000, 30, 0);  // from a new leader whose applied index is lower
  EXPECT_FALSE(f.FreshAsOf(29).has_value());
  EXPECT_EQ(f.FreshAsOf(30), 2000);  // covers the older answer too, and is newer
}

TEST(Freshness, MemoryStaysBoundedAndOnlyAgesTheAnswer) {
  Freshness f;
  for (std::int64_t i = 1; i <= 5000; ++i) f.OnReadIndex(i, static_cast<std::uint64_t>(i), 0);
  EXPECT_EQ(f.FreshAsOf(5000), 5000);
  // Answers dropped for memory make the answer older, never newer.
  Freshness g;
  for (std::int64_t i = 1; i <= 5000; ++i) g.OnReadIndex(i, static_cast<std::uint64_t>(i), 0);
  auto t = g.FreshAsOf(4000);
  ASSERT_TRUE(t.has_value());
  EXPECT_LE(*t, 4000);
}

}  // namespace
}  // namespace cairn::server
