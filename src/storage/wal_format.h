#pragma once
// The WAL's byte format: record framing and the segment scanner.
// The layout is documented in docs/formats/wal.md; keep the two in step.
//
// Record:  [crc32c masked u32][payload length u32][type u8][payload]
//          little-endian; the CRC covers length, type and payload.
//
// ParseRecord and ClassifyTail are the only code that turns disk bytes into
// records; ScanSegment (whole segment in memory) and SegmentReader (recovery,
// a window at a time, segment_reader.h) are both built from them. The fuzzer
// (fuzz/storage) feeds ScanSegment, and a read-only Wal::Open (hence
// SegmentReader), arbitrary bytes. Neither returns a record whose checksum
// fails (unless told to skip the check, a test-only broken variant).
//
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "raft/types.h"

namespace cairn::storage::wal {

inline constexpr std::size_t kRecordHeaderBytes = 9;
inline constexpr std::uint32_t kRecordPayloadBytesMax = 64u << 20;
inline constexpr char kSegmentMagic[8] = {'C', 'A', 'I', 'R', 'N', 'W', 'A', 'L'};
inline constexpr std::uint32_t kFormatVersion = 1;

enum class RecordType : std::uint8_t {
  kInvalid = 0,  // never written: a zero header means "preallocated space"
  kSegmentHeader = 1,
  kEntry = 2,
  kHardState = 3,
};
std::string_view RecordTypeName(RecordType t);

struct SegmentHeader {
  std::uint32_t version = kFormatVersion;
  std::uint64_t seq = 0;          // segment number, consecutive from the first
  // The log's last index when this segment was started. Every entry still
  // live in earlier segments has an index <= base_index, which is what lets
  // Compact drop them; the segment's first entry has index <= base_index + 1.
  raft::Index base_index = 0;
  friend bool operator==(const SegmentHeader&, const SegmentHeader&) = default;
};

// Appends one framed record to `out`.
void AppendSegmentHeader(std::string* out, const SegmentHeader& h);
void AppendEntry(std::string* out, const raft::Entry& e);
void AppendHardState(std::string* out, const raft::HardState& hs);
std::size_t EntryRecordBytes(const raft::Entry& e);

// Payload decoders: kCorruption on a malformed payload.
Result<SegmentHeader> DecodeSegmentHeader(std::string_view payload);
Result<raft::Entry> DecodeEntry(std::string_view payload);
// An entry payload without copying its data (`data` points into `payload`):
// replay places the entry first and copies the data once, into the entry.
struct EntryView {
  raft::Term term = 0;
  raft::Index index = 0;
  raft::EntryType type = raft::EntryType::kNormal;
  std::string_view data;
};
Result<EntryView> DecodeEntryView(std::string_view payload);
Result<raft::HardState> DecodeHardState(std::string_view payload);

struct Record {
  RecordType type = RecordType::kInvalid;
  std::string_view payload;  // points into the scanned bytes
  std::uint64_t offset = 0;  // of the record header within the segment
};

// How a segment's bytes end after its last valid record.
enum class TailKind : std::uint8_t {
  kClean,    // end of file, or only zero bytes (preallocated space) follow
  kTorn,     // an invalid record, and no valid record anywhere after it:
             // the remains of an interrupted last write
  kCorrupt,  // an invalid record followed later by a valid one: damage
             // inside data that was written before other data
};

struct SegmentScan {
  std::vector<Record> records;
  std::uint64_t valid_end_offset = 0;  // just past the last valid record
  TailKind tail = TailKind::kClean;
  std::string tail_reason;             // why the record at valid_end_offset is invalid
};

struct ScanOptions {
  // TEST ONLY (broken variant): accept records whose checksum fails.
  bool skip_crc_check = false;
};

SegmentScan ScanSegment(std::string_view bytes, ScanOptions options = {});

// The two steps ScanSegment is made of, for scanning a segment a window at a
// time (segment_reader.h) with exactly the same verdicts.
enum class ParseResult : std::uint8_t {
  kValid,       // *rec is the record at `p`
  kIncomplete,  // the record may be valid but ends past the window: read more
  kInvalid,     // *why says why
};
// Parses the record at window[p]. `bytes_after_window` is how many bytes of
// the segment follow the window (0 when the window reaches its end); with 0
// the result is never kIncomplete. rec->offset is relative to the window.
ParseResult ParseRecord(std::string_view window, std::size_t p, std::uint64_t bytes_after_window,
                        bool check_crc, Record* rec, std::string* why);
// Classifies the bytes from the first invalid record to the end of the
// segment: kClean (all zero), kTorn or kCorrupt (see TailKind).
TailKind ClassifyTail(std::string_view rest);

}  // namespace cairn::storage::wal
