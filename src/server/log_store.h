#pragma once
// LogStore: where the node makes Raft's hard state and log durable.
//
// OpenWalLogStore adapts src/storage's segmented WAL (the production store);
// MemoryLogStore keeps everything in memory (tests, `--data-dir` empty).
// Both compact (Compact) and restart after a received snapshot (Reset).
//
// Load(base): `base` is what the state machine durably holds (its applied
// index and that entry's term), which stands for a snapshot. The restored
// log starts right after it, so only later entries are re-applied. If the
// stored log does not continue from `base` (a crash after a snapshot was
// installed but before the log was reset, or a log behind it) the log is
// reset to start there. A log that starts after `base` + 1 (compacted past
// what the state machine holds) is Corruption.
//
// Append follows ready.h: entries whose index is at or below the last stored
// index replace the stored suffix from that index (rule 3). Durability says
// how far the call goes before it returns: kDeferred only buffers (a later
// call writes it, so a batch of Readies costs one write), kWritten hands
// everything buffered to the OS (it survives a crash of the process, not of
// the machine), kSync also fdatasyncs. Errors are IOError; the node must stop
// (it cannot promise durability any more).
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

enum class Durability { kDeferred, kWritten, kSync };

class LogStore {
 public:
  virtual ~LogStore() = default;
  // The state to restart from (empty for a fresh store); see above.
  virtual Result<raft::RestoredState> Load(std::optional<raft::SnapshotMeta> base = std::nullopt) = 0;
  virtual Status Append(const std::optional<raft::HardState>& hard_state,
                        const std::vector<raft::Entry>& entries, Durability durability) = 0;
  virtual std::uint64_t syncs() const = 0;
  // Drops stored entries up to `index` where cheap (whole WAL segments);
  // durable on return.
  virtual Status Compact(raft::Index index) = 0;
  // Discards the log: it starts again after (index, term), keeping the hard
  // state (ready.h: Ready::snapshot). Durable and atomic on return.
  virtual Status Reset(raft::Index index, raft::Term term) = 0;
};

std::unique_ptr<LogStore> NewMemoryLogStore();
// Opens (creating if needed) the WAL in `dir` (storage/wal.h: a torn tail
// from a crash mid-write is truncated; other damage is Corruption).
// `applied`: the state machine's durable index. Entries at or below it are
// replayed without their data (WalOptions::replay_data_from): Load's base
// must then be at least `applied`.
Result<std::unique_ptr<LogStore>> OpenWalLogStore(const std::string& dir, raft::Index applied = 0);

}  // namespace cairn::server
