#pragma once
// GroupCommitter: many proposer threads share one fdatasync.
//
// Proposers call Propose(); a single writer thread takes everything queued
// (up to `batch_bytes_max`), appends it to the Wal, syncs once, and then
// completes every future in the batch. While one sync runs, the next batch
// gathers, so the batch size grows with the load and no timer is needed:
// a lone proposer waits for one write + one sync, never longer.
//
// Indexes are assigned in Propose() order, contiguous after the Wal's
// last_index() at construction. A future resolves to the index of the last
// entry of its proposal once durable, or to the error (after an I/O error the
// Wal is poisoned and every later proposal fails with it).
//
// Bounds: at most `queue_bytes_max` bytes wait; Propose blocks beyond that
// (backpressure), so memory stays bounded under any load.
//
// Thread-safety: Propose/SetHardState/stats are thread-safe. The Wal is owned
// by the writer thread from construction until destruction; do not touch it
// meanwhile. The destructor completes everything queued, then stops.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storage/wal.h"

namespace cairn::storage {

struct GroupCommitOptions {
  std::size_t queue_bytes_max = 64u << 20;
  std::size_t batch_bytes_max = 8u << 20;
};

class GroupCommitter {
 public:
  GroupCommitter(Wal& wal, GroupCommitOptions options = {});
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  std::future<Result<raft::Index>> Propose(raft::Term term, std::vector<std::string> datas);
  std::future<Status> SetHardState(const raft::HardState& hs);

  std::uint64_t syncs() const { return syncs_.load(std::memory_order_relaxed); }
  std::uint64_t entries_written() const { return entries_.load(std::memory_order_relaxed); }

 private:
  struct Item {
    std::vector<raft::Entry> entries;
    std::optional<raft::HardState> hard_state;
    std::size_t bytes = 0;
    std::promise<Result<raft::Index>> entries_done;
    std::promise<Status> hs_done;
  };
  void Enqueue(Item item);
  void Run();
  void WriteBatch(std::vector<Item>& batch);

  Wal& wal_;
  const GroupCommitOptions options_;

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable space_cv_;
  std::deque<Item> queue_;          // GUARDED_BY(mu_)
  std::size_t queued_bytes_ = 0;    // GUARDED_BY(mu_)
  raft::Index next_index_ = 0;      // GUARDED_BY(mu_)
  bool stopping_ = false;           // GUARDED_BY(mu_)

  std::atomic<std::uint64_t> syncs_{0};
  std::atomic<std::uint64_t> entries_{0};
  std::thread writer_;  // last: starts after every field above is ready
};

}  // namespace cairn::storage
