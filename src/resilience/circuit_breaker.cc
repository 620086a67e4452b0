#include "resilience/circuit_breaker.h"

#include <string>

#include "resilience/coarse_clock.h"

namespace cairn::resilience {

std::string_view CircuitStateName(CircuitState s) {
  switch (s) {
    case CircuitState::kClosed: return "closed";
    case CircuitState::kOpen: return "open";
    case CircuitState::kHalfOpen: return "half_open";
    case CircuitState::kForcedOpen: return "forced_open";
    case CircuitState::kDisabled: return "disabled";
  }
  return "unknown";
}

std::string_view TransitionReasonName(TransitionReason r) {
  switch (r) {
    case TransitionReason::kFailureRate: return "failure_rate";
    case TransitionReason::kSlowCallRate: return "slow_call_rate";
    case TransitionReason::kConsecutiveFailures: return "consecutive_failures";
    case TransitionReason::kOpenDurationElapsed: return "open_duration_elapsed";
    case TransitionReason::kProbesSucceeded: return "probes_succeeded";
    case TransitionReason::kProbesFailed: return "probes_failed";
    case TransitionReason::kHalfOpenTimedOut: return "half_open_timed_out";
    case TransitionReason::kManual: return "manual";
  }
  return "unknown";
}

Status CircuitBreakerConfig::Validate() const {
  if (window_size == 0) return Status::InvalidArgument("circuit breaker: window_size must be > 0");
  if (window_kind == WindowKind::kTimeBased && window_bucket_width.count() <= 0)
    return Status::InvalidArgument("circuit breaker: window_bucket_width must be > 0");
  if (minimum_calls == 0) return Status::InvalidArgument("circuit breaker: minimum_calls must be > 0");
  if (window_kind == WindowKind::kCountBased && minimum_calls > window_size)
    return Status::InvalidArgument("circuit breaker: minimum_calls exceeds window_size");
  if (!(failure_rate_threshold_pct > 0 && failure_rate_threshold_pct <= 100))
    return Status::InvalidArgument("circuit breaker: failure_rate_threshold_pct not in (0, 100]");
  if (!(slow_call_rate_threshold_pct > 0 && slow_call_rate_threshold_pct <= 100))
    return Status::InvalidArgument("circuit breaker: slow_call_rate_threshold_pct not in (0, 100]");
  if (slow_call_duration.count() < 0)
    return Status::InvalidArgument("circuit breaker: slow_call_duration must be >= 0");
  if (open_duration.count() < 0)
    return Status::InvalidArgument("circuit breaker: open_duration must be >= 0");
  if (half_open_probes == 0)
    return Status::InvalidArgument("circuit breaker: half_open_probes must be > 0");
  if (classify == nullptr) return Status::InvalidArgument("circuit breaker: classify is null");
  return Status::Ok();
}

CircuitBreaker::CircuitBreaker(const CircuitBreakerConfig& config, const Clock& clock)
    : config_(config),
      clock_(clock),
      open_clock_(CoarseIfSystem(clock)),
      window_clock_(config.window_bucket_width >= std::chrono::milliseconds(100)
                        ? CoarseIfSystem(clock)
                        : clock),
      time_calls_(config.slow_call_duration.count() > 0),
      timed_(time_calls_ || config.window_kind == WindowKind::kTimeBased) {
  const Status valid = config.Validate();
  CAIRN_CHECK(valid.ok(), "invalid CircuitBreakerConfig (call Validate() first)");
  if (config.window_kind == WindowKind::kCountBased) {
    count_window_ = std::make_unique<CountWindow>(config.window_size);
  } else {
    time_window_ = std::make_unique<TimeWindow>(config.window_size, config.window_bucket_width);
  }
}

CircuitBreaker::Permit CircuitBreaker::TryAcquireSlow(std::uint32_t word) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    const auto state = static_cast<CircuitState>(word & 0xff);
    const std::uint32_t generation = word >> 8;
    switch (state) {
      case CircuitState::kClosed:
      case CircuitState::kDisabled:
        return {true, generation, time_calls_ ? clock_.Now() : Nanos(0)};
      case CircuitState::kForcedOpen:
        rejected_.Add();
        return {};
      case CircuitState::kOpen: {
        const Nanos now = clock_.Now();
        if (now.count() < open_until_ns_.load(std::memory_order_relaxed)) {
          rejected_.Add();
          return {};
        }
        Transition(word, CircuitState::kHalfOpen, TransitionReason::kOpenDurationElapsed, {});
        break;  // look again at whatever state we are in now
      }
      case CircuitState::kHalfOpen: {
        const std::uint32_t n = probes_admitted_.fetch_add(1, std::memory_order_acq_rel);
        if (n < config_.half_open_probes) return {true, generation, clock_.Now()};
        probes_admitted_.fetch_sub(1, std::memory_order_acq_rel);
        if (config_.half_open_max_wait.count() > 0) {
          const Nanos now = clock_.Now();
          if (now.count() - half_open_since_ns_.load(std::memory_order_relaxed) >=
              config_.half_open_max_wait.count()) {
            Transition(word, CircuitState::kOpen, TransitionReason::kHalfOpenTimedOut, {});
          }
        }
        rejected_.Add();
        return {};
      }
    }
    word = word_.load(std::memory_order_acquire);
  }
  rejected_.Add();
  return {};
}

