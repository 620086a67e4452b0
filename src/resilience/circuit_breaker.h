#pragma once
// CircuitBreaker: stops calling a downstream that keeps failing, and lets a few
// probe calls through after a while to see whether it recovered.
//
//   CLOSED    calls pass; outcomes go into a sliding window (count or time).
//             Trips to OPEN when, with at least minimum_calls in the window,
//             the failure rate or the slow-call rate reaches its threshold, or
//             after consecutive_failures_max failures in a row.
//   OPEN      calls are rejected (CircuitOpenRejection(), kUnavailable) until
//             open_duration has passed; the next call moves to HALF_OPEN.
//   HALF_OPEN half_open_probes calls are let through; when all have finished,
//             their failure/slow rate decides CLOSED or OPEN again.
//   FORCED_OPEN, DISABLED  set by hand (ForceOpen/Disable) and left only by
//             Reset(): reject everything / admit everything without recording.
//
// Hot path: a closed breaker with a count window and no slow-call threshold
// does one atomic load to admit and two atomic instructions to record a
// success; it never reads the clock and never allocates. An open breaker
// rejects with one clock read (a coarse one when running on SystemClock,
// see open_clock_) and one striped counter increment.
//
// Each state change bumps a generation; the outcome of a call admitted under
// an older generation is dropped, so a late answer from before a transition
// never counts in the new state's window.
//
// Thread-safety: all methods may be called from any thread. Transitions are
// serialised by a mutex; listeners run under it, in transition order, and must
// not call ForceOpen/Disable/Reset on the same breaker.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "resilience/call.h"
#include "resilience/metrics.h"
#include "resilience/sliding_window.h"

namespace cairn::resilience {

enum class CircuitState : std::uint8_t { kClosed, kOpen, kHalfOpen, kForcedOpen, kDisabled };
std::string_view CircuitStateName(CircuitState s);

enum class WindowKind : std::uint8_t { kCountBased, kTimeBased };

struct CircuitBreakerConfig {
  WindowKind window_kind = WindowKind::kCountBased;
  // Count-based: the last window_size calls. Time-based: the last window_size
  // buckets of window_bucket_width each (default: 60 one-second buckets).
  std::uint32_t window_size = 100;
  Nanos window_bucket_width = std::chrono::seconds(1);
  // No rate is judged before the window holds this many calls.
  std::uint32_t minimum_calls = 20;
  // Trip when failures / calls * 100 >= this (0 < x <= 100).
  double failure_rate_threshold_pct = 50;
  // A call taking at least slow_call_duration is slow; trip when slow / calls
  // * 100 >= slow_call_rate_threshold_pct. Zero duration turns slow-call
  // tracking off (and with it every clock read on the closed path).
  Nanos slow_call_duration = Nanos(0);
  double slow_call_rate_threshold_pct = 100;
  // Trip after this many failures in a row; 0 = off.
  std::uint32_t consecutive_failures_max = 0;
  // How long OPEN lasts before probes are allowed.
  Nanos open_duration = std::chrono::seconds(30);
  // Probe calls admitted in HALF_OPEN.
  std::uint32_t half_open_probes = 5;
  // Go back to OPEN if the probes have not all finished within this; 0 = wait.
  Nanos half_open_max_wait = Nanos(0);
  OutcomeClassifier classify = DefaultClassifier;

  // InvalidArgument naming the first bad field, or OK.
  Status Validate() const;
};

enum class TransitionReason : std::uint8_t {
  kFailureRate,
  kSlowCallRate,
  kConsecutiveFailures,
  kOpenDurationElapsed,
  kProbesSucceeded,
  kProbesFailed,
  kHalfOpenTimedOut,
  kManual,
};
std::string_view TransitionReasonName(TransitionReason r);

struct CircuitTransition {
  CircuitState from;
  CircuitState to;
  TransitionReason reason;
  Nanos at;
  WindowSnapshot window;  // the window that caused it (empty for manual changes)
};

class CircuitBreaker {
 public:
  // The ticket of an admitted (or rejected) call; hand it back to OnComplete.
  struct Permit {
    bool admitted = false;
    std::uint32_t generation = 0;
    Nanos start{0};
    explicit operator bool() const { return admitted; }
  };
  using Listener = std::function<void(const CircuitTransition&)>;

  // config must be valid (see Validate); an invalid one is a programming error.
  explicit CircuitBreaker(const CircuitBreakerConfig& config,
                          const Clock& clock = SystemClock::Instance());
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  Permit TryAcquire() {
    const std::uint32_t word = word_.load(std::memory_order_acquire);
    const auto state = static_cast<CircuitState>(word & 0xff);
    if (state == CircuitState::kClosed || state == CircuitState::kDisabled) {
      return {true, word >> 8, time_calls_ ? clock_.Now() : Nanos(0)};
    }
    if (state == CircuitState::kOpen &&
        open_clock_.Now().count() < open_until_ns_.load(std::memory_order_relaxed)) {
      rejected_.Add();  // the common rejection: still waiting out open_duration
      return {};
    }
    return TryAcquireSlow(word);
  }

