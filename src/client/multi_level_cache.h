#pragma once
// MultiLevelCache: L1 in-process (src/cache W-TinyLFU), L2 the cluster (or
// any Redis) through a Client, L3 a user-supplied loader/store.
//
//   MultiLevelCache cache(*client, {.write_mode = WriteMode::kStrong},
//                         {.load = [](const std::string& k) { return db.Read(k); }});
//   auto v = cache.Get("user:1");   // L1, else L2 (tracked), else L3 (then fills L2)
//   cache.Put("user:1", "ada");     // per write_mode
//
// kWeak entries are put in L1 without a tracked read, so the server does not
// know this L1 holds them: they are bounded by l1_ttl (and flushes), not by
// the fence. Use kStrong or kEventual where the bound matters.
//
// Write modes:
//   kStrong    L3 store, then L2 SET, then L1 invalidate, then return: when Put
//              returns every level holds the new value or none of it.
//   kEventual  L3 store and L2 SET before returning; this client's L1 entry
//              is dropped asynchronously (on the io thread, soon after).
//   kWeak      L1 first and return; L2 and L3 are written in the background
//              (errors counted in stats().background_errors).
//
// Invalidation and the staleness bound. L1 is filled only by reads on the
// client's tracking connection (RESP3 CLIENT TRACKING ON, to the leader), so
// the server remembers every key this L1 may hold and pushes `invalidate`
// when a write to it applies. L1 additionally serves a hit only while the
// fence is open: a probe (a strong read) is sent every fence_ms/4 on the
// tracking connection, and the fence is open at time t iff a probe sent at
// some s >= t - fence_ms has been answered. Because the node applies a write,
// pushes its invalidation, and only then answers a probe issued after the
// write was acknowledged (a strong read waits for everything committed before
// it), an L1 never serves a value more than fence_ms after a newer write was
// acknowledged to any client. A lost tracking connection flushes L1 at once;
// a slow or partitioned one closes the fence within fence_ms. Invalidations
// that overtake the read they concern (a push may precede a queued reply)
// mark that fill as poisoned, so it is not cached. Keys with a TTL get an L1
// TTL no longer than the key's own (PTTL is read with the value).
//
// Thread-safety: every method may be called from any thread except the
// client's io thread (they block).
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "cache/cache.h"
#include "client/client.h"

namespace cairn::client {

enum class WriteMode : std::uint8_t { kStrong, kEventual, kWeak };

struct MultiLevelCacheOptions {
  WriteMode write_mode = WriteMode::kStrong;
  std::size_t l1_entries_max = 100'000;
  std::chrono::milliseconds l1_ttl{std::chrono::minutes(5)};  // cap on any L1 entry's life
  std::chrono::milliseconds l2_ttl{0};       // TTL of values L3 loads write to L2 (0 = none)
  std::chrono::milliseconds fence{1000};     // the staleness bound (see above)
  bool probe = true;  // false: no periodic probe (tests drive ProbeNow)
  const Clock* clock = nullptr;  // nullptr = SystemClock
};

// L3: the system of record. Either function may be empty.
struct Backend {
  // nullopt = not found; an error fails Get.
  std::function<Result<std::optional<std::string>>(const std::string& key)> load;
  std::function<Status(const std::string& key, const std::optional<std::string>& value)> store;
};

struct MultiLevelCacheStats {
  std::uint64_t l1_hits = 0, l2_hits = 0, l3_loads = 0, misses = 0;
  std::uint64_t invalidations = 0, flushes = 0, poisoned_fills = 0, fenced_hits = 0;
  std::uint64_t background_errors = 0;
};

class MultiLevelCache {
 public:
  // `client` must outlive the cache; one cache per client (it owns the
  // client's tracking handlers).
  MultiLevelCache(Client& client, MultiLevelCacheOptions options, Backend backend = {});
  ~MultiLevelCache();

  // The value (nullopt = absent everywhere), or an error from L2/L3.
  Result<std::optional<std::string>> Get(const std::string& key);
  Status Put(const std::string& key, const std::string& value);
  Status Delete(const std::string& key);
  // Drops matching keys (glob) from L1, and from L2 too if `l2` (SCAN + DEL).
  Status InvalidatePattern(const std::string& pattern, bool l2 = false);
  // Sends one fence probe and waits for it.
  Status ProbeNow();
  // The value L1 would serve now (no L2/L3 access); for tests and tools.
  std::optional<std::string> PeekL1(const std::string& key);
  MultiLevelCacheStats stats() const;

 private:
  struct L1Value {
    std::uint64_t generation;
    std::optional<std::string> value;  // nullopt: cached "absent"
  };
  bool FenceOpen() const;
  void OnInvalidate(const std::optional<std::vector<std::string>>& keys);
  void FlushL1();
  void SchedulePoll();
  Result<std::optional<std::string>> FillFromL2(const std::string& key, bool* found);
  Status WriteL2(const std::string& key, const std::optional<std::string>& value,
                 std::chrono::milliseconds ttl);
  void InvalidateL1(const std::string& key);

  Client& client_;
  const MultiLevelCacheOptions opt_;
  const Backend backend_;
  const Clock& clock_;
  cache::Cache<std::string, L1Value> l1_;
  std::atomic<std::uint64_t> generation_{1};   // bumped by a flush
  std::atomic<std::int64_t> fence_sent_ns_{0};  // send time of the newest answered probe

  mutable std::mutex mu_;  // guards fills_, poisoned_, keys_, keys_incomplete_
  std::unordered_map<std::string, int> fills_;      // key -> fills in flight
  std::unordered_set<std::string> poisoned_;        // fills to discard
  std::unordered_set<std::string> keys_;            // keys put in L1 (pattern invalidation)
  bool keys_incomplete_ = false;                    // keys_ was cleared to stay bounded

  struct Counters {  // relaxed atomics: the hit path takes no lock
    std::atomic<std::uint64_t> l1_hits{0}, l2_hits{0}, l3_loads{0}, misses{0}, invalidations{0},
        flushes{0}, poisoned_fills{0}, fenced_hits{0}, background_errors{0};
  };
  Counters counters_;

  std::shared_ptr<boost::asio::steady_timer> probe_timer_;
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
};

}  // namespace cairn::client
