#pragma once
// kv::LogEntry: what the key-value state machine puts into one Raft entry,
// and its versioned binary encoding (docs/formats/kv-command.md).
//
// An entry is either a batch of independent write Ops (one reply each) or a
// MULTI/EXEC transaction (one reply: an array, or a null array if a WATCHed
// key changed). Both carry the leader's wall-clock time now_ms; the state
// machine's clock is the largest now_ms it has applied, so expiry is decided
// identically on every replica.
//
// Decode() rejects malformed bytes with Corruption and never crashes; it also
// rejects read Ops outside transactions, unknown codes and flags, and wrong argument counts, so an
// Op that decodes is safe to apply.
//
// Thread-safety: value types and pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "kv/op.h"

namespace cairn::kv {

inline constexpr std::uint8_t kLogFormatVersion = 1;

enum class EntryKind : std::uint8_t {
  kBatch = 1,        // ops applied in order, each with its own reply
  kTransaction = 2,  // MULTI/EXEC: all or nothing (watch check), one array reply
};

struct WatchedKey {
  std::string key;
  std::uint64_t version = 0;  // KeyVersion() when WATCH ran; 0 = absent
  friend bool operator==(const WatchedKey&, const WatchedKey&) = default;
};

struct LogEntry {
  EntryKind kind = EntryKind::kBatch;
  std::int64_t now_ms = 0;
  std::vector<WatchedKey> watches;  // transactions only
  // Write ops; a transaction may also hold key reads (GET, MGET, EXISTS,
  // STRLEN, TYPE, TTL, PTTL, EXPIRETIME, PEXPIRETIME), answered at their place
  // in the transaction.
  std::vector<Op> ops;

  friend bool operator==(const LogEntry&, const LogEntry&) = default;
};

std::string Encode(const LogEntry& entry);
void EncodeTo(const LogEntry& entry, std::string* out);
Result<LogEntry> Decode(std::string_view bytes);
// The same into `out`, reusing its vectors' and strings' memory: a caller
// that decodes entry after entry into the same LogEntry (the state machine's
// apply) allocates only when an entry is larger than the ones before. Every
// field of `out` is overwritten; on an error its contents are unspecified.
Status DecodeInto(std::string_view bytes, LogEntry* out);

// A group: whole entries (each kind 1 or 2, never a group) that the leader
// proposed together, in one Raft entry so that a burst of writes from many
// clients pays the per-entry costs (log record, message, apply batch) once.
// They are applied in order at the group's log index, as if each were its own
// entry there, each with its own reply (docs/formats/kv-command.md):
//   group := version:u8 (=1) kind:u8 (=3) count:varint (entry:bytes)*
inline constexpr std::uint8_t kGroupKind = 3;
inline constexpr std::size_t kGroupMembersMax = 4096;
// Whether `bytes` has a group's header (SplitGroup still validates the rest).
bool IsGroup(std::string_view bytes);
// Appends a group header for `count` members; exactly `count`
// AppendGroupMember calls follow.
void EncodeGroupHeader(std::size_t count, std::string* out);
void AppendGroupMember(std::string_view entry, std::string* out);
// The members' bytes (views into `bytes`), or Corruption for a bad header,
// count (0, 1 or more than kGroupMembersMax) or length, or trailing bytes.
// The members themselves are not decoded here.
Result<std::vector<std::string_view>> SplitGroup(std::string_view bytes);

// Checks an Op's shape (code, flags, argument count) for an entry of `kind`.
// Encode() callers get Ops from ParseCommand, which only builds valid ones.
Status ValidateOp(const Op& op, EntryKind kind);
// Key reads that may run inside a transaction entry.
bool IsTransactionalRead(OpCode code);
// Appends the keys a write op may change (a superset: RENAME's source,
// COPY's, a pop that finds nothing). Nothing for a read, nor for kFlushDb
// and kExpireUpTo, which change keys they do not name; an EVAL names its
// declared keys, the only ones its script may write (kv/script.h).
void AppendWrittenKeys(const Op& op, std::vector<std::string>* keys);

}  // namespace cairn::kv
