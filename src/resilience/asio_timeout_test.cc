// The Asio adapter. Timers here are real (short) because Asio's timers read
// the steady clock; the assertions depend on ordering, not on exact times.
#include "resilience/asio_timeout.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace cairn::resilience {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

// An operation that finishes after `d`, or early if its token is cancelled
// (polling every millisecond).
asio::awaitable<Result<int>> SlowOp(CancellationToken token, Nanos d, int value, bool* saw_cancel) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  const auto end = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < end) {
    if (token.cancelled()) {
      if (saw_cancel) *saw_cancel = true;
      co_return Status::Cancelled("stopped");
    }
    t.expires_after(milliseconds(1));
    co_await t.async_wait(asio::use_awaitable);
  }
  co_return value;
}

template <typename T>
T RunIo(asio::awaitable<T> a) {
  asio::io_context io;
  std::optional<T> out;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { out.emplace(co_await std::move(a)); }, asio::detached);
  io.run();  // returns when every coroutine (the late loser too) has finished
  return std::move(*out);
}

TEST(AsioTimeoutTest, FastOperationWins) {
  auto r = RunIo(WithTimeout(
      [](const CancellationToken& t) { return SlowOp(t, Nanos(0), 7, nullptr); }, milliseconds(500)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 7);
}

TEST(AsioTimeoutTest, SlowOperationTimesOutAndIsCancelled) {
  bool saw_cancel = false;
  auto r = RunIo(WithTimeout(
      [&](const CancellationToken& t) { return SlowOp(t, std::chrono::seconds(10), 7, &saw_cancel); },
      milliseconds(5)));
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(saw_cancel);  // io.run() returned, so the loser saw its token and stopped
}

TEST(AsioHedgeTest, HedgedAttemptWinsAndLoserIsCancelled) {
  HedgePolicy policy({2, milliseconds(2), 0, 100});
  bool first_cancelled = false;
  auto r = RunIo(Hedge(
      [&](const CancellationToken& t, std::uint32_t attempt) {
        return attempt == 0 ? SlowOp(t, std::chrono::seconds(10), 1, &first_cancelled)
                            : SlowOp(t, Nanos(0), 2, nullptr);
      },
      policy));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 2);
  EXPECT_TRUE(first_cancelled);
}

TEST(AsioHedgeTest, FailedAttemptHedgesAtOnceAndAllFailuresReturnLast) {
  HedgePolicy policy({3, std::chrono::seconds(10), 0, 100});
  int started = 0;
  auto r = RunIo(Hedge(
      [&](const CancellationToken&, std::uint32_t attempt) -> asio::awaitable<Result<int>> {
        ++started;
        co_return Status::Unavailable(attempt == 2 ? "last" : "early");
      },
      policy));
  EXPECT_EQ(started, 3);  // no 10 s waits: each failure triggered the next
  EXPECT_EQ(r.status().message(), "last");
}

TEST(HedgePolicyTest, PercentileDelayAfterEnoughSamples) {
  HedgePolicy policy({2, milliseconds(10), 0.9, 10});
  EXPECT_EQ(policy.Delay(), milliseconds(10));
  for (int i = 1; i <= 10; ++i) policy.Observe(milliseconds(i));
  EXPECT_GE(policy.Delay(), milliseconds(9));
  EXPECT_LE(policy.Delay(), milliseconds(10));
}

}  // namespace
}  // namespace cairn::resilience
