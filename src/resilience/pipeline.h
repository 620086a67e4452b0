#pragma once
// Pipeline: the strategies composed in one fixed order, outermost first:
//
//   fallback > retry > circuit breaker > rate limiter > timeout > bulkhead
//            > adaptive limiter > call
//
// Why this order:
//   * fallback is outermost so it answers for every failure below it,
//     including rejections and a retry that gave up;
//   * retry wraps the breaker, so each attempt asks the breaker afresh (an
//     open breaker ends the retrying: its rejection is not retried by default)
//     and every attempt's outcome teaches the breaker;
//   * the breaker wraps the rate limiter, so an open breaker rejects before
//     spending a token, and our own rate/bulkhead rejections are given back
//     to the breaker unrecorded (they say nothing about the downstream);
//   * the timeout wraps the bulkhead, so time spent queueing for a permit
//     counts against the deadline (what the caller experiences);
//   * the bulkhead and the adaptive limiter are innermost: a permit is held
//     only while the call really runs.
//
// Each attempt reads the clock twice (shared by rate limiter, timeout and the
// latency histogram) and allocates nothing; outcomes are counted on striped
// counters. The callable may take a `const CancellationToken&` (cancelled at
// the timeout's deadline) or nothing.
//
// Thread-safety: a built Pipeline may be used by many threads at once.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "resilience/adaptive_limiter.h"
#include "resilience/bulkhead.h"
#include "resilience/call.h"
#include "resilience/circuit_breaker.h"
#include "resilience/fallback.h"
#include "resilience/latency_histogram.h"
#include "resilience/metrics.h"
#include "resilience/rate_limiter.h"
#include "resilience/retry.h"
#include "resilience/timeout.h"

namespace cairn::resilience {

struct PipelineStats {
  StripedCounter successes;        // final result OK
  StripedCounter failures;         // final result an error from the call
  StripedCounter rejected_circuit; // attempts rejected by the breaker
  StripedCounter rejected_rate;    // attempts rejected by the rate limiter
  StripedCounter rejected_bulkhead;
  StripedCounter rejected_limit;   // adaptive concurrency limit
  StripedCounter timeouts;
  StripedCounter fallbacks;
  LatencyHistogram latency;        // per attempt that reached the call
};

class Pipeline {
 public:
  template <typename F>
  TokenResultOf<F> Execute(F&& f) {
    using R = TokenResultOf<F>;
    auto attempt = [this, &f]() -> R { return Attempt<R>(f); };
    R r = retry_ ? retry_->Execute(attempt) : attempt();
    (StatusOf(r).ok() ? stats_.successes : stats_.failures).Add();
    return r;
  }

  // As Execute, then answers an error accepted by the builder's use_fallback
  // with fallback(status).
  template <typename F, typename G>
  TokenResultOf<F> Execute(F&& f, G&& fallback) {
    TokenResultOf<F> r = Execute(f);
    const Status& s = StatusOf(r);
    if (s.ok() || !use_fallback_(s)) return r;
    stats_.fallbacks.Add();
    return fallback(s);
  }

  const PipelineStats& stats() const { return stats_; }
  CircuitBreaker* circuit_breaker() { return breaker_.get(); }
  Retry* retry() { return retry_.get(); }
  Bulkhead* bulkhead() { return bulkhead_.get(); }
  AdaptiveLimiter* adaptive_limiter() { return limiter_.get(); }

  // Registers cairn_resilience_* metrics labelled pipeline="<name>".
  void RegisterMetrics(MetricsRegistry& registry, const std::string& name);

 private:
  friend class PipelineBuilder;
  explicit Pipeline(const Clock& clock) : clock_(clock) {}

  template <typename R, typename F>
  R Attempt(F& f) {
    CircuitBreaker::Permit permit;
    if (breaker_) {
      permit = breaker_->TryAcquire();
      if (!permit) {
        stats_.rejected_circuit.Add();
        return FromStatus<R>(CircuitOpenRejection());
      }
    }
    R r = Guarded<R>(f);
    if (breaker_) {
      const Status& s = StatusOf(r);
      if (!s.ok() && IsLocalRejection(s)) {
        breaker_->Release(permit);
      } else {
        breaker_->OnComplete(permit, s);
      }
    }
    return r;
  }

