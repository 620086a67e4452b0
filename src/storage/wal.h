#pragma once
// Wal: the segmented write-ahead log that makes Raft's entries and hard state
// durable (the persistence contract in raft/ready.h).
//
// A directory of segments named <seq as 16 hex digits>.wal. Each segment
// starts with a header record (magic, version, seq, first index) and holds
// entry and hard-state records (docs/formats/wal.md). Segments are
// preallocated to `segment_bytes_target` and a new one is started when the
// active one reaches it; the new one repeats the current hard state so that
// dropping older segments never loses it.
//
// Appending entries[0].index <= last_index() replaces the stored suffix from
// that index (a follower dropping a conflicting suffix): the WAL itself is
// append-only, and replay applies the replacement.
//
// Durability: Append and SetHardState only buffer/write; nothing is durable
// until Sync() returns OK. After any I/O error the Wal is poisoned: every
// later call returns that error (a failed fdatasync may have lost pages, so
// retrying it could falsely report success). Reopen to recover.
//
// Recovery (Open): replays every segment. In the last segment, an invalid
// record with no valid record after it is a torn write: it is truncated and
// reported. Anything else invalid (in an earlier segment, or followed by a
// valid record) stops Open with kCorruption naming the file and byte offset.
// Zero bytes after the last valid record are preallocated space, not damage.
//
// Thread-safety: none. One owner thread (the Raft driver), or a
// GroupCommitter (group_commit.h) that owns it.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "raft/types.h"
#include "storage/fs.h"

namespace cairn::storage {
namespace wal {
struct Record;
struct SegmentScan;
}

struct WalOptions {
  std::uint64_t segment_bytes_target = 64ull << 20;  // rotate once the active segment is this big
  bool preallocate = true;                           // fallocate each segment to the target
  // With preallocate: the bytes past the write position are overwritten
  // with zeros this far ahead, a chunk at a time. fallocate leaves unwritten
  // extents, and every fdatasync that first writes into one must also make
  // the extent's conversion durable (measured here: 258 us per 4 KiB
  // fdatasync against 132 us into written zeros, bench/results/storage.md).
  // Zeroing ahead pays that conversion once per chunk instead of once per
  // sync. Zeros past the last record are what replay already reads as
  // preallocated space. 0 turns it off.
  std::uint64_t zero_ahead_bytes = 1u << 20;
  // Replay keeps the data of entries at or above this index only; those
  // below come back with their index and term and empty data. A node whose
  // state machine already applied them needs only the term of the last one
  // (to check the log continues from it), and restarting with a large log
  // must not hold all of it in memory. 0 keeps every entry's data.
  raft::Index replay_data_from = 0;
  raft::Index first_index = 1;                       // index of the first entry of a new WAL
  std::size_t write_buffer_bytes = 1u << 20;         // Append writes through past this
  bool log_recovery = true;                          // print recovery notes to stderr
  // Replay and check only: repairs are reported, not made, and every write
  // call fails with kFailedPrecondition (the verify tool uses this).
  bool read_only = false;

