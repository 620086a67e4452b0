#include "resilience/pipeline.h"

namespace cairn::resilience {

bool Pipeline::IsLocalRejection(const Status& s) {
  if (s.code() != StatusCode::kResourceExhausted) return false;
  return IsRejection(s);
}

void Pipeline::FinishLimit(const AdaptiveLimiter::Permit& p, const Status& s) {
  if (s.ok()) {
    limiter_->OnSuccess(p);
  } else if (AdaptiveLimiter::IsOverload(s)) {
    limiter_->OnDropped(p);
  } else {
    limiter_->OnIgnored(p);
  }
}

void Pipeline::RegisterMetrics(MetricsRegistry& registry, const std::string& name) {
  const std::string l = "pipeline=\"" + EscapeLabelValue(name) + "\"";
  const char* calls = "cairn_resilience_calls_total";
  const char* calls_help = "Calls through a resilience pipeline by final outcome.";
  registry.AddCounter(calls, calls_help, l + ",outcome=\"success\"",
                      [this] { return double(stats_.successes.value()); });
  registry.AddCounter(calls, calls_help, l + ",outcome=\"failure\"",
                      [this] { return double(stats_.failures.value()); });
  registry.AddCounter(calls, calls_help, l + ",outcome=\"fallback\"",
                      [this] { return double(stats_.fallbacks.value()); });
  const char* rej = "cairn_resilience_rejections_total";
  const char* rej_help = "Attempts rejected by a strategy before reaching the call.";
  registry.AddCounter(rej, rej_help, l + ",by=\"circuit_breaker\"",
                      [this] { return double(stats_.rejected_circuit.value()); });
  registry.AddCounter(rej, rej_help, l + ",by=\"rate_limiter\"",
                      [this] { return double(stats_.rejected_rate.value()); });
  registry.AddCounter(rej, rej_help, l + ",by=\"bulkhead\"",
                      [this] { return double(stats_.rejected_bulkhead.value()); });
  registry.AddCounter(rej, rej_help, l + ",by=\"adaptive_limit\"",
                      [this] { return double(stats_.rejected_limit.value()); });
  registry.AddCounter("cairn_resilience_timeouts_total", "Attempts that overran their timeout.", l,
                      [this] { return double(stats_.timeouts.value()); });
  if (retry_) {
    registry.AddCounter("cairn_resilience_retries_total", "Retries made.", l,
                        [this] { return double(retry_->retries()); });
  }
  if (breaker_) {
    for (CircuitState s : {CircuitState::kClosed, CircuitState::kOpen, CircuitState::kHalfOpen,
                           CircuitState::kForcedOpen, CircuitState::kDisabled}) {
      registry.AddGauge("cairn_resilience_circuit_state", "1 for the breaker's current state.",
                        l + ",state=\"" + std::string(CircuitStateName(s)) + "\"",
                        [this, s] { return breaker_->state() == s ? 1.0 : 0.0; });
    }
    registry.AddGauge("cairn_resilience_circuit_failure_rate", "Failure rate in the window, %.", l,
                      [this] { return breaker_->Snapshot().failure_rate_pct(); });
  }
  if (bulkhead_) {
    registry.AddGauge("cairn_resilience_bulkhead_in_use", "Bulkhead permits held.", l,
                      [this] { return double(bulkhead_->in_use()); });
  }
  if (limiter_) {
    registry.AddGauge("cairn_resilience_concurrency_limit", "Adaptive concurrency limit.", l,
                      [this] { return double(limiter_->limit()); });
  }
  registry.AddHistogram("cairn_resilience_attempt_duration_seconds",
                        "Duration of attempts that reached the call.", l, &stats_.latency);
}

PipelineBuilder& PipelineBuilder::WithRetry(const RetryConfig& c, Sleeper* sleeper) {
  retry_ = c;
  sleeper_ = sleeper;
  return *this;
}
PipelineBuilder& PipelineBuilder::WithRetryBudget(const RetryBudgetConfig& c) {
  budget_ = c;
  return *this;
}
PipelineBuilder& PipelineBuilder::WithCircuitBreaker(const CircuitBreakerConfig& c) {
  breaker_ = c;
  return *this;
}
PipelineBuilder& PipelineBuilder::WithTokenBucket(const TokenBucketConfig& c) {
  bucket_ = c;
  return *this;
}
PipelineBuilder& PipelineBuilder::WithGcra(const GcraConfig& c) {
  gcra_ = c;
  return *this;
}
PipelineBuilder& PipelineBuilder::WithTimeout(const TimeoutConfig& c) {
  timeout_ = c;
  return *this;
}
PipelineBuilder& PipelineBuilder::WithBulkhead(const BulkheadConfig& c) {
  bulkhead_ = c;
  return *this;
}
PipelineBuilder& PipelineBuilder::WithAimdLimit(const AimdConfig& c) {
  aimd_ = c;
  return *this;
}
PipelineBuilder& PipelineBuilder::WithGradientLimit(const GradientConfig& c) {
  gradient_ = c;
  return *this;
}
PipelineBuilder& PipelineBuilder::WithFallbackOn(UseFallback use_fallback) {
  use_fallback_ = use_fallback;
  return *this;
}
PipelineBuilder& PipelineBuilder::OnCircuitTransition(CircuitBreaker::Listener listener) {
  listeners_.push_back(std::move(listener));
  return *this;
}

Result<std::unique_ptr<Pipeline>> PipelineBuilder::Build() {
  if (retry_) CAIRN_RETURN_IF_ERROR(retry_->Validate());
  if (budget_) CAIRN_RETURN_IF_ERROR(budget_->Validate());
  if (breaker_) CAIRN_RETURN_IF_ERROR(breaker_->Validate());
  if (bucket_) CAIRN_RETURN_IF_ERROR(bucket_->Validate());
  if (gcra_) CAIRN_RETURN_IF_ERROR(gcra_->Validate());
  if (timeout_) CAIRN_RETURN_IF_ERROR(timeout_->Validate());
  if (bulkhead_) CAIRN_RETURN_IF_ERROR(bulkhead_->Validate());
  if (aimd_) CAIRN_RETURN_IF_ERROR(aimd_->Validate());
  if (gradient_) CAIRN_RETURN_IF_ERROR(gradient_->Validate());
  if (aimd_ && gradient_) return Status::InvalidArgument("pipeline: choose one adaptive limit");
  if (bucket_ && gcra_) return Status::InvalidArgument("pipeline: choose one rate limiter");
  if (budget_ && !retry_) return Status::InvalidArgument("pipeline: a retry budget needs a retry");
  if (!listeners_.empty() && !breaker_)
    return Status::InvalidArgument("pipeline: circuit listener without a circuit breaker");
  if (use_fallback_ == nullptr) return Status::InvalidArgument("pipeline: use_fallback is null");

  std::unique_ptr<Pipeline> p(new Pipeline(clock_));
  if (budget_) p->budget_ = std::make_unique<RetryBudget>(*budget_, clock_);
  if (retry_) {
    Sleeper& sleeper = sleeper_ ? *sleeper_ : ThreadSleeper::Instance();
    p->retry_ = std::make_unique<Retry>(*retry_, clock_, sleeper, p->budget_.get());
  }
  if (breaker_) {
    p->breaker_ = std::make_unique<CircuitBreaker>(*breaker_, clock_);
    for (auto& l : listeners_) p->breaker_->AddListener(std::move(l));
  }
  if (bucket_) p->bucket_ = std::make_unique<TokenBucket>(*bucket_, clock_);
  if (gcra_) p->gcra_ = std::make_unique<Gcra>(*gcra_, clock_);
  if (timeout_) p->timeout_ = std::make_unique<Timeout>(*timeout_, clock_);
  if (bulkhead_) p->bulkhead_ = std::make_unique<Bulkhead>(*bulkhead_);
  if (aimd_) p->limiter_ = std::make_unique<AdaptiveLimiter>(std::make_unique<AimdLimit>(*aimd_), clock_);
  if (gradient_) {
    p->limiter_ =
        std::make_unique<AdaptiveLimiter>(std::make_unique<GradientLimit>(*gradient_), clock_);
  }
  p->use_fallback_ = use_fallback_;
  return Result<std::unique_ptr<Pipeline>>(std::move(p));
}

}  // namespace cairn::resilience
