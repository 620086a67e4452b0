#include "storage/wal_format.h"

#include <algorithm>
#include <cstring>

#include "common/crc32c.h"

namespace cairn::storage::wal {
namespace {

void PutU32(std::string* out, std::uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; i++) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}
void PutU64(std::string* out, std::uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; i++) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}
std::uint32_t GetU32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; i--) v = (v << 8) | static_cast<std::uint8_t>(p[i]);
  return v;
}
std::uint64_t GetU64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | static_cast<std::uint8_t>(p[i]);
  return v;
}

// Reserves the header, lets `fill` append the payload, then writes the header.
template <typename Fill>
void Frame(std::string* out, RecordType type, Fill fill) {
  std::size_t start = out->size();
  out->append(kRecordHeaderBytes, '\0');
  fill();
  std::size_t len = out->size() - start - kRecordHeaderBytes;
  CAIRN_CHECK(len <= kRecordPayloadBytesMax, "WAL record payload too large");
  char* h = out->data() + start;
  for (int i = 0; i < 4; i++) h[4 + i] = static_cast<char>(static_cast<std::uint32_t>(len) >> (8 * i));
  h[8] = static_cast<char>(type);
  std::uint32_t crc = crc32c::Value(h + 4, len + 5);
  std::uint32_t masked = crc32c::Mask(crc);
  for (int i = 0; i < 4; i++) h[i] = static_cast<char>(masked >> (8 * i));
}

bool KnownType(std::uint8_t t) { return t >= 1 && t <= 3; }

bool AllZero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '\0'; });
}

}  // namespace

std::string_view RecordTypeName(RecordType t) {
  switch (t) {
    case RecordType::kSegmentHeader: return "segment-header";
    case RecordType::kEntry: return "entry";
    case RecordType::kHardState: return "hard-state";
    default: return "invalid";
  }
}

void AppendSegmentHeader(std::string* out, const SegmentHeader& h) {
  Frame(out, RecordType::kSegmentHeader, [&] {
    out->append(kSegmentMagic, sizeof(kSegmentMagic));
    PutU32(out, h.version);
    PutU64(out, h.seq);
    PutU64(out, h.base_index);
  });
}

void AppendEntry(std::string* out, const raft::Entry& e) {
  Frame(out, RecordType::kEntry, [&] {
    PutU64(out, e.term);
    PutU64(out, e.index);
    out->push_back(static_cast<char>(e.type));
    out->append(e.data);
  });
}

void AppendHardState(std::string* out, const raft::HardState& hs) {
  Frame(out, RecordType::kHardState, [&] {
    PutU64(out, hs.term);
    PutU64(out, hs.vote);
    PutU64(out, hs.commit);
  });
}

std::size_t EntryRecordBytes(const raft::Entry& e) { return kRecordHeaderBytes + 17 + e.data.size(); }

Result<SegmentHeader> DecodeSegmentHeader(std::string_view p) {
  if (p.size() != 28) return Status::Corruption("segment header: wrong size");
  if (std::memcmp(p.data(), kSegmentMagic, 8) != 0) return Status::Corruption("segment header: bad magic");
  SegmentHeader h;
  h.version = GetU32(p.data() + 8);
  if (h.version != kFormatVersion) {
    return Status::Corruption("segment header: unsupported version " + std::to_string(h.version));
  }
  h.seq = GetU64(p.data() + 12);
  h.base_index = GetU64(p.data() + 20);
  return h;
}

Result<EntryView> DecodeEntryView(std::string_view p) {
  if (p.size() < 17) return Status::Corruption("entry record: too short");
  std::uint8_t type = static_cast<std::uint8_t>(p[16]);
  if (type > 2) return Status::Corruption("entry record: unknown entry type");
  EntryView e;
  e.term = GetU64(p.data());
  e.index = GetU64(p.data() + 8);
  e.type = static_cast<raft::EntryType>(type);
  e.data = p.substr(17);
  if (e.index == 0) return Status::Corruption("entry record: index 0");
  return e;
}

