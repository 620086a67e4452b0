// Degradation simulation: a client sends a fixed offered load to a
// downstream that degrades (latency rise, error burst, outage, recovery),
// once unprotected and once through the resilience strategies. Virtual time,
// one thread, a seeded PRNG: the same seed gives the same CSV, and nothing
// sleeps. The strategies are the library's own classes driven by a
// ManualClock, composed in the pipeline's order (retry > circuit breaker >
// adaptive limit > timeout > call); the discrete-event loop replaces
// Pipeline::Execute because calls here complete later, not on return.
//
//   build/release/bench/resilience/resilience_sim > bench/results/resilience_sim.csv
//   CAIRN_SEED=7 ... replays another schedule.
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <queue>
#include <vector>

#include "common/random.h"
#include "resilience/adaptive_limiter.h"
#include "resilience/circuit_breaker.h"
#include "resilience/retry.h"
#include "resilience/retry_budget.h"

namespace cairn::resilience {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr double kOfferedRps = 200;
constexpr int kWorkers = 16;
constexpr std::int64_t kSimSeconds = 120;
// A success slower than this is no use to the user (goodput counts within it).
constexpr double kSloMs = 1000;
constexpr Nanos kTimeout = milliseconds(500);  // the pipeline's per-attempt timeout

struct Phase {
  double from_s;
  const char* name;
  double service_ms;   // mean service time
  double error_rate;   // fraction answered kUnavailable
  bool hang;           // requests hang 2 s, then fail (no healthy upstream)
};
// The downstream's script.
constexpr Phase kPhases[] = {
    {0, "normal", 20, 0.005, false},     {30, "latency_rise", 110, 0.005, false},
    {50, "error_burst", 20, 0.6, false}, {65, "outage", 0, 1.0, true},
    {85, "recovered", 20, 0.005, false},
};
const Phase& PhaseAt(Nanos t) {
  const double s = t.count() / 1e9;
  const Phase* p = &kPhases[0];
  for (const Phase& ph : kPhases) {
    if (s >= ph.from_s) p = &ph;
  }
  return *p;
}

enum class EventKind { kArrival, kAttemptStart, kServerDone, kClientTimeout };
struct Event {
  std::int64_t at_ns;
  std::uint64_t seq;
  EventKind kind;
  std::uint64_t id;  // call id (arrival/attempt start) or attempt id
  bool operator>(const Event& o) const { return at_ns != o.at_ns ? at_ns > o.at_ns : seq > o.seq; }
};

struct Attempt {
  std::uint64_t call;
  CircuitBreaker::Permit breaker;
  AdaptiveLimiter::Permit limit;
  bool done = false;
  Status server_status;
};
struct Call {
  std::int64_t arrival_ns;
  std::uint32_t attempts = 0;
};

struct Second {
  std::uint64_t offered = 0, good = 0, good_slo = 0, failed = 0, fast_rejected = 0, queue_max = 0;
  std::vector<double> latencies_ms;
};

class Sim {
 public:
  Sim(bool protect, std::uint64_t seed) : protect_(protect), random_(seed), sleeper_(clock_) {
    if (!protect) return;
    CircuitBreakerConfig cb;
    cb.window_size = 100;
    cb.minimum_calls = 20;
    // Trip on an outage, not on partial failure: retries (within budget)
    // handle partial failure better than rejecting everything.
    cb.failure_rate_threshold_pct = 90;
    cb.open_duration = seconds(2);
    cb.half_open_probes = 5;
    breaker_ = std::make_unique<CircuitBreaker>(cb, clock_);
    RetryBudgetConfig budget;
    budget.ratio_pct = 50;
    budget_ = std::make_unique<RetryBudget>(budget, clock_);
    retry_.max_attempts = 3;
    retry_.backoff = {milliseconds(20), milliseconds(500), 2.0, Jitter::kFull};
    GradientConfig g;
    g.initial_limit = 16;
    g.min_limit = 4;
    g.max_limit = 128;
    g.long_window = 100;  // ~1 s of samples: re-learn the baseline quickly after a step
    limiter_ = std::make_unique<AdaptiveLimiter>(std::make_unique<GradientLimit>(g), clock_);
  }

