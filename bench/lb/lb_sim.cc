// Deterministic, virtual-time simulation of request balancing over
// heterogeneous, changing backends, plus key movement of the hashers.
//
//   lb_sim <out_dir> [seeds]   -> <out_dir>/lb_sim.csv, <out_dir>/lb_hash.csv
//   (seeds 1..seeds, default 10)
//
// Backends (4 concurrent slots each, exponential service times):
//   b0-b2 normal 10 ms; b3 slow 40 ms; b4 fails 50 % of requests fast (1 ms)
//   between t=20 s and t=40 s; b5 joins at t=30 s (slow start applies).
// Poisson arrivals at 1200 req/s for 60 s (about 70 % of capacity).
// "oracle" knows true mean service times, queue lengths and failure state.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "common/random.h"
#include "lb/hashers.h"
#include "lb/health.h"
#include "lb/pickers.h"

namespace cairn::lb::sim {
namespace {

using namespace std::chrono_literals;
constexpr double kRatePerS = 1200;
constexpr std::int64_t kRunNs = 60'000'000'000;
constexpr std::int64_t kJoinNs = 30'000'000'000;
constexpr std::int64_t kFailFromNs = 20'000'000'000, kFailToNs = 40'000'000'000;
constexpr int kSlots = 4;
constexpr std::size_t kBackends = 6;

struct Backend {
  double mean_ms;
  int busy = 0;
  std::deque<std::size_t> queue;  // request ids waiting for a slot
  std::uint64_t served = 0;
};

struct Request {
  std::int64_t arrive_ns;
  std::size_t backend;
  bool ok = true;
};

struct Event {
  std::int64_t at_ns;
  int kind;  // 0 arrival, 1 completion
  std::size_t request;
  bool operator>(const Event& o) const {
    return at_ns != o.at_ns ? at_ns > o.at_ns : request > o.request;
  }
};

bool Failing(std::size_t b, std::int64_t now_ns) {
  return b == 4 && now_ns >= kFailFromNs && now_ns < kFailToNs;
}

struct Outcome {
  std::string strategy;
  std::uint64_t seed;
  double p50_ms, p99_ms, errors_pct;
  std::vector<double> share;
};

using Factory = std::function<std::unique_ptr<Picker>(PickerContext)>;

class Simulation {
 public:
  Simulation(std::string name, Factory factory, std::uint64_t seed)
      : name_(std::move(name)),
        factory_(std::move(factory)),
        seed_(seed),
        rng_(seed),
        health_(kBackends, HealthConfig{}, clock_) {
    backends_ = {{10}, {10}, {10}, {40}, {10}, {10}};
    for (std::size_t i = 0; i < kBackends; ++i) endpoints_.push_back({"b" + std::to_string(i), 1});
    live_ = 5;
    Rebuild();
  }

  Outcome Run() {
    Schedule(Exp(1e9 / kRatePerS), 0, NewRequest(0));
    bool joined = false;
    while (!events_.empty()) {
      Event e = events_.top();
      events_.pop();
      clock_.Set(Nanos(e.at_ns));
      if (!joined && e.at_ns >= kJoinNs) {
        joined = true;
        live_ = 6;
        health_.MarkJoined(5, clock_.Now());
        Rebuild();
      }
      if (e.kind == 0) {
        Arrive(e.request);
        const std::int64_t next = e.at_ns + Exp(1e9 / kRatePerS);
        if (next < kRunNs) Schedule(next, 0, NewRequest(next));
      } else {
        Complete(e.request);
      }
    }
    return Summarise();
  }

 private:
  std::int64_t Exp(double mean_ns) {
    return static_cast<std::int64_t>(-mean_ns * std::log(1 - rng_.NextDouble()));
  }
  std::size_t NewRequest(std::int64_t at) {
    requests_.push_back({at, 0});
    return requests_.size() - 1;
  }
  void Schedule(std::int64_t at, int kind, std::size_t id) { events_.push({at, kind, id}); }

  void Rebuild() {
    std::vector<Endpoint> eps(endpoints_.begin(),
                              endpoints_.begin() + static_cast<std::ptrdiff_t>(live_));
    picker_ = factory_ ? factory_(PickerContext{eps, &health_, &clock_}) : nullptr;
  }

