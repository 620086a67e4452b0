#pragma once
// TrackingTable: server-assisted client-side caching (RESP3 CLIENT TRACKING).
//
// Two modes, as in Redis:
//   default  the table remembers which tracking connections read which keys;
//            when a key changes, each of them gets one invalidation for it and
//            is forgotten for that key (it must read it again to be told of
//            the next change).
//   BCAST    a connection subscribes to key prefixes (none = every key) and
//            is told of every change to a matching key, read or not.
//
// The node feeds it the keys each applied log entry wrote (WrittenKeys), so
// every node invalidates its own connections at the point it applies the
// write, in log order. The caller turns the returned per-connection key lists
// into `>2 invalidate [keys]` pushes (a null list: flush everything).
//
// Bounds: at most keys_max keys are remembered in default mode; remembering
// one more evicts the oldest-tracked key and reports it as invalidated (the
// client drops it), so memory stays bounded without losing safety.
//
// Thread-safety: none; the node's loop thread owns it.
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kv/log_entry.h"

namespace cairn::server {

// connection id -> keys to invalidate there (in first-seen order).
using Invalidations = std::map<std::uint64_t, std::vector<std::string>>;

// What one log entry may change.
struct WrittenSet {
  bool all = false;     // FLUSHDB: every key
  bool expiry = false;  // active expiry: keys the entry does not name (the
                        // caller checks which tracked keys are gone)
  std::vector<std::string> keys;
};
WrittenSet WrittenKeys(const kv::LogEntry& entry);
// The keys a read op reads (empty for SCAN, DBSIZE).
std::vector<std::string> ReadKeys(const kv::Op& op);

class TrackingTable {
 public:
  explicit TrackingTable(std::size_t keys_max = 1'000'000) : keys_max_(keys_max) {}

  // Turning tracking off (or closing) forgets the connection lazily: its
  // entries stay until the key is written or evicted, and are skipped then.
  void EnableDefault(std::uint64_t conn);
  void EnableBroadcast(std::uint64_t conn, std::vector<std::string> prefixes);
  void Disable(std::uint64_t conn);
  bool IsTracking(std::uint64_t conn) const { return modes_.count(conn) != 0; }
  // A BCAST connection's prefixes (empty: every key); nullptr otherwise.
  const std::vector<std::string>* BroadcastPrefixes(std::uint64_t conn) const;
  bool active() const { return !modes_.empty(); }

  // A default-mode connection read `key`. Returns invalidations forced by the
  // keys_max bound (possibly empty). No-op for BCAST or untracked connections.
  Invalidations Track(std::uint64_t conn, std::string_view key);
  // Keys were written: who must be told.
  Invalidations OnWrite(const std::vector<std::string>& keys);
  // Every key may have changed: the connections to send a null invalidation.
  std::vector<std::uint64_t> OnFlushAll();

  std::size_t tracked_keys() const { return readers_.size(); }
  bool has_broadcast() const { return !prefixes_.empty(); }
  // Keys remembered in default mode, oldest first.
  const std::list<std::string>& TrackedKeys() const { return order_; }

 private:
  struct Readers {
    std::set<std::uint64_t> conns;
    std::list<std::string>::iterator age;  // position in order_
  };
  const std::size_t keys_max_;
  std::map<std::uint64_t, bool> modes_;  // conn -> true if BCAST
  std::map<std::uint64_t, std::vector<std::string>> prefixes_;  // BCAST conns
  std::unordered_map<std::string, Readers> readers_;  // default mode
  std::list<std::string> order_;  // tracked keys, oldest first
};

}  // namespace cairn::server
