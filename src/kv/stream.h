#pragma once
// The value of a stream record (Record::type == kTypeStream): its entries in
// ID order and the last ID it ever gave out; and the stream ID grammar the
// stream commands share (Redis 7.0's).
//
// Layout: last ID (ms and seq, 8 bytes big-endian each), the largest ID
// XDEL ever deleted (16 bytes, 0-0 if none), varint entries ever added,
// varint entry count, then per entry its ID (16 bytes as above), varint
// field count (>= 1) and PutBytes(field), PutBytes(value) per field. IDs
// strictly ascend and are at most the last ID. Then the consumer groups:
// varint count, and per group (in name order) its name, last delivered ID,
// entries read (zigzag, -1 if unknown), its pending entries (varint
// count; per entry, in ID order: ID, consumer name, delivery time as zigzag
// ms, varint delivery count) and its consumers (varint count; per consumer,
// in name order: name, zigzag ms last seen). Every pending entry's consumer
// is one of the group's consumers. Unlike the other collections, a stream that loses its
// last entry (XDEL, XTRIM) stays, empty, as in Redis: the last ID must
// survive, or a later XADD could reuse an ID. As with them, a whole stream
// is one record: a write rewrites it, O(entries). docs/formats/kv-command.md.
//
// Thread-safety: pure functions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace cairn::kv {

inline constexpr std::uint8_t kTypeStream = 5;

struct StreamId {
  std::uint64_t ms = 0;
  std::uint64_t seq = 0;
  friend auto operator<=>(const StreamId&, const StreamId&) = default;
  std::string ToString() const;
  // The next (previous) ID; false at the largest (smallest) one.
  bool Increment();
  bool Decrement();
};
inline constexpr StreamId kMaxStreamId{UINT64_MAX, UINT64_MAX};

struct StreamEntry {
  StreamId id;
  std::vector<std::pair<std::string, std::string>> fields;
  friend bool operator==(const StreamEntry&, const StreamEntry&) = default;
};

// An entry delivered to a consumer of a group and not yet acknowledged.
struct StreamPending {
  StreamId id;
  std::string consumer;
  std::int64_t delivery_ms = 0;  // the replicated time of the last delivery
  std::uint64_t delivery_count = 0;
  friend bool operator==(const StreamPending&, const StreamPending&) = default;
};

struct StreamConsumer {
  std::string name;
  std::int64_t seen_ms = 0;  // the replicated time it last read or claimed
  friend bool operator==(const StreamConsumer&, const StreamConsumer&) = default;
};

// A group's entries read when it cannot be told (Redis shows it as nil).
inline constexpr std::int64_t kEntriesReadUnknown = -1;

struct StreamGroup {
  std::string name;
  StreamId last_delivered;
  // How many of the stream's entries, counted from the first ever added,
  // the group has been delivered up to last_delivered: Redis 7.0's logical
  // read counter, from which XINFO derives the group's lag. It may be
  // kEntriesReadUnknown; it is not checked against the stream (ENTRIESREAD
  // sets it at will, as in Redis).
  std::int64_t entries_read = kEntriesReadUnknown;
  std::vector<StreamPending> pending;     // ascending IDs
  std::vector<StreamConsumer> consumers;  // ascending names
  friend bool operator==(const StreamGroup&, const StreamGroup&) = default;
};

struct Stream {
  StreamId last_id;
  // Redis 7.0's counters (XINFO STREAM shows them; XSETID sets them):
  // the largest ID XDEL removed (trimming does not count; 0-0 if none),
  // and how many entries XADD ever added. The first entry's ID, Redis's
  // third counter, is always entries.front() here (0-0 when empty).
  StreamId max_deleted;
  std::uint64_t entries_added = 0;
  std::vector<StreamEntry> entries;  // ascending IDs, all <= last_id
  std::vector<StreamGroup> groups;   // ascending names

  StreamId FirstId() const { return entries.empty() ? StreamId{} : entries.front().id; }
  // Whether an entry XDEL removed may lie in [from, to] (Redis 7.0's
  // streamRangeHasTombstones: only max_deleted is known).
  bool MayHaveTombstones(const StreamId& from, const StreamId& to) const;
  // The read counter of `id`, counted from the first entry ever added, or
  // kEntriesReadUnknown where gaps make it unknowable (Redis 7.0's
  // streamEstimateDistanceFromFirstEverEntry).
  std::int64_t EstimateEntriesRead(const StreamId& id) const;
  // A group's lag (entries added and not yet delivered to it; negative if
  // ENTRIESREAD said more than were added), or nullopt when it cannot be
  // told (Redis 7.0's streamReplyWithCGLag).
  std::optional<std::int64_t> Lag(const StreamGroup& g) const;
  // Records XREADGROUP's delivery of new entry `id` to `g`: its read
  // counter and last delivered ID move on (Redis 7.0's order of checks,
  // which looks for deletions from `id` on).
  void Deliver(StreamGroup* g, const StreamId& id) const;

  StreamGroup* FindGroup(std::string_view name);
  // The entry with this ID, or nullptr.
  const StreamEntry* Find(const StreamId& id) const;
};

std::string EncodeStream(const Stream& stream);
// The bytes one entry takes in EncodeStream's output.
std::size_t EncodedEntrySize(const StreamEntry& entry);
// Corruption unless `bytes` is a well-formed value (see the layout).
Status ValidateStream(std::string_view bytes);
// The stream of a value ValidateStream accepted.
Stream DecodeStream(std::string_view bytes);

// A stream ID as Redis 7.0 parses one (streamGenericParseIDOrReply): "ms" or
// "ms-seq", each part an unsigned 64-bit number as strtoull reads it;
// `missing_seq` stands in for an absent seq. With `strict`, "-" and "+" are
// refused; otherwise they are the smallest and largest IDs. With
// `seq_star`, "ms-*" is accepted and *seq_given says whether seq was given.
bool ParseStreamId(std::string_view text, std::uint64_t missing_seq, bool strict, StreamId* out,
                   bool* seq_given = nullptr);

// XRANGE's bounds (Redis 7.0's streamParseIntervalIDOrReply): IDs as
// above, strict only after "(", which excludes the ID; an absent seq is 0
// in `start` and the largest in `end`. InvalidArgument with Redis's error reply if
// one does not parse or cannot be excluded.
Status ParseStreamRange(std::string_view start, std::string_view end, StreamId* lo, StreamId* hi);

inline constexpr std::string_view kBadStreamIdError =
    "ERR Invalid stream ID specified as stream command argument";

}  // namespace cairn::kv
