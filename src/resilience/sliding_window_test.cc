// Sliding windows: the running totals must always equal a naive recount of
// the last N calls (count window) or the last N buckets (time window).
#include "resilience/sliding_window.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <deque>
#include <memory>
#include <utility>
#include <vector>

namespace cairn::resilience {
namespace {

TEST(CountWindowTest, CountsOnlyTheLastNCalls) {
  CountWindow w(3);
  w.Record(true, false);
  w.Record(true, true);
  EXPECT_EQ(w.Snapshot().calls, 2u);
  EXPECT_EQ(w.Snapshot().failures, 2u);
  w.Record(false, false);
  w.Record(false, false);  // evicts the first failure
  const WindowSnapshot s = w.Snapshot();
  EXPECT_EQ(s.calls, 3u);
  EXPECT_EQ(s.failures, 1u);
  EXPECT_EQ(s.slow, 1u);
  EXPECT_NEAR(s.failure_rate_pct(), 100.0 / 3, 1e-9);
}

TEST(CountWindowTest, RecordReportsWhetherTotalsChanged) {
  CountWindow w(2);
  EXPECT_FALSE(w.Record(false, false));  // a success into an empty slot
  EXPECT_TRUE(w.Record(true, false));
  EXPECT_FALSE(w.Record(false, false));  // evicts a success with a success
  EXPECT_TRUE(w.Record(false, false));   // evicts the failure
  EXPECT_EQ(w.Snapshot().failures, 0u);
}

// Records `calls` into a window built by make(size) and checks every snapshot
// against a naive recount of the last `size` calls.
template <typename Make>
void CheckAgainstNaive(std::uint32_t size, const std::vector<std::pair<bool, bool>>& calls,
                       Make make) {
  auto w = make(size);
  std::deque<std::pair<bool, bool>> naive;
  for (const auto& [failure, slow] : calls) {
    w->Record(failure, slow);
    naive.push_back({failure, slow});
    if (naive.size() > size) naive.pop_front();
    std::uint64_t f = 0, s = 0;
    for (const auto& [nf, ns] : naive) {
      f += nf;
      s += ns;
    }
    const WindowSnapshot snap = w->Snapshot();
    RC_ASSERT(snap.calls == naive.size());
    RC_ASSERT(snap.failures == f);
    RC_ASSERT(snap.slow == s);
  }
}

auto MakeWindow(std::uint32_t size) { return std::make_unique<CountWindow>(size); }

RC_GTEST_PROP(CountWindowProp, TotalsMatchNaiveRecount,
              (const std::vector<std::pair<bool, bool>>& calls)) {
  CheckAgainstNaive(*rc::gen::inRange<std::uint32_t>(1, 40), calls, MakeWindow);
}

// The property can fail: a window one slot too long (a classic off-by-one in
// eviction) must be caught.
TEST(CountWindowProp, CatchesAnOffByOneWindow) {
  const bool passed = rc::check("off-by-one window", [](const std::vector<std::pair<bool, bool>>& calls) {
    CheckAgainstNaive(*rc::gen::inRange<std::uint32_t>(1, 40), calls,
                      [](std::uint32_t n) { return std::make_unique<CountWindow>(n + 1); });
  });
  EXPECT_FALSE(passed);
}

RC_GTEST_PROP(TimeWindowProp, TotalsMatchNaiveRecount, ()) {
  const auto buckets = *rc::gen::inRange<std::uint32_t>(1, 12);
  const Nanos width(*rc::gen::inRange<std::int64_t>(1, 1000));
  const auto steps = *rc::gen::container<std::vector<std::pair<int, bool>>>(
      rc::gen::pair(rc::gen::inRange(0, 700), rc::gen::arbitrary<bool>()));
  TimeWindow w(buckets, width);
  std::vector<std::pair<std::int64_t, bool>> log;  // (time, failure)
  std::int64_t now = 0;
  for (const auto& [advance, failure] : steps) {
    now += advance;
    w.Record(Nanos(now), failure, false);
    log.push_back({now, failure});
    const std::int64_t cur = now / width.count();
    std::uint64_t calls = 0, failures = 0;
    for (const auto& [t, f] : log) {
      if (t / width.count() > cur - static_cast<std::int64_t>(buckets)) {
        ++calls;
        failures += f;
      }
    }
    const WindowSnapshot snap = w.Snapshot(Nanos(now));
    RC_ASSERT(snap.calls == calls);
    RC_ASSERT(snap.failures == failures);
  }
}

TEST(TimeWindowTest, ForgetsBucketsOlderThanTheWindow) {
  TimeWindow w(3, Nanos(10));
  w.Record(Nanos(0), true, false);
  w.Record(Nanos(15), false, false);
  EXPECT_EQ(w.Snapshot(Nanos(29)).calls, 2u);
  EXPECT_EQ(w.Snapshot(Nanos(30)).calls, 1u);  // bucket 0 has left the window
  EXPECT_EQ(w.Snapshot(Nanos(30)).failures, 0u);
  EXPECT_EQ(w.Snapshot(Nanos(1000)).calls, 0u);  // idle: nothing left
}

}  // namespace
}  // namespace cairn::resilience
