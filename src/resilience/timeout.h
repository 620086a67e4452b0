#pragma once
// Timeout: a deadline for a call, enforced cooperatively.
//
// The callable may take a `const CancellationToken&` whose cancelled() turns
// true at the deadline; a well-behaved callee polls it and returns early. When
// the call returns at or after the deadline, its result is discarded and
// TimeoutRejection() (kDeadlineExceeded) is returned instead, exactly as an
// asynchronous timeout would have answered at the deadline. No thread is
// spawned, so nothing is left running after Execute returns. For Asio
// awaitables see asio_timeout.h.
//
// Cost: two clock reads per call; no allocation.
//
// Thread-safety: one Timeout may be used by many threads at once.

#include <atomic>
#include <concepts>
#include <cstdint>

#include "common/clock.h"
#include "common/status.h"
#include "resilience/call.h"
#include "resilience/cancellation.h"

namespace cairn::resilience {

// A callable that takes a cancellation token.
template <typename F>
concept TokenCall = std::invocable<F&, const CancellationToken&> &&
                    CallResult<std::invoke_result_t<F&, const CancellationToken&>>;

// Calls f with the token if it takes one.
template <typename F>
decltype(auto) InvokeWithToken(F& f, const CancellationToken& token) {
  if constexpr (TokenCall<F>) {
    return f(token);
  } else {
    return f();
  }
}

template <typename F>
struct TokenResult {
  using type = std::invoke_result_t<F&>;
};
template <TokenCall F>
struct TokenResult<F> {
  using type = std::invoke_result_t<F&, const CancellationToken&>;
};
template <typename F>
using TokenResultOf = typename TokenResult<F>::type;

struct TimeoutConfig {
  Nanos timeout = std::chrono::seconds(1);
  Status Validate() const {
    if (timeout.count() <= 0) return Status::InvalidArgument("timeout: timeout must be > 0");
    return Status::Ok();
  }
};

class Timeout {
 public:
  explicit Timeout(const TimeoutConfig& config, const Clock& clock = SystemClock::Instance())
      : config_(config), clock_(clock) {
    CAIRN_CHECK(config.Validate().ok(), "invalid TimeoutConfig (call Validate() first)");
  }

  template <typename F>
  TokenResultOf<F> Execute(F&& f) {
    CancellationSource source;
    const Nanos start = clock_.Now();
    const CancellationToken token = source.Token(clock_, start + config_.timeout);
    TokenResultOf<F> r = InvokeWithToken(f, token);
    if (Expired(start, clock_.Now())) return FromStatus<TokenResultOf<F>>(TimeoutRejection());
    return r;
  }

  // True (and counted) if a call that ran from start to end overran.
  bool Expired(Nanos start, Nanos end) {
    if (end - start < config_.timeout) return false;
    timeouts_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  std::uint64_t timeouts() const { return timeouts_.load(std::memory_order_relaxed); }
  const TimeoutConfig& config() const { return config_; }
  const Clock& clock() const { return clock_; }

 private:
  const TimeoutConfig config_;
  const Clock& clock_;
  std::atomic<std::uint64_t> timeouts_{0};
};

}  // namespace cairn::resilience