  template <typename R, typename F>
  R Guarded(F& f) {
    const Nanos start = clock_.Now();
    if (bucket_ && !bucket_->TryAcquireAt(start)) return Reject<R>(stats_.rejected_rate, kRate);
    if (gcra_ && !gcra_->TryAcquireAt(start)) return Reject<R>(stats_.rejected_rate, kRate);
    CancellationSource source;
    const CancellationToken token =
        timeout_ ? source.Token(clock_, start + timeout_->config().timeout) : CancellationToken();
    if (bulkhead_ && !bulkhead_->Acquire()) return Reject<R>(stats_.rejected_bulkhead, kBulk);
    AdaptiveLimiter::Permit limit;
    if (limiter_) {
      limit = limiter_->TryAcquire();
      if (!limit) {
        if (bulkhead_) bulkhead_->Release();
        return Reject<R>(stats_.rejected_limit, kLimit);
      }
    }
    R r = InvokeWithToken(f, token);
    const Nanos end = clock_.Now();
    stats_.latency.Record(end - start);
    const bool expired = timeout_ && timeout_->Expired(start, end);
    if (limiter_) FinishLimit(limit, expired ? TimeoutRejection() : StatusOf(r));
    if (bulkhead_) bulkhead_->Release();
    if (expired) {
      stats_.timeouts.Add();
      return FromStatus<R>(TimeoutRejection());
    }
    return r;
  }

  enum RejectKind { kRate, kBulk, kLimit };
  template <typename R>
  static R Reject(StripedCounter& counter, RejectKind kind) {
    counter.Add();
    switch (kind) {
      case kRate: return FromStatus<R>(RateLimitedRejection());
      case kBulk: return FromStatus<R>(BulkheadFullRejection());
      case kLimit: break;
    }
    return FromStatus<R>(ConcurrencyLimitRejection());
  }
  // Rejections by strategies inside the breaker: not the downstream's fault.
  static bool IsLocalRejection(const Status& s);
  void FinishLimit(const AdaptiveLimiter::Permit& p, const Status& s);

  const Clock& clock_;
  std::unique_ptr<RetryBudget> budget_;
  std::unique_ptr<Retry> retry_;
  std::unique_ptr<CircuitBreaker> breaker_;
  std::unique_ptr<TokenBucket> bucket_;
  std::unique_ptr<Gcra> gcra_;
  std::unique_ptr<Timeout> timeout_;
  std::unique_ptr<Bulkhead> bulkhead_;
  std::unique_ptr<AdaptiveLimiter> limiter_;
  UseFallback use_fallback_ = AnyError;
  PipelineStats stats_;
};

// Collects configs, validates them all in Build(), and builds the Pipeline.
class PipelineBuilder {
 public:
  explicit PipelineBuilder(const Clock& clock = SystemClock::Instance()) : clock_(clock) {}

  // `sleeper` (null = real sleeping) must outlive the pipeline.
  PipelineBuilder& WithRetry(const RetryConfig& config, Sleeper* sleeper = nullptr);
  PipelineBuilder& WithRetryBudget(const RetryBudgetConfig& config);
  PipelineBuilder& WithCircuitBreaker(const CircuitBreakerConfig& config);
  PipelineBuilder& WithTokenBucket(const TokenBucketConfig& config);
  PipelineBuilder& WithGcra(const GcraConfig& config);
  PipelineBuilder& WithTimeout(const TimeoutConfig& config);
  PipelineBuilder& WithBulkhead(const BulkheadConfig& config);
  PipelineBuilder& WithAimdLimit(const AimdConfig& config);
  PipelineBuilder& WithGradientLimit(const GradientConfig& config);
  PipelineBuilder& WithFallbackOn(UseFallback use_fallback);
  // Adds a listener to the circuit breaker once built.
  PipelineBuilder& OnCircuitTransition(CircuitBreaker::Listener listener);

  // InvalidArgument naming the first bad config, or the pipeline.
  Result<std::unique_ptr<Pipeline>> Build();

 private:
  const Clock& clock_;
  Sleeper* sleeper_ = nullptr;
  std::optional<RetryConfig> retry_;
  std::optional<RetryBudgetConfig> budget_;
  std::optional<CircuitBreakerConfig> breaker_;
  std::optional<TokenBucketConfig> bucket_;
  std::optional<GcraConfig> gcra_;
  std::optional<TimeoutConfig> timeout_;
  std::optional<BulkheadConfig> bulkhead_;
  std::optional<AimdConfig> aimd_;
  std::optional<GradientConfig> gradient_;
  UseFallback use_fallback_ = AnyError;
  std::vector<CircuitBreaker::Listener> listeners_;
};

}  // namespace cairn::resilience
