#include "resilience/latency_histogram.h"

#include <cmath>
#include <cstdio>

namespace cairn::resilience {

std::uint64_t LatencyHistogram::UpperBound(int i) {
  if (i < kSub) return static_cast<std::uint64_t>(i);
  const int msb = i / kSub + kSubBits - 1;
  const std::uint64_t sub = static_cast<std::uint64_t>(i % kSub);
  const std::uint64_t step = 1ull << (msb - kSubBits);
  return (1ull << msb) + (sub + 1) * step - 1;
}

std::uint64_t LatencyHistogram::count() const {
  std::uint64_t n = 0;
  for (const auto& c : counts_) n += c.load(std::memory_order_relaxed);
  return n;
}

Nanos LatencyHistogram::Percentile(double q) const {
  const std::uint64_t total = count();
  if (total == 0) return Nanos(0);
  // Rank of the q-quantile, 1-based: the smallest value with at least
  // ceil(q * total) values at or below it.
  std::uint64_t rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total)));
  if (rank == 0) rank = 1;
  std::uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i].load(std::memory_order_relaxed);
    if (seen >= rank) return Nanos(static_cast<std::int64_t>(UpperBound(i)));
  }
  return Nanos(static_cast<std::int64_t>(UpperBound(kBuckets - 1)));
}

void LatencyHistogram::Reset() {
  for (auto& c : counts_) c.store(0, std::memory_order_relaxed);
  sum_ns_.store(0, std::memory_order_relaxed);
}

void LatencyHistogram::AppendPrometheus(std::string& out, std::string_view name,
                                        std::string_view labels) const {
  const std::string sep = labels.empty() ? "" : ",";
  std::uint64_t cumulative = 0;
  int next = 0;
  char buf[64];
  for (int exp = 10; exp <= 34; ++exp) {
    // Values < 2^exp are exactly the buckets below Index(2^exp).
    const int limit = Index(1ull << exp);
    for (; next < limit; ++next) cumulative += counts_[next].load(std::memory_order_relaxed);
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(1ull << exp) / 1e9);
    out += std::string(name) + "_bucket{" + std::string(labels) + sep + "le=\"" + buf + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  for (; next < kBuckets; ++next) cumulative += counts_[next].load(std::memory_order_relaxed);
  out += std::string(name) + "_bucket{" + std::string(labels) + sep + "le=\"+Inf\"} " +
         std::to_string(cumulative) + "\n";
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(sum_ns()) / 1e9);
  const std::string braces = labels.empty() ? "" : "{" + std::string(labels) + "}";
  out += std::string(name) + "_sum" + braces + " " + buf + "\n";
  out += std::string(name) + "_count" + braces + " " + std::to_string(cumulative) + "\n";
}

}  // namespace cairn::resilience
