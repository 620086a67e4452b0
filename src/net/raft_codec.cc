#include "net/raft_codec.h"

#include <cstring>

#include "common/crc32c.h"

namespace cairn::net {
namespace {

void PutU32(std::uint32_t v, char* p) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
std::uint32_t GetU32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::uint32_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

bool KnownFrameType(std::uint8_t t) { return t >= 1 && t <= 6; }

// Smallest encoding of one entry: term, index, type, data length.
constexpr std::size_t kEntryBytesMin = 8 + 8 + 1 + 4;

}  // namespace

void ByteWriter::U32(std::uint32_t v) {
  char b[4];
  PutU32(v, b);
  out_->append(b, 4);
}
void ByteWriter::U64(std::uint64_t v) {
  U32(static_cast<std::uint32_t>(v));
  U32(static_cast<std::uint32_t>(v >> 32));
}
void ByteWriter::Bytes(std::string_view s) {
  U32(static_cast<std::uint32_t>(s.size()));
  out_->append(s);
}

bool ByteReader::U8(std::uint8_t* v) {
  if (remaining() < 1) return false;
  *v = static_cast<std::uint8_t>(in_[pos_++]);
  return true;
}
bool ByteReader::U32(std::uint32_t* v) {
  if (remaining() < 4) return false;
  *v = GetU32(in_.data() + pos_);
  pos_ += 4;
  return true;
}
bool ByteReader::U64(std::uint64_t* v) {
  std::uint32_t lo = 0, hi = 0;
  if (remaining() < 8) return false;
  U32(&lo);
  U32(&hi);
  *v = (std::uint64_t{hi} << 32) | lo;
  return true;
}
bool ByteReader::Bytes(std::string_view* s) {
  std::uint32_t n = 0;
  if (!U32(&n) || remaining() < n) return false;
  *s = in_.substr(pos_, n);
  pos_ += n;
  return true;
}

void AppendFrame(FrameType type, std::string_view payload, std::string* out) {
  char h[kFrameHeaderBytes];
  PutU32(static_cast<std::uint32_t>(payload.size()), h);
  h[4] = static_cast<char>(kWireVersion);
  h[5] = static_cast<char>(type);
  PutU32(crc32c::Mask(crc32c::Value(payload)), h + 6);
  out->append(h, kFrameHeaderBytes);
  out->append(payload);
}

void FrameReader::Feed(std::string_view bytes) {
  if (pos_ > 0 && pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  buf_.append(bytes);
}

Result<std::optional<Frame>> FrameReader::Next() {
  if (!error_.ok()) return error_;
  if (buf_.size() - pos_ < kFrameHeaderBytes) return std::optional<Frame>();
  const char* h = buf_.data() + pos_;
  std::uint32_t len = GetU32(h);
  auto version = static_cast<std::uint8_t>(h[4]);
  auto type = static_cast<std::uint8_t>(h[5]);
  if (version != kWireVersion) {
    error_ = Status::InvalidArgument("peer frame: unsupported version " + std::to_string(version));
  } else if (!KnownFrameType(type)) {
    error_ = Status::InvalidArgument("peer frame: unknown type " + std::to_string(type));
  } else if (len > payload_bytes_max_) {
    error_ = Status::InvalidArgument("peer frame: payload of " + std::to_string(len) +
                                     " bytes exceeds the limit");
  }
  if (!error_.ok()) return error_;
  if (buf_.size() - pos_ < kFrameHeaderBytes + len) return std::optional<Frame>();
  std::string_view payload(h + kFrameHeaderBytes, len);
  if (crc32c::Unmask(GetU32(h + 6)) != crc32c::Value(payload)) {
    error_ = Status::Corruption("peer frame: checksum mismatch");
    return error_;
  }
  Frame f{static_cast<FrameType>(type), std::string(payload)};
  pos_ += kFrameHeaderBytes + len;
  // Compact once the consumed prefix dominates, so memory stays bounded.
  if (pos_ > (1u << 16) && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  return std::optional<Frame>(std::move(f));
}

std::string EncodeMessage(const raft::Message& m) {
  std::string out;
  std::size_t data_bytes = 0;
  for (const auto& e : m.entries) data_bytes += e.data.size() + kEntryBytesMin;
  out.reserve(80 + data_bytes);
  ByteWriter w(&out);
  w.U8(static_cast<std::uint8_t>(m.type));
  w.U64(m.from);
  w.U64(m.to);
  w.U64(m.term);
  w.U64(m.log_term);
  w.U64(m.index);
  w.U64(m.commit);
  w.U8(m.reject ? 1 : 0);
  w.U64(m.reject_hint);
  w.U64(m.context);
  w.U32(static_cast<std::uint32_t>(m.entries.size()));
  for (const auto& e : m.entries) {
    w.U64(e.term);
    w.U64(e.index);
    w.U8(static_cast<std::uint8_t>(e.type));
    w.Bytes(e.data);
  }
  if (m.type == raft::MessageType::kSnapshot) {  // its metadata travels after the entries
    w.U64(m.snapshot.index);
    w.U64(m.snapshot.term);
    for (const auto* ids : {&m.snapshot.membership.voters, &m.snapshot.membership.learners}) {
      w.U32(static_cast<std::uint32_t>(ids->size()));
      for (raft::NodeId id : *ids) w.U64(id);
    }
  }
  return out;
}

Result<raft::Message> DecodeMessage(std::string_view payload) {
  ByteReader r(payload);
  raft::Message m;
  std::uint8_t type = 0, reject = 0;
  std::uint32_t n = 0;
  if (!r.U8(&type) || !r.U64(&m.from) || !r.U64(&m.to) || !r.U64(&m.term) ||
      !r.U64(&m.log_term) || !r.U64(&m.index) || !r.U64(&m.commit) || !r.U8(&reject) ||
      !r.U64(&m.reject_hint) || !r.U64(&m.context) || !r.U32(&n)) {
    return Status::InvalidArgument("raft message: truncated header");
  }
  if (type >= raft::kMessageTypeCount) {
    return Status::InvalidArgument("raft message: unknown type " + std::to_string(type));
  }
  if (reject > 1) return Status::InvalidArgument("raft message: bad reject flag");
  if (n > r.remaining() / kEntryBytesMin) {
    return Status::InvalidArgument("raft message: entry count exceeds the payload");
  }
  m.type = static_cast<raft::MessageType>(type);
  m.reject = reject == 1;
  m.entries.resize(n);
  for (auto& e : m.entries) {
    std::uint8_t etype = 0;
    std::string_view data;
    if (!r.U64(&e.term) || !r.U64(&e.index) || !r.U8(&etype) || !r.Bytes(&data)) {
      return Status::InvalidArgument("raft message: truncated entry");
    }
    if (etype > static_cast<std::uint8_t>(raft::EntryType::kConfChange)) {
      return Status::InvalidArgument("raft message: unknown entry type " + std::to_string(etype));
    }
    e.type = static_cast<raft::EntryType>(etype);
    e.data = raft::Payload(data);
  }
  if (m.type == raft::MessageType::kSnapshot) {
    if (!r.U64(&m.snapshot.index) || !r.U64(&m.snapshot.term)) {
      return Status::InvalidArgument("raft message: truncated snapshot metadata");
    }
    for (auto* ids : {&m.snapshot.membership.voters, &m.snapshot.membership.learners}) {
      std::uint32_t count = 0;
      if (!r.U32(&count) || count > r.remaining() / 8) {
        return Status::InvalidArgument("raft message: bad snapshot membership");
      }
      ids->resize(count);
      for (auto& id : *ids) r.U64(&id);
    }
  }
  if (r.remaining() != 0) return Status::InvalidArgument("raft message: trailing bytes");
  return m;
}

}  // namespace cairn::net
