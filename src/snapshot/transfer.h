#pragma once
// Snapshot transfer: how a snapshot's bytes travel from a leader to a
// follower. Pure protocol code (no sockets, no files): the transport carries
// Chunk and ChunkAck values, and the bytes come from a ChunkSource and go to
// a ChunkSink, which the runtime backs with files.
//
// Properties:
//   - bounded memory: the sender holds at most window_chunks chunks, the
//     receiver one; a snapshot is never held whole in memory;
//   - every chunk carries a CRC32C of its bytes, and the last one a CRC32C
//     of the whole snapshot; the receiver commits only a snapshot whose
//     every byte checked out;
//   - resumable: the receiver acknowledges the offset up to which its sink
//     holds the bytes durably; after a broken connection the sender resumes
//     from the receiver's offset rather than from zero;
//   - atomic install: the sink commits (e.g. renames a finished temp file)
//     only after the last chunk verified; a crash mid-transfer leaves the
//     previous snapshot in force.
//
// Thread-safety: none; one strand owns each Sender and Receiver.

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::snapshot {

struct SnapshotId {
  std::uint64_t index = 0;
  std::uint64_t term = 0;
  friend bool operator==(const SnapshotId&, const SnapshotId&) = default;
  friend bool operator<(const SnapshotId& a, const SnapshotId& b) {
    return a.index < b.index || (a.index == b.index && a.term < b.term);
  }
};

struct Chunk {
  SnapshotId id;
  std::uint64_t offset = 0;
  std::uint64_t total_bytes = 0;
  std::uint32_t crc = 0;        // CRC32C of data
  bool last = false;
  std::uint32_t total_crc = 0;  // CRC32C of the whole snapshot (last chunk only)
  std::uint32_t attempt = 0;    // the sender's rewind count, echoed in acks
  std::string data;
};

// The receiver's answer: "I hold [0, next_offset) of snapshot `id`" (for
// flow control; what survives a receiver crash is what its sink's Begin()
// reports, synced every ReceiverOptions::sync_every_bytes).
// `complete`: committed; `rejected`: this transfer cannot succeed (the sink
// failed, or the whole-snapshot checksum did not match after a restart).
struct ChunkAck {
  SnapshotId id;
  std::uint64_t next_offset = 0;
  bool complete = false;
  bool rejected = false;
  std::uint32_t attempt = 0;  // of the chunk answered
};

class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  virtual std::uint64_t size() const = 0;
  // Reads exactly `n` bytes at `offset` into `out`.
  virtual Status ReadAt(std::uint64_t offset, std::size_t n, std::string& out) = 0;
};

class ChunkSink {
 public:
  virtual ~ChunkSink() = default;
  // Starts (or restarts) receiving snapshot `id`; returns how many bytes of
  // it the sink already holds durably from an interrupted transfer (0 if
  // none, or if it held a different snapshot, which it discards).
  virtual Result<std::uint64_t> Begin(const SnapshotId& id, std::uint64_t total_bytes) = 0;
  virtual Status Append(std::string_view data) = 0;  // at the current end
  // Makes everything appended durable (called before acknowledging).
  virtual Status Sync() = 0;
  // Installs the finished snapshot atomically.
  virtual Status Commit() = 0;
  // CRC32C of the bytes held so far (to verify the whole after a resume).
  virtual std::uint32_t crc() const = 0;
};

struct SenderOptions {
  std::size_t chunk_bytes = 1u << 20;  // 1 MiB
  std::size_t window_chunks = 4;       // unacknowledged chunks in flight
};

class Sender {
 public:
  Sender(SnapshotId id, ChunkSource& source, SenderOptions options = {});

  // Chunks to send now (fills the window). Empty while waiting for acks.
  Result<std::vector<Chunk>> Poll();
  // Applies an acknowledgement. Stale or foreign acks are ignored.
  void OnAck(const ChunkAck& ack);
  // The connection broke: in-flight chunks are forgotten, and sending
  // resumes from the receiver's next acknowledgement (its durable offset).
  void OnDisconnect();

  bool done() const { return done_; }
  bool failed() const { return failed_; }
  std::uint64_t acked_bytes() const { return acked_; }

 private:
  const SnapshotId id_;
  ChunkSource& source_;
  const SenderOptions options_;
  Status ExtendCrcTo(std::uint64_t offset);

  std::uint64_t acked_ = 0;     // receiver holds [0, acked_) durably
  std::uint64_t next_ = 0;      // next offset to send; next_ - acked_ is in flight
  bool waiting_resume_ = false; // after a disconnect, until an ack says where
  std::uint32_t attempt_ = 0;   // bumped at each rewind; older acks cannot rewind
  bool done_ = false;
  bool failed_ = false;
  bool sent_empty_ = false;        // the lone chunk of an empty snapshot went out
  bool final_pending_ = false;     // resumed with every byte held: send the empty last chunk
  std::uint32_t running_crc_ = 0;  // CRC of [0, next_) as sent
  std::uint64_t crc_offset_ = 0;   // running_crc_ covers [0, crc_offset_)
};

struct ReceiverOptions {
  // The resume point is made durable this often; a crashed receiver loses at
  // most this much progress. Syncing every chunk costs an fsync each.
  std::uint64_t sync_every_bytes = 16u << 20;
};

class Receiver {
 public:
  explicit Receiver(ChunkSink& sink, ReceiverOptions options = {}) : sink_(sink), options_(options) {}

  // Validates and stores a chunk; the answer goes back to the sender.
  ChunkAck OnChunk(const Chunk& chunk);
  // What to tell a sender that reconnects (resume point).
  ChunkAck Resume(const SnapshotId& id, std::uint64_t total_bytes);

  bool complete() const { return complete_; }
  const SnapshotId& id() const { return id_; }

 private:
  ChunkAck Ack() const { return {id_, next_, complete_, false, attempt_}; }
  ChunkAck Reject() const { return {id_, next_, false, true, attempt_}; }

  ChunkSink& sink_;
  const ReceiverOptions options_;
  std::uint64_t synced_ = 0;  // resume point known durable
  SnapshotId id_;
  std::uint64_t total_ = 0;
  std::uint64_t next_ = 0;
  bool active_ = false;
  bool complete_ = false;
  std::uint32_t attempt_ = 0;  // of the chunk being answered
};

}  // namespace cairn::snapshot
