#pragma once
// kv::StateMachine: the replicated key-value state machine.
//
// Deterministic: given the same sequence of (index, entry bytes) every replica
// reaches the same state and produces the same replies. It reads no clock:
// time arrives as each entry's now_ms, and the state machine's clock is the
// largest now_ms applied so far (monotonic even if leaders' clocks disagree).
//
// Expiry. A key with expire_at_ms is live while expire_at_ms > time.
//   - Apply uses the replicated clock, so every replica agrees at every index
//     about which keys exist (writes see expired keys as absent).
//   - Read(op, read_time_ms) uses max(read_time_ms, clock_ms()). A follower
//     passes 0 (pure applied time: its answer is exactly the state at its
//     applied index, which every replica shares). A leader serving a
//     linearizable read passes its wall clock, the same clock it stamps entries
//     with, so a key that has expired by the leader's clock reads as absent
//     even before an entry carries that time. Never going below clock_ms()
//     keeps reads monotonic with respect to applied writes.
//   - Active expiry: the leader periodically proposes a kExpireUpTo op that
//     deletes keys with expire_at_ms <= T (in (expire_at, key) order, bounded
//     per entry), which reclaims space identically on every replica.
//
// WATCH: every record carries the log index of its last change (its version).
// KeyVersion() gives it (0 for an absent or expired key); EXEC's entry carries
// the versions seen, and Apply aborts the transaction (null array reply) if
// any differs — decided at apply time, hence atomically and identically on
// every replica. An absent key that was created and deleted again in between
// reads as unchanged: the check is on state, which is still serializable.
//
// Errors: Apply returns Corruption for undecodable entry bytes and the engine's
// Status if storage fails; the caller must stop applying (never skip an entry).
// Command errors (WRONGTYPE, not an integer...) are error replies, not Status.
//
// Thread-safety: none. The driver serialises Apply, Read and Snapshot calls
// (Read must not run concurrently with Apply).

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "kv/engine.h"
#include "kv/log_entry.h"
#include "kv/op.h"
#include "kv/record.h"
#include "resp/value.h"

namespace cairn::kv {

// SCAN COUNT is a hint; the work per call is capped here so one call stays
// bounded whatever the client asks for.
inline constexpr std::int64_t kScanCountMax = 10000;
// Redis's proto-max-bulk-len default: APPEND past this is an error.
inline constexpr std::size_t kValueBytesMax = 512u << 20;

// (expire_at_ms, user key) of every stored key that has an expiry.
using ExpiryIndex = std::set<std::pair<std::int64_t, std::string>>;
class ApplyTxn;  // kv/apply_txn.h

class StateMachine {
 public:
  // Takes over `engine` and rebuilds the in-memory expiry index from it.
  static Result<std::unique_ptr<StateMachine>> Open(std::unique_ptr<Engine> engine);

  // Applies the entry at `index`. Entries at or below applied_index() were
  // applied before (e.g. replayed after a restart) and return no replies.
  // Empty bytes are a no-op entry (advance the index only). Returns one reply
  // per op for a batch, one array (or null array) for a transaction, and
  // for a group (log_entry.h) one per member: a batch member's first reply
  // (null if it has no op), a transaction member's array.
  //
  // With Replies::kDiscarded (no client waits for this entry here, as on a
  // follower) the replies are not built and the reads a transaction carries
  // are skipped: they change nothing (a read reclaims no key: expiry is
  // replicated), so every replica ends in the same state either way. The
  // returned vector is then empty.
  enum class Replies { kWanted, kDiscarded };
  Result<std::vector<resp::Value>> Apply(std::uint64_t index, std::string_view entry_bytes,
                                         Replies replies = Replies::kWanted);
  Result<std::vector<resp::Value>> ApplyEntry(std::uint64_t index, const LogEntry& entry);

  // Serves a read Op (IsWrite(op.code) must be false). Storage errors come
  // back as an "ERR storage: ..." reply.
  resp::Value Read(const Op& op, std::int64_t read_time_ms) const;

  // The version WATCH records: the index of the key's last change, 0 if the
  // key is absent or expired at max(read_time_ms, clock_ms()).
  Result<std::uint64_t> KeyVersion(std::string_view key, std::int64_t read_time_ms) const;

  // Where PUBLISH's messages go as their entries apply (each node's server
  // hands them to its subscribers): called once per PUBLISH applied, in
  // log order, inside Apply; not for one in a transaction that WATCH
  // aborted. Unset, messages are dropped (as with no subscribers).
  // `sharded`: SPUBLISH's, for shard-channel subscribers only.
  using PublishSink =
      std::function<void(const std::string& channel, const std::string& message, bool sharded)>;
  void set_publish_sink(PublishSink sink) { publish_sink_ = std::move(sink); }
  // Which keyspace notifications Apply publishes through the sink
  // (kv/keyspace_events.h: notify-keyspace-events' bits; 0, the default:
  // none, and no cost). The node's own setting, not replicated state.
  void set_keyspace_events(std::uint32_t flags) { keyspace_events_ = flags; }
  std::uint32_t keyspace_events() const { return keyspace_events_; }

