#include "cache/frequency_sketch.h"

#include <algorithm>

namespace cairn::cache {
namespace {
constexpr int kRows = 4;
constexpr std::uint64_t kRowSeeds[kRows] = {0x97cb3127a8f2e1d3ULL, 0xb492b66fbe98f273ULL,
                                            0x9ae16a3b2f90404fULL, 0xcbf29ce484222325ULL};
// Mask keeping the low 3 bits of every 4-bit counter: halving = shift + mask.
constexpr std::uint64_t kHalfMask = 0x7777777777777777ULL;
}  // namespace

FrequencySketch::FrequencySketch(std::size_t expected_entries) {
  std::size_t width = 8;
  while (width < std::max<std::size_t>(expected_entries, 1)) width <<= 1;
  table_.assign(width * kRows, 0);
  width_mask_ = width - 1;
  sample_size_ = 10 * std::max<std::size_t>(expected_entries, 1);
}

std::size_t FrequencySketch::WordIndex(std::uint64_t key_hash, int row) const {
  const std::uint64_t h = MixHash(key_hash ^ kRowSeeds[row]);
  return static_cast<std::size_t>(row) * (width_mask_ + 1) + (h & width_mask_);
}

int FrequencySketch::CounterShift(std::uint64_t key_hash, int row) {
  // Which of the 16 counters in the word: taken from high bits, independent of the index bits.
  return static_cast<int>((MixHash(key_hash + kRowSeeds[row]) >> 60) & 15) * 4;
}

int FrequencySketch::Estimate(std::uint64_t key_hash) const {
  int min_count = 15;
  for (int row = 0; row < kRows; ++row) {
    const std::uint64_t word = table_[WordIndex(key_hash, row)];
    min_count = std::min(min_count, static_cast<int>((word >> CounterShift(key_hash, row)) & 15));
  }
  return min_count;
}

void FrequencySketch::Increment(std::uint64_t key_hash) {
  // Conservative update: only the counters equal to the current minimum grow,
  // which keeps over-estimation from hash collisions low.
  const int current = Estimate(key_hash);
  if (current == 15) return;
  for (int row = 0; row < kRows; ++row) {
    std::uint64_t& word = table_[WordIndex(key_hash, row)];
    const int shift = CounterShift(key_hash, row);
    if (static_cast<int>((word >> shift) & 15) == current) word += std::uint64_t{1} << shift;
  }
  if (++additions_ >= sample_size_) Age();
}

void FrequencySketch::Age() {
  for (std::uint64_t& word : table_) word = (word >> 1) & kHalfMask;
  additions_ /= 2;
  ++resets_;
}

}  // namespace cairn::cache
