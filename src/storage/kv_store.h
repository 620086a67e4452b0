#pragma once
// KvStore: the replicated state machine's data on RocksDB (target
// cairn::storage_rocks, kept apart so the WAL does not pull RocksDB in).
//
// Apply() writes a batch of puts/deletes together with the applied Raft
// index in one RocksDB WriteBatch: after a crash the store holds exactly the
// effects of entries up to applied_index(), and the driver re-applies from
// the WAL after it. (RocksDB's own WAL is on but not synced per batch: the
// Raft WAL is the durable record; the store may lag, never tear.)
//
// Snapshots are RocksDB checkpoints (hard links to the SST files):
// CreateCheckpoint(dir) makes one, CheckpointFiles lists its files (what a
// snapshot sender streams), and InstallCheckpoint swaps a received checkpoint
// in for the live data with one atomic rename (renameat2 RENAME_EXCHANGE), so
// a crash leaves either the old or the new state, never a mix.
//
// Besides the applied index the store keeps, in the same batches, the term
// of the applied entry, the replicated clock and the number of user keys
// (Write). A checkpoint thus carries everything a node needs to resume: its
// applied (index, term) is the Raft snapshot it stands for.
//
// Layout: <root>/db is the live database; <root>/db.swap is garbage from an
// interrupted install and is removed by Open.
//
// Thread-safety: Get may run concurrently with Apply (RocksDB is
// thread-safe); Apply calls must be serialised by the caller (one applier).

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "raft/types.h"

namespace rocksdb {
class DB;
}

namespace cairn::storage {

struct KvOp {
  enum class Kind : std::uint8_t { kPut, kDelete };
  Kind kind = Kind::kPut;
  std::string key;
  std::string value;  // kPut only
  // Whether the key is stored before this batch, if the caller knows: Write
  // keeps the key count with it instead of looking the key up.
  std::optional<bool> existed;
};

// What the store has applied: the Raft index and the term of its entry, and
// the replicated clock (kv/engine.h AppliedState). Written in the same
// WriteBatch as the data, so after a crash they always describe the data.
struct KvApplied {
  raft::Index index = 0;
  raft::Term term = 0;        // term of the entry at `index` (0 if unknown)
  std::int64_t clock_ms = 0;
  friend bool operator==(const KvApplied&, const KvApplied&) = default;
};

// One atomic write: optionally drop every user key first, then `ops` in
// order, then record `applied` and, if set, a new cluster record.
struct KvBatch {
  bool clear_first = false;
  std::vector<KvOp> ops;
  KvApplied applied;
  // The cluster's membership and addresses in force at `applied.index`,
  // opaque to the store (the node's net::ClusterRecord bytes). Unset keeps
  // the stored one. Being in the same batch, it always matches the index.
  std::optional<std::string> cluster;
};

class KvStore {
 public:
  static Result<std::unique_ptr<KvStore>> Open(const std::string& root);
  ~KvStore();
  KvStore(const KvStore&) = delete;
  KvStore& operator=(const KvStore&) = delete;

  // `index` must be above applied_index() (kInvalidArgument otherwise).
  Status Apply(raft::Index index, std::span<const KvOp> ops);
  // The general form: `batch.applied.index` must be above applied_index().
  // Keeps the key count exact: from each op's `existed`, or else one point lookup.
  Status Write(const KvBatch& batch);
  raft::Index applied_index() const { return applied_.index; }
  const KvApplied& applied() const { return applied_; }
  // User keys stored.
  std::uint64_t count() const { return count_; }
  // The last cluster record written (KvBatch::cluster), empty if none.
  const std::string& cluster() const { return cluster_; }
  // NotFound if absent.
  Result<std::string> Get(std::string_view key);
  // Nullopt if absent; safe to call concurrently with other reads.
  Result<std::optional<std::string>> Find(std::string_view key) const;
  // Replaces *out with up to `limit` (key, value) pairs with key >= from, ascending.
  Status Scan(std::string_view from, std::size_t limit,
              std::vector<std::pair<std::string, std::string>>* out) const;

  // Writes a checkpoint of the current state into `dir` (must not exist)
  // and returns the applied index it covers.
  Result<raft::Index> CreateCheckpoint(const std::string& dir);
  // The same without reading this object's state, so it may run on another
  // thread while Write() goes on: the checkpoint then holds the state at
  // some index at or after the applied index when the call began (its own
  // applied record says which).
  Status WriteCheckpoint(const std::string& dir) const;
  // Relative file names in a checkpoint directory, sorted.
  static Result<std::vector<std::string>> CheckpointFiles(const std::string& dir);
  // Replaces the live data under `root` with the checkpoint in `dir` (same
  // file system; `dir` is consumed). The store at `root` must be closed.
  static Status InstallCheckpoint(const std::string& root, const std::string& dir);

 private:
  KvStore(std::unique_ptr<rocksdb::DB> db, KvApplied applied, std::uint64_t count,
          std::string cluster);
  std::unique_ptr<rocksdb::DB> db_;
  KvApplied applied_;
  std::uint64_t count_ = 0;
  std::string cluster_;
};

}  // namespace cairn::storage