  // SLOWLOG's measure: with a timer set, every op this state machine runs
  // (each Read, and each write at the top of its entry: a script's
  // commands count within their EVAL) is timed with the timer's clock, and
  // those that took at least `threshold_us` are handed to it. The clock is
  // the node's: kv reads none. Unset (nullptr), nothing is timed.
  class OpTimer {
   public:
    virtual ~OpTimer() = default;
    virtual std::int64_t NowUs() = 0;
    virtual void Slow(const Op& op, std::int64_t micros) = 0;
  };
  void set_op_timer(OpTimer* timer, std::int64_t threshold_us) {
    op_timer_ = timer;
    op_timer_threshold_us_ = threshold_us;
  }

  std::uint64_t applied_index() const { return applied_.index; }
  std::int64_t clock_ms() const { return applied_.clock_ms; }
  // Keys stored, including expired ones not yet reclaimed.
  std::uint64_t stored_keys() const { return engine_->Count(); }
  // Keys stored with an expiry (INFO keyspace's `expires`).
  std::uint64_t keys_with_expiry() const { return expiry_.size(); }
  // Keys with an expiry that are due at `time_ms` (what kExpireUpTo would reclaim).
  std::uint64_t ExpiredKeys(std::int64_t time_ms) const;

  // A self-contained, checksummed image of the whole state (format in
  // docs/formats/kv-command.md), and its inverse. Restore replaces the state
  // only if the whole image validates.
  Result<std::string> Snapshot() const;
  Status Restore(std::string_view image);

 private:
  // Applies `entries` in order at `index`, atomically; `group`: one reply per
  // entry (see Apply) instead of one per op of the single entry.
  Result<std::vector<resp::Value>> ApplyEntries(std::uint64_t index,
                                                std::span<const LogEntry> entries, bool group,
                                                Replies wanted);

  explicit StateMachine(std::unique_ptr<Engine> engine);
  Status RebuildExpiryIndex();
  // One op's semantics (write_ops.cc), and, when keyspace notifications are
  // on, the events of the keys it changed.
  Result<resp::Value> ApplyOp(ApplyTxn* txn, const Op& op);
  Result<resp::Value> ApplyOpSemantics(ApplyTxn* txn, const Op& op);
  Status PublishKeyspaceEvents(ApplyTxn* txn, const Op& op, std::size_t mark);
  // EVAL (kv/script_ops.cc): runs the script, whose redis.call reaches
  // ApplyOp within the same entry.
  Result<resp::Value> ApplyEval(ApplyTxn* txn, const Op& op);
  // EVAL_RO served as a read (kv/script_ops.cc): its calls are Reads at
  // `time_ms`, in a Lua state of its own.
  resp::Value ReadScript(const Op& op, std::int64_t time_ms) const;
  Result<resp::Value> ApplyTransaction(ApplyTxn* txn, const LogEntry& entry, Replies wanted);
  Result<std::optional<Record>> LoadLive(std::string_view key, std::int64_t time_ms) const;
  resp::Value ReadOp(const Op& op, std::int64_t time_ms) const;
  Result<resp::Value> Scan(const Op& op, std::int64_t time_ms) const;
  Result<resp::Value> Keys(const std::string& pattern, std::int64_t time_ms) const;
  Result<resp::Value> RandomKey(std::uint64_t seed, std::int64_t time_ms) const;

  std::unique_ptr<Engine> engine_;
  AppliedState applied_;
  // How many random reads Read has served: part of each one's seed.
  mutable std::uint64_t random_reads_ = 0;
  // Mirrors the expiries stored in the engine after each Apply.
  ExpiryIndex expiry_;
  // Apply decodes into these, reusing their memory (kv::DecodeInto), so a
  // steady stream of similar entries decodes without allocating. Bounded:
  // at most kScratchEntriesMax of them, each last filled from at most
  // kScratchEntryBytesMax bytes (a larger one is reset after its apply).
  static constexpr std::size_t kScratchEntriesMax = 1024;
  static constexpr std::size_t kScratchEntryBytesMax = 4096;
  std::vector<LogEntry> scratch_;
  PublishSink publish_sink_;
  std::uint32_t keyspace_events_ = 0;
  OpTimer* op_timer_ = nullptr;
  std::int64_t op_timer_threshold_us_ = 0;
  int apply_depth_ = 0;  // ApplyOp's nesting (a script's calls run inside its EVAL)
  resp::Value ReadUntimed(const Op& op, std::int64_t read_time_ms) const;
};

}  // namespace cairn::kv
