#pragma once
// FlatIndex<T>: an open-addressing (linear probing) hash index from a 64-bit
// key hash to a T* the caller owns. Each slot holds the full hash beside the
// pointer, so a probe compares hashes in one contiguous array and touches the
// item itself only on a hash match: a hit costs the slot's cache line plus
// the item's, instead of std::unordered_map's bucket -> node -> node chain.
//
// Load factor stays <= 3/4 (the table doubles before it would pass it): a
// smaller table beat a sparser one in the hit benchmark, the whole index
// being cache-miss bound and four 16-byte slots sharing a cache line;
// Erase uses backward-shift deletion, so there are no tombstones and probe
// chains never degrade over time.
//
// Thread-safety: none, except Prefetch; the cache guards each shard's index
// with its map lock.
// Items must be non-null. Equal hashes are allowed (Find checks `eq`).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace cairn::cache::internal {

template <typename T>
class FlatIndex {
 public:
  explicit FlatIndex(std::size_t expected_items = 8) {
    std::size_t capacity = 16;
    while (capacity < expected_items + expected_items / 4) capacity *= 2;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    PublishHint();
  }
  FlatIndex(const FlatIndex&) = delete;
  FlatIndex& operator=(FlatIndex&& other) noexcept {
    slots_ = std::move(other.slots_);
    mask_ = other.mask_;
    size_ = other.size_;
    PublishHint();
    return *this;
  }

  // Starts loading the hash's home slot into the CPU cache. Safe from any
  // thread without the lock: it reads only relaxed atomic copies of the
  // table address, and a prefetch of a stale address cannot fault.
  void Prefetch(std::uint64_t hash) const {
    const Slot* slots = hint_slots_.load(std::memory_order_relaxed);
    const Slot* home = slots + Home(hash, hint_mask_.load(std::memory_order_relaxed));
#if defined(__x86_64__)
    asm volatile("prefetcht0 %0" : : "m"(*reinterpret_cast<const char*>(home)));
#else
    __builtin_prefetch(home);
#endif
  }

  // The item with this hash for which eq(item) holds, or nullptr.
  template <typename Eq>
  T* Find(std::uint64_t hash, Eq&& eq) const {
    for (std::size_t i = Home(hash);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.item == nullptr) return nullptr;
      if (s.hash == hash && eq(*s.item)) return s.item;
    }
  }

  // Adds an item; the caller made sure no equal item is present.
  void Insert(std::uint64_t hash, T* item) {
    if (4 * (size_ + 1) > 3 * slots_.size()) Grow();
    Place(hash, item);
    ++size_;
  }

  // Removes exactly this item (found by hash and pointer); false if absent.
  bool Erase(std::uint64_t hash, const T* item) {
    for (std::size_t i = Home(hash);; i = (i + 1) & mask_) {
      if (slots_[i].item == nullptr) return false;
      if (slots_[i].item == item) {
        EraseAt(i);
        --size_;
        return true;
      }
    }
  }

  template <typename F>
  void ForEach(F&& f) const {
    for (const Slot& s : slots_)
      if (s.item != nullptr) f(s.item);
  }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return slots_.size(); }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    T* item = nullptr;
  };

  // The cache picks shards with the hash's low bits; use the high half here
  // so the items of one shard still spread over its whole table.
  static std::size_t Home(std::uint64_t hash, std::size_t mask) {
    return static_cast<std::size_t>(hash >> 32 ^ hash >> 13) & mask;
  }
  std::size_t Home(std::uint64_t hash) const { return Home(hash, mask_); }

  void PublishHint() {
    hint_slots_.store(slots_.data(), std::memory_order_relaxed);
    hint_mask_.store(mask_, std::memory_order_relaxed);
  }

  void Place(std::uint64_t hash, T* item) {
    std::size_t i = Home(hash);
    while (slots_[i].item != nullptr) i = (i + 1) & mask_;
    slots_[i] = Slot{hash, item};
  }

  void EraseAt(std::size_t hole) {
    // Backward shift: pull later members of the probe run into the hole when
    // their home position is not inside (hole, j].
    for (std::size_t j = (hole + 1) & mask_; slots_[j].item != nullptr; j = (j + 1) & mask_) {
      const std::size_t home = Home(slots_[j].hash);
      if (((j - home) & mask_) >= ((j - hole) & mask_)) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole] = Slot{};
  }

  void Grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old)
      if (s.item != nullptr) Place(s.hash, s.item);
    PublishHint();
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
  // Copies of slots_.data() and mask_ for Prefetch (a reader may pair an old
  // address with a new mask: the prefetch is then useless, never harmful).
  std::atomic<const Slot*> hint_slots_{nullptr};
  std::atomic<std::size_t> hint_mask_{0};
};

}  // namespace cairn::cache::internal
