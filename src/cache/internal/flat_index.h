#pragma once
// FlatIndex<T>: an open-addressing (linear probing) hash index from a 64-bit
// key hash to a T* the caller owns. Each slot holds the full hash beside the
// pointer, so a probe compares hashes in one contiguous array and touches the
// item itself only on a hash match: a hit costs the slot's cache line plus
// the item's, instead of std::unordered_map's bucket -> node -> node chain.
//
// Load factor stays <= 1/2 (the table doubles before it would pass it);
// Erase uses backward-shift deletion, so there are no tombstones and probe
// chains never degrade over time.
//
// Thread-safety: none; the cache guards each shard's index with its map lock.
// Items must be non-null. Equal hashes are allowed (Find checks `eq`).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cairn::cache::internal {

template <typename T>
class FlatIndex {
 public:
  explicit FlatIndex(std::size_t expected_items = 8) {
    std::size_t capacity = 16;
    while (capacity < 2 * expected_items) capacity *= 2;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
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
    if (2 * (size_ + 1) > slots_.size()) Grow();
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
  std::size_t Home(std::uint64_t hash) const { return static_cast<std::size_t>(hash >> 32 ^ hash >> 13) & mask_; }

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
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace cairn::cache::internal
