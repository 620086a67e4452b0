#pragma once
// Timeout and hedging for Boost.Asio awaitables (C++20 coroutines, Boost 1.74).
// Kept out of the core headers: only code that links cairn::resilience_asio
// pays for Asio.
//
//   WithTimeout(make_op, timeout)      co_await it inside a coroutine
//   Hedge(make_op, policy)             first successful answer wins
//
// `make_op(const CancellationToken&)` (Hedge: `make_op(token, attempt)`)
// returns an awaitable<R>, R being Status or Result<T>. Asio 1.74 has no
// per-operation cancellation slots, so cancellation is cooperative: the losing
// or late operation sees token.cancelled() and should finish soon; it keeps
// its shared state alive until it does. No thread is created.
//
// Thread-safety: run each call on one strand (or a single-threaded
// io_context); the shared state is not otherwise synchronised.

#include <utility>  // Boost 1.74's awaitable.hpp needs std::exchange

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <vector>

#include "common/clock.h"
#include "resilience/call.h"
#include "resilience/cancellation.h"
#include "resilience/hedge_policy.h"

namespace cairn::resilience {

template <typename F>
using AwaitedOf = typename std::invoke_result_t<F&, const CancellationToken&>::value_type;

template <typename F>
boost::asio::awaitable<AwaitedOf<F>> WithTimeout(F make_op, Nanos timeout) {
  using R = AwaitedOf<F>;
  auto ex = co_await boost::asio::this_coro::executor;
  struct State {
    explicit State(decltype(ex) e) : timer(e) {}
    CancellationSource source;
    std::optional<R> result;
    boost::asio::steady_timer timer;
  };
  auto state = std::make_shared<State>(ex);
  state->timer.expires_after(timeout);
  // The spawned coroutine returns void: Asio 1.74 wants a default-
  // constructible result type, which Result<T> is not.
  boost::asio::co_spawn(
      ex,
      [state, op = std::move(make_op)]() mutable -> boost::asio::awaitable<void> {
        R r = co_await op(state->source.Token());
        state->result.emplace(std::move(r));
        state->timer.cancel();
      },
      [state](std::exception_ptr e) {
        if (e && !state->result) {
          state->result.emplace(FromStatus<R>(Status::Internal("operation threw")));
          state->timer.cancel();
        }
      });
  boost::system::error_code ec;
  co_await state->timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  if (state->result) co_return std::move(*state->result);
  state->source.Cancel();
  co_return FromStatus<R>(TimeoutRejection());
}

template <typename F>
using HedgedOf =
    typename std::invoke_result_t<F&, const CancellationToken&, std::uint32_t>::value_type;

// Starts attempt 0, then another attempt every policy.Delay() (or at once
// when an attempt fails) up to max_attempts, until one succeeds. The first OK
// answer wins and every other attempt's token is cancelled; if all fail, the
// last failure is returned. Feeds the winner's latency back to the policy.
template <typename F>
boost::asio::awaitable<HedgedOf<F>> Hedge(F make_op, HedgePolicy& policy) {
  using R = HedgedOf<F>;
  auto ex = co_await boost::asio::this_coro::executor;
  const std::uint32_t max = policy.config().max_attempts;
  struct State {
    State(decltype(ex) e, std::uint32_t n) : sources(n), timer(e) {}
    std::vector<CancellationSource> sources;
    std::optional<R> winner;
    std::optional<R> last_failure;
    std::uint32_t finished = 0;
    boost::asio::steady_timer timer;
  };
  auto state = std::make_shared<State>(ex, max);
  const auto start = std::chrono::steady_clock::now();
  std::uint32_t started = 0;
  auto finish = [](const std::shared_ptr<State>& st, R r) {
    ++st->finished;
    if (st->winner) return;
    if (StatusOf(r).ok()) {
      st->winner.emplace(std::move(r));
    } else {
      st->last_failure.emplace(std::move(r));
    }
    st->timer.cancel();  // wake the driver: a winner, or hedge now
  };
  auto launch = [&](std::uint32_t attempt) {
    boost::asio::co_spawn(
        ex,
        [state, make_op, attempt, finish]() mutable -> boost::asio::awaitable<void> {
          R r = co_await make_op(state->sources[attempt].Token(), attempt);
          finish(state, std::move(r));
        },
        [state, finish](std::exception_ptr e) {
          if (e) finish(state, FromStatus<R>(Status::Internal("operation threw")));
        });
  };
  launch(started++);
  while (!state->winner && state->finished < max) {
    boost::system::error_code ec;
    if (started < max) {
      if (state->finished == started) {  // every attempt so far failed: hedge at once
        launch(started++);
        continue;
      }
      state->timer.expires_after(policy.Delay());
      co_await state->timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      // Woken early (ec set) by an answer: loop to look at it. Else hedge.
      if (!state->winner && !ec) launch(started++);
    } else {
      state->timer.expires_at(boost::asio::steady_timer::time_point::max());
      co_await state->timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
  }
  for (auto& s : state->sources) s.Cancel();
  if (state->winner) {
    policy.Observe(std::chrono::steady_clock::now() - start);
    co_return std::move(*state->winner);
  }
  co_return std::move(*state->last_failure);
}

}  // namespace cairn::resilience
