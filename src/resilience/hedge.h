#pragma once
// HedgeBlocking: hedging for plain (blocking) callables. Starts attempt 0 on a
// thread of its own, and another attempt after each HedgePolicy::Delay() (or
// at once when every attempt so far failed), up to max_attempts. The first
// OK answer wins; every other attempt's token is cancelled, and all attempt
// threads are joined before returning, so nothing is left running. If all
// attempts fail, the last failure is returned.
//
// Costs a thread per attempt (tens of microseconds): meant for calls slow
// enough to be worth hedging. In an Asio program use Hedge() from
// asio_timeout.h instead. Hedge only idempotent calls.
//
// `f(const CancellationToken&, std::uint32_t attempt)` returns Status or
// Result<T>; it is called from several threads at once and must be safe for
// that, and should return soon after its token is cancelled.
//
// Thread-safety: HedgeBlocking may be called from any thread; the policy is
// thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "resilience/call.h"
#include "resilience/cancellation.h"
#include "resilience/hedge_policy.h"

namespace cairn::resilience {

template <typename F>
using HedgeResultOf = std::invoke_result_t<F&, const CancellationToken&, std::uint32_t>;

template <typename F>
HedgeResultOf<F> HedgeBlocking(F&& f, HedgePolicy& policy) {
  using R = HedgeResultOf<F>;
  using SteadyClock = std::chrono::steady_clock;
  const std::uint32_t max = policy.config().max_attempts;
  struct Shared {
    explicit Shared(std::uint32_t n) : sources(n) {}
    std::mutex mu;
    std::condition_variable cv;
    std::optional<R> winner;        // guarded by mu
    std::optional<R> last_failure;  // guarded by mu
    std::uint32_t finished = 0;     // guarded by mu
    std::vector<CancellationSource> sources;
  } sh(max);
  std::vector<std::thread> threads;  // touched by this thread only
  threads.reserve(max);
  auto launch = [&](std::uint32_t i) {
    threads.emplace_back([&sh, &f, i] {
      R r = f(sh.sources[i].Token(), i);
      std::lock_guard<std::mutex> lock(sh.mu);
      ++sh.finished;
      if (!sh.winner) {
        if (StatusOf(r).ok()) {
          sh.winner.emplace(std::move(r));
        } else {
          sh.last_failure.emplace(std::move(r));
        }
      }
      sh.cv.notify_all();
    });
  };

  const auto start = SteadyClock::now();
  std::uint32_t started = 0;
  launch(started++);
  {
    std::unique_lock<std::mutex> lock(sh.mu);
    while (!sh.winner && sh.finished < max) {
      if (started == max) {
        sh.cv.wait(lock, [&] { return sh.winner.has_value() || sh.finished == max; });
        continue;
      }
      if (sh.finished < started) {
        const auto deadline = SteadyClock::now() + policy.Delay();
        sh.cv.wait_until(lock, deadline,
                         [&] { return sh.winner.has_value() || sh.finished == started; });
        if (sh.winner) break;
        if (sh.finished < started && SteadyClock::now() < deadline) continue;
      }
      // The delay passed, or every attempt so far failed: hedge.
      lock.unlock();
      launch(started++);
      lock.lock();
    }
  }
  for (auto& s : sh.sources) s.Cancel();
  for (auto& t : threads) t.join();
  if (sh.winner) {
    policy.Observe(SteadyClock::now() - start);
    return std::move(*sh.winner);
  }
  return std::move(*sh.last_failure);
}

}  // namespace cairn::resilience
