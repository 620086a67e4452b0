#include "kv/engine.h"

namespace cairn::kv {

Result<std::optional<std::string>> MemoryEngine::Get(std::string_view key) const {
  auto it = map_.find(key);
  if (it == map_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status MemoryEngine::Scan(std::string_view from, std::size_t limit,
                          std::vector<std::pair<std::string, std::string>>* out) const {
  out->clear();
  for (auto it = map_.lower_bound(from); it != map_.end() && out->size() < limit; ++it) {
    out->emplace_back(it->first, it->second);
  }
  return Status::Ok();
}

Status MemoryEngine::Apply(EngineBatch batch, const AppliedState& state) {
  if (batch.clear_first) map_.clear();
  for (auto& [key, value] : batch.writes) {
    if (value) {
      map_.insert_or_assign(std::move(key), std::move(*value));
    } else {
      map_.erase(key);
    }
  }
  applied_ = state;
  return Status::Ok();
}

}  // namespace cairn::kv
