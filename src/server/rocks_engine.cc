#include "server/rocks_engine.h"

#include "common/assert.h"

namespace cairn::server {
namespace {

storage::KvOp ToKvOp(const std::string& key, const std::optional<std::string>& value) {
  if (value) return {storage::KvOp::Kind::kPut, key, *value};
  return {storage::KvOp::Kind::kDelete, key, {}};
}

}  // namespace

Result<std::optional<std::string>> RocksEngine::Get(std::string_view key) const {
  if (grouping_) {
    if (auto it = group_writes_.find(key); it != group_writes_.end()) return it->second;
  }
  return store_->Find(key);
}

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

Status RocksEngine::Apply(const kv::EngineBatch& batch, const kv::AppliedState& state) {
  const storage::KvApplied applied{state.index, applying_term_, state.clock_ms};
  if (grouping_ && !batch.clear_first) {
    for (const auto& [key, value] : batch.writes) group_writes_[key] = value;
    group_applied_ = applied;
    if (next_cluster_) group_cluster_ = std::move(next_cluster_);
    next_cluster_.reset();
    return Status::Ok();
  }
  // Outside a group, or a batch that drops every key first (FLUSHDB): what
  // the group holds goes first, then this batch on its own.
  CAIRN_RETURN_IF_ERROR(Flush());
  storage::KvBatch out;
  out.clear_first = batch.clear_first;
  out.ops.reserve(batch.writes.size());
  for (const auto& [key, value] : batch.writes) out.ops.push_back(ToKvOp(key, value));
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
  for (const auto& [key, value] : group_writes_) out.ops.push_back(ToKvOp(key, value));
  out.applied = *group_applied_;
  out.cluster = std::move(group_cluster_);
  group_writes_.clear();
  group_applied_.reset();
  group_cluster_.reset();
  return store_->Write(out);
}

}  // namespace cairn::server
