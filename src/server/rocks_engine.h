#pragma once
// RocksEngine: kv::Engine on storage::KvStore (RocksDB), the node's state
// machine store when it has a data_dir.
//
// Each Apply is one RocksDB WriteBatch carrying the data, the applied index
// and clock, and the term of the entry being applied. The term is not part
// of kv::Engine's interface: the driver announces it with
// set_applying_term() before handing the entry to the state machine, so the
// store's applied (index, term) can stand for a Raft snapshot on restart.
//
// Group commit: between BeginGroup() and EndGroup() Apply only collects
// (the latest value of each key written, the last applied state, the last
// cluster record), and EndGroup() writes them as ONE RocksDB batch. A slice
// of hundreds of entries then costs one batch and one RocksDB WAL record
// instead of one per entry (with the metadata keys rewritten each time).
// The batch covers a prefix of the log, so a crash still leaves the store at
// some applied index with exactly the data up to it. Get sees the collected
// writes; Scan and Count must not be called inside a group (CHECKed: the
// driver answers clients only after EndGroup).
//
// Read cache: with cache_bytes > 0, Get keeps what it read from RocksDB
// (a value, or "absent") in a W-TinyLFU cache (cache/cache.h) bounded by
// that many bytes. Invariant: a cached entry always equals what the store
// holds for the key once the open group is written. When a group's batch
// is written, the new value of each key it wrote is stored in the cache if
// the cache holds the key (once per key, however often the group wrote it);
// outside a group, Apply invalidates the keys before the store changes. A
// batch that drops every key (FLUSHDB) empties the cache, and a snapshot
// install opens a new engine. Writes never admit a key (that would cost
// every replica an insert per written key whether or not anyone reads it);
// every Get miss does, the apply path's reads of old records included.
//
// Thread-safety: none (the node's loop thread owns it).

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "cache/cache.h"
#include "kv/engine.h"
#include "storage/kv_store.h"

namespace cairn::server {

class RocksEngine final : public kv::Engine {
 public:
  // cache_bytes 0 disables the read cache.
  explicit RocksEngine(std::unique_ptr<storage::KvStore> store, std::size_t cache_bytes = 0);

  Result<std::optional<std::string>> Get(std::string_view key) const override;
  Status Scan(std::string_view from, std::size_t limit,
              std::vector<std::pair<std::string, std::string>>* out) const override;
  std::uint64_t Count() const override;
  Status Apply(kv::EngineBatch batch, const kv::AppliedState& state) override;
  kv::AppliedState applied() const override;

  void BeginGroup();
  // Writes what the group collected (nothing if it applied nothing).
  Status EndGroup();

  void set_applying_term(raft::Term term) { applying_term_ = term; }
  // The next Apply also saves this cluster record (net/cluster_record.h),
  // in the same batch: the driver sets it before applying a configuration
  // entry, so the record always describes the membership at the applied index.
  void set_next_cluster(std::string record) { next_cluster_ = std::move(record); }
  storage::KvStore& store() { return *store_; }
  // Hits and misses of the read cache (zeros when it is off).
  cache::CacheStats cache_stats() const;
  std::uint64_t cache_bytes_used() const;

 private:
  using ReadCache = cache::Cache<std::string, std::optional<std::string>>;
  std::unique_ptr<ReadCache> NewCache() const;
  void Forget(const std::string& key) const;

  std::unique_ptr<storage::KvStore> store_;
  std::size_t cache_bytes_ = 0;
  // Mutable: Get is const in kv::Engine and fills the cache.
  mutable std::unique_ptr<ReadCache> cache_;
  cache::CacheStats dropped_stats_;  // counters of caches emptied by FLUSHDB
  raft::Term applying_term_ = 0;
  std::optional<std::string> next_cluster_;
  Status Flush();
  // The open group (see above): ordered, so the batch is deterministic.
  bool grouping_ = false;
  struct GroupWrite {
    std::optional<std::string> value;  // nullopt: deleted
    // Whether the key was stored before the group, if the batches said
    // (kv::EngineBatch::existed), for the store's key count.
    std::optional<bool> existed;
  };
  std::map<std::string, GroupWrite, std::less<>> group_writes_;
  std::optional<storage::KvApplied> group_applied_;
  std::optional<std::string> group_cluster_;
};

}  // namespace cairn::server
