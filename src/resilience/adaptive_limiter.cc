#include "resilience/adaptive_limiter.h"

#include <algorithm>
#include <cmath>

namespace cairn::resilience {

Status AimdConfig::Validate() const {
  if (min_limit == 0 || min_limit > max_limit)
    return Status::InvalidArgument("aimd: need 0 < min_limit <= max_limit");
  if (initial_limit < min_limit || initial_limit > max_limit)
    return Status::InvalidArgument("aimd: initial_limit outside [min_limit, max_limit]");
  if (!(backoff_ratio > 0 && backoff_ratio < 1))
    return Status::InvalidArgument("aimd: backoff_ratio must be in (0, 1)");
  return Status::Ok();
}

AimdLimit::AimdLimit(const AimdConfig& config) : config_(config), limit_(config.initial_limit) {
  CAIRN_CHECK(config.Validate().ok(), "invalid AimdConfig (call Validate() first)");
}

std::uint32_t AimdLimit::Update(Nanos rtt, std::uint32_t inflight, bool dropped) {
  if (dropped || rtt > config_.slow_latency) {
    limit_ = std::max(config_.min_limit,
                      static_cast<std::uint32_t>(std::floor(limit_ * config_.backoff_ratio)));
  } else if (inflight * 2 >= limit_) {
    // Grow only when the limit is actually being used; an idle client must
    // not inflate its limit without evidence the downstream copes.
    limit_ = std::min(config_.max_limit, limit_ + 1);
  }
  return limit_;
}

Status GradientConfig::Validate() const {
  if (min_limit == 0 || min_limit > max_limit)
    return Status::InvalidArgument("gradient: need 0 < min_limit <= max_limit");
  if (initial_limit < min_limit || initial_limit > max_limit)
    return Status::InvalidArgument("gradient: initial_limit outside [min_limit, max_limit]");
  if (!(smoothing > 0 && smoothing <= 1))
    return Status::InvalidArgument("gradient: smoothing must be in (0, 1]");
  if (!(rtt_tolerance >= 1)) return Status::InvalidArgument("gradient: rtt_tolerance must be >= 1");
  if (long_window == 0) return Status::InvalidArgument("gradient: long_window must be > 0");
  return Status::Ok();
}

GradientLimit::GradientLimit(const GradientConfig& config)
    : config_(config), estimate_(config.initial_limit) {
  CAIRN_CHECK(config.Validate().ok(), "invalid GradientConfig (call Validate() first)");
}

std::uint32_t GradientLimit::Update(Nanos rtt, std::uint32_t inflight, bool dropped) {
  const double short_rtt = static_cast<double>(std::max<std::int64_t>(1, rtt.count()));
  // Long-term average: a plain mean while warming up, then an exponential
  // average over long_window samples.
  ++samples_;
  const double n = static_cast<double>(std::min<std::uint64_t>(samples_, config_.long_window));
  long_rtt_ns_ += (short_rtt - long_rtt_ns_) / n;
  // If the short-term latency dropped far below the long-term one (the
  // downstream recovered), pull the long-term average down faster so the
  // limit can grow again.
  if (long_rtt_ns_ / short_rtt > 2) long_rtt_ns_ *= 0.95;

  // An application-limited client (few calls in flight) teaches nothing
  // about the downstream's capacity: keep the limit.
  if (!dropped && inflight < estimate_ / 2) return limit();

  const double gradient =
      dropped ? 0.5 : std::clamp(config_.rtt_tolerance * long_rtt_ns_ / short_rtt, 0.5, 1.0);
  const double queue = std::sqrt(estimate_);
  double next = estimate_ * gradient + queue;
  next = estimate_ * (1 - config_.smoothing) + next * config_.smoothing;
  estimate_ = std::clamp(next, static_cast<double>(config_.min_limit),
                         static_cast<double>(config_.max_limit));
  return limit();
}

AdaptiveLimiter::AdaptiveLimiter(std::unique_ptr<LimitAlgorithm> algorithm, const Clock& clock)
    : clock_(clock), algorithm_(std::move(algorithm)), limit_(algorithm_->limit()) {}

void AdaptiveLimiter::Finish(const Permit& p, bool dropped, bool sample) {
  if (!p.admitted) return;
  if (sample) {
    const Nanos rtt = clock_.Now() - p.start;
    std::lock_guard<std::mutex> lock(mu_);
    limit_.store(algorithm_->Update(rtt, p.inflight, dropped), std::memory_order_relaxed);
  }
  inflight_.fetch_sub(1, std::memory_order_release);
}

}  // namespace cairn::resilience
