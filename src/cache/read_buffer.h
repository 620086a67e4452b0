#pragma once
// ReadBuffer: a small lossy buffer of "this entry was read" events, so a cache
// hit records its access without taking the policy lock (Caffeine's idea).
//
// The cache pushes while it already holds the shard's map lock for the
// lookup, so a push is two plain stores (no atomic read-modify-write of its
// own, which would also stall the CPU's overlap of consecutive lookups).
// When the buffer is full, new events are dropped until a drain empties it:
// the policy only needs a sample of the accesses, and a lost event costs a
// little accuracy, never correctness.
//
// Thread-safety: none of its own. Push and TakeAll under the shard's map
// lock. Lifetime rule (enforced by the cache): a node is pushed only while
// it is in the map; nodes are freed only under the policy lock after a
// drain; a drainer takes the policy lock (try_lock) before it takes the
// events out, and holds it until it has applied them.

#include <cstdint>

#include "cache/tinylfu_policy.h"

namespace cairn::cache {

class ReadBuffer {
 public:
  static constexpr std::uint32_t kSlots = 64;

  // Records an access (or drops it when full); true when the buffer is full
  // and the caller should try to drain.
  bool Push(PolicyNode* node) {
    if (count_ < kSlots) nodes_[count_++] = node;
    return count_ == kSlots;
  }

  // Moves every buffered node into `out` (room for kSlots) and empties the
  // buffer; returns how many.
  std::uint32_t TakeAll(PolicyNode** out) {
    const std::uint32_t n = count_;
    for (std::uint32_t i = 0; i < n; ++i) out[i] = nodes_[i];
    count_ = 0;
    return n;
  }

  std::uint32_t size() const { return count_; }

 private:
  std::uint32_t count_ = 0;
  PolicyNode* nodes_[kSlots] = {};
};

}  // namespace cairn::cache
