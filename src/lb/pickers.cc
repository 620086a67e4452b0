#include "lb/pickers.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/assert.h"

namespace cairn::lb {
namespace {

Nanos NowOf(const PickerContext& ctx) {
  return (ctx.clock != nullptr ? *ctx.clock : SystemClock::Instance()).Now();
}

// Health gate: with no tracker, or when every endpoint is ejected, all count.
class Gate {
 public:
  Gate(const PickerContext& ctx) : ctx_(ctx), now_(NowOf(ctx)) {
    if (ctx.health == nullptr) return;
    for (std::size_t i = 0; i < ctx.endpoints.size(); ++i)
      if (ctx.health->Available(i, now_)) return;
    all_ejected_ = true;
  }
  bool Open(std::size_t i) const {
    return ctx_.health == nullptr || all_ejected_ || ctx_.health->Available(i, now_);
  }
  double Weight(std::size_t i) const { return ctx_.endpoints[i].weight * SlowStart(i); }
  // Slow-start factor in (0, 1]; 1 without a tracker.
  double SlowStart(std::size_t i) const {
    return ctx_.health == nullptr ? 1.0 : ctx_.health->WeightFactor(i, now_);
  }
  Nanos now() const { return now_; }

 private:
  const PickerContext& ctx_;
  Nanos now_;
  bool all_ejected_ = false;
};

}  // namespace

RoundRobinPicker::RoundRobinPicker(PickerContext ctx) : ctx_(std::move(ctx)) {}

std::optional<std::size_t> RoundRobinPicker::Pick(Random&) {
  const std::size_t n = ctx_.endpoints.size();
  if (n == 0) return std::nullopt;
  Gate gate(ctx_);
  for (std::size_t tries = 0; tries < n; ++tries) {
    const std::size_t i = next_.fetch_add(1, std::memory_order_relaxed) % n;
    if (gate.Open(i)) return i;
  }
  return next_.load(std::memory_order_relaxed) % n;  // unreachable unless health changed mid-pick
}

SmoothWeightedRoundRobinPicker::SmoothWeightedRoundRobinPicker(PickerContext ctx)
    : ctx_(std::move(ctx)), current_(ctx_.endpoints.size(), 0.0) {}

std::optional<std::size_t> SmoothWeightedRoundRobinPicker::Pick(Random&) {
  if (ctx_.endpoints.empty()) return std::nullopt;
  Gate gate(ctx_);
  std::lock_guard<std::mutex> lock(mu_);
  double total = 0;
  std::size_t best = ctx_.endpoints.size();
  for (std::size_t i = 0; i < ctx_.endpoints.size(); ++i) {
    if (!gate.Open(i)) continue;
    const double w = gate.Weight(i);
    current_[i] += w;
    total += w;
    if (best == ctx_.endpoints.size() || current_[i] > current_[best]) best = i;
  }
  CAIRN_CHECK(best < ctx_.endpoints.size(), "the gate closed every endpoint");
  current_[best] -= total;
  return best;
}

RandomPicker::RandomPicker(PickerContext ctx) : ctx_(std::move(ctx)) {}

std::optional<std::size_t> RandomPicker::Pick(Random& rng) {
  if (ctx_.endpoints.empty()) return std::nullopt;
  Gate gate(ctx_);
  double total = 0;
  for (std::size_t i = 0; i < ctx_.endpoints.size(); ++i)
    if (gate.Open(i)) total += gate.Weight(i);
  double target = rng.NextDouble() * total;
  std::size_t last = 0;
  for (std::size_t i = 0; i < ctx_.endpoints.size(); ++i) {
    if (!gate.Open(i)) continue;
    last = i;
    target -= gate.Weight(i);
    if (target < 0) return i;
  }
  return last;  // rounding left a sliver at the end
}

LeastOutstandingPicker::LeastOutstandingPicker(PickerContext ctx)
    : ctx_(std::move(ctx)), outstanding_(new std::atomic<std::int64_t>[ctx_.endpoints.size()]) {
  for (std::size_t i = 0; i < ctx_.endpoints.size(); ++i) outstanding_[i].store(0);
}

std::optional<std::size_t> LeastOutstandingPicker::Pick(Random& rng) {
  if (ctx_.endpoints.empty()) return std::nullopt;
  Gate gate(ctx_);
  std::optional<std::size_t> best;
  std::int64_t best_load = std::numeric_limits<std::int64_t>::max();
  std::uint64_t ties = 0;
  for (std::size_t i = 0; i < ctx_.endpoints.size(); ++i) {
    if (!gate.Open(i)) continue;
    // Load relative to weight; slow start makes a newcomer look busier.
    const std::int64_t load = static_cast<std::int64_t>(
        (outstanding_[i].load(std::memory_order_relaxed) + 1) * 1000.0 / gate.Weight(i));
    if (load < best_load) {
      best = i;
      best_load = load;
      ties = 1;
    } else if (load == best_load && rng.OneIn(++ties)) {
      best = i;  // reservoir sampling keeps ties uniform
    }
  }
  return best;
}

void LeastOutstandingPicker::OnStart(std::size_t i) { outstanding_[i].fetch_add(1, std::memory_order_relaxed); }

void LeastOutstandingPicker::OnFinish(std::size_t i, Nanos, bool) { DecrementToZero(outstanding_[i]); }

void DecrementToZero(std::atomic<std::int64_t>& count) {
  std::int64_t current = count.load(std::memory_order_relaxed);
  while (current > 0 && !count.compare_exchange_weak(current, current - 1, std::memory_order_relaxed)) {
  }
}

PeakEwmaPicker::PeakEwmaPicker(PickerContext ctx, Options options)
    : ctx_(std::move(ctx)), options_(options), states_(new State[ctx_.endpoints.size()]) {
  CAIRN_CHECK(options.decay.count() > 0, "PeakEwmaPicker needs a positive decay");
  const std::int64_t now_ns = NowOf(ctx_).count();
  for (std::size_t i = 0; i < ctx_.endpoints.size(); ++i) {
    states_[i].last_update_ns.store(now_ns);
  }
}

double PeakEwmaPicker::EstimateAt(std::size_t i, std::int64_t now_ns) const {
  const State& s = states_[i];
  if (!s.measured.load(std::memory_order_acquire)) {
    // Unmeasured: free while idle (probe it), heavy while its probe is out.
    return s.outstanding.load(std::memory_order_relaxed) == 0
               ? 0.0
               : static_cast<double>(options_.unmeasured_penalty.count());
  }
  const double ewma = s.ewma_ns.load(std::memory_order_relaxed);
  const double idle_ns = static_cast<double>(std::max<std::int64_t>(
      now_ns - s.last_update_ns.load(std::memory_order_relaxed), 0));
  return ewma * std::exp(-idle_ns / static_cast<double>(options_.decay.count()));
}

double PeakEwmaPicker::CostAt(std::size_t i, std::int64_t now_ns) const {
  return EstimateAt(i, now_ns) *
         static_cast<double>(states_[i].outstanding.load(std::memory_order_relaxed) + 1) /
         ctx_.endpoints[i].weight;
}

double PeakEwmaPicker::LatencyEstimateNs(std::size_t i) const { return EstimateAt(i, NowOf(ctx_).count()); }

double PeakEwmaPicker::CostOf(std::size_t i) const { return CostAt(i, NowOf(ctx_).count()); }

std::int64_t PeakEwmaPicker::OutstandingOf(std::size_t i) const {
  return states_[i].outstanding.load(std::memory_order_relaxed);
}

std::optional<std::size_t> PeakEwmaPicker::Pick(Random& rng) {
  const std::size_t n = ctx_.endpoints.size();
  if (n == 0) return std::nullopt;
  if (n == 1) return 0;
  Gate gate(ctx_);
  // Two distinct open endpoints at random, each drawn with probability equal
  // to its slow-start factor; a bounded number of tries, then a scan fallback.
  std::optional<std::size_t> a, b;
  for (int tries = 0; tries < 32 && !b; ++tries) {
    const std::size_t i = rng.Uniform(n);
    if (!gate.Open(i) || (a && *a == i)) continue;
    const double factor = gate.SlowStart(i);
    if (factor < 1.0 && !rng.Chance(factor)) continue;
    (a ? b : a) = i;
  }
  if (!a) {
    // Unlucky draws among ramping endpoints: take the first open one from a
    // random start (the gate keeps at least one open).
    const std::size_t start = rng.Uniform(n);
    for (std::size_t k = 0; k < n; ++k)
      if (gate.Open((start + k) % n)) return (start + k) % n;
    return start;
  }
  if (!b) return a;
  const std::int64_t now_ns = gate.now().count();
  return CostAt(*a, now_ns) <= CostAt(*b, now_ns) ? a : b;
}

void PeakEwmaPicker::OnStart(std::size_t i) {
  states_[i].outstanding.fetch_add(1, std::memory_order_relaxed);
}

void PeakEwmaPicker::OnFinish(std::size_t i, Nanos latency, bool ok) {
  State& s = states_[i];
  DecrementToZero(s.outstanding);
  const double sample = static_cast<double>(ok ? latency.count() : options_.failure_penalty.count());
  const std::int64_t now_ns = NowOf(ctx_).count();
  std::lock_guard<std::mutex> lock(s.mu);
  const double ewma = s.ewma_ns.load(std::memory_order_relaxed);
  const double elapsed =
      static_cast<double>(std::max<std::int64_t>(now_ns - s.last_update_ns.load(std::memory_order_relaxed), 0));
  const bool first = !s.measured.load(std::memory_order_relaxed);
  double next;
  if (first) {
    next = sample;  // the first real sample becomes the estimate
  } else if (sample > ewma) {
    // Peak sensitivity: rise with the short time constant (at once if 0).
    const double keep = options_.rise.count() <= 0
                            ? 0.0
                            : std::exp(-elapsed / static_cast<double>(options_.rise.count()));
    next = ewma * keep + sample * (1 - keep);
  } else {
    const double keep = std::exp(-elapsed / static_cast<double>(options_.decay.count()));
    next = ewma * keep + sample * (1 - keep);
  }
  s.last_update_ns.store(now_ns, std::memory_order_relaxed);
  s.ewma_ns.store(next, std::memory_order_relaxed);
  // Published after the estimate: a reader that sees `measured` sees a sample.
  if (first) s.measured.store(true, std::memory_order_release);
}

}  // namespace cairn::lb
