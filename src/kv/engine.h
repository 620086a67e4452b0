#pragma once
// kv::Engine: the ordered byte store under the key-value state machine.
//
// Kept deliberately small so a RocksDB engine (from the storage work) can
// implement it: point get, ordered scan from a key, count, and an atomic
// batch that also records the applied state (log index and clock), so that
// after a crash the data and the applied index always agree.
//
// Keys and values are opaque bytes here; the state machine decides their
// layout (kv/record.h). Errors are values: an engine backed by a disk may
// fail any call with IOError/Corruption, and the state machine stops.
//
// Thread-safety: implementations must allow concurrent const calls (reads)
// only when documented; the state machine serialises all calls.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace cairn::kv {

// What the state machine has applied, stored atomically with the data.
struct AppliedState {
  std::uint64_t index = 0;    // last Raft index applied
  std::int64_t clock_ms = 0;  // largest now_ms applied (the replicated clock)
  friend bool operator==(const AppliedState&, const AppliedState&) = default;
};

struct EngineBatch {
  bool clear_first = false;  // drop every key before the writes (FLUSHDB, restore)
  // (key, value) puts; a nullopt value deletes the key. Applied in order.
  std::vector<std::pair<std::string, std::optional<std::string>>> writes;
  // Empty, or one per write: whether its key was stored before this batch
  // (as Get said), so an engine that counts its keys need not look each up.
  std::vector<bool> existed;
};

class Engine {
 public:
  virtual ~Engine() = default;

  virtual Result<std::optional<std::string>> Get(std::string_view key) const = 0;
  // Up to `limit` (key, value) pairs with key >= from, in ascending byte order.
  virtual Status Scan(std::string_view from, std::size_t limit,
                      std::vector<std::pair<std::string, std::string>>* out) const = 0;
  virtual std::uint64_t Count() const = 0;
  // Applies the batch and records `state`, all or nothing. By value: the
  // state machine hands its batch over, so the engine keeps its strings
  // instead of copying each key and value.
  virtual Status Apply(EngineBatch batch, const AppliedState& state) = 0;
  virtual AppliedState applied() const = 0;
};

// In-memory engine: a sorted map. Infallible; for tests, the simulator and
// nodes that keep state in memory and rebuild it from Raft snapshots.
// Thread-safety: none (externally serialised).
class MemoryEngine final : public Engine {
 public:
  Result<std::optional<std::string>> Get(std::string_view key) const override;
  Status Scan(std::string_view from, std::size_t limit,
              std::vector<std::pair<std::string, std::string>>* out) const override;
  std::uint64_t Count() const override { return map_.size(); }
  Status Apply(EngineBatch batch, const AppliedState& state) override;
  AppliedState applied() const override { return applied_; }

 private:
  std::map<std::string, std::string, std::less<>> map_;
  AppliedState applied_;
};

}  // namespace cairn::kv
