#include "snapshot/transfer.h"

#include <algorithm>

#include "common/crc32c.h"

namespace cairn::snapshot {

Sender::Sender(SnapshotId id, ChunkSource& source, SenderOptions options)
    : id_(id), source_(source), options_(options) {
  CAIRN_CHECK(options_.chunk_bytes > 0);
  CAIRN_CHECK(options_.window_chunks > 0);
}

Status Sender::ExtendCrcTo(std::uint64_t offset) {
  // Reads the bytes the running CRC has not covered yet, one chunk at a
  // time (after a resume, the receiver may hold bytes this sender never
  // sent; the whole-snapshot CRC must still cover them).
  std::string buf;
  while (crc_offset_ < offset) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(options_.chunk_bytes, offset - crc_offset_));
    CAIRN_RETURN_IF_ERROR(source_.ReadAt(crc_offset_, n, buf).WithContext("snapshot read"));
    if (buf.size() != n) return Status::IOError("snapshot source returned a short read");
    running_crc_ = crc32c::Extend(running_crc_, buf.data(), buf.size());
    crc_offset_ += n;
  }
  return Status::Ok();
}

Result<std::vector<Chunk>> Sender::Poll() {
  std::vector<Chunk> out;
  if (done_ || failed_ || waiting_resume_) return out;
  const std::uint64_t total = source_.size();
  if (final_pending_) {
    // The receiver holds every byte but has not committed (it crashed
    // between syncing the last chunk and committing): an empty last chunk
    // carries the whole-snapshot checksum it needs.
    CAIRN_RETURN_IF_ERROR(ExtendCrcTo(total));
    Chunk c;
    c.id = id_;
    c.offset = c.total_bytes = total;
    c.attempt = attempt_;
    c.crc = crc32c::Value(c.data);
    c.last = true;
    c.total_crc = running_crc_;
    final_pending_ = false;
    out.push_back(std::move(c));
    return out;
  }
  const std::uint64_t window_bytes = options_.chunk_bytes * options_.window_chunks;
  while (next_ - acked_ < window_bytes) {
    const bool empty_snapshot_pending = total == 0 && !sent_empty_;
    if (next_ == total && !empty_snapshot_pending) break;
    CAIRN_RETURN_IF_ERROR(ExtendCrcTo(next_));
    Chunk c;
    c.id = id_;
    c.offset = next_;
    c.total_bytes = total;
    c.attempt = attempt_;
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(options_.chunk_bytes, total - next_));
    CAIRN_RETURN_IF_ERROR(source_.ReadAt(next_, n, c.data).WithContext("snapshot read"));
    if (c.data.size() != n) return Status::IOError("snapshot source returned a short read");
    c.crc = crc32c::Value(c.data);
    if (crc_offset_ == next_) {
      running_crc_ = crc32c::Extend(running_crc_, c.data.data(), c.data.size());
      crc_offset_ += n;
    }
    next_ += n;
    c.last = next_ == total;
    if (c.last) c.total_crc = running_crc_;
    sent_empty_ = true;
    out.push_back(std::move(c));
  }
  return out;
}

void Sender::OnAck(const ChunkAck& ack) {
  if (!(ack.id == id_) || done_ || failed_) return;
  if (ack.rejected) {
    failed_ = true;
    return;
  }
  if (ack.complete) {
    done_ = true;
    acked_ = next_ = source_.size();
    return;
  }
  if (waiting_resume_) {
    // Resume from what the receiver durably holds.
    acked_ = next_ = std::min(ack.next_offset, source_.size());
    waiting_resume_ = false;
    final_pending_ = next_ == source_.size() && source_.size() > 0;
    return;
  }
  // Acks are cumulative; an ack behind ours is stale, one behind what we
  // sent means the receiver skipped a corrupt or lost chunk: resend from it.
  if (ack.next_offset < acked_) return;
  const bool progress = ack.next_offset > acked_;
  acked_ = std::min(ack.next_offset, next_);
  if (!progress && acked_ < next_ && ack.attempt == attempt_) {
    next_ = acked_;  // go back to the first byte the receiver lacks
    ++attempt_;
  }
}

void Sender::OnDisconnect() {
  waiting_resume_ = true;
  ++attempt_;
  sent_empty_ = false;
}

ChunkAck Receiver::Resume(const SnapshotId& id, std::uint64_t total_bytes) {
  if (active_ && id_ == id) return Ack();
  auto held = sink_.Begin(id, total_bytes);
  id_ = id;
  total_ = total_bytes;
  complete_ = false;
  if (!held.ok()) {
    active_ = false;
    next_ = 0;
    return Reject();
  }
  active_ = true;
  next_ = synced_ = std::min(*held, total_bytes);
  return Ack();
}

ChunkAck Receiver::OnChunk(const Chunk& c) {
  attempt_ = c.attempt;
  if (!active_ || !(c.id == id_)) {
    if (active_ && c.id < id_) return {c.id, 0, false, true};  // older than ours
    ChunkAck a = Resume(c.id, c.total_bytes);
    if (a.rejected || c.offset != next_) return a;
  }
  if (complete_) return Ack();
  if (c.total_bytes != total_) return Reject();
  if (c.offset != next_) return Ack();  // a duplicate or a gap: say where we are
  if (c.data.size() > total_ - next_) return Reject();
  if (crc32c::Value(c.data) != c.crc) return Ack();  // corrupt: ask for it again
  if (!sink_.Append(c.data).ok()) return Reject();
  next_ += c.data.size();
  if (c.last != (next_ == total_)) return Reject();
  if (!c.last) {
    if (next_ - synced_ >= options_.sync_every_bytes) {
      if (!sink_.Sync().ok()) return Reject();
      synced_ = next_;
    }
    return Ack();
  }
  if (sink_.crc() != c.total_crc) {
    // Every chunk matched its own CRC, yet the whole does not: bytes kept
    // from an earlier, interrupted transfer were not this snapshot's.
    active_ = false;
    return Reject();
  }
  if (!sink_.Sync().ok() || !sink_.Commit().ok()) return Reject();
  complete_ = true;
  return Ack();
}

}  // namespace cairn::snapshot