  // Records how an admitted call ended. Ignores rejected permits.
  void OnComplete(const Permit& permit, const Status& status) {
    if (!permit.admitted) return;
    const CallOutcome outcome = config_.classify(status);
    if (outcome == CallOutcome::kIgnore) return OnIgnored(permit);
    const bool failure = outcome == CallOutcome::kFailure;
    const std::uint32_t word = word_.load(std::memory_order_acquire);
    if ((word >> 8) != permit.generation) return;  // admitted before a transition
    const auto state = static_cast<CircuitState>(word & 0xff);
    if (state == CircuitState::kClosed && !timed_ && !config_.consecutive_failures_max &&
        config_.window_kind == WindowKind::kCountBased) {
      // The fastest path: nothing but the window to update.
      if (count_window_->Record(failure, false) && failure) CheckRates(word, Nanos(0));
      return;
    }
    OnCompleteSlow(permit, word, failure);
  }

  // Gives an admitted permit back without recording an outcome (the call
  // never reached the downstream, e.g. a local rate limiter rejected it).
  void Release(const Permit& permit) {
    if (permit.admitted) OnIgnored(permit);
  }

  // Runs f if the breaker admits it; otherwise returns CircuitOpenRejection().
  template <Call F>
  CallResultOf<F> Execute(F&& f) {
    const Permit p = TryAcquire();
    if (!p) return FromStatus<CallResultOf<F>>(CircuitOpenRejection());
    CallResultOf<F> r = f();
    OnComplete(p, StatusOf(r));
    return r;
  }

  CircuitState state() const { return static_cast<CircuitState>(word_.load() & 0xff); }
  WindowSnapshot Snapshot() const;
  std::uint64_t rejected() const { return rejected_.value(); }
  const CircuitBreakerConfig& config() const { return config_; }

  void ForceOpen();  // reject everything until Reset()
  void Disable();    // admit everything, record nothing, until Reset()
  void Reset();      // back to CLOSED with an empty window

  // Called on every state change, under the transition mutex.
  void AddListener(Listener listener);

 private:
  static std::uint32_t Pack(CircuitState s, std::uint32_t generation) {
    return (generation << 8) | static_cast<std::uint32_t>(s);
  }

  Permit TryAcquireSlow(std::uint32_t word);
  void OnCompleteSlow(const Permit& permit, std::uint32_t word, bool failure);
  void OnIgnored(const Permit& permit);
  void RecordHalfOpen(std::uint32_t word, bool failure, bool slow);
  // Trips to OPEN if the window's rates cross a threshold.
  void CheckRates(std::uint32_t word, Nanos now);
  // Moves from the state packed in `expected` to `to`. Returns false (and
  // does nothing) when another thread changed the state first.
  bool Transition(std::uint32_t expected, CircuitState to, TransitionReason reason,
                  const WindowSnapshot& window);
  void TransitionManual(CircuitState to);
  WindowSnapshot WindowNow(Nanos now) const;
  void ResetWindow();

  // Constant after construction.
  const CircuitBreakerConfig config_;
  const Clock& clock_;
  // Reads the time on the rejection path. CoarseClock when clock_ is the
  // SystemClock (same epoch, ~6 ns instead of ~30 ns a read): OPEN may then
  // last up to one kernel tick (1-4 ms) longer than open_duration.
  const Clock& open_clock_;
  // Reads the time for a time window's buckets when slow calls are not
  // timed: CoarseClock on SystemClock when buckets are >= 100 ms wide.
  const Clock& window_clock_;
  const bool time_calls_;  // slow calls tracked: read the clock when admitting
  const bool timed_;  // slow calls tracked or time-based window: read the clock on completion
  std::unique_ptr<CountWindow> count_window_;
  std::unique_ptr<TimeWindow> time_window_;

  // state (low 8 bits) and generation (high 24 bits), changed only under mu_.
  alignas(64) std::atomic<std::uint32_t> word_{0};
  std::atomic<std::int64_t> open_until_ns_{0};
  std::atomic<std::int64_t> half_open_since_ns_{0};
  std::atomic<std::uint32_t> consecutive_failures_{0};
  std::atomic<std::uint32_t> probes_admitted_{0};
  std::atomic<std::uint32_t> probes_done_{0};
  std::atomic<std::uint32_t> probes_failed_{0};
  std::atomic<std::uint32_t> probes_slow_{0};
  StripedCounter rejected_;  // per-thread stripes: rejecting threads never share a line

  std::mutex mu_;  // serialises transitions and guards listeners_
  std::vector<Listener> listeners_;
};

}  // namespace cairn::resilience
