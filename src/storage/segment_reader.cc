#include "storage/segment_reader.h"

#include <algorithm>
#include <cstring>

namespace cairn::storage::wal {
namespace {

// memcmp of a buffer against itself shifted by one byte is vectorised; a
// byte-at-a-time scan of 64 MiB of preallocated space is not.
bool AllZeroFast(std::string_view s) {
  return s.empty() || (s[0] == '\0' && std::memcmp(s.data(), s.data() + 1, s.size() - 1) == 0);
}

}  // namespace

SegmentReader::SegmentReader(File& file, std::uint64_t file_bytes, ScanOptions options,
                             std::string* buffer, std::size_t window_bytes)
    : file_(file),
      file_bytes_(file_bytes),
      check_crc_(!options.skip_crc_check),
      buf_(*buffer),
      window_bytes_(std::max<std::size_t>(window_bytes, kRecordHeaderBytes)) {}

bool SegmentReader::Refill() {
  const std::size_t keep = end_ - pos_;
  if (keep > 0 && pos_ > 0) std::memmove(buf_.data(), buf_.data() + pos_, keep);
  base_ += pos_;
  pos_ = 0;
  end_ = keep;
  const std::uint64_t read_from = base_ + end_;
  const std::size_t n = static_cast<std::size_t>(
      std::min<std::uint64_t>(window_bytes_, file_bytes_ - read_from));
  if (buf_.size() < end_ + n) buf_.resize(std::max(end_ + n, buf_.size() * 2));
  auto got = file_.ReadInto(read_from, buf_.data() + end_, n);
  if (!got.ok()) {
    error_ = got.status();
    return false;
  }
  end_ += *got;
  // A short read means the file is shorter than it was: its end is here.
  if (*got < n) file_bytes_ = base_ + end_;
  return true;
}

bool SegmentReader::Next(Record* rec) {
  for (;;) {
    if (Consumed() >= file_bytes_) return false;
    const std::string_view window(buf_.data(), end_);
    const std::uint64_t after = file_bytes_ - (base_ + end_);
    switch (ParseRecord(window, pos_, after, check_crc_, rec, &why_)) {
      case ParseResult::kValid:
        pos_ += kRecordHeaderBytes + rec->payload.size();
        rec->offset += base_;
        return true;
      case ParseResult::kInvalid:
        return false;
      case ParseResult::kIncomplete:
        if (!Refill()) return false;
        break;
    }
  }
}

Result<SegmentScan> SegmentReader::Finish() {
  CAIRN_RETURN_IF_ERROR(error_);
  SegmentScan scan;
  scan.valid_end_offset = Consumed();
  if (scan.valid_end_offset >= file_bytes_) return scan;
  // Zero bytes (preallocated space) are the common tail: check them a window
  // at a time, and read the rest whole only if something else is there.
  for (;;) {
    std::string_view unread(buf_.data() + pos_, end_ - pos_);
    if (!AllZeroFast(unread)) break;
    pos_ = end_;
    if (Consumed() >= file_bytes_) return scan;  // all zero: clean
    if (!Refill()) return error_;
  }
  std::string rest;
  CAIRN_RETURN_IF_ERROR(file_.Read(scan.valid_end_offset,
                                   static_cast<std::size_t>(file_bytes_ - scan.valid_end_offset), &rest));
  scan.tail = ClassifyTail(rest);
  if (scan.tail != TailKind::kClean) scan.tail_reason = why_;
  return scan;
}

}  // namespace cairn::storage::wal
