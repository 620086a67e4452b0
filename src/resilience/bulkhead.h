#pragma once
// Bulkhead: caps how many calls run at once against one downstream, so a slow
// downstream ties up at most max_concurrent threads/slots of the caller.
//
//   * a call takes a permit or, if none is free, waits in a bounded queue
//     (max_queue waiters) for at most max_wait; otherwise it is rejected with
//     BulkheadFullRejection() (kResourceExhausted). max_queue = 0 (default)
//     means reject at once when full (no blocking ever).
//   * KeyedBulkhead keeps one Bulkhead per key (one per downstream host or
//     service), created on first use.
//
// The permit path is one compare-and-swap; waiters use a mutex and a
// condition variable and are woken in no particular order.
//
// Thread-safety: all methods may be called from any thread.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "resilience/call.h"

namespace cairn::resilience {

struct BulkheadConfig {
  std::uint32_t max_concurrent = 25;
  std::uint32_t max_queue = 0;     // waiters allowed; 0 = never wait
  Nanos max_wait = Nanos(0);       // how long a waiter waits (real time)
  Status Validate() const;
};

class Bulkhead {
 public:
  explicit Bulkhead(const BulkheadConfig& config);
  Bulkhead(const Bulkhead&) = delete;
  Bulkhead& operator=(const Bulkhead&) = delete;

  // Takes a permit if one is free; never blocks.
  bool TryAcquire() {
    std::uint32_t cur = in_use_.load(std::memory_order_relaxed);
    while (cur < config_.max_concurrent) {
      if (in_use_.compare_exchange_weak(cur, cur + 1, std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
        return true;
      }
    }
    return false;
  }
  // Takes a permit, waiting in the queue if configured. False = rejected.
  bool Acquire() {
    if (TryAcquire()) return true;
    return AcquireSlow();
  }
  void Release() {
    in_use_.fetch_sub(1, std::memory_order_seq_cst);
    if (waiters_.load(std::memory_order_seq_cst) > 0) WakeOne();
  }

  template <Call F>
  CallResultOf<F> Execute(F&& f) {
    if (!Acquire()) return FromStatus<CallResultOf<F>>(BulkheadFullRejection());
    struct Releaser {
      Bulkhead* b;
      ~Releaser() { b->Release(); }
    } releaser{this};
    return f();
  }

  std::uint32_t in_use() const { return in_use_.load(std::memory_order_relaxed); }
  std::uint32_t waiting() const { return waiters_.load(std::memory_order_relaxed); }
  std::uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }
  const BulkheadConfig& config() const { return config_; }

 private:
  bool AcquireSlow();
  void WakeOne();

  const BulkheadConfig config_;
  alignas(64) std::atomic<std::uint32_t> in_use_{0};
  std::atomic<std::uint32_t> waiters_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::mutex mu_;
  std::condition_variable cv_;
};

class KeyedBulkhead {
 public:
  explicit KeyedBulkhead(const BulkheadConfig& default_config);

  // Sets the config for `key`; applies if the key's bulkhead does not exist yet.
  Status Configure(std::string_view key, const BulkheadConfig& config);
  // The bulkhead for key, created on first use (allocates once per key).
  Bulkhead& For(std::string_view key);

  template <Call F>
  CallResultOf<F> Execute(std::string_view key, F&& f) {
    return For(key).Execute(std::forward<F>(f));
  }
  std::size_t size() const;

 private:
  const BulkheadConfig default_config_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::unique_ptr<Bulkhead>, std::less<>> bulkheads_;
  std::map<std::string, BulkheadConfig, std::less<>> overrides_;
};

}  // namespace cairn::resilience
