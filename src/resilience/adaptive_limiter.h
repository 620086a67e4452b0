#pragma once
// Adaptive concurrency limits: the limit on calls in flight is not configured
// but found, from measured latency, the way TCP finds a congestion window
// (after Netflix's concurrency-limits).
//
//   AimdLimit      +1 after a sample with enough load; multiply by
//                  backoff_ratio on a drop (timeout, overload error, or a
//                  latency above slow_latency).
//   GradientLimit  (in the style of Gradient2) compares a long-term average
//                  latency with the short-term one: gradient =
//                  clamp(tolerance * long / short, 0.5, 1); the new limit is
//                  limit * gradient + queue_size, smoothed. Rising latency (a
//                  queue forming downstream) shrinks the limit before errors
//                  appear; the sqrt(limit) queue lets it probe upwards.
//
// AdaptiveLimiter admits a call while inflight < limit (one CAS); the outcome
// updates the algorithm under a mutex (samples are cheap: a few flops).
//
// Thread-safety: AdaptiveLimiter methods may be called from any thread. The
// algorithms are not thread-safe on their own; the limiter serialises them.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "common/clock.h"
#include "common/status.h"
#include "resilience/call.h"

namespace cairn::resilience {

class LimitAlgorithm {
 public:
  virtual ~LimitAlgorithm() = default;
  // One finished call: its round-trip time, the calls in flight when it
  // started, and whether it was dropped (overload). Returns the new limit.
  virtual std::uint32_t Update(Nanos rtt, std::uint32_t inflight, bool dropped) = 0;
  virtual std::uint32_t limit() const = 0;
};

struct AimdConfig {
  std::uint32_t initial_limit = 20;
  std::uint32_t min_limit = 1;
  std::uint32_t max_limit = 1000;
  double backoff_ratio = 0.9;  // in (0, 1)
  Nanos slow_latency = std::chrono::seconds(5);  // slower counts as a drop
  Status Validate() const;
};

class AimdLimit final : public LimitAlgorithm {
 public:
  explicit AimdLimit(const AimdConfig& config);
  std::uint32_t Update(Nanos rtt, std::uint32_t inflight, bool dropped) override;
  std::uint32_t limit() const override { return limit_; }

 private:
  const AimdConfig config_;
  std::uint32_t limit_;
};

struct GradientConfig {
  std::uint32_t initial_limit = 20;
  std::uint32_t min_limit = 1;
  std::uint32_t max_limit = 1000;
  double smoothing = 0.2;        // weight of the new estimate
  double rtt_tolerance = 1.5;    // latency may grow this much before we back off
  std::uint32_t long_window = 600;  // samples in the long-term average
  Status Validate() const;
};

class GradientLimit final : public LimitAlgorithm {
 public:
  explicit GradientLimit(const GradientConfig& config);
  std::uint32_t Update(Nanos rtt, std::uint32_t inflight, bool dropped) override;
  std::uint32_t limit() const override { return static_cast<std::uint32_t>(estimate_); }
  double long_rtt_ns() const { return long_rtt_ns_; }

 private:
  const GradientConfig config_;
  double estimate_;
  double long_rtt_ns_ = 0;
  std::uint64_t samples_ = 0;
};

class AdaptiveLimiter {
 public:
  struct Permit {
    bool admitted = false;
    std::uint32_t inflight = 0;
    Nanos start{0};
    explicit operator bool() const { return admitted; }
  };

  AdaptiveLimiter(std::unique_ptr<LimitAlgorithm> algorithm,
                  const Clock& clock = SystemClock::Instance());

  Permit TryAcquire() {
    std::uint32_t cur = inflight_.load(std::memory_order_relaxed);
    while (cur < limit_.load(std::memory_order_relaxed)) {
      if (inflight_.compare_exchange_weak(cur, cur + 1, std::memory_order_acquire,
                                          std::memory_order_relaxed)) {
        return {true, cur + 1, clock_.Now()};
      }
    }
    rejected_.fetch_add(1, std::memory_order_relaxed);
    return {};
  }
  // A finished call: success (a latency sample), dropped (overload signal) or
  // ignored (released without a sample, e.g. the caller's own error).
  void OnSuccess(const Permit& p) { Finish(p, false, true); }
  void OnDropped(const Permit& p) { Finish(p, true, true); }
  void OnIgnored(const Permit& p) { Finish(p, false, false); }

  // kDeadlineExceeded and kResourceExhausted are overload signals (drops).
  // Other errors, kUnavailable included, are ignored: a downstream that is
  // down or answering errors fast is the circuit breaker's business, and
  // shrinking the limit would only starve the calls that do succeed.
  static bool IsOverload(const Status& s) {
    return s.code() == StatusCode::kDeadlineExceeded || s.code() == StatusCode::kResourceExhausted;
  }

  // Runs f if admitted; see IsOverload for how errors count.
  template <Call F>
  CallResultOf<F> Execute(F&& f) {
    const Permit p = TryAcquire();
    if (!p) return FromStatus<CallResultOf<F>>(ConcurrencyLimitRejection());
    CallResultOf<F> r = f();
    const Status& s = StatusOf(r);
    if (s.ok()) {
      OnSuccess(p);
    } else if (IsOverload(s)) {
      OnDropped(p);
    } else {
      OnIgnored(p);
    }
    return r;
  }

  std::uint32_t limit() const { return limit_.load(std::memory_order_relaxed); }
  std::uint32_t inflight() const { return inflight_.load(std::memory_order_relaxed); }
  std::uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }

 private:
  void Finish(const Permit& p, bool dropped, bool sample);

  const Clock& clock_;
  std::mutex mu_;  // guards algorithm_
  std::unique_ptr<LimitAlgorithm> algorithm_;
  alignas(64) std::atomic<std::uint32_t> inflight_{0};
  std::atomic<std::uint32_t> limit_;
  std::atomic<std::uint64_t> rejected_{0};
};

}  // namespace cairn::resilience
