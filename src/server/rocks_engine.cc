#include "server/rocks_engine.h"

namespace cairn::server {

Status RocksEngine::Apply(const kv::EngineBatch& batch, const kv::AppliedState& state) {
  storage::KvBatch out;
  out.clear_first = batch.clear_first;
  out.ops.reserve(batch.writes.size());
  for (const auto& [key, value] : batch.writes) {
    if (value) {
      out.ops.push_back({storage::KvOp::Kind::kPut, key, *value});
    } else {
      out.ops.push_back({storage::KvOp::Kind::kDelete, key, {}});
    }
  }
  out.applied = {state.index, applying_term_, state.clock_ms};
  out.cluster = std::move(next_cluster_);
  next_cluster_.reset();
  return store_->Write(out);
}

}  // namespace cairn::server