void CircuitBreaker::OnCompleteSlow(const Permit& permit, std::uint32_t word, bool failure) {
  const auto state = static_cast<CircuitState>(word & 0xff);
  if (state != CircuitState::kClosed && state != CircuitState::kHalfOpen) return;
  // Slow-call timing needs the precise clock; a time window of buckets of
  // 100 ms or more is fine with the coarse one.
  const bool precise = time_calls_ || state == CircuitState::kHalfOpen;
  const Nanos now = precise ? clock_.Now() : timed_ ? window_clock_.Now() : Nanos(0);
  const bool slow = config_.slow_call_duration.count() > 0 &&
                    now - permit.start >= config_.slow_call_duration;
  if (state == CircuitState::kHalfOpen) return RecordHalfOpen(word, failure, slow);

  bool changed;
  if (count_window_) {
    changed = count_window_->Record(failure, slow);
  } else {
    time_window_->Record(now, failure, slow);
    changed = failure || slow;
  }
  if (config_.consecutive_failures_max > 0) {
    if (failure) {
      const std::uint32_t run = consecutive_failures_.fetch_add(1, std::memory_order_relaxed) + 1;
      if (run >= config_.consecutive_failures_max) {
        Transition(word, CircuitState::kOpen, TransitionReason::kConsecutiveFailures, WindowNow(now));
        return;
      }
    } else if (consecutive_failures_.load(std::memory_order_relaxed) != 0) {
      consecutive_failures_.store(0, std::memory_order_relaxed);
    }
  }
  if (changed && (failure || slow)) CheckRates(word, now);
}

void CircuitBreaker::CheckRates(std::uint32_t word, Nanos now) {
  const WindowSnapshot w = WindowNow(now);
  if (w.calls < config_.minimum_calls) return;
  if (w.failure_rate_pct() >= config_.failure_rate_threshold_pct) {
    Transition(word, CircuitState::kOpen, TransitionReason::kFailureRate, w);
  } else if (config_.slow_call_duration.count() > 0 &&
             w.slow_rate_pct() >= config_.slow_call_rate_threshold_pct) {
    Transition(word, CircuitState::kOpen, TransitionReason::kSlowCallRate, w);
  }
}