  // TEST ONLY, broken variants that the crash tests must catch:
  bool test_skip_sync = false;       // Sync() does not call fdatasync
  bool test_skip_crc_check = false;  // replay accepts records with a bad checksum
};

// What Open found and did.
struct RecoveryReport {
  std::size_t segments = 0;
  std::uint64_t bytes_replayed = 0;
  bool tail_truncated = false;
  std::uint64_t tail_bytes_dropped = 0;
  std::vector<std::string> notes;  // one line per repair, naming file and offset
};

struct WalState {
  raft::HardState hard_state;
  raft::Index first_index = 1;        // index `entries` starts at (after compaction)
  std::vector<raft::Entry> entries;   // contiguous, ascending
  RecoveryReport report;
};

class Wal {
 public:
  // Opens (creating if empty) the WAL in `dir`. `fs` must outlive the Wal.
  static Result<std::unique_ptr<Wal>> Open(Fs& fs, std::string dir, WalOptions options,
                                           WalState* recovered);
  ~Wal();
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Buffers entries (contiguous indexes, entries[0].index in
  // [first_index(), last_index() + 1]); kInvalidArgument otherwise.
  Status Append(std::span<const raft::Entry> entries);
  Status SetHardState(const raft::HardState& hs);
  // Writes everything buffered and fdatasyncs it. OK means durable.
  Status Sync();
  // One Raft Ready: entries, then hard state, then Sync if `must_sync`.
  Status Save(const std::optional<raft::HardState>& hs, std::span<const raft::Entry> entries,
              bool must_sync);
  // Removes whole segments whose entries are all <= `index` (a snapshot
  // covers them). The active segment is never removed. Syncs everything
  // written so far (and the hard state again) first; durable on return.
  Status Compact(raft::Index index);
  // Discards the whole log and starts it again after `index`, whose entry has
  // term `term` (a snapshot received from the leader now covers everything up
  // to it). `hs` becomes the hard state. Durable and atomic on return: the
  // new first segment is written as "<seq>.wal.reset" and synced, then the
  // old segments are removed and it is renamed into place; Open completes an
  // interrupted reset, so a crash leaves either the old log or the new one.
  Status Reset(raft::Index index, raft::Term term, const raft::HardState& hs);

  raft::Index first_index() const { return first_index_; }
  raft::Index last_index() const { return last_index_; }
  raft::Term last_term() const { return last_term_; }
  const raft::HardState& hard_state() const { return hard_state_; }
  std::size_t segment_count() const { return segments_.size(); }
  std::uint64_t sync_count() const { return sync_count_; }

 private:
  struct Segment {
    std::uint64_t seq;
    raft::Index base_index;  // from its header (wal_format.h)
    std::string path;
  };
  Wal(Fs& fs, std::string dir, WalOptions options);
  Status Recover(WalState* out);
  Status ReplaySegment(std::size_t i, bool last, WalState* out);
  Status ReplayHeader(Segment& seg, const wal::Record& first, bool first_segment, WalState* out,
                      raft::Index* log_first);
  Status ReplayRecord(const Segment& seg, const wal::Record& rec, raft::Index* log_first,
                      WalState* out);
  Status RepairTail(const Segment& seg, const wal::SegmentScan& scan, std::uint64_t file_bytes,
                    WalState* out);
  Status StartSegment(std::uint64_t seq);
  Status FinishReset(const std::vector<std::string>& names);
  Status Flush();
  // Writes zeros after active_offset_ (zero_ahead_bytes) once the position
  // has passed zeroed_until_.
  Status ZeroAhead();
  Status Poison(Status s);
  Status Writable() const;

  // Constant after construction.
  Fs& fs_;
  const std::string dir_;
  const WalOptions options_;

  std::vector<Segment> segments_;
  std::unique_ptr<File> active_;       // the last segment
  std::uint64_t active_offset_ = 0;    // where the next byte goes (excludes buffer_)
  // Bytes of the active segment below this offset hold records or written
  // zeros (zero_ahead_bytes); at or above it they may be unwritten extents.
  std::uint64_t zeroed_until_ = 0;
  std::string buffer_;                 // encoded records not yet written
  std::string zeros_;                  // ZeroAhead's source, reused
  raft::Index first_index_ = 1;
  raft::Index last_index_ = 0;         // first_index_ - 1 when empty
  raft::Term last_term_ = 0;
  raft::HardState hard_state_;
  Status poisoned_;
  std::uint64_t sync_count_ = 0;
  std::string read_buffer_;  // recovery only
};

// "<seq as 16 hex digits>.wal"; ParseSegmentName is its inverse.
// A reset in progress (Wal::Reset) is "<segment name>.reset".
std::string SegmentName(std::uint64_t seq);
std::optional<std::uint64_t> ParseSegmentName(std::string_view name);

}  // namespace cairn::storage
