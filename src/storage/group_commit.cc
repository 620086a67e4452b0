#include "storage/group_commit.h"

namespace cairn::storage {

GroupCommitter::GroupCommitter(Wal& wal, GroupCommitOptions options)
    : wal_(wal), options_(options), next_index_(wal.last_index() + 1), writer_([this] { Run(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  writer_.join();
}

std::future<Result<raft::Index>> GroupCommitter::Propose(raft::Term term,
                                                          std::vector<std::string> datas) {
  Item item;
  item.entries.reserve(datas.size());
  for (auto& d : datas) {
    item.bytes += d.size() + 32;
    item.entries.push_back({term, 0, raft::EntryType::kNormal, std::move(d)});
  }
  auto fut = item.entries_done.get_future();
  Enqueue(std::move(item));
  return fut;
}

std::future<Status> GroupCommitter::SetHardState(const raft::HardState& hs) {
  Item item;
  item.hard_state = hs;
  item.bytes = 40;
  auto fut = item.hs_done.get_future();
  Enqueue(std::move(item));
  return fut;
}

void GroupCommitter::Enqueue(Item item) {
  std::unique_lock lock(mu_);
  CAIRN_CHECK(!stopping_, "Propose after the GroupCommitter began stopping");
  // An item larger than the whole queue still goes in once the queue is empty.
  space_cv_.wait(lock, [&] {
    return queued_bytes_ == 0 || queued_bytes_ + item.bytes <= options_.queue_bytes_max;
  });
  for (auto& e : item.entries) e.index = next_index_++;  // under mu_: order = queue order
  queued_bytes_ += item.bytes;
  queue_.push_back(std::move(item));
  lock.unlock();
  work_cv_.notify_one();
}

void GroupCommitter::Run() {
  std::vector<Item> batch;
  for (;;) {
    std::size_t batch_bytes = 0;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left
      while (!queue_.empty() && (batch.empty() || batch_bytes + queue_.front().bytes <= options_.batch_bytes_max)) {
        batch_bytes += queue_.front().bytes;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    WriteBatch(batch);
    batch.clear();
    {
      std::lock_guard lock(mu_);
      queued_bytes_ -= batch_bytes;
    }
    space_cv_.notify_all();
  }
}

void GroupCommitter::WriteBatch(std::vector<Item>& batch) {
  Status s;
  std::uint64_t n = 0;
  for (Item& item : batch) {
    if (!s.ok()) break;
    if (item.hard_state) {
      s = wal_.SetHardState(*item.hard_state);
    } else {
      s = wal_.Append(item.entries);
      n += item.entries.size();
    }
  }
  if (s.ok()) s = wal_.Sync();
  if (s.ok()) {
    syncs_.fetch_add(1, std::memory_order_relaxed);
    entries_.fetch_add(n, std::memory_order_relaxed);
  }
  for (Item& item : batch) {
    if (item.hard_state) {
      item.hs_done.set_value(s);
    } else if (s.ok()) {
      item.entries_done.set_value(item.entries.empty() ? raft::Index{0} : item.entries.back().index);
    } else {
      item.entries_done.set_value(s);
    }
  }
}

}  // namespace cairn::storage
