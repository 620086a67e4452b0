#pragma once
// FrequencySketch: a count-min sketch of 4-bit counters that estimates how
// often a key hash was seen recently (the "TinyLFU" part of W-TinyLFU).
//
// Each key maps to one 64-byte block (a cache line of eight 64-bit words) and
// to one 4-bit counter in each of four word pairs of that block, so an
// estimate is the minimum of four saturating counters and costs one cache miss.
// Aging: after `sample_size` increments (10 x capacity, at least 2000)
// every counter is halved, so the sketch forgets old popularity and follows
// a shifting workload.
//
// Thread-safety: none. The cache calls it only under the shard's policy lock.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cairn::cache {

// A strong 64-bit mixer for cache keys (splitmix64 finaliser).
inline std::uint64_t MixHash(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

class FrequencySketch {
 public:
  // `expected_entries` sizes the table (rounded up to a power of two);
  // aging happens every max(10 * expected_entries, 2000) increments.
  explicit FrequencySketch(std::size_t expected_entries);

  // Frequency estimate in [0, 15].
  int Estimate(std::uint64_t key_hash) const;
  // Counts one more occurrence (saturates at 15); may trigger aging.
  void Increment(std::uint64_t key_hash);
  // Starts loading the key's block into the CPU cache (for batched updates).
  void Prefetch(std::uint64_t key_hash) const {
    const std::uint64_t* block = table_.data() + (MixHash(key_hash) & block_mask_) * 8;
#if defined(__x86_64__)
    // GCC 12 silently drops __builtin_prefetch here (seen in the disassembly).
    asm volatile("prefetcht0 %0" : : "m"(*block));
#else
    __builtin_prefetch(block, 1, 3);
#endif
  }

  std::size_t sample_size() const { return sample_size_; }
  std::size_t resets() const { return resets_; }

 private:
  void Age();
  struct Slot {
    std::size_t word;
    int shift;
  };
  Slot SlotOf(std::uint64_t mixed, int row) const;

  std::vector<std::uint64_t> table_;  // blocks of 8 words
  std::size_t block_mask_ = 0;        // blocks - 1; blocks is a power of two
  std::size_t sample_size_ = 0;       // increments between agings
  std::size_t additions_ = 0;         // increments since the last aging
  std::size_t resets_ = 0;            // agings so far (for tests and stats)
};

}  // namespace cairn::cache
