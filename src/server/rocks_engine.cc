#include "server/rocks_engine.h"

#include <algorithm>

#include "common/assert.h"

namespace cairn::server {
namespace {

storage::KvOp ToKvOp(std::string key, std::optional<std::string> value,
                     std::optional<bool> existed) {
  if (value) return {storage::KvOp::Kind::kPut, std::move(key), std::move(*value), existed};
  return {storage::KvOp::Kind::kDelete, std::move(key), {}, existed};
}

// Whether the batch says its i-th key was stored before it.
std::optional<bool> Existed(const kv::EngineBatch& batch, std::size_t i) {
  if (i >= batch.existed.size()) return std::nullopt;
  return batch.existed[i];
}

// Charged per cached entry besides the key and value bytes: the entry's
// fields, its index slot and policy links (an estimate, so the bound holds
// within a small factor for tiny values too).
constexpr std::uint64_t kEntryOverheadBytes = 96;
// The entry bound, one per this many bytes of the byte bound: the cache
// sizes its index and frequency sketch for max_entries up front (measured:
// about 8 MB of RSS per node for the default 64 MiB). Tiny values are then
// bounded by count before bytes.
constexpr std::uint64_t kBytesPerEntrySlot = 512;

}  // namespace

RocksEngine::RocksEngine(std::unique_ptr<storage::KvStore> store, std::size_t cache_bytes)
    : store_(std::move(store)), cache_bytes_(cache_bytes), cache_(NewCache()) {}

std::unique_ptr<RocksEngine::ReadCache> RocksEngine::NewCache() const {
  if (cache_bytes_ == 0) return nullptr;
  cache::CacheOptions o;
  o.max_bytes = cache_bytes_;
  o.max_entries = std::max<std::size_t>(1, cache_bytes_ / kBytesPerEntrySlot);
  o.shards = 4;  // one thread uses it: shards only split the policy
  o.early_refresh_beta = 0;
  return std::make_unique<ReadCache>(
      o, [](const std::string& key, const std::optional<std::string>& value) {
        return kEntryOverheadBytes + key.size() + (value ? value->size() : 0);
      });
}

Result<std::optional<std::string>> RocksEngine::Get(std::string_view key) const {
  if (grouping_) {
    if (auto it = group_writes_.find(key); it != group_writes_.end()) return it->second.value;
  }
  if (!cache_) return store_->Find(key);
  thread_local std::string k;  // the cache looks up by std::string: reuse one
  k.assign(key);
  if (auto hit = cache_->Get(k)) return std::move(*hit);
  auto found = store_->Find(key);
  if (found.ok()) cache_->Put(k, *found);
  return found;
}

void RocksEngine::Forget(const std::string& key) const {
  if (cache_) cache_->Invalidate(key);
}

cache::CacheStats RocksEngine::cache_stats() const {
  cache::CacheStats s = dropped_stats_;
  if (cache_) {
    cache::CacheStats now = cache_->Stats();
    s.hits += now.hits;
    s.negative_hits += now.negative_hits;
    s.misses += now.misses;
    s.evictions += now.evictions;
  }
  return s;
}

std::uint64_t RocksEngine::cache_bytes_used() const { return cache_ ? cache_->WeightedBytes() : 0; }

Status RocksEngine::Scan(std::string_view from, std::size_t limit,
                         std::vector<std::pair<std::string, std::string>>* out) const {
  CAIRN_CHECK(!grouping_ || !group_applied_, "scan inside an apply group");
  return store_->Scan(from, limit, out);
}

std::uint64_t RocksEngine::Count() const {
  CAIRN_CHECK(!grouping_ || !group_applied_, "count inside an apply group");
  return store_->count();
}

kv::AppliedState RocksEngine::applied() const {
  const storage::KvApplied& a = group_applied_ ? *group_applied_ : store_->applied();
  return {a.index, a.clock_ms};
}

Status RocksEngine::Apply(kv::EngineBatch batch, const kv::AppliedState& state) {
  const storage::KvApplied applied{state.index, applying_term_, state.clock_ms};
  if (grouping_ && !batch.clear_first) {
    // The cache may hold a key's pre-group value meanwhile: Get looks in
    // group_writes_ first, and Flush brings the cache up to date.
    for (std::size_t i = 0; i < batch.writes.size(); ++i) {
      auto& [key, value] = batch.writes[i];
      auto [it, fresh] = group_writes_.try_emplace(std::move(key));
      // The first write of a key in the group says whether it was stored
      // before the group (its Get saw no earlier write of the group).
      if (fresh) it->second.existed = Existed(batch, i);
      it->second.value = std::move(value);
    }
    group_applied_ = applied;
    if (next_cluster_) group_cluster_ = std::move(next_cluster_);
    next_cluster_.reset();
    return Status::Ok();
  }
  // Outside a group, or a batch that drops every key first (FLUSHDB): what
  // the group holds goes first, then this batch on its own.
  CAIRN_RETURN_IF_ERROR(Flush());
  if (batch.clear_first && cache_) {
    dropped_stats_ = cache_stats();
    cache_ = NewCache();
  }
  for (const auto& [key, value] : batch.writes) Forget(key);
  storage::KvBatch out;
  out.clear_first = batch.clear_first;
  out.ops.reserve(batch.writes.size());
  for (std::size_t i = 0; i < batch.writes.size(); ++i) {
    auto& [key, value] = batch.writes[i];
    out.ops.push_back(ToKvOp(std::move(key), std::move(value), Existed(batch, i)));
  }
  out.applied = applied;
  out.cluster = std::move(next_cluster_);
  next_cluster_.reset();
  return store_->Write(out);
}

void RocksEngine::BeginGroup() {
  CAIRN_CHECK(!grouping_, "apply groups do not nest");
  grouping_ = true;
}

Status RocksEngine::EndGroup() {
  CAIRN_CHECK(grouping_, "EndGroup without BeginGroup");
  Status s = Flush();
  grouping_ = false;
  return s;
}

Status RocksEngine::Flush() {
  if (!group_applied_) return Status::Ok();
  storage::KvBatch out;
  out.ops.reserve(group_writes_.size());
  // (extracted: the keys move out of the map's nodes, in order)
  while (!group_writes_.empty()) {
    auto node = group_writes_.extract(group_writes_.begin());
    GroupWrite& w = node.mapped();
    out.ops.push_back(ToKvOp(std::move(node.key()), std::move(w.value), w.existed));
  }
  out.applied = *group_applied_;
  out.cluster = std::move(group_cluster_);
  Status s = store_->Write(out);
  // Write-through, once per key per group, for keys the cache holds: a hot
  // key's next write (it reads the old record for its version) and reads
  // then hit. After the write, so a refused batch leaves the cache and the
  // store agreeing on the old values.
  if (s.ok() && cache_) {
    for (storage::KvOp& op : out.ops) {
      cache_->Replace(op.key, op.kind == storage::KvOp::Kind::kPut
                                  ? std::optional<std::string>(std::move(op.value))
                                  : std::nullopt);
    }
  }
  group_applied_.reset();
  group_cluster_.reset();
  return s;
}

}  // namespace cairn::server
