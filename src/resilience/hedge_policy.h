#pragma once
// HedgePolicy: when to send a hedged (second, third...) attempt of a call that
// has not answered yet. Either a fixed delay, or a latency percentile of the
// calls seen so far (e.g. p95: ~5% of calls get a hedge, which bounds the
// extra load at ~5% while cutting the tail). Until min_samples calls have
// been seen, the fixed delay is used.
//
// The policy only decides delays and learns latencies; running the attempts
// and cancelling the losers is the driver's job (asio_hedging.h, or any
// executor: start attempt 0, wait Delay(), start attempt 1 unless an answer
// came, ...; first answer wins, the rest get their tokens cancelled).
//
// Thread-safety: all methods may be called from any thread.

#include <cstdint>

#include "common/clock.h"
#include "common/status.h"
#include "resilience/latency_histogram.h"

namespace cairn::resilience {

struct HedgeConfig {
  std::uint32_t max_attempts = 2;  // the first attempt included
  Nanos delay = std::chrono::milliseconds(10);
  // > 0: hedge after this percentile of observed latency (e.g. 0.95).
  double percentile = 0;
  std::uint64_t min_samples = 100;
  Status Validate() const {
    if (max_attempts == 0) return Status::InvalidArgument("hedge: max_attempts must be >= 1");
    if (delay.count() < 0) return Status::InvalidArgument("hedge: delay must be >= 0");
    if (percentile < 0 || percentile >= 1)
      return Status::InvalidArgument("hedge: percentile must be in [0, 1)");
    return Status::Ok();
  }
};

class HedgePolicy {
 public:
  explicit HedgePolicy(const HedgeConfig& config) : config_(config) {
    CAIRN_CHECK(config.Validate().ok(), "invalid HedgeConfig (call Validate() first)");
  }
  // Delay between starting attempt i and attempt i+1.
  Nanos Delay() const {
    if (config_.percentile > 0 && latencies_.count() >= config_.min_samples) {
      return latencies_.Percentile(config_.percentile);
    }
    return config_.delay;
  }
  // Feed the latency of the winning attempt.
  void Observe(Nanos latency) { latencies_.Record(latency); }
  const HedgeConfig& config() const { return config_; }

 private:
  const HedgeConfig config_;
  LatencyHistogram latencies_;
};

}  // namespace cairn::resilience