  std::size_t OraclePick() {
    const std::int64_t now_ns = clock_.Now().count();
    std::size_t best = 0;
    double best_cost = 1e300;
    for (std::size_t b = 0; b < live_; ++b) {
      const Backend& be = backends_[b];
      const double waiting = std::max(0, be.busy + static_cast<int>(be.queue.size()) - kSlots + 1);
      double cost = be.mean_ms * (1 + waiting / kSlots);
      if (Failing(b, now_ns)) cost += 1e9;
      if (cost < best_cost) best_cost = cost, best = b;
    }
    return best;
  }

  void Arrive(std::size_t id) {
    const std::size_t b = picker_ ? *picker_->Pick(rng_) : OraclePick();
    if (picker_) picker_->OnStart(b);
    requests_[id].backend = b;
    Backend& be = backends_[b];
    if (be.busy < kSlots)
      StartService(id);
    else
      be.queue.push_back(id);
  }

  void StartService(std::size_t id) {
    Request& r = requests_[id];
    Backend& be = backends_[r.backend];
    ++be.busy;
    const std::int64_t now_ns = clock_.Now().count();
    std::int64_t service_ns;
    if (Failing(r.backend, now_ns) && rng_.Chance(0.5)) {
      r.ok = false;
      service_ns = 1'000'000;
    } else {
      service_ns = Exp(be.mean_ms * 1e6);
    }
    Schedule(now_ns + service_ns, 1, id);
  }

  void Complete(std::size_t id) {
    Request& r = requests_[id];
    Backend& be = backends_[r.backend];
    --be.busy;
    ++be.served;
    const std::int64_t latency_ns = clock_.Now().count() - r.arrive_ns;
    // A picker rebuilt at the join has a fresh list; indices stay stable (append only).
    if (picker_) picker_->OnFinish(r.backend, Nanos(latency_ns), r.ok);
    health_.Record(r.backend, r.ok);
    if (r.ok)
      latencies_ms_.push_back(latency_ns / 1e6);
    else
      ++errors_;
    if (!be.queue.empty()) {
      const std::size_t next = be.queue.front();
      be.queue.pop_front();
      StartService(next);
    }
  }

  Outcome Summarise() {
    std::sort(latencies_ms_.begin(), latencies_ms_.end());
    auto pct = [&](double p) {
      return latencies_ms_[static_cast<std::size_t>(p * (latencies_ms_.size() - 1))];
    };
    Outcome o{name_, seed_, pct(0.5), pct(0.99), 100.0 * errors_ / requests_.size(), {}};
    for (const Backend& be : backends_)
      o.share.push_back(static_cast<double>(be.served) / requests_.size());
    return o;
  }

