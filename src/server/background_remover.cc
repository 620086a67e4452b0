#include "server/background_remover.h"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace cairn::server {

BackgroundRemover::BackgroundRemover() : thread_([this] { Loop(); }) {}

BackgroundRemover::~BackgroundRemover() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BackgroundRemover::Remove(std::string path) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(path));
  }
  cv_.notify_all();
}

void BackgroundRemover::Drain() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void BackgroundRemover::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to do
    std::string path = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) spdlog::warn("could not remove {}: {}", path, ec.message());
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

}  // namespace cairn::server
