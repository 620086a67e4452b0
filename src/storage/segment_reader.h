#pragma once
// SegmentReader: the streaming form of wal::ScanSegment, used by recovery.
//
// Reads one segment through a File a window at a time (default 256 KiB, so
// the window stays in the CPU cache) and yields its valid records in order;
// each record's checksum is checked in place in the window, and the payload
// a record points at is valid until the next call. It uses ScanSegment's own
// two steps (ParseRecord, ClassifyTail), so its verdicts are the same: the
// valid prefix, then kClean / kTorn / kCorrupt for what follows it.
//
// The tail check reads the bytes after the valid prefix a window at a time
// while they are zero (preallocated space); only a segment with non-zero
// bytes there (a torn or damaged tail) is read whole from that point.
//
// Thread-safety: none (one reader per segment, one thread).

#include <cstdint>
#include <string>

#include "common/status.h"
#include "storage/fs.h"
#include "storage/wal_format.h"

namespace cairn::storage::wal {

class SegmentReader {
 public:
  static constexpr std::size_t kWindowBytes = 256u << 10;

  // `file` holds `file_bytes` bytes; `buffer` is scratch that the caller may
  // reuse across segments (its pages are then already faulted in). Both must
  // outlive the reader.
  SegmentReader(File& file, std::uint64_t file_bytes, ScanOptions options, std::string* buffer,
                std::size_t window_bytes = kWindowBytes);

  // The next valid record (offset relative to the segment), or false at the
  // end of the valid prefix or on a read error; then call Finish.
  bool Next(Record* rec);

  // After Next returned false: the read error that stopped it, or the scan
  // result without records (valid_end_offset, tail, tail_reason).
  Result<SegmentScan> Finish();

 private:
  bool Refill();  // moves the unread bytes to the front and reads a window more
  std::uint64_t Consumed() const { return base_ + pos_; }

  File& file_;
  std::uint64_t file_bytes_;
  const bool check_crc_;
  std::string& buf_;
  const std::size_t window_bytes_;
  std::uint64_t base_ = 0;  // segment offset of buf_[0]
  std::size_t pos_ = 0;     // next record in buf_
  std::size_t end_ = 0;     // bytes of buf_ read from the file
  Status error_;
  std::string why_;         // why the record at the end of the valid prefix is invalid
};

}  // namespace cairn::storage::wal