  std::string name_;
  Factory factory_;
  std::uint64_t seed_;
  Xoshiro256 rng_;
  ManualClock clock_;
  HealthTracker health_;
  std::vector<Backend> backends_;
  std::vector<Endpoint> endpoints_;
  std::size_t live_;
  std::unique_ptr<Picker> picker_;
  std::vector<Request> requests_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  std::vector<double> latencies_ms_;
  std::uint64_t errors_ = 0;
};

void RunPickers(FILE* out, std::uint64_t seeds) {
  const std::vector<std::pair<std::string, Factory>> strategies = {
      {"round_robin",
       [](PickerContext c) { return std::make_unique<RoundRobinPicker>(std::move(c)); }},
      {"smooth_wrr",
       [](PickerContext c) {
         return std::make_unique<SmoothWeightedRoundRobinPicker>(std::move(c));
       }},
      {"random", [](PickerContext c) { return std::make_unique<RandomPicker>(std::move(c)); }},
      {"least_outstanding",
       [](PickerContext c) { return std::make_unique<LeastOutstandingPicker>(std::move(c)); }},
      // Defaults: decay 1 s, rise 100 ms.
      {"p2c_peak_ewma",
       [](PickerContext c) {
         return std::make_unique<PeakEwmaPicker>(std::move(c), PeakEwmaPicker::Options{});
       }},
      // Classic Finagle/Linkerd parameters: 10 s decay, jump to any peak at once.
      {"p2c_peak_ewma_10s_jump",
       [](PickerContext c) {
         return std::make_unique<PeakEwmaPicker>(
             std::move(c), PeakEwmaPicker::Options{.decay = 10s, .rise = 0ns});
       }},
      // No peak sensitivity: rises as slowly as it decays.
      {"p2c_ewma_1s_symmetric",
       [](PickerContext c) {
         return std::make_unique<PeakEwmaPicker>(std::move(c),
                                                 PeakEwmaPicker::Options{.decay = 1s, .rise = 1s});
       }},
      {"p2c_peak_ewma_100ms",
       [](PickerContext c) {
         return std::make_unique<PeakEwmaPicker>(std::move(c),
                                                 PeakEwmaPicker::Options{.decay = 100ms});
       }},
      {"oracle", nullptr},
  };
  std::fprintf(out,
               "strategy,seed,p50_ms,p99_ms,errors_pct,share_b0,share_b1,share_b2,share_b3_slow,"
               "share_b4_failing,share_b5_joiner\n");
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    for (const auto& [name, factory] : strategies) {
      Outcome o = Simulation(name, factory, seed).Run();
      std::fprintf(out, "%s,%llu,%.2f,%.2f,%.2f", o.strategy.c_str(),
                   static_cast<unsigned long long>(seed), o.p50_ms, o.p99_ms, o.errors_pct);
      for (double s : o.share) std::fprintf(out, ",%.4f", s);
      std::fprintf(out, "\n");
    }
  }
}

void RunHashers(FILE* out) {
  std::fprintf(out, "hasher,n_before,change,moved_pct,bound_pct,max_share_over_mean\n");
  Xoshiro256 rng(42);
  std::vector<std::uint64_t> keys(200'000);
  for (auto& k : keys) k = rng.NextU64();
  using Make = std::function<std::unique_ptr<KeyHasher>(const std::vector<Endpoint>&)>;
  const std::vector<std::pair<std::string, Make>> hashers = {
      {"ring_4096vn", [](const auto& e) { return std::make_unique<RingHash>(e); }},
      {"jump", [](const auto& e) { return std::make_unique<JumpHash>(e); }},
      {"rendezvous", [](const auto& e) { return std::make_unique<RendezvousHash>(e); }},
      {"maglev_65537", [](const auto& e) { return std::make_unique<MaglevHash>(e); }},
  };
  for (std::size_t n : {5, 10, 20}) {
    std::vector<Endpoint> base;
    for (std::size_t i = 0; i < n; ++i) base.push_back({"node-" + std::to_string(i), 1});
    for (const auto& [name, make] : hashers) {
      auto before = make(base);
      std::vector<int> count(n, 0);
      for (auto k : keys) ++count[before->Locate(k)];
      const double max_over_mean =
          *std::max_element(count.begin(), count.end()) * static_cast<double>(n) / keys.size();
      auto moved_pct = [&](const std::vector<Endpoint>& after_eps) {
        auto after = make(after_eps);
        std::size_t moved = 0;
        for (auto k : keys) moved += base[before->Locate(k)].id != after_eps[after->Locate(k)].id;
        return 100.0 * moved / keys.size();
      };
      auto grown = base;
      grown.push_back({"node-new", 1});
      std::fprintf(out, "%s,%zu,join,%.2f,%.2f,%.3f\n", name.c_str(), n, moved_pct(grown),
                   100.0 / (n + 1) + 2, max_over_mean);
      auto shrunk = base;
      // Jump hash can only lose its last bucket; the others lose one in the middle.
      shrunk.erase(shrunk.begin() + static_cast<std::ptrdiff_t>(name == "jump" ? n - 1 : n / 2));
      std::fprintf(out, "%s,%zu,leave,%.2f,%.2f,%.3f\n", name.c_str(), n, moved_pct(shrunk),
                   100.0 / n + 2, max_over_mean);
    }
  }
}

}  // namespace
}  // namespace cairn::lb::sim

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : ".";
  const long seeds = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 10;
  if (seeds < 1 || seeds > 1000) {
    std::fprintf(stderr, "seeds must be in 1..1000\n");
    return 1;
  }
  FILE* sim = std::fopen((dir + "/lb_sim.csv").c_str(), "w");
  FILE* hash = std::fopen((dir + "/lb_hash.csv").c_str(), "w");
  if (sim == nullptr || hash == nullptr) {
    std::fprintf(stderr, "cannot write to %s\n", dir.c_str());
    return 1;
  }
  cairn::lb::sim::RunPickers(sim, static_cast<std::uint64_t>(seeds));
  cairn::lb::sim::RunHashers(hash);
  std::fclose(sim);
  std::fclose(hash);
  return 0;
}
