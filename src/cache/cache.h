#pragma once
// Cache<K, V>: a concurrent in-process cache bounded by entries and bytes,
// with TTLs, W-TinyLFU admission/eviction, single-flight loading, XFetch-style
// early refresh and negative caching.
//
//   Cache<std::string, std::string> cache({.max_entries = 100'000});
//   auto v = cache.GetOrLoad(key, [&](const std::string& k) -> Result<std::optional<std::string>> {
//     return backend.Read(k);   // nullopt = "not found", cached for negative_ttl
//   });
//
// Design: the key hash picks one of `shards` shards (lock striping). A hit
// takes only the shard's map spin lock (one atomic exchange; the unlock is a
// plain store) for a probe of the shard's open-addressing index and a value
// copy, counts itself and records the access in the shard's lossy read
// buffer with plain stores under that same lock. The W-TinyLFU bookkeeping
// runs in batches of ReadBuffer::kSlots, when the hit that fills the buffer
// wins a try_lock of the policy mutex. Writes take the policy mutex, then the
// map lock (always in that order).
//
// Values are copied out on a hit; store std::shared_ptr<const T> for big ones.
// Time: an entry with a TTL reads the injected Clock on each hit; entries
// without one never touch the clock. Expired entries read as misses and are
// replaced by the next Put/load or evicted by the size policy.
//
// Thread-safety: every public method may be called from any thread.
// Loaders run on the calling thread without any cache lock held; a loader
// must not call GetOrLoad for the same key (it would wait on itself).

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cache/frequency_sketch.h"
#include "cache/internal/entry_arena.h"
#include "cache/internal/flat_index.h"
#include "cache/internal/spin_lock.h"
#include "cache/read_buffer.h"
#include "cache/stats.h"
#include "cache/tinylfu_policy.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"

namespace cairn::cache {

struct CacheOptions {
  std::size_t max_entries = 10'000;             // > 0
  std::size_t max_bytes = 0;                    // 0 = bounded by entries only
  std::size_t shards = 16;                      // rounded to a power of two; fewer for small caches
  Nanos default_ttl{0};                         // 0 = entries never expire unless Put says so
  Nanos negative_ttl{std::chrono::seconds(1)};  // lifetime of a cached "not found"
  double early_refresh_beta = 1.0;              // XFetch beta; 0 disables early refresh
  bool adaptive_window = true;                  // hill-climb the W-TinyLFU window
  Clock* clock = nullptr;                       // nullptr = SystemClock::Instance()
};

template <typename K, typename V, typename Hash = std::hash<K>>
class Cache {
 public:
  // Returns the value, std::nullopt for "not found" (negatively cached), or
  // an error (not cached; every caller waiting on this load gets it).
  using LoadResult = Result<std::optional<V>>;
  using Loader = std::function<LoadResult(const K&)>;
  // Bytes charged for an entry against max_bytes.
  using Weigher = std::function<std::uint64_t(const K&, const V&)>;

  explicit Cache(const CacheOptions& options, Weigher weigher = nullptr);
  ~Cache();
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  // A live value, or nullopt on a miss or a cached "not found".
  std::optional<V> Get(const K& key);
  // Stores a value; ttl 0 means options.default_ttl.
  void Put(const K& key, V value, Nanos ttl = Nanos(0));
  // Caches "key does not exist" for options.negative_ttl.
  void PutNotFound(const K& key);
  // Removes the key; true if it was present.
  bool Invalidate(const K& key);
  // Stores a new value for a key only if the cache holds it, as a value or a
  // cached "not found" (a write-through that never admits a key by itself);
  // true if it did. ttl as for Put.
  bool Replace(const K& key, V value, Nanos ttl = Nanos(0));
  // Cached value, or one load shared by every concurrent caller of the key.
  LoadResult GetOrLoad(const K& key, const Loader& loader);

  CacheStats Stats() const;
  std::size_t EntryCount() const;
  // Sum of the weigher's charges for resident entries (entries count 1 without a weigher).
  std::uint64_t WeightedBytes() const;
  std::size_t ShardCount() const { return shards_.size(); }

 private:
  static constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

