#include "resilience/bulkhead.h"

namespace cairn::resilience {

Status BulkheadConfig::Validate() const {
  if (max_concurrent == 0) return Status::InvalidArgument("bulkhead: max_concurrent must be > 0");
  if (max_wait.count() < 0) return Status::InvalidArgument("bulkhead: max_wait must be >= 0");
  return Status::Ok();
}

Bulkhead::Bulkhead(const BulkheadConfig& config) : config_(config) {
  CAIRN_CHECK(config.Validate().ok(), "invalid BulkheadConfig (call Validate() first)");
}

bool Bulkhead::AcquireSlow() {
  if (config_.max_queue == 0 || config_.max_wait.count() == 0) {
    rejected_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (waiters_.load(std::memory_order_relaxed) >= config_.max_queue) {
    rejected_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  // Registering as a waiter before re-checking closes the lost-wakeup gap:
  // a Release either sees us waiting (and notifies under the mutex) or
  // happened before our TryAcquire (which then sees its permit).
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  const auto deadline = std::chrono::steady_clock::now() + config_.max_wait;
  bool got = TryAcquire();
  while (!got) {
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
      got = TryAcquire();
      break;
    }
    got = TryAcquire();
  }
  waiters_.fetch_sub(1, std::memory_order_seq_cst);
  if (!got) rejected_.fetch_add(1, std::memory_order_relaxed);
  return got;
}

void Bulkhead::WakeOne() {
  { std::lock_guard<std::mutex> lock(mu_); }
  cv_.notify_one();
}

KeyedBulkhead::KeyedBulkhead(const BulkheadConfig& default_config)
    : default_config_(default_config) {
  CAIRN_CHECK(default_config.Validate().ok(), "invalid BulkheadConfig (call Validate() first)");
}

Status KeyedBulkhead::Configure(std::string_view key, const BulkheadConfig& config) {
  CAIRN_RETURN_IF_ERROR(config.Validate());
  std::unique_lock lock(mu_);
  if (bulkheads_.find(key) != bulkheads_.end())
    return Status::FailedPrecondition("bulkhead for this key already in use");
  overrides_.insert_or_assign(std::string(key), config);
  return Status::Ok();
}

Bulkhead& KeyedBulkhead::For(std::string_view key) {
  {
    std::shared_lock lock(mu_);
    auto it = bulkheads_.find(key);
    if (it != bulkheads_.end()) return *it->second;
  }
  std::unique_lock lock(mu_);
  auto it = bulkheads_.find(key);
  if (it != bulkheads_.end()) return *it->second;
  auto o = overrides_.find(key);
  const BulkheadConfig& cfg = o != overrides_.end() ? o->second : default_config_;
  auto [ins, inserted] = bulkheads_.emplace(std::string(key), std::make_unique<Bulkhead>(cfg));
  (void)inserted;
  return *ins->second;
}

std::size_t KeyedBulkhead::size() const {
  std::shared_lock lock(mu_);
  return bulkheads_.size();
}

}  // namespace cairn::resilience