void CircuitBreaker::OnIgnored(const Permit& permit) {
  // An ignored probe gives its slot back so HALF_OPEN cannot starve.
  const std::uint32_t word = word_.load(std::memory_order_acquire);
  if ((word >> 8) == permit.generation &&
      static_cast<CircuitState>(word & 0xff) == CircuitState::kHalfOpen) {
    probes_admitted_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void CircuitBreaker::RecordHalfOpen(std::uint32_t word, bool failure, bool slow) {
  if (failure) probes_failed_.fetch_add(1, std::memory_order_relaxed);
  if (slow) probes_slow_.fetch_add(1, std::memory_order_relaxed);
  const std::uint32_t done = probes_done_.fetch_add(1, std::memory_order_acq_rel) + 1;
  if (done < config_.half_open_probes) return;
  WindowSnapshot w;
  w.calls = done;
  w.failures = probes_failed_.load(std::memory_order_relaxed);
  w.slow = probes_slow_.load(std::memory_order_relaxed);
  const bool bad = w.failure_rate_pct() >= config_.failure_rate_threshold_pct ||
                   (config_.slow_call_duration.count() > 0 &&
                    w.slow_rate_pct() >= config_.slow_call_rate_threshold_pct);
  if (bad) {
    Transition(word, CircuitState::kOpen, TransitionReason::kProbesFailed, w);
  } else {
    Transition(word, CircuitState::kClosed, TransitionReason::kProbesSucceeded, w);
  }
}

WindowSnapshot CircuitBreaker::WindowNow(Nanos now) const {
  return count_window_ ? count_window_->Snapshot() : time_window_->Snapshot(now);
}

WindowSnapshot CircuitBreaker::Snapshot() const {
  return WindowNow(count_window_ ? Nanos(0) : clock_.Now());
}

void CircuitBreaker::ResetWindow() {
  if (count_window_) count_window_->Reset();
  if (time_window_) time_window_->Reset();
  consecutive_failures_.store(0, std::memory_order_relaxed);
}

bool CircuitBreaker::Transition(std::uint32_t expected, CircuitState to, TransitionReason reason,
                                const WindowSnapshot& window) {
  std::lock_guard<std::mutex> lock(mu_);
  if (word_.load(std::memory_order_relaxed) != expected) return false;
  const auto from = static_cast<CircuitState>(expected & 0xff);
  const Nanos now = clock_.Now();
  // Prepare the new state's fields before publishing it.
  switch (to) {
    case CircuitState::kOpen:
      open_until_ns_.store(now.count() + config_.open_duration.count(), std::memory_order_relaxed);
      break;
    case CircuitState::kHalfOpen:
      probes_admitted_.store(0, std::memory_order_relaxed);
      probes_done_.store(0, std::memory_order_relaxed);
      probes_failed_.store(0, std::memory_order_relaxed);
      probes_slow_.store(0, std::memory_order_relaxed);
      half_open_since_ns_.store(now.count(), std::memory_order_relaxed);
      break;
    case CircuitState::kClosed:
      ResetWindow();
      break;
    case CircuitState::kForcedOpen:
    case CircuitState::kDisabled:
      break;
  }
  const std::uint32_t generation = ((expected >> 8) + 1) & 0xffffff;
  word_.store(Pack(to, generation), std::memory_order_release);
  const CircuitTransition event{from, to, reason, now, window};
  for (const Listener& l : listeners_) l(event);
  return true;
}

void CircuitBreaker::TransitionManual(CircuitState to) {
  for (;;) {
    const std::uint32_t word = word_.load(std::memory_order_acquire);
    if (static_cast<CircuitState>(word & 0xff) == to && to != CircuitState::kClosed) return;
    if (Transition(word, to, TransitionReason::kManual, {})) return;
  }
}

void CircuitBreaker::ForceOpen() { TransitionManual(CircuitState::kForcedOpen); }
void CircuitBreaker::Disable() { TransitionManual(CircuitState::kDisabled); }
void CircuitBreaker::Reset() { TransitionManual(CircuitState::kClosed); }

void CircuitBreaker::AddListener(Listener listener) {
  std::lock_guard<std::mutex> lock(mu_);
  listeners_.push_back(std::move(listener));
}

}  // namespace cairn::resilience
