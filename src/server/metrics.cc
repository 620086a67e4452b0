#include "server/metrics.h"

#include <fmt/format.h>

namespace cairn::server {

void Histogram::Observe(double seconds) {
  for (std::size_t i = 0; i < kBoundsSeconds.size(); ++i) {
    if (seconds <= kBoundsSeconds[i]) ++buckets_[i];
  }
  ++count_;
  sum_seconds_ += seconds;
}

void Histogram::Render(const std::string& name, const std::string& labels,
                       std::string* out) const {
  const std::string bucket_labels = labels.empty() ? std::string() : labels + ",";
  const std::string own = labels.empty() ? std::string() : "{" + labels + "}";
  for (std::size_t i = 0; i < kBoundsSeconds.size(); ++i) {
    *out += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, bucket_labels, kBoundsSeconds[i],
                        buckets_[i]);
  }
  *out += fmt::format("{}_bucket{{{}le=\"+Inf\"}} {}\n", name, bucket_labels, count_);
  *out += fmt::format("{}_sum{} {}\n", name, own, sum_seconds_);
  *out += fmt::format("{}_count{} {}\n", name, own, count_);
}

}  // namespace cairn::server
