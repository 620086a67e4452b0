#include "server/tracking.h"

#include "common/assert.h"

namespace cairn::server {

WrittenSet WrittenKeys(const kv::LogEntry& entry) {
  WrittenSet out;
  std::vector<std::string>& keys = out.keys;
  for (const kv::Op& op : entry.ops) {
    if (op.code == kv::OpCode::kFlushDb) out.all = true;
    if (op.code == kv::OpCode::kExpireUpTo) out.expiry = true;
    kv::AppendWrittenKeys(op, &keys);  // (reads inside a transaction change nothing)
  }
  return out;
}

std::vector<std::string> ReadKeys(const kv::Op& op) {
  // A script's declared KEYS: what it reads, if it declares what it touches
  // (Redis Cluster asks that of scripts too).
  if (op.code == kv::OpCode::kEval) {
    const auto first = op.args.begin() + 1;
    return {first, first + static_cast<std::ptrdiff_t>(op.num)};
  }
  if (kv::IsWrite(op.code) || op.code == kv::OpCode::kScan || op.code == kv::OpCode::kDbSize ||
      op.code == kv::OpCode::kKeys || op.code == kv::OpCode::kRandomKey) {
    return {};
  }
  if (op.code == kv::OpCode::kExists || op.code == kv::OpCode::kMGet ||
      op.code == kv::OpCode::kSCombine || op.code == kv::OpCode::kPfCount) {
    return op.args;
  }
  if (op.code == kv::OpCode::kLcs) return {op.args[0], op.args[1]};  // (then its options)
  if (op.code == kv::OpCode::kZCombine) {  // its keys, then its weights
    return {op.args.begin(), op.args.begin() + static_cast<std::ptrdiff_t>(op.num)};
  }
  if (op.code == kv::OpCode::kXRead) {  // its keys, then their IDs
    return {op.args.begin(), op.args.begin() + static_cast<std::ptrdiff_t>(op.num2)};
  }
  return {op.args[0]};  // every other read names one key, first
}

void TrackingTable::EnableDefault(std::uint64_t conn) {
  modes_[conn] = false;
  prefixes_.erase(conn);
}

void TrackingTable::EnableBroadcast(std::uint64_t conn, std::vector<std::string> prefixes) {
  modes_[conn] = true;
  prefixes_[conn] = std::move(prefixes);
}

const std::vector<std::string>* TrackingTable::BroadcastPrefixes(std::uint64_t conn) const {
  auto mode = modes_.find(conn);
  if (mode == modes_.end() || !mode->second) return nullptr;
  auto it = prefixes_.find(conn);
  static const std::vector<std::string> kNone;
  return it == prefixes_.end() ? &kNone : &it->second;
}

void TrackingTable::Disable(std::uint64_t conn) {
  modes_.erase(conn);
  prefixes_.erase(conn);
}

Invalidations TrackingTable::Track(std::uint64_t conn, std::string_view key) {
  Invalidations out;
  auto mode = modes_.find(conn);
  if (mode == modes_.end() || mode->second) return out;
  auto it = readers_.find(std::string(key));
  if (it != readers_.end()) {
    it->second.conns.insert(conn);
    return out;
  }
  if (keys_max_ > 0 && readers_.size() >= keys_max_) {
    // Evict the oldest-tracked key: its readers drop it, so nothing stale survives.
    auto old = readers_.find(order_.front());
    CAIRN_CHECK(old != readers_.end(), "tracking order lists an unknown key");
    for (std::uint64_t c : old->second.conns) {
      if (IsTracking(c)) out[c].push_back(old->first);
    }
    readers_.erase(old);
    order_.pop_front();
  }
  order_.emplace_back(key);
  Readers r;
  r.conns.insert(conn);
  r.age = std::prev(order_.end());
  readers_.emplace(std::string(key), std::move(r));
  return out;
}

Invalidations TrackingTable::OnWrite(const std::vector<std::string>& keys) {
  Invalidations out;
  for (const std::string& key : keys) {
    auto it = readers_.find(key);
    if (it != readers_.end()) {
      for (std::uint64_t c : it->second.conns) {
        auto mode = modes_.find(c);
        if (mode != modes_.end() && !mode->second) out[c].push_back(key);
      }
      order_.erase(it->second.age);
      readers_.erase(it);
    }
    for (const auto& [c, prefixes] : prefixes_) {
      bool match = prefixes.empty();
      for (const std::string& p : prefixes) {
        if (key.compare(0, p.size(), p) == 0) {
          match = true;
          break;
        }
      }
      if (match) out[c].push_back(key);
    }
  }
  return out;
}

std::vector<std::uint64_t> TrackingTable::OnFlushAll() {
  readers_.clear();
  order_.clear();
  std::vector<std::uint64_t> out;
  for (const auto& [c, bcast] : modes_) out.push_back(c);
  return out;
}

}  // namespace cairn::server
