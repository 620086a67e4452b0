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

// Decodes the record at `p`, or says why it cannot.
bool TryRecord(std::string_view bytes, std::uint64_t p, bool check_crc, Record* rec,
               std::string* why) {
  std::uint64_t left = bytes.size() - p;
  if (left < kRecordHeaderBytes) {
    *why = "short record header";
    return false;
  }
  const char* h = bytes.data() + p;
  std::uint32_t len = GetU32(h + 4);
  std::uint8_t type = static_cast<std::uint8_t>(h[8]);
  if (!KnownType(type)) {
    *why = "unknown record type " + std::to_string(type);
    return false;
  }
  if (len > kRecordPayloadBytesMax || len > left - kRecordHeaderBytes) {
    *why = "record length " + std::to_string(len) + " runs past the end";
    return false;
  }
  if (check_crc && crc32c::Unmask(GetU32(h)) != crc32c::Value(h + 4, len + 5)) {
    *why = "checksum mismatch";
    return false;
  }
  rec->type = static_cast<RecordType>(type);
  rec->payload = bytes.substr(p + kRecordHeaderBytes, len);
  rec->offset = p;
  return true;
}

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

Result<raft::Entry> DecodeEntry(std::string_view p) {
  if (p.size() < 17) return Status::Corruption("entry record: too short");
  std::uint8_t type = static_cast<std::uint8_t>(p[16]);
  if (type > 2) return Status::Corruption("entry record: unknown entry type");
  raft::Entry e;
  e.term = GetU64(p.data());
  e.index = GetU64(p.data() + 8);
  e.type = static_cast<raft::EntryType>(type);
  e.data.assign(p.substr(17));
  if (e.index == 0) return Status::Corruption("entry record: index 0");
  return e;
}

Result<raft::HardState> DecodeHardState(std::string_view p) {
  if (p.size() != 24) return Status::Corruption("hard-state record: wrong size");
  return raft::HardState{GetU64(p.data()), GetU64(p.data() + 8), GetU64(p.data() + 16)};
}

SegmentScan ScanSegment(std::string_view bytes, ScanOptions options) {
  SegmentScan scan;
  std::uint64_t p = 0;
  Record rec;
  std::string why;
  while (p < bytes.size()) {
    if (!TryRecord(bytes, p, !options.skip_crc_check, &rec, &why)) break;
    scan.records.push_back(rec);
    p += kRecordHeaderBytes + rec.payload.size();
  }
  scan.valid_end_offset = p;
  if (p >= bytes.size() || AllZero(bytes.substr(p))) return scan;
  scan.tail_reason = why;
  // Torn or corrupt? A torn write is the last thing written, so no valid
  // record can start after it. Look for one at every later byte offset.
  // When the bad record's header is sane, its payload is skipped: an entry's
  // data may itself hold bytes that look like a record.
  scan.tail = TailKind::kTorn;
  std::uint64_t from = p + 1;
  if (bytes.size() - p >= kRecordHeaderBytes) {
    std::uint32_t len = GetU32(bytes.data() + p + 4);
    bool sane = KnownType(static_cast<std::uint8_t>(bytes[p + 8])) && len <= kRecordPayloadBytesMax &&
                len <= bytes.size() - p - kRecordHeaderBytes;
    if (sane) from = p + kRecordHeaderBytes + len;
  }
  for (std::uint64_t q = from; q + kRecordHeaderBytes <= bytes.size(); q++) {
    if (TryRecord(bytes, q, true, &rec, &why)) {
      scan.tail = TailKind::kCorrupt;
      break;
    }
  }
  return scan;
}

}  // namespace cairn::storage::wal
