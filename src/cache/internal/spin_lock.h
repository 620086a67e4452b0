#pragma once
// SpinLock: a test-and-test-and-set lock for the cache's short map critical
// sections (a probe and a value copy). Unlock is a plain release store, so an
// uncontended hit pays one atomic read-modify-write instead of std::mutex's
// two. A waiter spins briefly, then yields: on an oversubscribed machine the
// holder may be descheduled and spinning on would only burn its time slice.
//
// Meets the Lockable requirements (std::lock_guard, std::unique_lock).
// Thread-safety: that is its whole job. Not recursive.

#include <atomic>
#include <thread>

namespace cairn::cache::internal {

class SpinLock {
 public:
  void lock() {
    for (int spins = 0; !try_lock(); ++spins) {
      while (locked_.load(std::memory_order_relaxed)) {
        if (++spins > 64) {
          std::this_thread::yield();
        } else {
#if defined(__x86_64__) || defined(__i386__)
          __builtin_ia32_pause();
#endif
        }
      }
    }
  }
  bool try_lock() { return !locked_.exchange(true, std::memory_order_acquire); }
  void unlock() { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

}  // namespace cairn::cache::internal
