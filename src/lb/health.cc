#include "lb/health.h"

#include <algorithm>

#include "common/assert.h"

namespace cairn::lb {

HealthTracker::HealthTracker(std::size_t endpoints, const HealthConfig& config, const Clock& clock)
    : config_(config), clock_(clock), state_storage_(new State[endpoints]) {
  for (std::size_t i = 0; i < endpoints; ++i) states_.push_back(&state_storage_[i]);
  interval_start_ns_ = clock.Now().count();
  // Endpoints present at construction are warm: slow start is for newcomers.
  for (State* s : states_) s->warm_from_ns.store(interval_start_ns_ - config.slow_start.count());
}

bool HealthTracker::Available(std::size_t i, Nanos now) const {
  return now.count() >= states_[i]->ejected_until_ns.load(std::memory_order_acquire);
}

double HealthTracker::WeightFactor(std::size_t i, Nanos now) const {
  if (config_.slow_start.count() <= 0) return 1.0;
  const std::int64_t age_ns = now.count() - states_[i]->warm_from_ns.load(std::memory_order_relaxed);
  if (age_ns >= config_.slow_start.count()) return 1.0;
  const double ramp = std::max<double>(0, age_ns) / static_cast<double>(config_.slow_start.count());
  return config_.slow_start_floor + (1.0 - config_.slow_start_floor) * ramp;
}

void HealthTracker::MarkJoined(std::size_t i, Nanos now) {
  states_[i]->warm_from_ns.store(now.count(), std::memory_order_relaxed);
}

std::size_t HealthTracker::EjectedCountLocked(std::int64_t now_ns) const {
  std::size_t n = 0;
  for (const State* s : states_) n += now_ns < s->ejected_until_ns.load(std::memory_order_relaxed);
  return n;
}

void HealthTracker::EjectLocked(std::size_t i, std::int64_t now_ns) {
  State& s = *states_[i];
  if (now_ns < s.ejected_until_ns.load(std::memory_order_relaxed)) return;  // already out
  const double after = 100.0 * static_cast<double>(EjectedCountLocked(now_ns) + 1) / states_.size();
  if (after > config_.max_ejected_percent) return;  // keep enough endpoints serving
  ++s.times_ejected;
  const std::int64_t duration_ns =
      std::min(config_.base_ejection.count() * s.times_ejected, config_.max_ejection.count());
  s.ejected_until_ns.store(now_ns + duration_ns, std::memory_order_release);
  // Coming back counts as joining: ramp up again.
  s.warm_from_ns.store(now_ns + duration_ns, std::memory_order_relaxed);
  s.consecutive_failures = 0;
  s.interval_ok = s.interval_total = 0;
  ejections_.fetch_add(1, std::memory_order_relaxed);
}

void HealthTracker::CloseIntervalLocked(std::int64_t now_ns) {
  for (std::size_t i = 0; i < states_.size(); ++i) {
    State& s = *states_[i];
    if (s.interval_total >= config_.success_rate_min_requests &&
        static_cast<double>(s.interval_ok) < config_.success_rate_min * s.interval_total) {
      EjectLocked(i, now_ns);
    }
    s.interval_ok = s.interval_total = 0;
  }
  interval_start_ns_ = now_ns;
}

void HealthTracker::Record(std::size_t i, bool ok) {
  CAIRN_CHECK(i < states_.size(), "endpoint index out of range");
  const std::int64_t now_ns = clock_.Now().count();
  std::lock_guard<std::mutex> lock(mu_);
  if (now_ns - interval_start_ns_ >= config_.interval.count()) CloseIntervalLocked(now_ns);
  State& s = *states_[i];
  ++s.interval_total;
  if (ok) {
    ++s.interval_ok;
    s.consecutive_failures = 0;
    return;
  }
  if (++s.consecutive_failures >= config_.consecutive_failures_max) EjectLocked(i, now_ns);
}

}  // namespace cairn::lb
