#include "bench/cache/policies.h"

#include <limits>
#include <list>
#include <memory>
#include <set>
#include <unordered_map>

namespace cairn::cache::bench {

double LruHitRatio(const std::vector<std::uint64_t>& trace, std::size_t capacity) {
  std::list<std::uint64_t> order;  // front = MRU
  std::unordered_map<std::uint64_t, std::list<std::uint64_t>::iterator> where;
  where.reserve(capacity * 2);
  std::size_t hits = 0;
  for (std::uint64_t k : trace) {
    auto it = where.find(k);
    if (it != where.end()) {
      ++hits;
      order.splice(order.begin(), order, it->second);
      continue;
    }
    order.push_front(k);
    where[k] = order.begin();
    if (order.size() > capacity) {
      where.erase(order.back());
      order.pop_back();
    }
  }
  return static_cast<double>(hits) / trace.size();
}

double OptHitRatio(const std::vector<std::uint64_t>& trace, std::size_t capacity) {
  constexpr std::size_t kNever = std::numeric_limits<std::size_t>::max();
  std::vector<std::size_t> next_use(trace.size());
  std::unordered_map<std::uint64_t, std::size_t> last_seen;
  for (std::size_t i = trace.size(); i-- > 0;) {
    auto it = last_seen.find(trace[i]);
    next_use[i] = it == last_seen.end() ? kNever : it->second;
    last_seen[trace[i]] = i;
  }
  std::set<std::pair<std::size_t, std::uint64_t>> by_next;  // resident keys by next use
  std::unordered_map<std::uint64_t, std::size_t> resident;   // key -> its next use
  std::size_t hits = 0;
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const std::uint64_t k = trace[i];
    auto it = resident.find(k);
    if (it != resident.end()) {
      ++hits;
      by_next.erase({it->second, k});
      it->second = next_use[i];
      by_next.insert({next_use[i], k});
      continue;
    }
    if (next_use[i] == kNever) continue;  // never used again: bypass
    if (resident.size() >= capacity) {
      auto farthest = std::prev(by_next.end());
      if (farthest->first <= next_use[i]) continue;  // the newcomer is the worst choice
      resident.erase(farthest->second);
      by_next.erase(farthest);
    }
    resident[k] = next_use[i];
    by_next.insert({next_use[i], k});
  }
  return static_cast<double>(hits) / trace.size();
}

double TinyLfuHitRatio(const std::vector<std::uint64_t>& trace, const PolicyConfig& config,
                       double* final_window_fraction) {
  TinyLfuPolicy policy(config);
  std::unordered_map<std::uint64_t, std::unique_ptr<PolicyNode>> nodes;
  nodes.reserve(config.max_entries * 2);
  std::vector<PolicyNode*> evicted;
  std::size_t hits = 0;
  for (std::uint64_t k : trace) {
    auto it = nodes.find(k);
    if (it != nodes.end()) {
      ++hits;
      policy.RecordAccess(it->second.get());
      continue;
    }
    auto node = std::make_unique<PolicyNode>();
    node->key_hash = k;
    PolicyNode* raw = node.get();
    nodes.emplace(k, std::move(node));
    evicted.clear();
    policy.Add(raw, &evicted);
    for (PolicyNode* n : evicted) nodes.erase(n->key_hash);
  }
  if (final_window_fraction != nullptr) *final_window_fraction = policy.window_fraction();
  return static_cast<double>(hits) / trace.size();
}

}  // namespace cairn::cache::bench
