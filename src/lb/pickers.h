#pragma once
// Request-level pickers. See picker.h for the contract.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "lb/endpoint.h"
#include "lb/health.h"
#include "lb/picker.h"

namespace cairn::lb {

// Shared by the pickers: endpoints plus optional health (may be nullptr).
struct PickerContext {
  std::vector<Endpoint> endpoints;
  const HealthTracker* health = nullptr;  // outlives the picker
  const Clock* clock = nullptr;           // nullptr = SystemClock::Instance()
};

// Cycles through available endpoints. Thread-safe: one atomic counter.
class RoundRobinPicker final : public Picker {
 public:
  explicit RoundRobinPicker(PickerContext ctx);
  std::optional<std::size_t> Pick(Random& rng) override;

 private:
  PickerContext ctx_;
  std::atomic<std::uint64_t> next_{0};
};

// nginx's smooth weighted round robin: each pick adds every weight to its
// current score and takes the highest, which then pays back the total, so a
// 5:1:1 split interleaves (a a b a c a a) instead of bursting.
// Slow start scales weights. Thread-safe: a mutex (state is a vector).
class SmoothWeightedRoundRobinPicker final : public Picker {
 public:
  explicit SmoothWeightedRoundRobinPicker(PickerContext ctx);
  std::optional<std::size_t> Pick(Random& rng) override;

 private:
  PickerContext ctx_;
  std::mutex mu_;
  std::vector<double> current_;  // guarded by mu_
};

// Weighted random choice (weight x slow-start factor). Thread-safe: stateless.
class RandomPicker final : public Picker {
 public:
  explicit RandomPicker(PickerContext ctx);
  std::optional<std::size_t> Pick(Random& rng) override;

 private:
  PickerContext ctx_;
};

// Fewest requests in flight (ties broken at random). Thread-safe: atomic
// per-endpoint counters; the scan is O(endpoints).
class LeastOutstandingPicker final : public Picker {
 public:
  explicit LeastOutstandingPicker(PickerContext ctx);
  std::optional<std::size_t> Pick(Random& rng) override;
  void OnStart(std::size_t i) override;
  void OnFinish(std::size_t i, Nanos latency, bool ok) override;

 private:
  PickerContext ctx_;
  std::unique_ptr<std::atomic<std::int64_t>[]> outstanding_;
};

// Decrements an in-flight counter but never below zero: after a membership
// change the owner reports completions of requests that an older picker
// started, and a negative count would make an endpoint look better than idle.
void DecrementToZero(std::atomic<std::int64_t>& count);

// Power of two choices over a peak-EWMA latency cost (Finagle/Linkerd):
// cost = latency_estimate * (outstanding + 1) / weight; the cheaper of two
// random endpoints wins.
//
// The latency estimate is a time-based EWMA with two time constants: it
// rises towards samples above it with `rise` (peak sensitivity: 100 ms by
// default, so a backend that turns slow is avoided within a few hundred ms
// while one long answer from a healthy backend only nudges it; rise = 0 is
// the classic "jump to the peak") and falls towards lower samples with
// `decay`. Without samples the estimate fades towards zero with `decay`, as
// in Finagle, so an endpoint that was penalised (failures, a past slowdown,
// a return from ejection) is probed again instead of being starved.
// A failed request counts as a `failure_penalty` sample.
//
// An endpoint with no sample yet (new, or every endpoint after a rebuild)
// costs 0 while nothing is in flight to it, so it is probed at once, and
// `unmeasured_penalty` x (outstanding + 1) while its probe is out, so only
// one probe is in flight until the first answer (as in Finagle). The first
// sample then becomes the estimate.
//
// Slow start (HealthTracker::WeightFactor) scales how often an endpoint is
// drawn as a candidate, so its traffic ramps up in proportion to the factor;
// dividing the cost instead would keep a newcomer at ~0 % until the ramp ends.
//
// Thread-safety: cost inputs are atomics; an EWMA update takes that endpoint's
// own small mutex (readers never lock).
class PeakEwmaPicker final : public Picker {
 public:
  struct Options {
    Nanos decay{std::chrono::seconds(1)};  // towards lower samples; fading when idle
    Nanos rise{std::chrono::milliseconds(100)};  // towards higher samples; 0 = at once
    Nanos unmeasured_penalty{std::chrono::seconds(1)};  // per in-flight probe, see above
    Nanos failure_penalty{std::chrono::seconds(1)};
  };
  PeakEwmaPicker(PickerContext ctx, Options options);
  std::optional<std::size_t> Pick(Random& rng) override;
  void OnStart(std::size_t i) override;
  void OnFinish(std::size_t i, Nanos latency, bool ok) override;
  // Cost of endpoint i now (ns; without the slow-start factor).
  double CostOf(std::size_t i) const;
  // Latency estimate of endpoint i now, faded by the time since its last sample.
  double LatencyEstimateNs(std::size_t i) const;
  std::int64_t OutstandingOf(std::size_t i) const;

 private:
  struct State {
    std::atomic<std::int64_t> outstanding{0};
    std::atomic<double> ewma_ns{0};
    std::atomic<std::int64_t> last_update_ns{0};  // written under mu
    std::atomic<bool> measured{false};            // written under mu
    std::mutex mu;                                // serialises EWMA updates
  };
  double CostAt(std::size_t i, std::int64_t now_ns) const;
  double EstimateAt(std::size_t i, std::int64_t now_ns) const;
  PickerContext ctx_;
  Options options_;
  std::unique_ptr<State[]> states_;
};

}  // namespace cairn::lb