Result<raft::Entry> DecodeEntry(std::string_view p) {
  CAIRN_ASSIGN_OR_RETURN(EntryView v, DecodeEntryView(p));
  return raft::Entry{v.term, v.index, v.type, std::string(v.data)};
}

Result<raft::HardState> DecodeHardState(std::string_view p) {
  if (p.size() != 24) return Status::Corruption("hard-state record: wrong size");
  return raft::HardState{GetU64(p.data()), GetU64(p.data() + 8), GetU64(p.data() + 16)};
}

ParseResult ParseRecord(std::string_view window, std::size_t p, std::uint64_t bytes_after_window,
                        bool check_crc, Record* rec, std::string* why) {
  const std::uint64_t left = window.size() - p;
  if (left < kRecordHeaderBytes) {
    if (left + bytes_after_window >= kRecordHeaderBytes) return ParseResult::kIncomplete;
    *why = "short record header";
    return ParseResult::kInvalid;
  }
  const char* h = window.data() + p;
  std::uint32_t len = GetU32(h + 4);
  std::uint8_t type = static_cast<std::uint8_t>(h[8]);
  if (!KnownType(type)) {
    *why = "unknown record type " + std::to_string(type);
    return ParseResult::kInvalid;
  }
  if (len > kRecordPayloadBytesMax || len > left + bytes_after_window - kRecordHeaderBytes) {
    *why = "record length " + std::to_string(len) + " runs past the end";
    return ParseResult::kInvalid;
  }
  if (len > left - kRecordHeaderBytes) return ParseResult::kIncomplete;
  if (check_crc && crc32c::Unmask(GetU32(h)) != crc32c::Value(h + 4, len + 5)) {
    *why = "checksum mismatch";
    return ParseResult::kInvalid;
  }
  rec->type = static_cast<RecordType>(type);
  rec->payload = window.substr(p + kRecordHeaderBytes, len);
  rec->offset = p;
  return ParseResult::kValid;
}

TailKind ClassifyTail(std::string_view rest) {
  if (AllZero(rest)) return TailKind::kClean;
  // Torn or corrupt? A torn write is the last thing written, so no valid
  // record can start after it. Look for one at every later byte offset.
  // When the bad record's header is sane, its payload is skipped: an entry's
  // data may itself hold bytes that look like a record.
  std::uint64_t from = 1;
  if (rest.size() >= kRecordHeaderBytes) {
    std::uint32_t len = GetU32(rest.data() + 4);
    bool sane = KnownType(static_cast<std::uint8_t>(rest[8])) && len <= kRecordPayloadBytesMax &&
                len <= rest.size() - kRecordHeaderBytes;
    if (sane) from = kRecordHeaderBytes + len;
  }
  Record rec;
  std::string why;
  for (std::uint64_t q = from; q + kRecordHeaderBytes <= rest.size(); q++) {
    if (ParseRecord(rest, q, 0, true, &rec, &why) == ParseResult::kValid) return TailKind::kCorrupt;
  }
  return TailKind::kTorn;
}

SegmentScan ScanSegment(std::string_view bytes, ScanOptions options) {
  SegmentScan scan;
  std::uint64_t p = 0;
  Record rec;
  std::string why;
  while (p < bytes.size()) {
    if (ParseRecord(bytes, p, 0, !options.skip_crc_check, &rec, &why) != ParseResult::kValid) break;
    scan.records.push_back(rec);
    p += kRecordHeaderBytes + rec.payload.size();
  }
  scan.valid_end_offset = p;
  if (p >= bytes.size()) return scan;
  scan.tail = ClassifyTail(bytes.substr(p));
  if (scan.tail != TailKind::kClean) scan.tail_reason = why;
  return scan;
}

}  // namespace cairn::storage::wal
