#pragma once
// CacheStats: a snapshot of a cache's counters (see cache.h).

#include <cstdint>

namespace cairn::cache {

struct CacheStats {
  std::uint64_t hits = 0;            // Get/GetOrLoad found a live value
  std::uint64_t negative_hits = 0;   // found a live "not found" entry
  std::uint64_t misses = 0;          // nothing live for the key
  std::uint64_t evictions = 0;       // entries removed by the size policy
  std::uint64_t loads_ok = 0;        // loader calls that returned a value or not-found
  std::uint64_t loads_failed = 0;    // loader calls that returned an error
  std::uint64_t load_time_ns = 0;    // total time spent in loader calls
  std::uint64_t early_refreshes = 0; // loads started early by the XFetch rule

  double HitRatio() const {
    const std::uint64_t total = hits + negative_hits + misses;
    return total == 0 ? 0.0 : static_cast<double>(hits + negative_hits) / total;
  }
};

}  // namespace cairn::cache
