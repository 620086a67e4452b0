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
// Thread-safety: none (the node's loop thread owns it).

#include <memory>

#include "kv/engine.h"
#include "storage/kv_store.h"

namespace cairn::server {

class RocksEngine final : public kv::Engine {
 public:
  explicit RocksEngine(std::unique_ptr<storage::KvStore> store) : store_(std::move(store)) {}

  Result<std::optional<std::string>> Get(std::string_view key) const override {
    return store_->Find(key);
  }
  Status Scan(std::string_view from, std::size_t limit,
              std::vector<std::pair<std::string, std::string>>* out) const override {
    return store_->Scan(from, limit, out);
  }
  std::uint64_t Count() const override { return store_->count(); }
  Status Apply(const kv::EngineBatch& batch, const kv::AppliedState& state) override;
  kv::AppliedState applied() const override {
    return {store_->applied().index, store_->applied().clock_ms};
  }

  void set_applying_term(raft::Term term) { applying_term_ = term; }
  // The next Apply also saves this cluster record (net/cluster_record.h),
  // in the same batch: the driver sets it before applying a configuration
  // entry, so the record always describes the membership at the applied index.
  void set_next_cluster(std::string record) { next_cluster_ = std::move(record); }
  storage::KvStore& store() { return *store_; }

 private:
  std::unique_ptr<storage::KvStore> store_;
  raft::Term applying_term_ = 0;
  std::optional<std::string> next_cluster_;
};

}  // namespace cairn::server
