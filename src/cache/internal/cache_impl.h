#pragma once
// Template bodies of cache/cache.h. Include cache/cache.h, not this file.

#include <algorithm>

#include "common/assert.h"

namespace cairn::cache {

template <typename K, typename V, typename Hash>
Cache<K, V, Hash>::Cache(const CacheOptions& options, Weigher weigher)
    : options_(options),
      clock_(options.clock != nullptr ? options.clock : &SystemClock::Instance()),
      weigher_(std::move(weigher)),
      arena_(sizeof(Entry), alignof(Entry), options.max_entries) {
  CAIRN_CHECK(options.max_entries > 0, "max_entries must be positive");
  // Small caches get fewer shards: each shard's policy needs room to work.
  std::size_t shards = 1;
  const std::size_t wanted =
      std::min(options.shards, std::max<std::size_t>(1, options.max_entries / 64));
  while (shards * 2 <= wanted) shards *= 2;
  shard_mask_ = shards - 1;
  for (std::size_t i = 0; i < shards; ++i) {
    auto shard = std::make_unique<Shard>();
    PolicyConfig pc;
    pc.max_entries = (options.max_entries + shards - 1) / shards;
    pc.max_bytes = options.max_bytes == 0 ? 0 : (options.max_bytes + shards - 1) / shards;
    pc.adaptive = options.adaptive_window;
    shard->policy = std::make_unique<TinyLfuPolicy>(pc);
    // Room for the entry bound up front (capped: a byte-bounded cache may
    // never reach a huge entry bound); the index grows past it if needed.
    shard->index = internal::FlatIndex<Entry>(std::min<std::size_t>(pc.max_entries, 1 << 16));
    shards_.push_back(std::move(shard));
  }
}

template <typename K, typename V, typename Hash>
bool Cache<K, V, Hash>::ShouldRefreshEarly(const Entry& e, std::int64_t now_ns) const {
  // XFetch (Vattani et al.): refresh when now - delta * beta * ln(U) >= expiry,
  // so the chance rises smoothly as expiry nears and slow loads start earlier.
  if (options_.early_refresh_beta <= 0 || e.expire_at_ns == kNever || e.load_ns <= 0) return false;
  thread_local Xoshiro256 rng(0x9e3779b97f4a7c15ULL ^ reinterpret_cast<std::uintptr_t>(&rng));
  const double u = 1.0 - rng.NextDouble();  // (0, 1]
  const double head_start_ns =
      -static_cast<double>(e.load_ns) * options_.early_refresh_beta * std::log(u);
  return static_cast<double>(now_ns) + head_start_ns >= static_cast<double>(e.expire_at_ns);
}

template <typename K, typename V, typename Hash>
Cache<K, V, Hash>::~Cache() {
  for (auto& s : shards_) s->index.ForEach([this](Entry* e) { DeleteEntry(e); });
}

template <typename K, typename V, typename Hash>
typename Cache<K, V, Hash>::Entry* Cache<K, V, Hash>::FindEntry(Shard& s, std::uint64_t h,
                                                                const K& key) {
  return s.index.Find(h, [&](const Entry& e) { return e.key == key; });
}

template <typename K, typename V, typename Hash>
typename Cache<K, V, Hash>::Lookup Cache<K, V, Hash>::Find(Shard& s, std::uint64_t h, const K& key,
                                                           bool want_refresh, bool count_miss) {
  Lookup out;
  s.index.Prefetch(h);  // overlaps the slot's cache miss with taking the lock
  std::unique_lock<internal::SpinLock> lock(s.map_mu);
  Entry* e = FindEntry(s, h, key);
  if (e != nullptr && e->expire_at_ns != kNever) {
    const std::int64_t now_ns = NowNs();
    if (now_ns >= e->expire_at_ns) {
      e = nullptr;
    } else {
      out.refresh_early = want_refresh && ShouldRefreshEarly(*e, now_ns);
    }
  }
  if (e == nullptr) {
    if (count_miss) Bump(s.lookups.misses);
    return out;
  }
  out.found = e->value.has_value() ? Found::kHit : Found::kNegative;
  out.value = e->value;
  Bump(out.found == Found::kHit ? s.lookups.hits : s.lookups.negative_hits);
  // The hit that fills the buffer drains it if the policy is free; otherwise
  // later events are dropped until some drain (every write drains too).
  // try_lock while holding map_mu cannot deadlock; holding policy_mu from
  // before the events leave the buffer until they are applied keeps every
  // buffered node alive (nodes are freed only under policy_mu).
  if (s.reads.Push(e) && s.policy_mu.try_lock()) {
    ReadBatch batch;
    TakeReads(s, &batch);
    lock.unlock();
    ApplyReads(s, &batch);
    s.policy_mu.unlock();
  }
  return out;
}

template <typename K, typename V, typename Hash>
void Cache<K, V, Hash>::TakeReads(Shard& s, ReadBatch* batch) {
  batch->count = s.reads.TakeAll(batch->nodes);
}

template <typename K, typename V, typename Hash>
void Cache<K, V, Hash>::ApplyReads(Shard& s, ReadBatch* batch) {
  // A writer may have unlinked a node after it was buffered (it is freed
  // only after this drain): skip those.
  std::uint32_t live = 0;
  for (std::uint32_t i = 0; i < batch->count; ++i)
    if (batch->nodes[i]->queue != Queue::kNone) batch->nodes[live++] = batch->nodes[i];
  s.policy->RecordAccesses(batch->nodes, live);
  batch->count = 0;
}

template <typename K, typename V, typename Hash>
std::optional<V> Cache<K, V, Hash>::Get(const K& key) {
  const std::uint64_t h = HashOf(key);
  return std::move(Find(ShardFor(h), h, key, /*want_refresh=*/false, /*count_miss=*/true).value);
}

// Writers hold policy_mu throughout but the map lock (which readers spin on)
// only for the index changes and to take the buffered reads out; the policy
// work runs with readers free to proceed.
template <typename K, typename V, typename Hash>
bool Cache<K, V, Hash>::Insert(Shard& s, std::uint64_t h, const K& key, std::optional<V> value,
                               Nanos ttl, std::int64_t load_ns, bool only_if_present) {
  const std::uint64_t weight = value.has_value() && weigher_ ? weigher_(key, *value) : 1;
  const std::int64_t expire_at_ns = ttl.count() > 0 ? NowNs() + ttl.count() : kNever;
  std::vector<PolicyNode*> evicted;
  ReadBatch batch;
  bool present = false;
  {
    std::lock_guard<std::mutex> policy_lock(s.policy_mu);
    Entry* e = nullptr;
    {
      std::lock_guard<internal::SpinLock> map_lock(s.map_mu);
      e = FindEntry(s, h, key);
      if (e != nullptr) {
        std::swap(e->value, value);  // the old value is destroyed outside the lock
        e->expire_at_ns = expire_at_ns;
        e->load_ns = load_ns;
      }
    }
    present = e != nullptr;
    if (e == nullptr && only_if_present) return false;
    if (e == nullptr) {
      // Only writers insert and they hold policy_mu, so the key stays absent.
      e = NewEntry();
      e->key_hash = h;
      e->weight_bytes = weight;
      e->key = key;
      e->value = std::move(value);
      e->expire_at_ns = expire_at_ns;
      e->load_ns = load_ns;
      std::lock_guard<internal::SpinLock> map_lock(s.map_mu);
      s.index.Insert(h, e);
      TakeReads(s, &batch);
    }
    ApplyReads(s, &batch);
    if (e->queue == Queue::kNone) {
      s.policy->Add(e, &evicted);
    } else {
      s.policy->UpdateWeight(e, weight, &evicted);
    }
    if (!evicted.empty()) {
      {
        std::lock_guard<internal::SpinLock> map_lock(s.map_mu);
        for (PolicyNode* n : evicted) {
          CAIRN_CHECK(s.index.Erase(n->key_hash, static_cast<Entry*>(n)),
                      "evicted entry missing from the index");
        }
        // Readers may have buffered a victim before it left the index.
        TakeReads(s, &batch);
      }
      ApplyReads(s, &batch);
    }
  }
  // Unreachable now: out of the index, the policy and every read buffer.
  for (PolicyNode* n : evicted) DeleteEntry(static_cast<Entry*>(n));
  s.counters.evictions.fetch_add(evicted.size(), std::memory_order_relaxed);
  return present;
}

template <typename K, typename V, typename Hash>
void Cache<K, V, Hash>::Put(const K& key, V value, Nanos ttl) {
  const std::uint64_t h = HashOf(key);
  Insert(ShardFor(h), h, key, std::move(value), ttl.count() > 0 ? ttl : options_.default_ttl, 0);
}

template <typename K, typename V, typename Hash>
void Cache<K, V, Hash>::PutNotFound(const K& key) {
  const std::uint64_t h = HashOf(key);
  Insert(ShardFor(h), h, key, std::nullopt, options_.negative_ttl, 0);
}

template <typename K, typename V, typename Hash>
bool Cache<K, V, Hash>::Replace(const K& key, V value, Nanos ttl) {
  const std::uint64_t h = HashOf(key);
  return Insert(ShardFor(h), h, key, std::move(value), ttl.count() > 0 ? ttl : options_.default_ttl,
                0, /*only_if_present=*/true);
}

template <typename K, typename V, typename Hash>
bool Cache<K, V, Hash>::Invalidate(const K& key) {
  const std::uint64_t h = HashOf(key);
  Shard& s = ShardFor(h);
  Entry* e = nullptr;
  {
    std::lock_guard<std::mutex> policy_lock(s.policy_mu);
    ReadBatch batch;
    {
      std::lock_guard<internal::SpinLock> map_lock(s.map_mu);
      e = FindEntry(s, h, key);
      if (e == nullptr) return false;
      s.index.Erase(h, e);
      TakeReads(s, &batch);  // may hold e; applied before e leaves the policy
    }
    ApplyReads(s, &batch);
    s.policy->Remove(e);
  }
  DeleteEntry(e);
  return true;
}

template <typename K, typename V, typename Hash>
typename Cache<K, V, Hash>::LoadResult Cache<K, V, Hash>::GetOrLoad(const K& key,
                                                                    const Loader& loader) {
  const std::uint64_t h = HashOf(key);
  Shard& s = ShardFor(h);
  Lookup l = Find(s, h, key, /*want_refresh=*/true, /*count_miss=*/false);
  if (l.found != Found::kMiss && !l.refresh_early) return LoadResult(std::move(l.value));
  std::shared_ptr<Flight> flight;
  bool leader = false;
  {
    std::lock_guard<internal::SpinLock> lock(s.map_mu);
    auto it = s.flights.find(key);
    if (it != s.flights.end()) {
      flight = it->second;
    } else {
      flight = std::make_shared<Flight>();
      s.flights.emplace(key, flight);
      leader = true;
    }
  }
  if (l.found != Found::kMiss) {
    // Early refresh: one caller reloads, everyone (that caller included) is served the live value.
    if (leader) {
      s.counters.early_refreshes.fetch_add(1, std::memory_order_relaxed);
      (void)RunLoad(s, h, key, loader, flight);
    }
    return LoadResult(std::move(l.value));
  }
  if (leader) {
    // A flight for this key may have ended between our lookup and taking
    // map_mu: its value is in the cache now (RunLoad inserts before it ends
    // the flight), and loading again would break one-load-per-key.
    Lookup again = Find(s, h, key, /*want_refresh=*/false, /*count_miss=*/false);
    if (again.found != Found::kMiss) {
      LoadResult result(std::move(again.value));
      EndFlight(s, key, flight, result);
      return result;
    }
  }
  {
    std::lock_guard<internal::SpinLock> lock(s.map_mu);
    Bump(s.lookups.misses);
  }
  if (leader) return RunLoad(s, h, key, loader, flight);
  std::unique_lock<std::mutex> wait(flight->mu);
  flight->cv.wait(wait, [&] { return flight->done; });
  return *flight->result;
}

template <typename K, typename V, typename Hash>
typename Cache<K, V, Hash>::LoadResult Cache<K, V, Hash>::RunLoad(
    Shard& s, std::uint64_t h, const K& key, const Loader& loader,
    const std::shared_ptr<Flight>& flight) {
  const std::int64_t start_ns = NowNs();
  LoadResult result = loader(key);
  const std::int64_t load_ns = std::max<std::int64_t>(NowNs() - start_ns, 0);
  s.counters.load_time_ns.fetch_add(static_cast<std::uint64_t>(load_ns), std::memory_order_relaxed);
  if (result.ok()) {
    s.counters.loads_ok.fetch_add(1, std::memory_order_relaxed);
    const bool found = result->has_value();
    // Insert before the flight ends, so a caller arriving after it finds the entry.
    Insert(s, h, key, *result, found ? options_.default_ttl : options_.negative_ttl, load_ns);
  } else {
    s.counters.loads_failed.fetch_add(1, std::memory_order_relaxed);
  }
  EndFlight(s, key, flight, result);
  return result;
}

// Removes the flight (later callers find the cache entry instead) and wakes
// its waiters with `result`.
template <typename K, typename V, typename Hash>
void Cache<K, V, Hash>::EndFlight(Shard& s, const K& key, const std::shared_ptr<Flight>& flight,
                                  const LoadResult& result) {
  {
    std::lock_guard<internal::SpinLock> lock(s.map_mu);
    s.flights.erase(key);
  }
  {
    std::lock_guard<std::mutex> lock(flight->mu);
    flight->result.emplace(result);
    flight->done = true;
  }
  flight->cv.notify_all();
}

template <typename K, typename V, typename Hash>
CacheStats Cache<K, V, Hash>::Stats() const {
  CacheStats out;
  for (const auto& s : shards_) {
    const Counters& c = s->counters;
    out.hits += s->lookups.hits.load(std::memory_order_relaxed);
    out.negative_hits += s->lookups.negative_hits.load(std::memory_order_relaxed);
    out.misses += s->lookups.misses.load(std::memory_order_relaxed);
    out.evictions += c.evictions.load(std::memory_order_relaxed);
    out.loads_ok += c.loads_ok.load(std::memory_order_relaxed);
    out.loads_failed += c.loads_failed.load(std::memory_order_relaxed);
    out.load_time_ns += c.load_time_ns.load(std::memory_order_relaxed);
    out.early_refreshes += c.early_refreshes.load(std::memory_order_relaxed);
  }
  return out;
}

template <typename K, typename V, typename Hash>
std::size_t Cache<K, V, Hash>::EntryCount() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard<internal::SpinLock> lock(s->map_mu);
    n += s->index.size();
  }
  return n;
}

template <typename K, typename V, typename Hash>
std::uint64_t Cache<K, V, Hash>::WeightedBytes() const {
  std::uint64_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard<std::mutex> lock(s->policy_mu);
    n += s->policy->bytes();
  }
  return n;
}

}  // namespace cairn::cache
