#pragma once
// HealthTracker: passive health of a fixed endpoint list, fed by request
// outcomes. Outlier ejection as in Envoy:
//  - consecutive failures: `consecutive_failures_max` errors in a row eject;
//  - success rate: every `interval`, an endpoint with at least
//    `success_rate_min_requests` requests and a success rate below
//    `success_rate_min` is ejected.
// An ejection lasts base_ejection * (number of times ejected), capped at
// max_ejection; at most max_ejected_percent of endpoints are out at once.
// Slow start: an endpoint added (or returning from ejection) at time t gets a
// weight factor rising linearly from slow_start_floor to 1 over slow_start.
//
// Thread-safety: all methods may be called from any thread. Reads
// (Available, WeightFactor) are lock-free atomics; Record takes a mutex.
// Time comes from the injected Clock.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "common/clock.h"

namespace cairn::lb {

struct HealthConfig {
  int consecutive_failures_max = 5;
  double success_rate_min = 0.8;
  std::uint32_t success_rate_min_requests = 20;
  Nanos interval{std::chrono::seconds(1)};
  Nanos base_ejection{std::chrono::seconds(5)};
  Nanos max_ejection{std::chrono::seconds(60)};
  double max_ejected_percent = 50;
  Nanos slow_start{std::chrono::seconds(10)};  // 0 disables slow start
  double slow_start_floor = 0.1;
};

class HealthTracker {
 public:
  HealthTracker(std::size_t endpoints, const HealthConfig& config, const Clock& clock);

  // Counts one finished request on endpoint i.
  void Record(std::size_t i, bool ok);
  // Not ejected at `now`.
  bool Available(std::size_t i, Nanos now) const;
  // Slow-start multiplier in [slow_start_floor, 1].
  double WeightFactor(std::size_t i, Nanos now) const;
  // Marks endpoint i as new at `now` (starts its slow start).
  void MarkJoined(std::size_t i, Nanos now);
  std::size_t size() const { return states_.size(); }
  std::uint64_t ejections() const { return ejections_.load(std::memory_order_relaxed); }

 private:
  struct State {
    std::atomic<std::int64_t> ejected_until_ns{0};
    std::atomic<std::int64_t> warm_from_ns{0};  // slow start reference
    int consecutive_failures = 0;               // guarded by mu_
    std::uint32_t interval_ok = 0, interval_total = 0;  // guarded by mu_
    int times_ejected = 0;                      // guarded by mu_
  };
  void EjectLocked(std::size_t i, std::int64_t now_ns);
  void CloseIntervalLocked(std::int64_t now_ns);
  std::size_t EjectedCountLocked(std::int64_t now_ns) const;

  const HealthConfig config_;
  const Clock& clock_;
  std::unique_ptr<State[]> state_storage_;
  std::vector<State*> states_;
  std::mutex mu_;
  std::int64_t interval_start_ns_ = 0;  // guarded by mu_
  std::atomic<std::uint64_t> ejections_{0};
};

}  // namespace cairn::lb
