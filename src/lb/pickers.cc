#include "lb/pickers.h"

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
  double Weight(std::size_t i) const {
    const double w = ctx_.endpoints[i].weight;
    return ctx_.health == nullptr ? w : w * ctx_.health->WeightFactor(i, now_);
  }

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

void LeastOutstandingPicker::OnFinish(std::size_t i, Nanos, bool) {
  outstanding_[i].fetch_sub(1, std::memory_order_relaxed);
}

PeakEwmaPicker::PeakEwmaPicker(PickerContext ctx, Options options)
    : ctx_(std::move(ctx)), options_(options), states_(new State[ctx_.endpoints.size()]) {
  const std::int64_t now_ns = NowOf(ctx_).count();
  for (std::size_t i = 0; i < ctx_.endpoints.size(); ++i) {
    states_[i].ewma_ns.store(static_cast<double>(options.initial_latency.count()));
    states_[i].last_update_ns = now_ns;
  }
}

double PeakEwmaPicker::CostOf(std::size_t i) const {
  const State& s = states_[i];
  return s.ewma_ns.load(std::memory_order_relaxed) *
         static_cast<double>(s.outstanding.load(std::memory_order_relaxed) + 1) /
         ctx_.endpoints[i].weight;
}

std::optional<std::size_t> PeakEwmaPicker::Pick(Random& rng) {
  const std::size_t n = ctx_.endpoints.size();
  if (n == 0) return std::nullopt;
  if (n == 1) return 0;
  Gate gate(ctx_);
  // Two distinct open endpoints at random; a few tries, then a scan fallback.
  std::optional<std::size_t> a, b;
  for (int tries = 0; tries < 8 && !b; ++tries) {
    const std::size_t i = rng.Uniform(n);
    if (!gate.Open(i) || (a && *a == i)) continue;
    (a ? b : a) = i;
  }
  if (!a) return rng.Uniform(n);
  if (!b) return a;
  const double factor_a = ctx_.health ? gate.Weight(*a) / ctx_.endpoints[*a].weight : 1.0;
  const double factor_b = ctx_.health ? gate.Weight(*b) / ctx_.endpoints[*b].weight : 1.0;
  return CostOf(*a) / factor_a <= CostOf(*b) / factor_b ? a : b;
}

void PeakEwmaPicker::OnStart(std::size_t i) {
  states_[i].outstanding.fetch_add(1, std::memory_order_relaxed);
}

void PeakEwmaPicker::OnFinish(std::size_t i, Nanos latency, bool ok) {
  State& s = states_[i];
  s.outstanding.fetch_sub(1, std::memory_order_relaxed);
  const double sample = static_cast<double>(ok ? latency.count() : options_.failure_penalty.count());
  const std::int64_t now_ns = NowOf(ctx_).count();
  std::lock_guard<std::mutex> lock(s.mu);
  const double ewma = s.ewma_ns.load(std::memory_order_relaxed);
  double next;
  if (sample > ewma) {
    next = sample;  // peak: believe bad news at once
  } else {
    const double elapsed = static_cast<double>(std::max<std::int64_t>(now_ns - s.last_update_ns, 0));
    const double keep = std::exp(-elapsed / static_cast<double>(options_.decay.count()));
    next = ewma * keep + sample * (1 - keep);
  }
  s.last_update_ns = now_ns;
  s.ewma_ns.store(next, std::memory_order_relaxed);
}

}  // namespace cairn::lb