  // Allocated from arena_, owned by the shard (its index points at it); the
  // fields a hit reads come right after the policy links.
  struct Entry : PolicyNode {
    K key;
    std::int64_t expire_at_ns = kNever;
    std::optional<V> value;    // nullopt = negative entry
    std::int64_t load_ns = 0;  // last load's duration, for XFetch
  };

  // One in-progress load; waiters block on cv until done.
  struct Flight {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::optional<LoadResult> result;
  };

  // Lookup outcomes, counted on every Get/GetOrLoad. Written only under the
  // shard's map lock, so a relaxed load + store suffices (no atomic
  // read-modify-write on the hit path); atomics only so Stats() may read
  // them without the lock.
  struct LookupCounters {
    std::atomic<std::uint64_t> hits{0}, negative_hits{0}, misses{0};
  };
  // Counters off the hit path (loads, evictions): plain fetch_add.
  struct Counters {
    std::atomic<std::uint64_t> evictions{0}, loads_ok{0}, loads_failed{0}, load_time_ns{0},
        early_refreshes{0};
  };

  struct alignas(64) Shard {
    // Hit path: the lock, the index and the read buffer come first.
    internal::SpinLock map_mu;
    internal::FlatIndex<Entry> index;  // guarded by map_mu; owns its entries
    LookupCounters lookups;            // written under map_mu
    ReadBuffer reads;                  // guarded by map_mu
    std::unordered_map<K, std::shared_ptr<Flight>, Hash> flights;  // guarded by map_mu
    alignas(64) std::mutex policy_mu;                              // taken before map_mu
    std::unique_ptr<TinyLfuPolicy> policy;                         // guarded by policy_mu
    Counters counters;
  };

  enum class Found { kMiss, kHit, kNegative };
  struct Lookup {
    Found found = Found::kMiss;
    std::optional<V> value;
    bool refresh_early = false;
  };

  std::uint64_t HashOf(const K& key) const { return MixHash(hasher_(key)); }
  Shard& ShardFor(std::uint64_t h) { return *shards_[h & shard_mask_]; }
  std::int64_t NowNs() const { return clock_->Now().count(); }
  // Looks the key up under the map lock and counts a hit (or, if count_miss,
  // a miss); may drain the read buffer.
  Lookup Find(Shard& s, std::uint64_t h, const K& key, bool want_refresh, bool count_miss);
  Entry* FindEntry(Shard& s, std::uint64_t h, const K& key);
  static void Bump(std::atomic<std::uint64_t>& counter) {
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  bool ShouldRefreshEarly(const Entry& e, std::int64_t now_ns) const;
  // Stores the value (absent keys are admitted unless only_if_present);
  // returns whether the key was present before.
  bool Insert(Shard& s, std::uint64_t h, const K& key, std::optional<V> value, Nanos ttl,
              std::int64_t load_ns, bool only_if_present = false);
  // Read-buffer drains: take the events under map_mu (and policy_mu), apply
  // them under policy_mu alone. Nodes are freed only under policy_mu after
  // such a drain, so a taken pointer stays valid until it is applied.
  struct ReadBatch {
    PolicyNode* nodes[ReadBuffer::kSlots];
    std::uint32_t count = 0;
  };
  void TakeReads(Shard& s, ReadBatch* batch);
  void ApplyReads(Shard& s, ReadBatch* batch);
  void EndFlight(Shard& s, const K& key, const std::shared_ptr<Flight>& flight,
                 const LoadResult& result);
  LoadResult RunLoad(Shard& s, std::uint64_t h, const K& key, const Loader& loader,
                     const std::shared_ptr<Flight>& flight);

  const CacheOptions options_;
  Clock* const clock_;
  Weigher weigher_;
  Hash hasher_;
  // Entries live in arena_ (declared first: it outlives the shards).
  Entry* NewEntry() { return new (arena_.Allocate()) Entry; }
  void DeleteEntry(Entry* e) {
    e->~Entry();
    arena_.Free(e);
  }
  internal::EntryArena arena_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::size_t shard_mask_ = 0;
};

}  // namespace cairn::cache

#include "cache/internal/cache_impl.h"
