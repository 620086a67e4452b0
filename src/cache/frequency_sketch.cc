#include "cache/frequency_sketch.h"

#include <algorithm>

namespace cairn::cache {
namespace {
constexpr int kRows = 4;
constexpr std::size_t kWordsPerBlock = 8;
// Mask keeping the low 3 bits of every 4-bit counter: halving = shift + mask.
constexpr std::uint64_t kHalfMask = 0x7777777777777777ULL;
constexpr std::size_t kMinSampleSize = 2000;
}  // namespace

FrequencySketch::FrequencySketch(std::size_t expected_entries) {
  // entries / 4 blocks (rounded up to a power of two): 2 words per entry,
  // i.e. about 8 counters per row per entry, which keeps collisions rare.
  std::size_t blocks = 1;
  while (blocks * 4 < std::max<std::size_t>(expected_entries, 1)) blocks <<= 1;
  table_.assign(blocks * kWordsPerBlock, 0);
  block_mask_ = blocks - 1;
  // At least kMinSampleSize increments between agings: for tiny caches
  // (or a small shard's share) 10 x capacity is a couple of hundred accesses,
  // too few to tell a frequent key from a recent one.
  sample_size_ =
      std::max<std::size_t>(10 * std::max<std::size_t>(expected_entries, 1), kMinSampleSize);
}

FrequencySketch::Slot FrequencySketch::SlotOf(std::uint64_t mixed, int row) const {
  // Low bits choose the block; the high 32 bits give each row 1 bit of word
  // choice and 4 bits of counter choice within its word pair.
  const std::size_t block = static_cast<std::size_t>(mixed) & block_mask_;
  const std::uint64_t bits = mixed >> (32 + 5 * row);
  const std::size_t word = block * kWordsPerBlock + static_cast<std::size_t>(row) * 2 + (bits & 1);
  return Slot{word, static_cast<int>((bits >> 1) & 15) * 4};
}

int FrequencySketch::Estimate(std::uint64_t key_hash) const {
  const std::uint64_t mixed = MixHash(key_hash);
  int min_count = 15;
  for (int row = 0; row < kRows; ++row) {
    const Slot slot = SlotOf(mixed, row);
    min_count = std::min(min_count, static_cast<int>((table_[slot.word] >> slot.shift) & 15));
  }
  return min_count;
}

void FrequencySketch::Increment(std::uint64_t key_hash) {
  // Conservative update: only the counters equal to the current minimum grow,
  // which keeps over-estimation from hash collisions low.
  const std::uint64_t mixed = MixHash(key_hash);
  Slot slots[kRows];
  int current = 15;
  for (int row = 0; row < kRows; ++row) {
    slots[row] = SlotOf(mixed, row);
    current =
        std::min(current, static_cast<int>((table_[slots[row].word] >> slots[row].shift) & 15));
  }
  if (current == 15) return;
  for (const Slot& slot : slots) {
    if (static_cast<int>((table_[slot.word] >> slot.shift) & 15) == current)
      table_[slot.word] += std::uint64_t{1} << slot.shift;
  }
  if (++additions_ >= sample_size_) Age();
}

void FrequencySketch::Age() {
  for (std::uint64_t& word : table_) word = (word >> 1) & kHalfMask;
  additions_ /= 2;
  ++resets_;
}

}  // namespace cairn::cache