  void Run() {
    // Poisson arrivals at the offered rate.
    double t = 0;
    while (t < kSimSeconds) {
      t += -std::log(1 - random_.NextDouble()) / kOfferedRps;
      Push(static_cast<std::int64_t>(t * 1e9), EventKind::kArrival, calls_.size());
      calls_.push_back({static_cast<std::int64_t>(t * 1e9)});
    }
    while (!events_.empty()) {
      const Event e = events_.top();
      events_.pop();
      if (e.at_ns > (kSimSeconds + 30) * 1'000'000'000) break;
      clock_.Set(Nanos(e.at_ns));
      Handle(e);
    }
  }

  void Print(const char* mode) const {
    for (std::size_t s = 0; s < seconds_.size() && s < kSimSeconds; ++s) {
      Second sec = seconds_[s];
      std::sort(sec.latencies_ms.begin(), sec.latencies_ms.end());
      auto pct = [&](double q) {
        if (sec.latencies_ms.empty()) return 0.0;
        const auto i = static_cast<std::size_t>(std::ceil(q * sec.latencies_ms.size())) - 1;
        return sec.latencies_ms[std::min(i, sec.latencies_ms.size() - 1)];
      };
      std::printf("%s,%zu,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                  ",%.3f,%.3f,%" PRIu64 "\n",
                  mode, s, PhaseAt(Nanos(static_cast<std::int64_t>(s) * 1'000'000'000)).name,
                  sec.offered, sec.good, sec.good_slo, sec.failed, sec.fast_rejected, pct(0.5), pct(0.99),
                  sec.queue_max);
    }
  }

  void Summary(const char* mode) const {
    std::uint64_t good = 0, good_slo = 0, offered = 0;
    for (const auto& s : seconds_) {
      good += s.good;
      good_slo += s.good_slo;
      offered += s.offered;
    }
    std::fprintf(stderr, "%s: offered %" PRIu64 " calls, %" PRIu64 " succeeded (%.1f%%), %" PRIu64 " within the 1 s SLO (%.1f%%), %" PRIu64
                 " server work items, rejected by breaker %" PRIu64 " by limit %" PRIu64 "\n",
                 mode, offered, good, 100.0 * good / offered, good_slo, 100.0 * good_slo / offered, served_, rejected_by_breaker_,
                 rejected_by_limit_);
  }

 private:
  void Push(std::int64_t at, EventKind k, std::uint64_t id) { events_.push({at, seq_++, k, id}); }
  Second& Sec() {
    const auto s = static_cast<std::size_t>(clock_.Now().count() / 1'000'000'000);
    if (seconds_.size() <= s) seconds_.resize(s + 1);
    return seconds_[s];
  }

  void Handle(const Event& e) {
    switch (e.kind) {
      case EventKind::kArrival:
        Sec().offered++;
        if (budget_) budget_->OnCall();
        StartAttempt(e.id);
        break;
      case EventKind::kAttemptStart: StartAttempt(e.id); break;
      case EventKind::kServerDone: ServerDone(e.id); break;
      case EventKind::kClientTimeout:
        if (!attempts_[e.id].done) Complete(e.id, TimeoutRejection());
        break;
    }
  }

  void StartAttempt(std::uint64_t call) {
    calls_[call].attempts++;
    const std::uint64_t id = attempts_.size();
    attempts_.push_back({call});
    Attempt& a = attempts_[id];
    if (protect_) {
      a.breaker = breaker_->TryAcquire();
      if (!a.breaker) {
        ++rejected_by_breaker_;
        return FinishCall(call, CircuitOpenRejection(), true);
      }
      a.limit = limiter_->TryAcquire();
      if (!a.limit) {
        breaker_->Release(a.breaker);
        ++rejected_by_limit_;
        return FinishCall(call, ConcurrencyLimitRejection(), true);
      }
    }
    queue_.push_back(id);
    Sec().queue_max = std::max<std::uint64_t>(Sec().queue_max, queue_.size());
    Push(clock_.Now().count() + Nanos(protect_ ? kTimeout : seconds(10)).count(),
         EventKind::kClientTimeout, id);
    Dispatch();
  }

  // Free workers take queued requests. A request whose client already gave
  // up is skipped (the deadline travels with the request), costing nothing.
  void Dispatch() {
    while (busy_ < kWorkers && !queue_.empty()) {
      const std::uint64_t id = queue_.front();
      queue_.pop_front();
      if (attempts_[id].done) continue;
      const Phase& ph = PhaseAt(clock_.Now());
      double ms = ph.hang ? 2000 : -std::log(1 - random_.NextDouble()) * ph.service_ms;
      const bool error = random_.NextDouble() < ph.error_rate;
      attempts_[id].server_status =
          error ? Status::Literal(StatusCode::kUnavailable, "downstream error") : Status::Ok();
      ++busy_;
      ++served_;
      Push(clock_.Now().count() + static_cast<std::int64_t>(ms * 1e6), EventKind::kServerDone, id);
    }
  }

  void ServerDone(std::uint64_t id) {
    --busy_;
    if (!attempts_[id].done) Complete(id, attempts_[id].server_status);
    Dispatch();
  }

  void Complete(std::uint64_t id, const Status& s) {
    Attempt& a = attempts_[id];
    a.done = true;
    const std::uint64_t call = a.call;
    if (protect_) {
      breaker_->OnComplete(a.breaker, s);
      // As Pipeline does: overload signals shrink the limit, other errors
      // release the permit without a sample.
      if (s.ok()) {
        limiter_->OnSuccess(a.limit);
      } else if (AdaptiveLimiter::IsOverload(s)) {
        limiter_->OnDropped(a.limit);
      } else {
        limiter_->OnIgnored(a.limit);
      }
      if (!s.ok() && retry_.retry_on(s) && calls_[call].attempts < retry_.max_attempts &&
          budget_->TryRetry()) {
        const Nanos d = retry_.backoff.Next(calls_[call].attempts, Nanos(0), random_);
        Push(clock_.Now().count() + d.count(), EventKind::kAttemptStart, call);
        return;
      }
    }
    FinishCall(call, s, false);
  }

  void FinishCall(std::uint64_t call, const Status& s, bool fast) {
    Second& sec = Sec();
    const double latency_ms = (clock_.Now().count() - calls_[call].arrival_ns) / 1e6;
    if (s.ok()) {
      sec.good++;
      if (latency_ms <= kSloMs) sec.good_slo++;
    } else {
      sec.failed++;
      if (fast) sec.fast_rejected++;
    }
    sec.latencies_ms.push_back(latency_ms);
  }

  const bool protect_;
  ManualClock clock_;
  Xoshiro256 random_;
  ManualSleeper sleeper_;
  std::unique_ptr<CircuitBreaker> breaker_;
  std::unique_ptr<RetryBudget> budget_;
  std::unique_ptr<AdaptiveLimiter> limiter_;
  RetryConfig retry_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::uint64_t seq_ = 0;
  std::vector<Call> calls_;
  std::vector<Attempt> attempts_;
  std::deque<std::uint64_t> queue_;
  int busy_ = 0;
  std::uint64_t rejected_by_breaker_ = 0, rejected_by_limit_ = 0;
  std::uint64_t served_ = 0;
  std::vector<Second> seconds_;
};

}  // namespace
}  // namespace cairn::resilience

int main() {
  const char* env = std::getenv("CAIRN_SEED");
  const std::uint64_t seed = env ? std::strtoull(env, nullptr, 10) : 1;
  std::fprintf(stderr, "CAIRN_SEED=%" PRIu64 "\n", seed);
  std::printf("mode,second,phase,offered,good,good_slo,failed,fast_rejected,p50_ms,p99_ms,queue_max\n");
  for (bool protect : {false, true}) {
    cairn::resilience::Sim sim(protect, seed);
    sim.Run();
    const char* mode = protect ? "pipeline" : "unprotected";
    sim.Print(mode);
    sim.Summary(mode);
  }
  return 0;
}
