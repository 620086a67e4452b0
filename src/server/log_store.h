#pragma once
// LogStore: where the node makes Raft's hard state and log durable.
//
// A stand-in until src/storage's segmented WAL lands: FileLogStore is one
// append-only file of checksummed records, FsyncedOnDemand; MemoryLogStore
// keeps everything in memory (tests, `--data-dir` empty). Neither compacts.
//
// Append follows ready.h: entries whose index is at or below the last stored
// index replace the stored suffix from that index (rule 3). When `sync` is
// true the call returns only after fdatasync. Errors are IOError; the node
// must stop (it cannot promise durability any more).
//
// Thread-safety: none; the node's loop thread owns the store.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "raft/raw_node.h"
#include "raft/types.h"

namespace cairn::server {

enum class Durability : bool { kBuffered = false, kSync = true };

class LogStore {
 public:
  virtual ~LogStore() = default;
  // The state to restart from (empty for a fresh store).
  virtual Result<raft::RestoredState> Load() = 0;
  virtual Status Append(const std::optional<raft::HardState>& hard_state,
                        const std::vector<raft::Entry>& entries, Durability durability) = 0;
  virtual std::uint64_t syncs() const = 0;
};

std::unique_ptr<LogStore> NewMemoryLogStore();
// Opens (creating if needed) `dir`/raft.log. A torn or corrupt tail (a crash
// mid-write) is cut off at the last whole record.
Result<std::unique_ptr<LogStore>> OpenFileLogStore(const std::string& dir);

}  // namespace cairn::server
