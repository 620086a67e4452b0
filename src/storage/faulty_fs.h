#pragma once
// FaultyFs: an in-memory Fs that models what a crash does to unsynced data.
//
// Each file keeps its durable bytes (as of the last successful Sync) and the
// list of writes/truncations/allocations made since. Crash(seed) rebuilds
// every file from its durable bytes plus a random prefix of those pending
// operations, the last of which may be torn at a random byte; directory
// changes not covered by SyncDir are dropped (or, by coin flip, all kept).
// Anything a caller saw acknowledged after a Sync therefore survives, and
// nothing else is guaranteed to.
//
// Fault injection:
//   CrashAfterOps(n): the n-th mutating operation from now (Write, Sync,
//     Truncate, Allocate, Rename, Remove, SyncDir, creating Open) fails with
//     kIOError and is not performed, and so does every operation after it,
//     until Crash() is called. Crashing at a Sync models a crash mid-sync.
//   FailNext(kind, count): the next `count` operations of `kind` fail with
//     kIOError without crashing (a Sync failure leaves its writes pending).
//
// Thread-safety: all methods are thread-safe (one mutex). Files opened before
// a Crash() fail every call afterwards.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "storage/fs.h"

namespace cairn::storage {

enum class FsOp : std::uint8_t { kWrite, kSync, kTruncate, kAllocate, kRename, kRemove, kSyncDir, kCreate };

class FaultyFs final : public Fs {
 public:
  FaultyFs();
  ~FaultyFs() override;

  Result<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Result<std::vector<std::string>> List(const std::string& dir) override;
  Status CreateDir(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;
  bool Exists(const std::string& path) override;

  // 0 disarms. See the header comment.
  void CrashAfterOps(std::uint64_t n);
  void FailNext(FsOp op, int count);
  // True once an armed crash has fired (and Crash() not yet called).
  bool crashed() const;
  // Simulates power loss and reboot, choosing what survives from `seed`.
  void Crash(std::uint64_t seed);
  // Flips bits of one byte in a file, durably (a media error). For tests.
  Status CorruptByte(const std::string& path, std::uint64_t offset, std::uint8_t xor_mask);

  std::uint64_t sync_count() const;
  std::uint64_t op_count() const;

  struct Inode;  // public so the file class in faulty_fs.cc can name it

 private:
  friend class FaultyFile;
  // Counts a mutating op; returns an error if it must fail. Holds mu_.
  Status Admit(FsOp op);

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Inode>> names_;          // GUARDED_BY(mu_)
  std::map<std::string, std::shared_ptr<Inode>> durable_names_;  // GUARDED_BY(mu_)
  std::map<std::string, bool> dirs_;                             // GUARDED_BY(mu_)
  std::uint64_t crash_countdown_ = 0;                            // GUARDED_BY(mu_)
  bool crashed_ = false;                                         // GUARDED_BY(mu_)
  std::uint64_t generation_ = 0;                                 // GUARDED_BY(mu_)
  std::map<FsOp, int> fail_next_;                                // GUARDED_BY(mu_)
  std::uint64_t sync_count_ = 0;                                 // GUARDED_BY(mu_)
  std::uint64_t op_count_ = 0;                                   // GUARDED_BY(mu_)
};

}  // namespace cairn::storage
