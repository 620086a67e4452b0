#include "resilience/sliding_window.h"

#include <algorithm>

#include "common/assert.h"

namespace cairn::resilience {

CountWindow::CountWindow(std::uint32_t size)
    : size_(size), slots_(std::make_unique<std::atomic<std::uint8_t>[]>(size)) {
  CAIRN_CHECK(size > 0, "CountWindow needs at least one slot");
  Reset();
}

WindowSnapshot CountWindow::Snapshot() const {
  WindowSnapshot s;
  s.calls = std::min<std::uint64_t>(next_.load(std::memory_order_relaxed), size_);
  // Totals may dip below zero or exceed calls for a moment while records are
  // in flight; clamp so callers always see a sane snapshot.
  s.failures = static_cast<std::uint64_t>(
      std::clamp<std::int64_t>(failures_.load(std::memory_order_relaxed), 0, s.calls));
  s.slow = static_cast<std::uint64_t>(
      std::clamp<std::int64_t>(slow_.load(std::memory_order_relaxed), 0, s.calls));
  return s;
}

void CountWindow::Reset() {
  for (std::uint32_t i = 0; i < size_; ++i) slots_[i].store(0, std::memory_order_relaxed);
  failures_.store(0, std::memory_order_relaxed);
  slow_.store(0, std::memory_order_relaxed);
  next_.store(0, std::memory_order_relaxed);
}

}  // namespace cairn::resilience
