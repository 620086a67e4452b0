#pragma once
// Cooperative cancellation. A CancellationToken says "stop now" when its
// source was cancelled or its deadline passed; the callee polls it at points
// where stopping is safe. Nothing is interrupted from outside and no thread is
// ever spawned or left behind to enforce a deadline.
//
// A token refers to its source, so the source must outlive every token (the
// strategies keep the source in the frame that waits for the call, or in a
// shared state for asynchronous calls). Building a token never allocates.
//
// Thread-safety: Cancel() and cancelled() may race from any threads.

#include <atomic>
#include <cstdint>
#include <limits>

#include "common/clock.h"

namespace cairn::resilience {

class CancellationSource;

class CancellationToken {
 public:
  // A token that never cancels.
  CancellationToken() = default;
  CancellationToken(const std::atomic<bool>* flag, const Clock* clock, Nanos deadline)
      : flag_(flag), clock_(clock), deadline_ns_(deadline.count()) {}

  bool cancelled() const {
    if (flag_ != nullptr && flag_->load(std::memory_order_acquire)) return true;
    return clock_ != nullptr && clock_->Now().count() >= deadline_ns_;
  }
  bool has_deadline() const { return clock_ != nullptr; }
  Nanos deadline() const { return Nanos(deadline_ns_); }
  // Time left before the deadline (zero if past; max if none).
  Nanos remaining() const {
    if (clock_ == nullptr) return Nanos(std::numeric_limits<std::int64_t>::max());
    const std::int64_t left = deadline_ns_ - clock_->Now().count();
    return Nanos(left > 0 ? left : 0);
  }

 private:
  const std::atomic<bool>* flag_ = nullptr;
  const Clock* clock_ = nullptr;
  std::int64_t deadline_ns_ = std::numeric_limits<std::int64_t>::max();
};

class CancellationSource {
 public:
  void Cancel() { cancelled_.store(true, std::memory_order_release); }
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  CancellationToken Token() const { return CancellationToken(&cancelled_, nullptr, Nanos(0)); }
  CancellationToken Token(const Clock& clock, Nanos deadline) const {
    return CancellationToken(&cancelled_, &clock, deadline);
  }

 private:
  std::atomic<bool> cancelled_{false};
};

}  // namespace cairn::resilience
