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

// Power of two choices over a peak-EWMA latency cost (Finagle/Linkerd):
// cost = ewma_latency * (outstanding + 1) / weight. The EWMA jumps up to any
// sample above it (peak sensitivity) and decays towards lower samples with
// time constant `decay`, so a backend that turns slow is avoided at once and
// forgiven gradually. A failed request counts as a `failure_penalty` sample.
// Thread-safe: cost inputs are atomics; an EWMA update takes that endpoint's
// own small mutex (readers never lock).
class PeakEwmaPicker final : public Picker {
 public:
  struct Options {
    Nanos decay{std::chrono::seconds(10)};
    Nanos initial_latency{std::chrono::milliseconds(10)};  // prior for new endpoints
    Nanos failure_penalty{std::chrono::seconds(1)};
  };
  PeakEwmaPicker(PickerContext ctx, Options options);
  std::optional<std::size_t> Pick(Random& rng) override;
  void OnStart(std::size_t i) override;
  void OnFinish(std::size_t i, Nanos latency, bool ok) override;
  double CostOf(std::size_t i) const;

 private:
  struct State {
    std::atomic<std::int64_t> outstanding{0};
    std::atomic<double> ewma_ns{0};
    std::mutex mu;                 // serialises EWMA updates
    std::int64_t last_update_ns = 0;  // guarded by mu
  };
  PickerContext ctx_;
  Options options_;
  std::unique_ptr<State[]> states_;
};

}  // namespace cairn::lb
