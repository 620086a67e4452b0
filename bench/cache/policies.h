#pragma once
// Hit-ratio simulators over a key trace: LRU, Belady's OPT, and W-TinyLFU
// (the cache's own TinyLfuPolicy, replayed single-threaded).

#include <cstdint>
#include <vector>

#include "cache/tinylfu_policy.h"

namespace cairn::cache::bench {

double LruHitRatio(const std::vector<std::uint64_t>& trace, std::size_t capacity);
// Belady/MIN with bypass: on a miss, evict (or do not admit) the key used farthest in the future.
double OptHitRatio(const std::vector<std::uint64_t>& trace, std::size_t capacity);
double TinyLfuHitRatio(const std::vector<std::uint64_t>& trace, const PolicyConfig& config,
                       double* final_window_fraction = nullptr);

}  // namespace cairn::cache::bench
