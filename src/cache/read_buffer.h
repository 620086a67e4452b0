#pragma once
// ReadBuffer: a small lossy buffer of "this entry was read" events, so a cache
// hit records its access without taking the policy lock (Caffeine's idea).
//
// A reader drops its event if the slot it picked is taken: the policy only
// needs a sample of the accesses, and a lost event costs a little accuracy,
// never correctness. The owner drains the buffer under its policy lock.
//
// Thread-safety: Push from any thread; Drain from one thread at a time.
// Lifetime rule (enforced by the cache): a node is pushed only while the
// pusher holds the map lock and the node is in the map, and a node is freed
// only after a drain done under both the map and the policy lock.

#include <atomic>
#include <cstdint>

#include "cache/tinylfu_policy.h"

namespace cairn::cache {

class ReadBuffer {
 public:
  static constexpr std::uint32_t kSlots = 16;

  // Records an access; returns true when the caller should try to drain
  // (about once per kSlots pushes of this thread, or when a slot was taken).
  bool Push(PolicyNode* node) {
    thread_local std::uint32_t counter = 0;
    const std::uint32_t index = counter++;
    PolicyNode* expected = nullptr;
    const bool stored = slots_[index % kSlots].compare_exchange_strong(
        expected, node, std::memory_order_release, std::memory_order_relaxed);
    return !stored || index % kSlots == kSlots - 1;
  }

  // Hands every buffered node to `apply` and empties the slots.
  template <typename F>
  void Drain(F&& apply) {
    for (auto& slot : slots_) {
      if (slot.load(std::memory_order_relaxed) == nullptr) continue;
      PolicyNode* node = slot.exchange(nullptr, std::memory_order_acquire);
      if (node != nullptr) apply(node);
    }
  }

 private:
  std::atomic<PolicyNode*> slots_[kSlots] = {};
};

}  // namespace cairn::cache
