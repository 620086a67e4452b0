#pragma once
// A small metrics registry with Prometheus text exposition (format 0.0.4).
//
// Metrics are read at scrape time through callbacks, so the strategies keep
// their own atomic counters and pay nothing for being registered. A shared
// src/common/metrics would serve every component better; this one lives here
// until that exists (see docs/resilience.md).
//
// StripedCounter spreads increments over cache-line-padded stripes chosen per
// thread, so hot counters do not bounce a cache line between cores.
//
// Thread-safety: Add* and Expose may be called from any thread (a mutex guards
// the registry). Callbacks run under that mutex and must not re-enter it.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "resilience/latency_histogram.h"

namespace cairn::resilience {

class StripedCounter {
 public:
  static constexpr int kStripes = 8;
  void Add(std::uint64_t n = 1) {
    stripes_[Stripe()].v.fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t value() const {
    std::uint64_t sum = 0;
    for (const auto& s : stripes_) sum += s.v.load(std::memory_order_relaxed);
    return sum;
  }

 private:
  static int Stripe() {
    thread_local const int stripe = NextStripe();
    return stripe;
  }
  static int NextStripe();
  struct alignas(64) Padded {
    std::atomic<std::uint64_t> v{0};
  };
  std::array<Padded, kStripes> stripes_{};
};

enum class MetricType : std::uint8_t { kCounter, kGauge, kHistogram };

class MetricsRegistry {
 public:
  // `labels` is `key="value",...` without braces (may be empty). Names and
  // label values are written as given: keep to [a-zA-Z_:][a-zA-Z0-9_:]*.
  void AddCounter(std::string name, std::string help, std::string labels,
                  std::function<double()> read);
  void AddGauge(std::string name, std::string help, std::string labels,
                std::function<double()> read);
  // The histogram must outlive the registry.
  void AddHistogram(std::string name, std::string help, std::string labels,
                    const LatencyHistogram* histogram);

  // Every metric, grouped by name with one HELP and TYPE line per name.
  std::string Expose() const;

 private:
  struct Entry {
    std::string name, help, labels;
    MetricType type;
    std::function<double()> read;
    const LatencyHistogram* histogram = nullptr;
  };
  void Add(Entry e);

  mutable std::mutex mu_;
  std::vector<Entry> entries_;
};

// Escapes a label value (\, " and newline) for the exposition format.
std::string EscapeLabelValue(std::string_view v);

}  // namespace cairn::resilience
